"""One-pattern queries read from the store's index (guard.scan_pattern,
OxigraphStore._scan): the same bytes as pyoxigraph's SPARQL engine writes, row order
included, on the real graph and on a dataset with a triple in several graphs; the result
cap still holds; anything the recogniser is unsure of goes to the engine."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from enlargement_kg.core import formats
from enlargement_kg.core.guard import scan_pattern
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.store import ResultTooLarge

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")


def _engine(store: OxigraphStore, query: str) -> bytes:
    return store.raw.query(query, use_default_graph_as_union=True).serialize(
        format=ox.QueryResultsFormat.JSON
    )


def _ours(store: OxigraphStore, query: str, **kwargs) -> bytes:
    return store.execute(query, result_format=JSON, graph_format=TTL, **kwargs).body


@pytest.fixture(scope="module")
def real(built_store):
    return OxigraphStore.open(built_store)


def _queries(store: OxigraphStore, k: int = 60) -> list[str]:
    rnd = random.Random(7)
    quads = [
        q
        for q in store.raw.quads_for_pattern(None, None, None, None)
        if isinstance(q.subject, ox.NamedNode)
    ]  # a blank node cannot be named in a query
    picks = rnd.sample(quads, min(k, len(quads)))
    out = []
    for q in picks:
        s, p = f"<{q.subject.value}>", f"<{q.predicate.value}>"
        out += [
            f"SELECT ?p ?o WHERE {{ {s} ?p ?o }}",
            f"SELECT ?o ?p {{ {s} ?p ?o . }}",
            f"select ?o where {{ {s} ?p ?o }} limit 2",
            f"SELECT ?s ?o WHERE {{ ?s {p} ?o }} LIMIT 50",
            f"# a comment\nSELECT ?p WHERE {{ {s} ?p ?o }}",
        ]
        if isinstance(q.object, ox.NamedNode):
            out += [
                f"SELECT ?s ?p WHERE {{ ?s ?p <{q.object.value}> }}",
                f"SELECT ?s WHERE {{ ?s {p} <{q.object.value}> }}",
            ]
    return out


def test_the_same_bytes_as_the_engine_on_the_real_graph(real):
    queries = _queries(real)
    assert all(scan_pattern(q) is not None for q in queries)
    for q in queries:
        assert _ours(real, q) == _engine(real, q), q


def test_a_triple_in_several_graphs_and_in_the_default_graph():
    store = OxigraphStore.memory()
    a, b, c = (ox.NamedNode(f"urn:{x}") for x in "abc")
    for g in (ox.NamedNode("urn:g1"), ox.NamedNode("urn:g2"), ox.DefaultGraph()):
        store.raw.add(ox.Quad(a, b, c, g))
    store.raw.add(ox.Quad(a, b, ox.Literal("x", language="en"), ox.NamedNode("urn:g2")))
    store.raw.add(
        ox.Quad(
            a,
            c,
            ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ox.NamedNode("urn:g1"),
        )
    )
    store.raw.add(ox.Quad(ox.BlankNode("n1"), b, c, ox.NamedNode("urn:g1")))
    for q in (
        "SELECT ?p ?o WHERE { <urn:a> ?p ?o }",
        "SELECT ?s ?p { ?s ?p <urn:c> }",
        "SELECT ?o WHERE { <urn:a> <urn:b> ?o } LIMIT 1",
    ):
        assert scan_pattern(q) is not None
        assert _ours(store, q) == _engine(store, q), q


def test_the_cap_holds():
    store = OxigraphStore.memory()
    a, b = ox.NamedNode("urn:a"), ox.NamedNode("urn:b")
    for i in range(5):
        store.raw.add(ox.Quad(a, b, ox.Literal(str(i))))
    q = "SELECT ?o WHERE { <urn:a> <urn:b> ?o }"
    with pytest.raises(ResultTooLarge):
        _ours(store, q, max_rows=4)
    assert _ours(store, q + " LIMIT 4", max_rows=4) == _engine(store, q + " LIMIT 4")
    assert _ours(store, q, max_rows=5) == _engine(store, q)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { <urn:a> ?p ?o }",  # * (the engine decides the order of the columns)
        "PREFIX ex: <urn:> SELECT ?o WHERE { ex:a ?p ?o }",  # prefixed names
        "BASE <urn:x> SELECT ?o WHERE { <a> ?p ?o }",  # relative IRIs
        "SELECT ?o WHERE { <a> ?p ?o }",
        "SELECT ?o WHERE { <urn:a> a ?o }",
        'SELECT ?s WHERE { ?s ?p "x" }',  # literals
        "SELECT ?p WHERE { <urn:a> ?p ?p }",  # a repeated variable is a join condition
        "SELECT ?x WHERE { <urn:a> ?p ?o }",  # a projected variable the pattern lacks
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",  # no constant
        "SELECT DISTINCT ?o WHERE { <urn:a> ?p ?o }",
        "SELECT ?o FROM <urn:g1> WHERE { <urn:a> ?p ?o }",
        "SELECT ?o WHERE { <urn:a> ?p ?o } ORDER BY ?o",
        "SELECT ?o WHERE { <urn:a> ?p ?o } LIMIT 2 OFFSET 1",
        "SELECT ?o WHERE { <urn:a> ?p ?o . <urn:a> ?q ?o }",
        "ASK { <urn:a> ?p ?o }",
    ],
)
def test_anything_else_goes_to_the_engine(query):
    assert scan_pattern(query) is None


def test_a_dataset_or_other_format_goes_to_the_engine():
    store = OxigraphStore.memory()
    a, b, c = (ox.NamedNode(f"urn:{x}") for x in "abc")
    store.raw.add(ox.Quad(a, b, c, ox.NamedNode("urn:g1")))
    q = "SELECT ?o WHERE { <urn:a> <urn:b> ?o }"
    from enlargement_kg.core.store import Dataset

    # the dataset names a graph as the default graph: the engine's answer, not the union
    got = store.execute(
        q, result_format=JSON, graph_format=TTL, dataset=Dataset(default_graphs=("urn:nothing",))
    )
    assert got.body == store.raw.query(q, default_graph=[ox.NamedNode("urn:nothing")]).serialize(
        format=ox.QueryResultsFormat.JSON
    )
    csv = store.execute(q, result_format=formats.by_name("csv"), graph_format=TTL)
    assert csv.body.decode().splitlines() == ["o", "urn:c"]
