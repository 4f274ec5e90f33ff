"""Where the packaged data lives: ontology, shapes, kg, queries.

Installed from a wheel, the folders sit inside the package (``enlargement_kg/ontology``);
in a source checkout (editable install or tests run from the repository) they sit beside
``api/``. Every caller goes through :func:`data_dir`, so both layouts work.
"""

from __future__ import annotations

from pathlib import Path

KINDS = ("ontology", "shapes", "kg", "queries")

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def data_dir(kind: str) -> Path:
    """Return the folder holding the packaged ``kind`` files (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown data kind {kind!r}; expected one of {', '.join(KINDS)}")
    for candidate in (_PACKAGE_DIR / kind, _PACKAGE_DIR.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the packaged {kind}/ folder was not found beside {_PACKAGE_DIR}")


def rdf_files(folder: Path) -> list[Path]:
    """Every Turtle/JSON-LD/N-Triples/TriG file below ``folder``, in a stable order."""
    suffixes = {".ttl", ".jsonld", ".nt", ".nq", ".trig", ".rdf"}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes)
