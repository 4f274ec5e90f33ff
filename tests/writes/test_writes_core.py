"""The pure parts of writes: the protocol dataset of an update (SPARQL 1.1 Protocol §2.2.3),
the one-transaction commit of a difference (blank nodes kept), and the snapshot life cycle
that keeps readers off the store a write changes."""

from __future__ import annotations

import json
import os
import time

import pyoxigraph as ox
import pytest
from support.writes import copy_store

from enlargement_kg.core import formats
from enlargement_kg.core.oxigraph_store import OxigraphStore, parse_graph
from enlargement_kg.core.store import Dataset, QueryRefused
from enlargement_kg.core.writes import (
    CURRENT_FILE,
    SNAPSHOTS,
    STATE_DIR,
    DeleteGraph,
    GraphNotFound,
    GraphStore,
    PutGraph,
    Update,
    WriteRefused,
    with_protocol_dataset,
)

TTL = formats.by_name("turtle")


# -- SPARQL 1.1 Protocol §2.2.3 --------------------------------------------------------------


def test_dataset_becomes_using_clauses_before_each_where():
    text = (
        "PREFIX ex: <http://ex/>\nINSERT { GRAPH <http://g> { ?s ex:p ?o } }\n"
        "WHERE { ?s ex:p ?o { SELECT ?s WHERE { ?s ?p ?o } } } ;\n"
        "DELETE { ?s ?p 'where' } WHERE { ?s ?p 'where' } # WHERE in a comment"
    )
    out = with_protocol_dataset(text, Dataset(("http://a", "http://b"), ("http://n",)))
    clause = "USING <http://a> USING <http://b> USING NAMED <http://n> WHERE"
    assert out.count(clause) == 2  # not in the sub-select, the literal or the comment
    assert with_protocol_dataset(text, Dataset()) == text


@pytest.mark.parametrize(
    "text",
    [
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }",
        "DELETE WHERE { ?s ?p ?o }",
    ],
)
def test_dataset_conflicts_are_refused(text):
    with pytest.raises(QueryRefused):
        with_protocol_dataset(text, Dataset(("http://a",), ()))


@pytest.mark.parametrize(
    "iri",
    ["http://a> } ; DROP ALL ; INSERT DATA { <x", "relative", "file:///etc/passwd", "http://a b"],
)
def test_dataset_iris_cannot_inject(iri):
    with pytest.raises(QueryRefused):
        with_protocol_dataset("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", Dataset((iri,), ()))


# -- the commit --------------------------------------------------------------------------------


def test_changes_keep_blank_nodes_and_apply_in_one_transaction():
    before, after = OxigraphStore.memory(), OxigraphStore.memory()
    data = parse_graph(
        b"<http://a> <http://p> [ <http://q> 1 ] ; <http://r> [ <http://q> 2 ] .", TTL
    )
    before.add_to_graph("http://g", data)
    after.add_to_graph("http://g", data)
    # after: one blank node's triple removed, a new blank node, a graph emptied and created
    after.apply_update(
        "DELETE WHERE { GRAPH <http://g> { ?b <http://q> 1 } } ;"
        "INSERT DATA { GRAPH <http://h> { [] <http://q> 3 } } ;"
        "CREATE GRAPH <http://empty> ; INSERT DATA { <http://d> <http://p> 4 }"
    )
    changes = before.changes_to(after)
    assert len(changes.removed) == 1 and len(changes.added) == 2
    assert set(changes.graph_names_added) == {"http://h", "http://empty"}
    before.apply_changes(changes)
    assert before.changes_to(after).empty
    nq = formats.by_name("nquads")
    assert sorted(before.dump(nq).splitlines()) == sorted(after.dump(nq).splitlines())


# -- snapshots ---------------------------------------------------------------------------------


def _snapshots(store: GraphStore) -> list[str]:
    return sorted(p.name for p in (store.path / STATE_DIR / SNAPSHOTS).iterdir())


def test_write_publishes_a_snapshot_and_readers_keep_theirs(ontology_only_store, tmp_path):
    from enlargement_kg.core import writes

    path = copy_store(ontology_only_store, tmp_path / "store")
    store, _ = GraphStore.open(path)
    first = store.current()
    assert _snapshots(store) == [first.snapshot.name]
    reader = store.open_reader()  # holds a shared lock on the first snapshot
    held = writes._READER_LOCKS[-1]
    payload = parse_graph(b"<http://a> <http://b> 'c' .", TTL)
    result = store.write(PutGraph("http://example.org/g", payload))
    assert result.created and result.added == 1
    second = store.current()
    assert second.number == first.number + 1 and second.version != first.version
    assert json.loads((path / STATE_DIR / CURRENT_FILE).read_text())["version"] == second.version
    assert json.loads((path / "enlargement-kg.json").read_text())["version"] == second.version
    # the write validated the whole graph: its report replaces the build's
    report = json.loads((path / "validation.json").read_text())
    assert report["conforms"] is True and store.report().conforms is True
    # the reader still sees the first generation, and its snapshot was kept for it
    assert reader.read_graph("http://example.org/g", TTL) is None
    assert _snapshots(store) == [first.snapshot.name, second.snapshot.name]
    del reader
    writes._READER_LOCKS.remove(held)
    os.close(held)
    # the next write removes the snapshot nobody reads any more
    with pytest.raises(GraphNotFound):
        store.write(DeleteGraph("http://example.org/nothing"))
    deadline = time.monotonic() + 10  # the write process cleans up after it answered
    while _snapshots(store) != [second.snapshot.name] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _snapshots(store) == [second.snapshot.name]
    fresh = store.open_reader()
    assert b"<http://a>" in fresh.read_graph("http://example.org/g", TTL)


def test_refused_and_failed_writes_change_nothing(ontology_only_store, tmp_path):
    path = copy_store(ontology_only_store, tmp_path / "store")
    store, _ = GraphStore.open(path)
    before = store.current()
    with pytest.raises(WriteRefused) as refused:
        store.write(
            Update(
                "PREFIX enl: <https://w3id.org/eu-enlargement/ontology#> "
                "INSERT DATA { <http://example.org/r> a enl:CFSPAlignmentRate ; "
                "enl:rate -5.0 }"
            )
        )
    assert refused.value.status == 409 and refused.value.report.violations
    with pytest.raises(QueryRefused):
        store.write(Update("INSERT DATA { <http://a> <http://b> 1 } ; DROP GRAPH <http://none>"))
    assert store.current() == before
    assert not (path / STATE_DIR / "staging").exists()  # no staging copy, no leftover
    # the write process took both back (or read the store again): the next write sees
    # neither the refused resource nor the half of the failed update
    store.write(Update("INSERT DATA { <http://c> <http://d> 2 }"))
    reader = OxigraphStore.open(store.current().snapshot)
    assert not list(reader.raw.quads_for_pattern(ox.NamedNode("http://example.org/r"), None, None))
    assert not list(reader.raw.quads_for_pattern(ox.NamedNode("http://a"), None, None))
    assert list(reader.raw.quads_for_pattern(ox.NamedNode("http://c"), None, None))
    store.close()
