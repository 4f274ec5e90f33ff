"""The embedded default backend: a pyoxigraph store, in memory or on disk.

The only module (with :mod:`.build`) that imports pyoxigraph. Queries see the union of the
named graphs as their default graph unless the request names a dataset.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from . import formats
from .formats import Format
from .store import (
    Dataset,
    QueryResult,
    QuerySyntaxError,
    ResultTooLarge,
    Store,
    StoreInfo,
    StoreUnavailable,
    serialize_boolean,
    serialize_rows,
)

RDF_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
SUFFIX_FORMAT = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
                 ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
                 ".rdf": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD}
META_FILE = "enlargement-kg.json"


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term → pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind {term!r}")


def _row_term(t) -> tuple:
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value, None, None)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value, None, None)
    if isinstance(t, ox.Literal):
        return ("literal", t.value, t.datatype.value, t.language)
    return ("literal", str(t), None, None)  # RDF-star triple terms: rare, kept as text


class OxigraphStore(Store):
    """A pyoxigraph store. ``path=None`` is in memory; else an on-disk store, read-only
    unless ``writable``."""

    def __init__(self, store: ox.Store, *, path: Path | None = None, meta: dict | None = None):
        self._store = store
        self.path = path
        self._meta = meta or {}
        self._info: StoreInfo | None = None

    @classmethod
    def memory(cls) -> "OxigraphStore":
        return cls(ox.Store())

    @classmethod
    def open(cls, path: str | Path, *, writable: bool = False) -> "OxigraphStore":
        path = Path(path)
        if not (path / META_FILE).is_file():
            raise StoreUnavailable(f"{path} is not an enlargement-kg store (no {META_FILE}); "
                                   "run `enlargement-kg build --out DIR` first")
        try:
            store = ox.Store(str(path)) if writable else ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from exc
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        return cls(store, path=path, meta=meta)

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for the build and the benchmarks only."""
        return self._store

    # -- loading ----------------------------------------------------------------------------

    def load_file(self, path: Path, graph: str) -> None:
        fmt = SUFFIX_FORMAT[path.suffix]
        self._store.load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))

    def load_bytes(self, data: bytes, fmt: Format, graph: str | None = None) -> None:
        kwargs = {}
        if fmt.name not in ("trig", "nquads"):
            kwargs["to_graph"] = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.load(data, format=RDF_FORMAT[fmt.name], **kwargs)

    def set_meta(self, meta: dict) -> None:
        self._meta = dict(meta)
        self._info = None

    # -- queries ----------------------------------------------------------------------------

    def execute(self, query: str, *, result_format: Format, graph_format: Format,
                substitutions: Mapping[str, Node] | None = None,
                dataset: Dataset | None = None, max_rows: int | None = None,
                timeout: float | None = None) -> QueryResult:
        kwargs: dict = {}
        if dataset and (dataset.default_graphs or dataset.named_graphs):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in substitutions.items()}
        try:
            result = self._store.query(query, **kwargs)
            return self._serialize(result, result_format, graph_format, max_rows)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (ValueError, TypeError, RuntimeError) as exc:
            raise QuerySyntaxError(str(exc)) from None

    def _serialize(self, result, result_format: Format, graph_format: Format,
                   max_rows: int | None) -> QueryResult:
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("boolean", serialize_boolean(bool(result), result_format),
                               result_format, 1)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            it = iter(result)
            sols = list(itertools.islice(it, max_rows + 1)) if max_rows else list(it)
            if max_rows and len(sols) > max_rows:
                raise ResultTooLarge(f"the answer has more than {max_rows} rows, the result "
                                     "cap; add a LIMIT or narrow the query")
            rows = []
            for s in sols:
                row = {}
                for v in variables:
                    t = s[v]
                    if t is not None:
                        row[v] = _row_term(t)
                rows.append(row)
            return QueryResult("bindings", serialize_rows(variables, rows, result_format),
                               result_format, len(rows))
        it = iter(result)
        triples = list(itertools.islice(it, max_rows + 1)) if max_rows else list(it)
        if max_rows and len(triples) > max_rows:
            raise ResultTooLarge(f"the answer has more than {max_rows} triples, the result cap")
        fmt = graph_format
        if fmt.name in ("trig", "nquads"):  # a graph answer in a dataset syntax: default graph
            quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
            body = ox.serialize(quads, format=RDF_FORMAT[fmt.name])
        else:
            body = ox.serialize(triples, format=RDF_FORMAT[fmt.name])
        return QueryResult("graph", body or b"", fmt, len(triples))

    def dump(self, fmt: Format) -> bytes:
        if fmt.name in ("trig", "nquads"):
            return self._store.dump(format=RDF_FORMAT[fmt.name]) or b""
        triples = (ox.Triple(q.subject, q.predicate, q.object)
                   for q in self._store.quads_for_pattern(None, None, None, None))
        return ox.serialize(triples, format=RDF_FORMAT[fmt.name]) or b""

    def info(self) -> StoreInfo:
        if self._info is None:
            triples = len(self._store)
            graphs = sum(1 for _ in self._store.named_graphs())
            self._info = StoreInfo(version=self._meta.get("version", "unversioned"),
                                   triples=triples, graphs=graphs, backend="pyoxigraph",
                                   details=dict(self._meta))
        return self._info
