"""The pool's fast path (core/pool.py): a query bounded by construction (one triple pattern
with a constant, no operators) is answered in the calling process when ``local_reads`` is
on; everything else still goes to a killable worker."""

from __future__ import annotations

import json

import pytest

from enlargement_kg.core import formats
from enlargement_kg.core.guard import bounded_query
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.pool import PooledStore

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")
ID = "https://w3id.org/eu-enlargement/id/country/"
ENL = "https://w3id.org/eu-enlargement/ontology#"
DATA = (
    f'<{ID}MNE> <http://www.w3.org/2000/01/rdf-schema#label> "Montenegro"@en .\n'
    f'<{ID}MNE> <{ENL}iso3166Alpha3> "MNE" .\n'
    f'<{ID}SRB> <{ENL}iso3166Alpha3> "SRB" .\n'
).encode()
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/eu-enlargement/id/country/MNE> ?p ?o }"


@pytest.mark.parametrize(
    "query",
    [
        POINT,
        "#cache-buster 42\n" + POINT,
        f"PREFIX enl: <{ENL}>\nSELECT * {{ ?c enl:iso3166Alpha3 ?x . }} LIMIT 5",
        f'SELECT ?c WHERE {{ ?c <{ENL}iso3166Alpha3> "MNE" }}',
        "ASK { <https://w3id.org/eu-enlargement/id/country/MNE> ?p ?o }",
    ],
)
def test_bounded(query):
    assert bounded_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",  # no constant: a full scan
        "SELECT DISTINCT ?p WHERE { <s> ?p ?o }",
        "SELECT ?p WHERE { <s> ?p ?o } ORDER BY ?p",
        "SELECT ?p WHERE { <s> ?p ?o } OFFSET 1000000",
        "SELECT ?p WHERE { <s> ?p ?o . ?o ?q ?r }",
        "SELECT ?p WHERE { <s> ?p ?o FILTER NOT EXISTS { ?o ?q ?r } }",
        "SELECT ?p WHERE { <s> <p>+ ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { <s> ?p ?o }",
        "SELECT ?p WHERE { GRAPH ?g { <s> ?p ?o } }",
        "CONSTRUCT WHERE { <s> ?p ?o }",
        "DESCRIBE <s>",
    ],
)
def test_not_bounded(query):
    assert not bounded_query(query)


def _memory_store() -> OxigraphStore:
    store = OxigraphStore.memory()
    store.load_bytes(DATA, formats.by_name("ntriples"), "https://w3id.org/eu-enlargement/graph/t")
    return store


def _rows(body: bytes) -> list:
    return sorted(json.dumps(b, sort_keys=True) for b in json.loads(body)["results"]["bindings"])


def test_local_reads_answer_point_lookups_in_process_and_the_same():
    direct = _memory_store()
    pool = PooledStore(_memory_store, size=1, timeout=5, local_reads=True)
    try:
        res = pool.execute(POINT, result_format=JSON, graph_format=TTL, max_rows=100)
        assert pool.local_queries == 1
        assert _rows(res.body) == _rows(
            direct.execute(POINT, result_format=JSON, graph_format=TTL).body
        )
        assert res.rows == 2
        other = "SELECT ?c WHERE { ?c ?p ?o . ?c ?q ?r } LIMIT 1"
        pool.execute(other, result_format=JSON, graph_format=TTL, max_rows=100)
        assert pool.local_queries == 1  # not bounded: it went to the worker
    finally:
        pool.close()


def test_without_local_reads_every_query_goes_to_a_worker():
    pool = PooledStore(_memory_store, size=1, timeout=5)
    try:
        pool.execute(POINT, result_format=JSON, graph_format=TTL, max_rows=100)
        assert pool.local_queries == 0
    finally:
        pool.close()
