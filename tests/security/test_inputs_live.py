"""Findings 8 and 9 over gunicorn (issue 17): a path beyond Latin-1 gets its 404 (its
``Link`` header names the IRI as a URI: gunicorn writes headers in Latin-1 and answered 500),
paths that make no IRI get 400 for GET and HEAD, ``Host`` is not reflected, and every answer,
the fast paths' too, carries ``nosniff``."""

from __future__ import annotations

import requests

JSON = {"Accept": "application/json"}


def test_a_path_beyond_latin_1(live):
    for method in ("GET", "HEAD"):
        r = requests.request(
            method,
            f"{live.url}/id/%E2%82%AC%E4%B8%AD",
            headers={"Accept": "text/turtle"},
            timeout=30,
        )
        assert r.status_code == 404, (method, r.status_code, r.text[:200])
        assert "/id/%E2%82%AC%E4%B8%AD.jsonld" in r.headers["Link"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_paths_that_make_no_iri(live):
    for path in ("/id/%00", "/id/a%3Cb", "/graph/%zz", "/graph/%FF"):
        for method in ("GET", "HEAD"):
            r = requests.request(method, live.url + path, headers=JSON, timeout=30)
            assert r.status_code == 400, (method, path, r.status_code)
            if method == "GET":
                assert "IRI" in r.json()["error"]["message"]


def test_host_is_not_reflected_and_nosniff(live):
    for path in ("/sparql", "/export.json"):
        r = requests.get(
            live.url + path, headers={"Host": "evil.example", "Accept": "text/turtle"}, timeout=60
        )
        assert r.status_code == 200 and "evil.example" not in r.text
    sd = requests.get(live.sparql, headers={"Accept": "text/turtle"}, timeout=60).text
    assert f"<{live.url}/sparql>" in sd  # the address served: serve's default base URL
    q = {"query": "ASK { ?s ?p ?o }"}
    for _ in range(2):  # the lane, then the response cache
        r = requests.get(
            live.sparql, params=q, headers={"Accept": "application/sparql-results+json"}, timeout=30
        )
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    head = requests.head(live.sparql, params=q, timeout=30)
    assert head.status_code == 200
