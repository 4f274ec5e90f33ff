"""enlargement-kg: a linked-data knowledge graph of EU enlargement and defence alignment.

The import package is ``enlargement_kg``; its source lives in the repository's ``api/``
folder. ``enlargement_kg.core`` is the pure core (no Flask); ``enlargement_kg.web`` is the
thin web layer; ``enlargement_kg.cli`` is the ``enlargement-kg`` command.
"""

__version__ = "0.2.0"
