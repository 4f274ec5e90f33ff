"""Describe one resource for dereferencing (``/id/...``): see ``rq/describe.rq``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef

from .store import Store

_RQ = Path(__file__).resolve().parent / "rq"


@lru_cache(maxsize=None)
def internal_query(name: str) -> str:
    """The text of ``core/rq/{name}.rq``."""
    return (_RQ / f"{name}.rq").read_text(encoding="utf-8")


def describe(store: Store, iri: str) -> Graph:
    """The description graph of ``iri``; empty when the graph says nothing about it."""
    g = store.construct(internal_query("describe"), bindings={"this": URIRef(iri)})
    if (URIRef(iri), None, None) not in g:
        return Graph()
    return g

