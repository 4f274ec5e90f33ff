"""One-pattern queries (guard.bounded_query) get a LIMIT one row past the result cap and
are written by pyoxigraph's own SPARQL JSON writer (core/service.py, core/oxigraph_store.py):
the same bytes as the general path, and the cap still holds."""

from __future__ import annotations

import json

import pytest

from enlargement_kg.core import formats
from enlargement_kg.core.guard import bounded_limit, bounded_query
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.service import Limits, QueryService
from enlargement_kg.core.store import ResultTooLarge

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")
EX = "http://example.org/"


@pytest.fixture(scope="module")
def store():
    s = OxigraphStore.memory()
    lines = [f'<{EX}s> <{EX}p> "v{i}"@en .' for i in range(20)]
    lines += [f'<{EX}s> <{EX}q> "esc \\"{i}\\" \\u00e9\\n"^^<{EX}dt> .' for i in range(3)]
    lines += [f"<{EX}s> <{EX}r> _:b{i} ." for i in range(2)]
    s.load_bytes("\n".join(lines).encode(), formats.by_name("ntriples"), EX + "g")
    return s


def run(store, query, cap):
    svc = QueryService(store, limits=Limits(max_rows=cap))
    return svc.run(query, result_format=JSON, graph_format=TTL, use_cache=False)[0]


@pytest.mark.parametrize(
    "query, limit",
    [
        # (SELECT ?p ?o WHERE { <s> ?p ?o } is read from the index: tests/unit/test_scan_pattern.py)
        (f"SELECT * WHERE {{ <{EX}s> ?p ?o }}", None),
        (f"SELECT * WHERE {{ ?s <{EX}q> ?o }} LIMIT 2", 2),
        (f"PREFIX ex: <{EX}>\nSELECT ?o WHERE {{ ex:s ex:r ?o . }}", None),
    ],
)
def test_the_same_bytes_as_the_general_path(store, query, limit):
    assert bounded_query(query) and bounded_limit(query) == limit
    fast = run(store, query, cap=1000)
    general = store.execute(query, result_format=JSON, graph_format=TTL, max_rows=1000)
    assert fast.rows is None, "not written by the bounded path (which does not count rows)"
    assert fast.body == general.body
    assert json.loads(fast.body)["results"]["bindings"]


def test_the_cap_holds_without_a_limit(store):
    q = f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}"
    assert len(json.loads(run(store, q, cap=20).body)["results"]["bindings"]) == 20
    with pytest.raises(ResultTooLarge):
        run(store, q, cap=19)


def test_the_cap_holds_over_a_larger_limit(store):
    q = f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }} LIMIT 500"
    with pytest.raises(ResultTooLarge):
        run(store, q, cap=10)
    assert len(json.loads(run(store, q, cap=25).body)["results"]["bindings"]) == 20


def test_other_queries_are_not_bounded():
    for q in (
        "SELECT * WHERE { ?s ?p ?o }",
        f"SELECT * WHERE {{ <{EX}s> ?p ?o . ?o ?q ?x }}",
        f"SELECT DISTINCT ?o WHERE {{ <{EX}s> ?p ?o }}",
        f"SELECT ?o WHERE {{ <{EX}s> ?p ?o }} ORDER BY ?o",
    ):
        assert not bounded_query(q) and bounded_limit(q) is None
