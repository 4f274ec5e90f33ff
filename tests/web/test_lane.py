"""The lane in front of Flask (web/fastpath/lane.py): a plain query read (GET, only ``query=``) is
answered without Flask, byte for byte as the endpoint answers it; everything else, and
every error the lane meets, is answered by the endpoint and its error handlers."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from enlargement_kg.web.fastpath.lane import QueryLane
from enlargement_kg.web.fastpath.response_cache import ResponseCache

SELECT = "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"
ASK = "ASK { ?s a ?t }"
CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3"
POINT = "SELECT ?p ?o WHERE { <id/country/MNE> ?p ?o }"  # relative IRI: the endpoint's base


@pytest.fixture(scope="module")
def lane_app(built_store, counted_app):
    """An app of its own without the response cache (``cache_size`` 0 turns the service's
    cache off too), so that every request reaches the lane; Flask's requests are counted."""
    with counted_app(built_store, cache_size=0) as app_and_seen:
        yield app_and_seen


def _flask_only(app, **request) -> tuple[str, dict, bytes]:
    """The endpoint's own answer: the request run through Flask without the lane."""
    environ = EnvironBuilder(path="/sparql", **request).get_environ()
    body, status, headers = run_wsgi_app(
        lambda e, s: Flask.wsgi_app(app, e, s), environ, buffered=True
    )
    return status, dict(headers), b"".join(body)


def _through_lane(app, **request) -> tuple[str, dict, bytes]:
    environ = EnvironBuilder(path="/sparql", **request).get_environ()
    body, status, headers = run_wsgi_app(app.wsgi_app, environ, buffered=True)
    return status, dict(headers), b"".join(body)


def test_installed_for_a_read_only_service(lane_app, app):
    assert isinstance(lane_app[0].wsgi_app, QueryLane)
    assert isinstance(app.wsgi_app, ResponseCache) and isinstance(app.wsgi_app.app, QueryLane)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, None),
        (SELECT, "application/sparql-results+xml"),
        (SELECT, "text/csv"),
        (SELECT, "text/tab-separated-values;q=0.9, */*;q=0.1"),
        (ASK, "application/json"),
        (CONSTRUCT, None),
        (CONSTRUCT, "application/n-triples"),
        (POINT, "*/*"),
    ],
)
def test_a_plain_read_is_answered_as_the_endpoint_answers_it(lane_app, query, accept):
    app, seen = lane_app
    headers = {"Accept": accept} if accept else {}
    n = len(seen)
    status, got, body = _through_lane(app, query_string={"query": query}, headers=headers)
    assert len(seen) == n, "the plain read reached Flask"
    want_status, want, want_body = _flask_only(app, query_string={"query": query}, headers=headers)
    assert (status, body) == (want_status, want_body) and status == "200 OK"
    assert got == want


@pytest.mark.parametrize(
    "request_args",
    [
        {"query_string": {"query": SELECT, "format": "csv"}},  # format= is the endpoint's
        {"query_string": {"query": SELECT, "default-graph-uri": "urn:x"}},  # a dataset
        {"query_string": {"query": [SELECT, ASK]}},  # two queries: 400
        {"query_string": {}},  # the service description
        {"method": "POST", "data": {"query": SELECT}},
        {"query_string": {"query": SELECT}, "headers": {"Accept": "image/png"}},  # 406
        {"query_string": {"query": SELECT}, "headers": {"Accept": "text/html"}},  # a browser
    ],
)
def test_anything_else_goes_to_flask(lane_app, request_args):
    app, seen = lane_app
    n = len(seen)
    status, got, body = _through_lane(app, **request_args)
    assert len(seen) == n + 1
    want_status, want, want_body = _flask_only(app, **request_args)
    assert (status, body, got) == (want_status, want_body, want)


@pytest.mark.parametrize(
    ("query", "accept", "status", "needle"),
    [
        ("SELECT ?s WHERE { ?s ?p }", "application/sparql-results+json", 400, "error at 1:"),
        (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "text/csv",
            400,
            "SERVICE",
        ),
        ("SELECT * WHERE { <file:///etc/passwd> ?p ?o }", "*/*", 400, "file:"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", None, 400, "read-only"),
    ],
)
def test_an_error_is_rendered_by_the_endpoint_and_the_query_runs_once(
    lane_app, query, accept, status, needle
):
    app, seen = lane_app
    metrics = app.extensions["enlargement_kg"].service.metrics
    headers = {"Accept": accept} if accept else {}
    n, runs = len(seen), metrics.queries
    got_status, got, body = _through_lane(app, query_string={"query": query}, headers=headers)
    assert len(seen) == n + 1, "the error was not handed to the endpoint"
    assert metrics.queries - runs <= 1
    assert got_status.startswith(str(status)) and needle in body.decode()
    want_status, want, want_body = _flask_only(app, query_string={"query": query}, headers=headers)
    assert (got_status, got, body) == (want_status, want, want_body)


def test_the_syntax_error_position_is_the_clients(lane_app):
    """A relative IRI makes the endpoint declare its base before the query; the position in
    the message is still counted in the text the client sent."""
    app, _ = lane_app
    status, _, body = _through_lane(
        app, query_string={"query": "SELECT * { <x> ?p ?o"}, headers={"Accept": "application/json"}
    )
    assert status.startswith("400")
    assert "error at 1:" in json.loads(body)["error"]["message"]
    assert "BASE" not in json.loads(body)["error"]["message"]
