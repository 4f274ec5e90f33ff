"""The query service's result cache (core/service.py): a repeated query is answered from
the cache on its second request; a flood of one-off queries does not evict answers asked
for more than once; the cache keeps to its byte budget."""

from __future__ import annotations

from enlargement_kg.core import formats
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.service import LRUCache, QueryService

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")


def test_second_request_is_a_hit():
    svc = QueryService(OxigraphStore.memory())
    q = "SELECT * WHERE { ?s ?p ?o }"
    assert svc.run(q, result_format=JSON, graph_format=TTL)[1] is False
    assert svc.run(q, result_format=JSON, graph_format=TTL)[1] is True


def test_a_flood_of_one_off_queries_keeps_the_repeated_ones():
    svc = QueryService(OxigraphStore.memory(), cache_size=50)
    hot = [f"SELECT * WHERE {{ ?s ?p {i} }}" for i in range(10)]
    for q in hot * 2:  # asked twice: protected
        svc.run(q, result_format=JSON, graph_format=TTL)
    for i in range(500):  # every request unique (a cache-busting client, a crawler)
        svc.run(f"#{i}\nASK {{ ?s ?p ?o }}", result_format=JSON, graph_format=TTL)
    assert all(svc.run(q, result_format=JSON, graph_format=TTL)[1] for q in hot)
    assert len(svc.cache) <= 50


def test_byte_budget_and_oversized_answers():
    cache = LRUCache(100, max_bytes=1000)
    cache.put("big", b"x", 1001)
    assert cache.get("big") is None
    for i in range(30):
        cache.put(i, b"x", 100)
    assert cache.bytes <= 1000 and len(cache) == 10
    assert cache.get(29) == b"x" and cache.get(0) is None


def test_version_memo_makes_a_value_once_per_version():
    from enlargement_kg.core.service import VersionMemo

    version = ["v1"]
    made: list[str] = []
    memo = VersionMemo(lambda: version[0])

    def make() -> str:
        made.append(version[0])
        return f"table of {version[0]}"

    assert memo.get("t", make) == "table of v1" and memo.get("t", make) == "table of v1"
    assert made == ["v1"]
    version[0] = "v2"  # a write moved the version: the value is made again
    assert memo.get("t", make) == "table of v2" and made == ["v1", "v2"]
    assert memo.get("other", lambda: 3) == 3
