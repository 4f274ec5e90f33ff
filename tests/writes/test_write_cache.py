"""The write process's cache (api/core/write_cache.py): after any sequence of writes,
accepted, refused or failed, made by this process or another, its mirror holds exactly the
store's quads and its graph exactly the union the shapes would read from the store; and the
report each write leaves is a full validation's.

The writes run in process (``GraphStore._transact`` with a cache, as the write process runs
them), so that the cache can be inspected after each.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from support.writes import copy_store

from enlargement_kg.core import formats
from enlargement_kg.core.incremental import union_graph
from enlargement_kg.core.oxigraph_store import OxigraphStore, parse_graph
from enlargement_kg.core.store import StoreError
from enlargement_kg.core.validation import validate
from enlargement_kg.core.write_cache import WriteCache
from enlargement_kg.core.write_ops import written_graphs
from enlargement_kg.core.writes import (
    DeleteGraph,
    GraphStore,
    PostGraph,
    PutGraph,
    Update,
    WriteRefused,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
TURTLE = formats.by_name("turtle")
G = "http://ex/graph/"


def _payload(path: Path):
    return parse_graph(path.read_bytes(), TURTLE, base_iri="http://ex/")


def _fixtures(kind: str) -> list[Path]:
    return sorted((FIXTURES / kind).glob("*/fixture.ttl"))


def _random_write(rng: random.Random, store: GraphStore):
    """A GSP operation with a shape fixture (valid or invalid), or an update: data added
    or removed, a graph dropped, a template over every graph, blank nodes."""
    kind = rng.randrange(8)
    graph = G + str(rng.randrange(4))
    fixture = rng.choice(_fixtures(rng.choice(["valid", "invalid"])))
    if kind == 0:
        return PostGraph(graph, _payload(fixture))
    if kind == 1:
        return PutGraph(graph, _payload(fixture))
    if kind == 2:
        return DeleteGraph(graph)
    if kind == 3:  # one triple of a graph removed (often a required one)
        snap = OxigraphStore.open(store.current().snapshot)
        quads = sorted(snap.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)), key=str)
        q = rng.choice(quads) if quads else None
        if q is None or isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            return Update(f"CLEAR SILENT GRAPH <{graph}>")
        return Update(
            f"DELETE DATA {{ GRAPH <{graph}> {{ {q.subject} {q.predicate} {q.object} }} }}"
        )
    if kind == 4:  # any graph: compared whole
        return Update(
            "DELETE { GRAPH ?g { ?s <http://purl.org/dc/terms/description> ?d } } "
            "WHERE { GRAPH ?g { ?s <http://purl.org/dc/terms/description> ?d } }"
        )
    if kind == 5:  # blank nodes, in the default graph
        return Update('INSERT DATA { [] <http://purl.org/dc/terms/description> "a note"@en }')
    if kind == 6:  # a triple also in another graph: the union keeps it
        return Update(
            f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?h {{ ?s ?p ?o }} "
            f"FILTER (?h != <{graph}>) }} LIMIT 3"
        )
    return Update(f"DROP SILENT GRAPH <{graph}>")


def _in_step(store: GraphStore, cache: WriteCache) -> None:
    """The invariant of the cache: the store's quads, named graphs and union."""
    snap = OxigraphStore.open(store.current().snapshot)
    assert cache.version == store.current().version
    assert set(cache.mirror) == set(snap.raw)
    assert set(cache.mirror.named_graphs()) == set(snap.raw.named_graphs())
    union = union_graph(snap.raw.quads_for_pattern(None, None, None, None), Graph())
    assert set(cache.data) == set(union + store.rules()[1])


@pytest.mark.slow
def test_random_writes_keep_the_cache_in_step_and_reports_full(ontology_only_store, tmp_path):
    path = copy_store(ontology_only_store, tmp_path / "store")
    store, _ = GraphStore.open(path)
    store.incremental = True
    cache = WriteCache()
    rng = random.Random(20261203)
    refused = accepted = 0
    for _ in range(40):
        op = _random_write(rng, store)
        try:
            store._transact(op, lambda _: None, cache)
            accepted += 1
        except WriteRefused:
            refused += 1
        except StoreError:  # a graph that is not there: nothing written
            pass
        store._clean()
        if cache.version is not None:
            _in_step(store, cache)
        full = validate(cache.data if cache.data is not None else Graph(), shapes=store.rules()[0])
        assert sorted(map(str, store.report().results)) == sorted(map(str, full.results))
    assert cache.loads <= 2  # the first write, and at most one fallback
    assert accepted > 10 and refused > 5


def test_two_processes_follow_each_other_through_the_log(ontology_only_store, tmp_path):
    """Each serving process has its own write process: each catches up with the other's
    writes from the log instead of reading the store again."""
    path = copy_store(ontology_only_store, tmp_path / "store")
    a, _ = GraphStore.open(path)
    b, _ = GraphStore.open(path)
    caches = {id(a): WriteCache(), id(b): WriteCache()}
    note = (
        "INSERT DATA {{ GRAPH <{}> {{ <http://ex/s> <http://purl.org/dc/terms/description> "
        '"n{}" }} }}'
    )
    for i in range(6):
        store = (a, b)[i % 2]
        store._transact(Update(note.format(G + "notes", i)), lambda _: None, caches[id(store)])
        _in_step(store, caches[id(store)])
    assert caches[id(a)].loads == 1 and caches[id(b)].loads == 1
    a._transact(Update(note.format(G + "notes", 9)), lambda _: None, caches[id(a)])
    for entry in (path / "writes" / "log").glob("*.json"):
        entry.unlink()  # a gap in the log: the store is read again
    b._transact(Update(note.format(G + "notes", 10)), lambda _: None, caches[id(b)])
    _in_step(b, caches[id(b)])
    assert caches[id(b)].loads == 2


def test_the_graphs_an_update_writes():
    cases = {
        "INSERT DATA { <a:s> <a:p> 1 . GRAPH <a:g> { <a:s> <a:p> 2 } }": {None, "a:g"},
        "PREFIX e: <a:> WITH e:g DELETE { e:s e:p ?o } WHERE { e:s e:p ?o }": {"a:g"},
        "DELETE WHERE { GRAPH <a:g> { ?s ?p ?o } }": {"a:g"},
        "MOVE DEFAULT TO GRAPH <a:z> ; CLEAR GRAPH <a:x>": {None, "a:z", "a:x"},
        "BASE <http://ex/> INSERT DATA { GRAPH <g> { <s> <p> <o> } }": {"http://ex/g"},
        "INSERT { GRAPH ?g { <a:s> <a:p> 1 } } WHERE { GRAPH ?g { } }": None,
        "CLEAR ALL": None,
        "not an update": None,
    }
    for text, graphs in cases.items():
        got = written_graphs(Update(text))
        assert (None if got is None else set(got)) == graphs, text
    assert written_graphs(DeleteGraph("a:g")) == {"a:g"}


def test_changes_outside_the_graphs_named_are_found(ontology_only_store, tmp_path):
    """Should the parser name fewer graphs than the update writes, the mirror's quad count
    disagrees and every graph is compared."""
    path = copy_store(ontology_only_store, tmp_path / "store")
    store, _ = GraphStore.open(path)
    cache = WriteCache()
    cache.load(OxigraphStore.open(store.current().snapshot), store.current().version, Graph())
    op = Update("INSERT DATA { GRAPH <a:real> { <a:s> <a:p> 1 } }")
    assert cache._apply(op, frozenset({"a:other"})) is None
