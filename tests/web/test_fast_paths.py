"""The fast paths (web/fastpath/, docs/architecture.md): ENLARGEMENT_KG_FAST_PATHS=0 turns
every one off, and then every answer is the same; the production cache configuration is
built by create_app (so the tests run it); /sparql answers carry an ETag and Cache-Control
and a conditional GET gets 304."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from enlargement_kg.core.config import Settings, answer_budget
from enlargement_kg.core.queries import catalogue
from enlargement_kg.core.shared_cache import SharedCache
from enlargement_kg.web import create_app
from enlargement_kg.web.fastpath import lane as lane_module
from enlargement_kg.web.fastpath import loop_lane
from enlargement_kg.web.fastpath.lane import QueryLane
from enlargement_kg.web.fastpath.response_cache import ResponseCache

SAMPLE = [
    "SELECT ?p ?o WHERE { <https://w3id.org/eu-enlargement/id/country/MNE> ?p ?o }",  # a scan
    "SELECT ?s WHERE { ?s a <https://w3id.org/eu-enlargement/ontology#Chapter> } LIMIT 5",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 7",
]


@pytest.fixture(scope="module")
def slow_app(built_store):
    application = create_app({"store_path": built_store, "query_workers": 1, "fast_paths": False})
    yield application
    application.extensions["enlargement_kg"].store.close()  # (module-wide: make_app is per test)


def test_fast_paths_off_means_none_is_installed(slow_app, app):
    gs = slow_app.extensions["enlargement_kg"]
    assert not isinstance(slow_app.wsgi_app, (QueryLane, ResponseCache))
    assert gs.service.cache.size == 0 and gs.service.shared is None
    assert gs.store._local_reads is False
    fast = app.extensions["enlargement_kg"]
    assert isinstance(app.wsgi_app, ResponseCache) and isinstance(app.wsgi_app.app, QueryLane)
    assert fast.store._local_reads is True and fast.service.cache.size > 0


def test_fast_paths_off_is_read_from_the_environment():
    assert Settings.from_env({"ENLARGEMENT_KG_FAST_PATHS": "0"}).fast_paths is False
    assert Settings.from_env({}).fast_paths is True
    with pytest.raises(ValueError, match="ENLARGEMENT_KG_FAST_PATHS"):
        Settings.from_env({"ENLARGEMENT_KG_FAST_PATHS": "maybe"})


@pytest.mark.parametrize("query", SAMPLE)
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "*/*"])
def test_every_sparql_answer_is_the_same_without_the_fast_paths(app, slow_app, query, accept):
    fast = app.test_client().get(
        "/sparql", query_string={"query": query}, headers={"Accept": accept}
    )
    again = app.test_client().get(
        "/sparql", query_string={"query": query}, headers={"Accept": accept}
    )  # from the caches
    slow = slow_app.test_client().get(
        "/sparql", query_string={"query": query}, headers={"Accept": accept}
    )
    assert fast.status_code == slow.status_code == again.status_code
    assert fast.data == slow.data == again.data
    assert fast.headers["Content-Type"] == slow.headers["Content-Type"]
    if fast.status_code == 200:  # (a CONSTRUCT asked for as a results format: 406 both ways)
        assert fast.headers["ETag"] == slow.headers["ETag"] == again.headers["ETag"]


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_canned_query_is_the_same_without_the_fast_paths(app, slow_app, name):
    q = catalogue()[name]
    args = q.example_args()
    fast = app.test_client().get(f"/queries/{name}.csv", query_string=args)
    slow = slow_app.test_client().get(f"/queries/{name}.csv", query_string=args)
    assert fast.status_code == slow.status_code == 200
    assert fast.data == slow.data


def test_conditional_get_gets_304_and_the_tag_follows_the_answer(client):
    q = {"query": SAMPLE[1]}
    first = client.get("/sparql", query_string=q)
    tag = first.headers["ETag"]
    assert tag.startswith('"') and first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/sparql", query_string=q, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    stale = client.get("/sparql", query_string=q, headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.data == first.data
    csv = client.get("/sparql", query_string=q, headers={"Accept": "text/csv"})
    other = client.get("/sparql", query_string={"query": SAMPLE[2]})
    assert len({tag, csv.headers["ETag"], other.headers["ETag"]}) == 3


def test_create_app_builds_the_production_cache_configuration(make_app):
    two = make_app(workers=2)  # what `serve --workers 2` builds, in gunicorn's master
    shared = two.extensions["enlargement_kg"].service.shared
    assert isinstance(shared, SharedCache) and shared.path.is_file()
    assert make_app().extensions["enlargement_kg"].service.shared is None  # one process
    assert make_app(workers=2, fast_paths=False).extensions["enlargement_kg"].service.shared is None


def test_one_answer_budget_sized_to_the_graph(app):
    gs = app.extensions["enlargement_kg"]
    triples = gs.store.info().triples
    budget = answer_budget(gs.settings, triples)
    assert 16_000_000 <= budget <= 256_000_000
    assert gs.service.cache.max_bytes + app.wsgi_app.cache.max_bytes == budget
    assert answer_budget(Settings(cache_bytes=1234), triples) == 1234


def _wsgi(app, query: str, accept: str) -> tuple[str, list, bytes]:
    """The WSGI answer of ``app`` to ``GET /sparql?query=`` (status, headers, body)."""
    from werkzeug.test import EnvironBuilder

    env = EnvironBuilder(path="/sparql", query_string=urlencode({"query": query}))
    environ = env.get_environ()
    environ["HTTP_ACCEPT"] = accept
    seen: list = []
    body = b"".join(app.wsgi_app(environ, lambda s, h, e=None: seen.extend([s, h])))
    return seen[0], seen[1], body


LOOP = SAMPLE[0]  # a subject's triples: bounded by construction


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "*/*", ""])
def test_the_loop_answers_as_the_lane_does(app, accept):
    """What the front's loop writes for a bounded point lookup (``QueryLane.in_loop``) is
    the lane's own answer: the same headers and body (web/front.py adds gunicorn's)."""
    lane = loop_lane(app)
    query = f"#{accept}\n{LOOP}"
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "REMOTE_ADDR": "127.0.0.1"}
    env["QUERY_STRING"] = urlencode({"query": query})
    if accept:
        env["HTTP_ACCEPT"] = accept
    headers, body = lane(env)
    status, wsgi_headers, wsgi_body = _wsgi(app, query, accept)
    assert status == "200 OK" and body == wsgi_body
    assert headers == [(k, "miss" if k == "X-Cache" else v) for k, v in wsgi_headers]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s a <https://w3id.org/eu-enlargement/ontology#Chapter> }",
        "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } LIMIT 5000",
        "ASK { <https://w3id.org/eu-enlargement/id/country/MNE> ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "SELECT ?p ?o WHERE { <https://w3id.org/eu-enlargement/id/country/MNE ?p ?o }",
    ],
)
def test_the_loop_leaves_anything_else_to_a_thread(app, query):
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "REMOTE_ADDR": "127.0.0.1"}
    env["QUERY_STRING"] = urlencode({"query": query})
    assert loop_lane(app)(env) is None
    env["QUERY_STRING"] = urlencode({"query": LOOP, "format": "json"})  # not the lane's
    assert loop_lane(app)(env) is None
    env.update(QUERY_STRING=urlencode({"query": LOOP}), HTTP_ACCEPT="text/html")
    assert loop_lane(app)(env) is None  # a browser: the editor page


def test_the_loop_writes_small_answers_only(app, monkeypatch):
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "REMOTE_ADDR": "127.0.0.1"}
    env["QUERY_STRING"] = urlencode({"query": LOOP})
    headers, body = loop_lane(app)(env)
    monkeypatch.setattr(lane_module, "LOOP_MAX_ANSWER", len(body) - 1)
    assert loop_lane(app)(env) is None


def test_no_loop_answers_without_the_fast_paths(slow_app, built_store, tmp_path):
    from support.writes import copy_store

    from enlargement_kg.web import create_app

    assert loop_lane(slow_app) is None
    store = copy_store(built_store, tmp_path / "store")  # a write never touches the shared one
    writable = create_app({"store_path": store, "writable": True, "token": "t"})
    try:
        assert loop_lane(writable) is None
    finally:
        writable.extensions["enlargement_kg"].store.close()


def test_the_loop_replays_what_the_response_cache_keeps(app):
    """A GET whose whole answer the response cache keeps is answered by the loop as the
    cache replays it (any query: a look-up); before it is kept, a thread answers."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # loop replay"
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "REMOTE_ADDR": "127.0.0.1"}
    env.update(QUERY_STRING=urlencode({"query": query}), HTTP_ACCEPT="text/csv")
    assert loop_lane(app)(env) is None
    _wsgi(app, query, "text/csv")  # made, and kept
    status, headers, body = _wsgi(app, query, "text/csv")  # replayed
    assert status == "200 OK" and dict(headers)["X-Cache"] == "hit"
    assert loop_lane(app)(dict(env)) == (headers, body)
    env["HTTP_IF_NONE_MATCH"] = dict(headers)["ETag"]
    assert loop_lane(app)(env) is None  # the endpoint's 304
