"""The fast paths (web/fastpath/, docs/architecture.md): ENLARGEMENT_KG_FAST_PATHS=0 turns
every one off, and then every answer is the same; the production cache configuration is
built by create_app (so the tests run it); /sparql answers carry an ETag and Cache-Control
and a conditional GET gets 304."""

from __future__ import annotations

import pytest

from enlargement_kg.core.config import Settings, answer_budget
from enlargement_kg.core.queries import catalogue
from enlargement_kg.core.shared_cache import SharedCache
from enlargement_kg.web import create_app
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
