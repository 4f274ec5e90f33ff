"""Security headers (issue 17, finding 9): ``X-Content-Type-Options: nosniff`` on every
response, whichever path answered it (Flask, the /sparql lane, the response cache, errors,
304s, files), and the Content-Security-Policy on every HTML page."""

from __future__ import annotations

import pytest

from enlargement_kg.web import CONTENT_SECURITY_POLICY

ASK = {"query": "ASK { ?s ?p ?o }"}
RESULTS = {"Accept": "application/sparql-results+json"}


@pytest.mark.parametrize(
    "path,headers",
    [
        ("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", RESULTS),  # the lane
        ("/sparql", {"Accept": "text/turtle"}),  # the service description
        ("/sparql?query=nonsense", RESULTS),  # an error raised in the lane
        ("/id/country/MNE", {"Accept": "text/turtle"}),
        ("/id/nothing-here", {"Accept": "application/json"}),  # 404
        ("/id/%00", {"Accept": "application/json"}),  # 400
        ("/export.json", {}),
        ("/export/enlargement-kg.nq", {}),  # a file
        ("/context.jsonld", {}),
        ("/openapi.json", {}),
        ("/-/version", {}),
        ("/no/such/route", {}),
    ],
)
def test_nosniff_on_every_response(client, path, headers):
    for method in ("GET", "HEAD"):
        with client.open(path, method=method, headers=headers) as r:
            assert r.headers.get("X-Content-Type-Options") == "nosniff", (method, path, r.status)
            if r.mimetype != "text/html":
                assert "Content-Security-Policy" not in r.headers


def test_nosniff_on_cached_and_revalidated_answers(client):
    first = client.get("/sparql", query_string=ASK, headers=RESULTS)
    again = client.get("/sparql", query_string=ASK, headers=RESULTS)  # the response cache
    assert again.headers["X-Cache"] == "hit"
    posted = client.post("/sparql", data=ASK, headers=RESULTS)
    same = client.get(
        "/sparql", query_string=ASK, headers={**RESULTS, "If-None-Match": first.headers["ETag"]}
    )
    assert same.status_code == 304
    for r in (first, again, posted, same):
        assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["/", "/sparql", "/id/country/MNE", "/queries", "/catalog", "/export/", "/id/nothing-here"],
)
def test_the_csp_on_every_page(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.mimetype == "text/html", path
    assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in r.data and b" onclick=" not in r.data  # nothing inline runs


def test_the_fast_paths_send_the_same_headers(make_app):
    """The lane answers as Flask does: the same headers, in the same order."""
    fast = make_app().test_client()
    plain = make_app(fast_paths=False).test_client()
    a = fast.get("/sparql", query_string=ASK, headers=RESULTS)
    b = plain.get("/sparql", query_string=ASK, headers=RESULTS)
    assert a.data == b.data
    drop = {"X-Cache", "Content-Length"}
    assert [h for h in a.headers if h[0] not in drop] == [h for h in b.headers if h[0] not in drop]
