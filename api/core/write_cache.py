"""What the long-lived write process keeps from one write to the next: the store as an
in-memory pyoxigraph *mirror*, and the graph the shapes read (the union of the served graphs
plus the ontology, as an rdflib graph), both at a known graph version; and the log that lets
it follow writes made by other processes.

A write used to copy the store to a staging checkpoint, apply the operation there, compare
every quad of the two stores, and read the whole staged store into rdflib: 0.9 to 1.3 s of
a write on the real graph. Instead :class:`WriteCache` applies the operation to its mirror,
reads the changes from the graphs the operation can write (:func:`.write_ops.written_graphs`)
and applies them to the rdflib graph:

- **Invariant**: ``mirror`` holds exactly the quads and named graphs of the store at graph
  ``version``, with its blank node labels, and ``data`` is their union plus the ontology.
  Whatever could break it (an error in the middle of a write, a change it did not see)
  drops the cache, and the next write reads the store again.
- The changes of an operation are the difference, before and after it, of the graphs it can
  write; the mirror's quad count must agree with them, or they are taken again from every
  graph of a mirror read afresh (:meth:`WriteCache.stage`).
- A write's quad changes become *union* changes: a quad added adds its triple unless the
  union had it; a quad removed removes its triple only when no graph still holds it and the
  ontology does not. Those are exactly what incremental validation needs
  (:func:`.incremental.validate_delta`), and a refused write takes both back
  (:meth:`WriteCache.revert`).
- Each committed write leaves its quad and union changes in ``writes/log/<version>.json``
  (with the version it started from) before the new version is published, so a write
  process whose cache is at an older version (each serving process has its own) catches up
  by applying the missing entries in order (:meth:`WriteCache.follow`); a gap in the chain
  means reading the store again. The log keeps the last :data:`LOG_KEEP` entries.
- It is used only when the last validation's results describe the current version (the
  condition of incremental validation): a write interrupted after its commit and before it
  published removed those results first, so the next write reads the store again.

``ENLARGEMENT_KG_FAST_PATHS=0`` turns the cache off (every write reads the store).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .incremental import Terms, union_graph
from .oxigraph_store import OxigraphStore, StoreChanges
from .store import QueryRefused, QuerySyntaxError
from .validation import PreparedQueryGraph
from .write_ops import GraphNotFound, Operation, apply_operation, written_graphs

LOG = "log"
#: what an operation raises before it changes anything (an update is one transaction,
#: whole or not at all): the mirror is as it was
UNCHANGED = (GraphNotFound, QueryRefused, QuerySyntaxError)
#: entries kept in ``writes/log/`` (a process further behind reads the store again)
LOG_KEEP = 200


@dataclass
class UnionChanges:
    """Triples the union gained and lost in one write."""

    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def triples(self) -> list:
        return self.added + self.removed

    @property
    def has_blank_nodes(self) -> bool:
        return any(isinstance(x, BNode) for t in self.triples for x in t)


@dataclass
class Staged:
    """An operation applied to the mirror: what it did to the store and to the union."""

    created: bool
    changes: StoreChanges
    union: UnionChanges


class WriteCache:
    """The store and the shapes' view of it, kept between the writes of one process.
    With ``enabled`` False every write reads the store again (nothing is reused)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.version: str | None = None
        self.mirror: ox.Store | None = None
        self.data: Graph | None = None
        self.loads = 0  #: times the whole store was read (the tests and bench/ count them)
        self._unsettled = False

    def drop(self) -> None:
        import gc

        if self.data is not None:
            gc.unfreeze()  # what :meth:`settle` froze may go now
        self.version, self.mirror, self.data = None, None, None

    def at(self, state_dir: Path, version: str, primary: OxigraphStore, ontology: Graph) -> None:
        """Bring the cache to ``version``: from the log, or by reading ``primary``."""
        if self.version is None or not self.follow(state_dir, version):
            self.load(primary, version, ontology)

    def follow(self, state_dir: Path, version: str) -> bool:
        """Bring the cache to ``version`` from the log; False if it cannot."""
        if not self.enabled or self.data is None or self.mirror is None:
            return False
        chain: list[dict] = []
        at = version
        while at != self.version:
            if len(chain) >= LOG_KEEP:
                return False
            try:
                entry = json.loads((state_dir / LOG / f"{at}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return False
            chain.append(entry)
            at = entry["from"]
        for entry in reversed(chain):
            quads = {k: [_quad(q) for q in v] for k, v in entry["quads"].items()}
            _change(self.mirror, quads["removed"], quads["added"])
            _change_graphs(self.mirror, quads["graphs_removed"], quads["graphs_added"])
            union = entry["union"]
            _change(self.data, [_triple(t) for t in union["removed"]], [])
            _change(self.data, [], [_triple(t) for t in union["added"]])
        self.version = version
        return True

    def load(self, store: OxigraphStore, version: str, ontology: Graph) -> None:
        """Read the whole ``store`` (at ``version``) and the ontology."""
        self.drop()
        mirror = ox.Store()
        for g in store.raw.named_graphs():
            mirror.add_graph(g)
        mirror.extend(store.raw.quads_for_pattern(None, None, None, None))
        data = union_graph(mirror.quads_for_pattern(None, None, None, None), PreparedQueryGraph())
        data += ontology
        self.mirror, self.data, self.version, self._unsettled = mirror, data, version, True
        self.loads += 1

    def settle(self) -> None:
        """After a write, once its store handles are closed: put a freshly read graph out of
        the garbage collector's sight (a full collection walked its hundreds of thousands of
        objects, 0.1 to 0.2 s a write). Not sooner: an object frozen is never collected, and
        a store handle caught in a cycle must be, or the store stays locked."""
        import gc

        if self._unsettled and self.data is not None:
            gc.freeze()
        self._unsettled = False

    # -- one write --------------------------------------------------------------------------

    def stage(
        self, op: Operation, state_dir: Path, primary: OxigraphStore, version: str, ontology: Graph
    ) -> Staged:
        """Apply ``op`` to the mirror (brought to ``version`` first) and the union."""
        self.at(state_dir, version, primary, ontology)
        graphs = written_graphs(op)
        try:
            staged = self._apply(op, graphs)
            if staged is None:  # other graphs changed too: compare them all
                self.load(primary, version, ontology)
                staged = self._apply(op, None)
            assert staged is not None
            created, changes = staged
            return Staged(created, changes, self._union(changes, ontology))
        except UNCHANGED:
            raise
        except BaseException:
            self.drop()
            raise

    def _apply(
        self, op: Operation, graphs: frozenset[str | None] | None
    ) -> tuple[bool, StoreChanges] | None:
        assert self.mirror is not None
        store = OxigraphStore(self.mirror)
        try:
            before = store.quads_in(graphs)
        except ValueError:  # a name that is not an IRI to pyoxigraph: compare everything
            graphs, before = None, store.quads_in(None)
        size, names = len(self.mirror), set(self.mirror.named_graphs())
        created = apply_operation(op, store)
        after = store.quads_in(graphs)
        removed, added = before - after, after - before
        if graphs is not None and size - len(removed) + len(added) != len(self.mirror):
            return None
        now = set(self.mirror.named_graphs())
        changes = StoreChanges(
            removed=tuple(removed),
            added=tuple(added),
            graphs_removed=tuple(names - now),
            graphs_added=tuple(now - names),
        )
        return created, changes

    def _union(self, changes: StoreChanges, ontology: Graph) -> UnionChanges:
        """Apply a write's quad ``changes`` (already in the mirror) to ``data``."""
        assert self.data is not None and self.mirror is not None
        data, convert, out, mirror = self.data, Terms(), UnionChanges(), self.mirror
        for q in changes.added:
            t = convert.triple(q)
            if t not in data:
                data.add(t)
                out.added.append(t)
        for q in changes.removed:
            t = convert.triple(q)
            if t in ontology or next(mirror.quads_for_pattern(*t_of(q)), None) is not None:
                continue
            if t in data:
                data.remove(t)
                out.removed.append(t)
        return out

    def revert(self, staged: Staged) -> None:
        """Take back :meth:`stage` (a refused write)."""
        assert self.data is not None and self.mirror is not None
        c = staged.changes
        _change(self.mirror, list(c.added), list(c.removed))
        _change_graphs(self.mirror, list(c.graphs_added), list(c.graphs_removed))
        _change(self.data, staged.union.added, staged.union.removed)


def t_of(q: ox.Quad) -> tuple:
    return (q.subject, q.predicate, q.object)


def _change(target: object, remove: Iterable, add: Iterable) -> None:
    """Remove then add (quads in a mirror, triples in an rdflib graph)."""
    for x in remove:
        target.remove(x)  # type: ignore[attr-defined]
    for x in add:
        target.add(x)  # type: ignore[attr-defined]


def _change_graphs(mirror: ox.Store, remove: Iterable, add: Iterable) -> None:
    for g in remove:
        mirror.remove_graph(g)
    for g in add:
        mirror.add_graph(g)


# -- the log ----------------------------------------------------------------------------------


def log_entry(state_dir: Path, version: str, previous: str, staged: Staged) -> None:
    """Record what took ``previous`` to ``version`` (before ``version`` is published), and
    forget the oldest entries beyond :data:`LOG_KEEP`."""
    folder = state_dir / LOG
    folder.mkdir(exist_ok=True)
    c = staged.changes
    doc = {
        "from": previous,
        "quads": {
            "added": [_encode_quad(q) for q in c.added],
            "removed": [_encode_quad(q) for q in c.removed],
            "graphs_added": [_encode_ox(g) for g in c.graphs_added],
            "graphs_removed": [_encode_ox(g) for g in c.graphs_removed],
        },
        "union": {
            "added": [_encode(t) for t in staged.union.added],
            "removed": [_encode(t) for t in staged.union.removed],
        },
    }
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, folder / f"{version}.json")
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-LOG_KEEP]:
        old.unlink(missing_ok=True)


def _encode(t: Iterable) -> list:
    """An rdflib triple as JSON."""
    out = []
    for x in t:
        if isinstance(x, Literal):
            out.append(["l", str(x), x.language, str(x.datatype) if x.datatype else None])
        else:
            out.append(["b" if isinstance(x, BNode) else "u", str(x)])
    return out


def _triple(t: list) -> tuple:
    def term(x: list) -> object:
        if x[0] == "l":
            return Literal(x[1], lang=x[2], datatype=URIRef(x[3]) if x[3] else None)
        return BNode(x[1]) if x[0] == "b" else URIRef(x[1])

    return tuple(term(x) for x in t)


def _encode_ox(x: object) -> list:
    """A pyoxigraph term (or the default graph) as JSON, blank node labels kept."""
    if isinstance(x, ox.Literal):
        return ["l", x.value, x.language, x.datatype.value]
    if isinstance(x, ox.BlankNode):
        return ["b", x.value]
    if isinstance(x, ox.DefaultGraph):
        return ["d"]
    return ["u", x.value]  # type: ignore[attr-defined]


def _encode_quad(q: ox.Quad) -> list:
    return [_encode_ox(x) for x in (q.subject, q.predicate, q.object, q.graph_name)]


def _ox(x: list) -> object:
    if x[0] == "l":
        if x[2]:
            return ox.Literal(x[1], language=x[2])
        return ox.Literal(x[1], datatype=ox.NamedNode(x[3]))
    if x[0] == "b":
        return ox.BlankNode(x[1])
    return ox.DefaultGraph() if x[0] == "d" else ox.NamedNode(x[1])


def _quad(q: list) -> object:
    if len(q) == 4:
        return ox.Quad(*(_ox(x) for x in q))  # type: ignore[arg-type]
    return _ox(q)  # a graph name
