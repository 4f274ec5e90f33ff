"""The response cache in front of /sparql (web/fastpath/response_cache.py): a repeated read is
answered without reaching Flask, keyed on everything the answer depends on; anything else
(errors, the service description, other paths, writes) goes through as before."""

from __future__ import annotations

import json

import pytest

from enlargement_kg.web.fastpath.response_cache import ResponseCache

Q = "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"


@pytest.fixture(scope="module")
def counted(built_store, counted_app):
    """An app of its own, whose Flask requests are counted."""
    with counted_app(built_store) as app_and_seen:
        yield app_and_seen


def test_installed_for_a_read_only_service(counted):
    app, _ = counted
    assert isinstance(app.wsgi_app, ResponseCache)


def test_a_repeated_get_is_answered_without_flask(counted):
    app, seen = counted
    c = app.test_client()
    q = Q + " # probe get"
    first = c.get("/sparql", query_string={"query": q})
    n = len(seen)
    second = c.get("/sparql", query_string={"query": q})
    assert len(seen) == n, "the repeat reached Flask"
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert second.data == first.data
    for h in ("Content-Type", "Vary", "Access-Control-Allow-Origin"):
        assert second.headers[h] == first.headers[h]


def test_the_key_holds_accept_and_the_post_body(counted):
    app, seen = counted
    c = app.test_client()
    q = Q + " # probe key"
    as_json = c.get("/sparql", query_string={"query": q})
    as_csv = c.get("/sparql", query_string={"query": q}, headers={"Accept": "text/csv"})
    assert as_json.mimetype == "application/sparql-results+json"
    assert as_csv.mimetype == "text/csv" and as_csv.headers["X-Cache"] == "miss"
    assert (
        c.get("/sparql", query_string={"query": q}, headers={"Accept": "text/csv"}).data
        == as_csv.data
    )

    # POST: the body is read for the key and handed back intact to the endpoint on a miss
    form = c.post("/sparql", data={"query": q + " form"})
    direct = c.post(
        "/sparql", data=q + " direct", headers={"Content-Type": "application/sparql-query"}
    )
    for r in (form, direct):
        assert r.status_code == 200 and r.headers["X-Cache"] == "miss"
        assert json.loads(r.data) == json.loads(as_json.data)
    n = len(seen)
    again = c.post("/sparql", data={"query": q + " form"})
    assert again.headers["X-Cache"] == "hit" and len(seen) == n
    other = c.post("/sparql", data={"query": q + " form, another body"})
    assert other.headers["X-Cache"] == "miss" and len(seen) == n + 1


def test_errors_and_the_service_description_are_not_replayed(counted):
    app, seen = counted
    c = app.test_client()
    for _ in range(2):
        n = len(seen)
        bad = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
        assert bad.status_code == 400 and "X-Cache" not in bad.headers
        assert len(seen) == n + 1
        n = len(seen)
        sd = c.get("/sparql", headers={"Accept": "text/turtle"})
        assert sd.status_code == 200 and len(seen) == n + 1


def test_hits_are_counted_in_the_metrics(counted):
    app, _ = counted
    c = app.test_client()
    metrics = app.extensions["enlargement_kg"].service.metrics
    q = Q + " # probe metrics"
    c.get("/sparql", query_string={"query": q})
    before = (metrics.queries, metrics.cache_hits)
    c.get("/sparql", query_string={"query": q})
    assert (metrics.queries, metrics.cache_hits) == (before[0] + 1, before[1] + 1)


def test_a_new_graph_version_is_a_miss():
    """The key starts with the graph's version: a rebuilt graph never gets old answers."""
    from enlargement_kg.core.service import Metrics

    calls, version = [], ["v1"]

    def app(environ, start_response):
        calls.append(environ["QUERY_STRING"])
        start_response("200 OK", [("X-Cache", "miss")])
        return [f"answer {len(calls)}".encode()]

    rc = ResponseCache(app, version=lambda: version[0], metrics=Metrics(), size=4)
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=x"}
    assert rc(dict(env), lambda *a: None) == [b"answer 1"]
    assert rc(dict(env), lambda *a: None) == [b"answer 1"] and len(calls) == 1
    version[0] = "v2"
    assert rc(dict(env), lambda *a: None) == [b"answer 2"] and len(calls) == 2
