"""The embedded default backend: a pyoxigraph store, in memory or on disk.

With :mod:`.oxigraph_answers` (how it writes an answer) and :mod:`.build`, the only modules
that import pyoxigraph. Queries see the union of the named graphs as their default graph
unless the request names a dataset.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .child import ChildDied, ChildError, ChildTimeout, run_in_child
from .formats import Format
from .guard import has_dataset_clause, scan_pattern
from .oxigraph_answers import (
    RDF_FORMAT,
    bounded_json,
    json_results,
    serialize_answer,
    too_many_rows,
)
from .store import (
    Dataset,
    QueryRefused,
    QueryResult,
    QuerySyntaxError,
    Store,
    StoreInfo,
    StoreUnavailable,
)

SUFFIX_FORMAT = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
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


@dataclass(frozen=True)
class ParsedGraph:
    """An RDF payload parsed into triples (pyoxigraph terms: opaque above this module). Its
    blank nodes carry fresh identifiers, so merging it never joins an existing blank node."""

    triples: tuple

    def __len__(self) -> int:
        return len(self.triples)


@dataclass(frozen=True)
class StoreChanges:
    """What turns one store into another: quads and named graphs to remove and to add."""

    removed: tuple = ()
    added: tuple = ()
    graphs_removed: tuple = ()
    graphs_added: tuple = ()

    @property
    def empty(self) -> bool:
        return not (self.removed or self.added or self.graphs_removed or self.graphs_added)

    @property
    def graph_names_removed(self) -> tuple[str, ...]:
        return tuple(g.value for g in self.graphs_removed)

    @property
    def graph_names_added(self) -> tuple[str, ...]:
        return tuple(g.value for g in self.graphs_added)


def parse_graph(data: bytes, fmt: Format, *, base_iri: str | None = None) -> ParsedGraph:
    """Parse a graph payload (Turtle, N-Triples, RDF/XML, JSON-LD) with fresh blank nodes. A
    JSON-LD remote ``@context`` is never fetched (pyoxigraph has no loader: the parse fails)."""
    if fmt.name not in RDF_FORMAT or fmt.name in ("trig", "nquads"):
        raise QuerySyntaxError(f"{fmt.media_type} is not a graph syntax")
    try:
        quads = ox.parse(
            data,
            format=RDF_FORMAT[fmt.name],
            base_iri=base_iri,
            rename_blank_nodes=True,
            without_named_graphs=True,
        )
        return ParsedGraph(tuple(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    except (SyntaxError, ValueError) as exc:
        raise QuerySyntaxError(f"the {fmt.name} payload does not parse: {exc}") from None


def _graph_name(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


#: The function through which ``apply_changes`` hands its terms to the committing update.
DIFF_TERM = "urn:enlargement-kg:diff-term"

_QUAD_PARTS = (attrgetter("subject"), attrgetter("predicate"), attrgetter("object"))


def _open_and_let_go(path: Path) -> None:
    """:meth:`OxigraphStore.check`'s child: open the store, raise as :meth:`open` does."""
    OxigraphStore.open(path)


class OxigraphStore(Store):
    """A pyoxigraph store. ``path=None`` is in memory; else an on-disk store, read-only
    unless ``writable``. ``fast_paths=False`` turns off the two shortcuts of :meth:`execute`
    (the index scan and the bounded JSON writer) so that every query goes to the engine."""

    capabilities = frozenset({"dump", "read_graph", "write"})
    fast_paths: bool = True

    def __init__(self, store: ox.Store, *, path: Path | None = None, meta: dict | None = None):
        self._store = store
        self.path = path
        self._meta = meta or {}
        self._info: StoreInfo | None = None

    @classmethod
    def memory(cls) -> OxigraphStore:
        return cls(ox.Store())

    @staticmethod
    def size_hint(path: str | Path) -> int:
        """The quads of the store at ``path`` as its build recorded them, without opening it
        (see :meth:`check` for why the serving master must not)."""
        try:
            meta = json.loads((Path(path) / META_FILE).read_text(encoding="utf-8"))
            return int(meta.get("quads", 0))
        except (OSError, ValueError):
            return 0

    @classmethod
    def open(cls, path: str | Path, *, writable: bool = False) -> OxigraphStore:
        path = Path(path)
        if not (path / META_FILE).is_file():
            raise StoreUnavailable(
                f"{path} is not an enlargement-kg store (no {META_FILE}); "
                "run `enlargement-kg build --out DIR` first"
            )
        try:
            store = ox.Store(str(path)) if writable else ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from exc
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        return cls(store, path=path, meta=meta)

    @classmethod
    def check(cls, path: str | Path) -> None:
        """Raise :class:`StoreUnavailable`, as :meth:`open` would, if the store at ``path``
        cannot be opened, but open it in a forked child, not here. The storage engine
        (RocksDB) starts background threads that outlive the store; a process forked after
        that (a gunicorn worker, from the master that preloads the app) inherits their pool
        without the threads and crashes at exit (SIGSEGV, or SIGABRT on
        ``std::system_error``)."""
        path = Path(path)
        if not (path / META_FILE).is_file():
            cls.open(path)  # raises, with the message of every caller
        try:
            run_in_child(_open_and_let_go, path, timeout=60, what=f"opening the store at {path}")
        except ChildTimeout:
            raise StoreUnavailable(f"cannot open the store at {path}: it took over 60 s") from None
        except ChildDied:
            raise StoreUnavailable(
                f"cannot open the store at {path}: the process that opened it died"
            ) from None
        except ChildError as exc:  # not a StoreUnavailable: what went wrong, in the message
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from None

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

    def execute(
        self,
        query: str,
        *,
        result_format: Format,
        graph_format: Format,
        substitutions: Mapping[str, Node] | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        row_bound: int | None = None,
    ) -> QueryResult:
        """:meth:`.Store.execute`; ``row_bound`` is the caller's guarantee that the answer
        has at most that many rows (the query's own ``LIMIT``): a SPARQL JSON answer is then
        written by pyoxigraph in one call (the same bytes, and the GIL released once rather
        than per row: under the server's threads, a third less CPU per point lookup)."""
        kwargs: dict = {}
        if dataset and (dataset.default_graphs or dataset.named_graphs):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        elif not has_dataset_clause(query):
            # the default graph is the union of the named graphs, unless the query's own
            # FROM / FROM NAMED defines its dataset (SPARQL 1.1 Query §13.2)
            kwargs["use_default_graph_as_union"] = True
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in substitutions.items()}
        if (
            self.fast_paths
            and result_format.name == "json"
            and not substitutions
            and kwargs.get("use_default_graph_as_union")
        ):
            pattern = scan_pattern(query)
            if pattern is not None:
                return self._scan(*pattern, fmt=result_format, max_rows=max_rows)
        try:
            result = self._store.query(query, **kwargs)
            if (
                self.fast_paths
                and row_bound is not None
                and result_format.name == "json"
                and isinstance(result, ox.QuerySolutions)
            ):
                return bounded_json(result, result_format, max_rows)
            return serialize_answer(result, result_format, graph_format, max_rows)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (ValueError, TypeError, RuntimeError) as exc:
            raise QuerySyntaxError(str(exc)) from None

    def _scan(
        self,
        projection: tuple[str, ...],
        terms: tuple[tuple[str, str], ...],
        limit: int | None,
        *,
        fmt: Format,
        max_rows: int | None,
    ) -> QueryResult:
        """The answer to a :func:`.guard.scan_pattern` query read from the store's index:
        the quads that match, from every graph (the union default graph keeps duplicates
        across graphs, as the SPARQL engine does), in the engine's order, without parsing or
        planning a query (in memory: 6 µs for a subject's triples, against 82 µs through
        the engine; the same bytes, tests/unit/test_scan_pattern.py)."""
        try:
            s, p, o = (ox.NamedNode(v) if kind == "iri" else None for kind, v in terms)
        except ValueError as exc:
            raise QuerySyntaxError(str(exc)) from None
        take = limit
        if max_rows and (take is None or take > max_rows):
            take = max_rows + 1
        quads = self._store.quads_for_pattern(s, p, o, None)
        found = list(itertools.islice(quads, take) if take is not None else quads)
        if max_rows and len(found) > max_rows:
            raise too_many_rows(max_rows)
        where = {v: k for k, (kind, v) in enumerate(terms) if kind == "var"}
        get = [_QUAD_PARTS[where[v]] for v in projection]
        rows = [tuple(g(q) for g in get) for q in found]
        return QueryResult("bindings", json_results(list(projection), rows), fmt, len(rows))

    def dump(self, fmt: Format) -> bytes:
        """The whole dataset in ``fmt``, byte for byte the same for the same graph: statements
        sorted, blank nodes relabelled from their content (:func:`canonical_quads`), so a
        partner can check a download against the published checksum."""
        quads = canonical_quads(self._store.quads_for_pattern(None, None, None, None))
        if fmt.name in ("trig", "nquads"):
            return ox.serialize(quads, format=RDF_FORMAT[fmt.name]) or b""
        seen: set = set()  # a triple in two named graphs appears once in a union dump
        triples = []
        for q in quads:
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t not in seen:
                seen.add(t)
                triples.append(t)
        return ox.serialize(triples, format=RDF_FORMAT[fmt.name]) or b""

    def info(self) -> StoreInfo:
        if self._info is None:
            triples = len(self._store)
            graphs = sum(1 for _ in self._store.named_graphs())
            self._info = StoreInfo(
                version=self._meta.get("version", "unversioned"),
                triples=triples,
                graphs=graphs,
                backend="pyoxigraph",
                details=dict(self._meta),
            )
        return self._info

    # -- writes: the primitives of core/writes.py (SPARQL 1.1 Update, Graph Store Protocol) --

    def backup(self, target: Path) -> None:
        """A consistent copy of this on-disk store at ``target`` (a RocksDB checkpoint: the
        table files are hard-linked, so it is cheap whatever the size)."""
        try:
            self._store.backup(str(target))
        except OSError as exc:
            raise StoreUnavailable(f"cannot copy the store to {target}: {exc}") from None

    def flush(self) -> None:
        """Write every buffer to disk."""
        self._store.flush()

    def apply_update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update request: all its operations in one transaction, or none."""
        try:
            self._store.update(update, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the update does not parse: {exc}") from None
        except (RuntimeError, ValueError, TypeError) as exc:
            raise QueryRefused(f"the update failed: {exc}") from None
        self._info = None

    def graph_exists(self, graph: str | None) -> bool:
        """Graph Store Protocol: does the graph exist? The default graph always does."""
        return graph is None or self._store.contains_named_graph(ox.NamedNode(graph))

    def read_graph(self, graph: str | None, fmt: Format) -> bytes | None:
        """One graph serialised as triples in ``fmt``, or None if there is no such graph."""
        if not self.graph_exists(graph):
            return None
        triples = (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._store.quads_for_pattern(None, None, None, _graph_name(graph))
        )
        return ox.serialize(triples, format=RDF_FORMAT[fmt.name]) or b""

    def replace_graph(self, graph: str | None, payload: ParsedGraph) -> bool:
        """Graph Store Protocol PUT: the graph becomes ``payload``; True if it is new. Not
        atomic by itself: core/writes.py runs it on a staging copy."""
        existed = self.graph_exists(graph)
        name = _graph_name(graph)
        if existed:
            self._store.clear_graph(name)
        else:
            self._store.add_graph(name)
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in payload.triples)
        self._info = None
        return not existed

    def add_to_graph(self, graph: str | None, payload: ParsedGraph) -> bool:
        """Graph Store Protocol POST: merge ``payload`` into the graph; True if it is new."""
        existed = self.graph_exists(graph)
        name = _graph_name(graph)
        if not existed:
            self._store.add_graph(name)
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in payload.triples)
        self._info = None
        return not existed

    def drop_graph(self, graph: str | None) -> bool:
        """Graph Store Protocol DELETE: remove the named graph, or empty the default graph;
        False if there was no such graph."""
        if not self.graph_exists(graph):
            return False
        if graph is None:
            self._store.clear_graph(ox.DefaultGraph())
        else:
            self._store.remove_graph(ox.NamedNode(graph))
        self._info = None
        return True

    def changes_to(self, other: OxigraphStore) -> StoreChanges:
        """The quads and named graphs that turn this store into ``other``."""
        mine, theirs = set(self._store), set(other._store)
        graphs_mine = set(self._store.named_graphs())
        graphs_theirs = set(other._store.named_graphs())
        return StoreChanges(
            removed=tuple(mine - theirs),
            added=tuple(theirs - mine),
            graphs_removed=tuple(graphs_mine - graphs_theirs),
            graphs_added=tuple(graphs_theirs - graphs_mine),
        )

    def quads_in(self, graphs: Iterable[str | None] | None) -> set:
        """The quads of ``graphs`` (None in it: the default graph; None: every graph).
        A name that is not an IRI raises ValueError."""
        if graphs is None:
            return set(self._store)
        out: set = set()
        for g in graphs:
            out.update(self._store.quads_for_pattern(None, None, None, _graph_name(g)))
        return out

    def apply_changes(self, changes: StoreChanges) -> None:
        """Apply ``changes`` in ONE transaction: one SPARQL Update request.

        Blank nodes cannot be written in ``DELETE DATA``, so each term is handed over by a
        function, ``<urn:enlargement-kg:diff-term>(?i, ?k)``, returning the k-th term of the
        i-th quad: stored blank nodes are matched, and inserted, with their identity. The
        graph IRIs of ``DROP``/``CREATE`` are pyoxigraph terms (validated IRIs, written in
        their escaped N-Triples form), never request text.
        """
        if changes.empty:
            return
        ops: list[str] = []
        terms: list[tuple] = []
        binds = " ".join(f"BIND(<{DIFF_TERM}>(?i, {k}) AS ?{v})" for k, v in enumerate("gspo"))
        for verb, quads in (("DELETE", changes.removed), ("INSERT", changes.added)):
            named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
            default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
            for group, template in ((named, "GRAPH ?g { ?s ?p ?o }"), (default, "?s ?p ?o")):
                if group:
                    first = len(terms)
                    terms.extend((q.graph_name, q.subject, q.predicate, q.object) for q in group)
                    ids = " ".join(str(i) for i in range(first, len(terms)))
                    ops.append(f"{verb} {{ {template} }} WHERE {{ VALUES ?i {{ {ids} }} {binds} }}")
        ops += [f"DROP SILENT GRAPH {g}" for g in changes.graphs_removed]
        ops += [f"CREATE SILENT GRAPH {g}" for g in changes.graphs_added]

        def term(i, k):
            t = terms[int(i.value)][int(k.value)]
            return None if isinstance(t, ox.DefaultGraph) else t

        try:
            self._store.update(" ;\n".join(ops), custom_functions={ox.NamedNode(DIFF_TERM): term})
        except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
            raise StoreUnavailable(f"the commit failed and was rolled back: {exc}") from None
        self._info = None


def canonical_quads(quads) -> list:
    """``quads`` sorted, with blank-node labels that depend only on the graph.

    Each blank node is labelled by a hash of its neighbourhood, refined over a few rounds
    (the colour refinement of Weisfeiler and Leman, as in RDF dataset canonicalisation's
    first-degree hashes): what it points to, what points to it, and in which graph. Nodes
    the refinement cannot tell apart are interchangeable in the output. Labels that the
    store or a parser gave (random per load) never reach the result.
    """
    import hashlib

    quads = list(quads)
    blank = ox.BlankNode
    nodes = {
        t.value for q in quads for t in (q.subject, q.object, q.graph_name) if isinstance(t, blank)
    }
    if not nodes:
        return sorted(quads, key=str)
    label = {b: "" for b in nodes}

    def key(t) -> str:
        return "_:" + label[t.value] if isinstance(t, blank) else str(t)

    distinct = 1
    for _ in range(32):  # refine until no round tells more nodes apart
        sig: dict[str, list[str]] = {b: [label[b]] for b in nodes}
        for q in quads:
            g = key(q.graph_name) if not isinstance(q.graph_name, ox.DefaultGraph) else ""
            if isinstance(q.subject, blank):
                sig[q.subject.value].append(f"> {q.predicate} {key(q.object)} {g}")
            if isinstance(q.object, blank):
                sig[q.object.value].append(f"< {key(q.subject)} {q.predicate} {g}")
        label = {
            b: hashlib.sha256("\n".join(sorted(s)).encode()).hexdigest()[:20]
            for b, s in sig.items()
        }
        now = len(set(label.values()))
        if now == distinct:
            break
        distinct = now
    names: dict[str, str] = {}
    taken: dict[str, int] = {}
    for b in sorted(nodes, key=lambda b: label[b]):
        n = taken.get(label[b], 0)
        taken[label[b]] = n + 1
        names[b] = "b" + label[b] + (f"x{n}" if n else "")

    def term(t):
        return blank(names[t.value]) if isinstance(t, blank) else t

    return sorted(
        (ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)) for q in quads),
        key=str,
    )
