"""Stores and live servers for the W3C conformance tests.

The Protocol manifest's dataset tests need its ``data*.nt`` files loaded as the named graphs
its ``ut:graphData`` entries name; :func:`build_store` writes such an on-disk store in the
layout ``enlargement-kg serve --store DIR`` opens (a pyoxigraph store plus the
``enlargement-kg.json`` metadata file the build writes).
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from enlargement_kg import __version__
from enlargement_kg.core.oxigraph_store import META_FILE, SUFFIX_FORMAT


@dataclass(frozen=True)
class Served:
    """A live endpoint for the runner: its SPARQL URL, the bearer token writes need (or
    None), and whether its service description advertises SPARQL 1.1 Update."""

    sparql: str
    token: str | None = None
    update: bool = False


def build_store(*, out: Path, graphs: dict[str, Path]) -> Path:
    """Write an on-disk store at ``out`` holding each file of ``graphs`` (name -> file) as
    its named graph, and the metadata file; return ``out``."""
    import pyoxigraph

    out.mkdir(parents=True, exist_ok=False)
    digest = hashlib.sha256()
    raw = pyoxigraph.Store(str(out))
    for name, file in sorted(graphs.items()):  # the graph's name is the base of its file
        raw.load(
            path=str(file),
            format=SUFFIX_FORMAT[file.suffix],
            base_iri=name,
            to_graph=pyoxigraph.NamedNode(name),
        )
        digest.update(name.encode() + b"\0" + file.read_bytes())
    raw.flush()
    quads = len(raw)
    del raw
    gc.collect()  # release the RocksDB lock before a server opens the folder
    meta = {
        "version": "w3c-" + digest.hexdigest()[:16],
        "package_version": __version__,
        "ontology_version": None,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quads": quads,
        "graphs": sorted(graphs),
        "warnings": 0,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out
