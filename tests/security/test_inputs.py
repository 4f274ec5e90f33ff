"""Bad input is a 4xx with a message, never a 500 (issue 17, findings 7, 8 and 9): IRIs that
cannot be IRIs in ``/id/`` and ``/graph/`` paths and in the dataset parameters, queries and
updates nested too deep, ``file:`` IRIs in disguise; HEAD answers as GET does. Through the
Flask test client; the same over gunicorn: test_inputs_live.py."""

from __future__ import annotations

import pytest
from conftest import TOKEN

JSON = {"Accept": "application/json"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: path segments that no IRI can hold (RFC 3987 §2.2): NUL, "<", "|", a bad escape, a byte
#: that is not UTF-8, a space, a quote, a brace, a backslash
BAD_SEGMENTS = ["%00", "a%3Cb", "a|b", "%zz", "%FF", "a%20b", 'a"b', "a{b}", "a%5Cb", "%C0%AF"]
#: dataset parameter values that are not absolute IRIs (or name local files)
BAD_GRAPH_IRIS = [
    "\x00",
    "http://e/a b",
    "<http://e/g>",
    "http://e/%zz",
    "http://e/\ufffd",
    "not an iri",
    "",
    "http://[::zz]/",
    "file:///etc/passwd",
    "FILE:///etc/passwd",
]
DATASET_PARAMS = ["default-graph-uri", "named-graph-uri"]


def problem(r) -> str:
    """The message of a JSON error answer (and the status is a 4xx, never a traceback)."""
    assert 400 <= r.status_code < 500, (r.status_code, r.data[:300])
    assert b"Traceback" not in r.data and b"Error:" not in r.data, r.data[:300]
    return r.json["error"]["message"]


# -- finding 8: invalid IRIs ------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/id/", "/graph/"])
@pytest.mark.parametrize("segment", BAD_SEGMENTS)
def test_a_path_that_is_no_iri_is_400(client, prefix, segment):
    r = client.get(prefix + segment, headers=JSON)
    assert r.status_code == 400, (r.status_code, r.data[:200])
    assert "IRI" in problem(r)
    head = client.head(prefix + segment, headers=JSON)
    assert head.status_code == 400 and head.data == b""


@pytest.mark.parametrize("param", DATASET_PARAMS)
@pytest.mark.parametrize("value", BAD_GRAPH_IRIS)
def test_a_dataset_iri_that_is_no_iri_is_400(client, param, value):
    args = {"query": "ASK { ?s ?p ?o }", param: value}
    r = client.get("/sparql", query_string=args, headers=JSON)
    assert param in problem(r) or "file:" in problem(r)
    assert client.head("/sparql", query_string=args, headers=JSON).status_code == 400
    form = client.post("/sparql", data=args, headers=JSON)
    assert form.status_code == 400, form.data
    direct = client.post(
        "/sparql",
        query_string={param: value},
        data=b"ASK { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query", **JSON},
    )
    assert direct.status_code == 400, direct.data


@pytest.mark.parametrize("param", ["using-graph-uri", "using-named-graph-uri"])
@pytest.mark.parametrize("value", ["http://e/%zz", "http://e/\ufffd", "http://e/a\x7fb"])
def test_an_update_dataset_iri_that_is_no_iri_is_400(writable_app, param, value):
    c = writable_app.test_client()
    r = c.post(
        "/sparql",
        query_string={param: value},
        data=b"INSERT { <http://e/s> <http://e/p> 1 } WHERE { }",
        headers={"Content-Type": "application/sparql-update", **AUTH, **JSON},
    )
    assert param in problem(r)


def test_a_path_outside_latin_1_makes_a_latin_1_link_header(client):
    """A Link / Content-Location header names the IRI as a URI (RFC 3987 §3.1): gunicorn
    writes headers in Latin-1 and failed on '€' (test_inputs_live.py)."""
    for method in ("GET", "HEAD"):
        r = client.open("/id/%E2%82%AC%E4%B8%AD", method=method, headers={"Accept": "text/turtle"})
        assert r.status_code == 404
        for _, value in r.headers.items():
            value.encode("latin-1")  # raises if the header cannot go out
        assert "/id/%E2%82%AC%E4%B8%AD.jsonld" in r.headers["Link"]


# -- finding 7: nesting -----------------------------------------------------------------------


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + "}" * depth


def test_a_query_nested_10000_levels_is_400(make_app):
    c = make_app(fast_paths=False).test_client()
    r = c.post(
        "/sparql",
        data=nested(10_000).encode(),
        headers={"Content-Type": "application/sparql-query", **JSON},
    )
    assert r.status_code == 400, r.data[:300]
    assert "nest" in problem(r)
    got = c.get("/sparql", query_string={"query": nested(1000)}, headers=JSON)
    assert got.status_code == 400 and "nest" in problem(got)
    fine = c.get("/sparql", query_string={"query": nested(20)}, headers=JSON)
    assert fine.status_code == 200, fine.data


def test_an_update_nested_10000_levels_is_400(writable_app):
    c = writable_app.test_client()
    body = "INSERT DATA { <http://e/s> <http://e/p> " + "[ <http://e/p> " * 10_000
    body += "1" + " ]" * 10_000 + " }"
    r = c.post(
        "/sparql",
        data=body.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH, **JSON},
    )
    assert r.status_code == 400, r.data[:300]
    assert "nest" in problem(r)


# -- finding 9: file: IRIs in disguise, HEAD as GET -----------------------------------------

FILE_QUERIES = [
    "SELECT * WHERE { <fil%65:///etc/passwd> ?p ?o }",
    "SELECT * WHERE { <FILE:///etc/passwd> ?p ?o }",
    "SELECT * FROM <FiLe:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { <\\u0066ile:///etc/passwd> ?p ?o }",
    "SELECT * WHERE { <\\U00000066ile:///etc/passwd> ?p ?o }",
    "SELECT * WHERE { \\u003Cfile:///etc/passwd\\u003E ?p ?o }",
    "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
    "BASE <\\u0066ile:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
    "PREFIX f: <%66ile:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", FILE_QUERIES)
def test_a_file_iri_in_disguise_is_refused(client, query):
    r = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert r.status_code == 400, r.data
    assert "file:" in problem(r)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <\\u0066ile:///x> <http://e/p> 1 }",
        "BASE <fil%65:///etc/> INSERT DATA { <x> <http://e/p> 1 }",
        "\\u004cOAD <http://example.org/x.ttl>",
    ],
)
def test_an_update_in_disguise_is_refused(writable_app, update):
    r = writable_app.test_client().post(
        "/sparql",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH, **JSON},
    )
    assert r.status_code == 400, r.data
    assert "file:" in problem(r) or "LOAD" in problem(r)


@pytest.mark.parametrize(
    "query_string",
    [
        "query=",
        "query=ASK%7B%7D",
        "query=SELECT+*+%7B%3Fs+%3Fp+%3Fo%7D+LIMIT+1",
        "query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fe%2Fg",
        "",
        "query=nonsense",
    ],
)
def test_head_answers_as_get(client, query_string):
    for accept in ("application/sparql-results+json", "text/turtle", "text/html"):
        got = client.get("/sparql?" + query_string, headers={"Accept": accept})
        head = client.head("/sparql?" + query_string, headers={"Accept": accept})
        assert head.status_code == got.status_code, (query_string, accept, head.data)
        assert head.headers.get("Content-Type") == got.headers.get("Content-Type")
        assert head.data == b""


@pytest.mark.parametrize(
    "path,accept",
    [
        ("/sparql", "text/turtle"),
        ("/sparql", "application/ld+json"),
        ("/export.json", "application/json"),
        ("/export/", "application/json"),
        ("/.well-known/void", "text/turtle"),
        ("/catalog", "text/turtle"),
        ("/id/country/MNE", "application/ld+json"),
        ("/graph/derived.jsonld", "application/ld+json"),
        ("/changes.atom", "application/atom+xml"),
    ],
)
def test_the_host_header_is_not_reflected(client, path, accept):
    r = client.get(path, headers={"Host": "evil.example", "Accept": accept})
    assert r.status_code == 200, r.data[:200]
    assert b"evil.example" not in r.data
    assert all("evil.example" not in v for _, v in r.headers.items())


def test_the_base_url_setting_makes_the_absolute_urls(make_app):
    c = make_app(base_url="https://kg.example.org").test_client()
    listing = c.get("/export.json", headers={"Host": "evil.example"}).json
    assert listing["files"][0]["url"].startswith("https://kg.example.org/export/")
    sd = c.get("/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"}).data
    assert b"<https://kg.example.org/sparql>" in sd
    doc = c.get("/id/country/MNE.jsonld", headers={"Host": "evil.example"}).json
    assert doc["@context"] == "https://kg.example.org/context.jsonld"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { FILTER(" + "+".join(["1"] * 10_000) + ") }",
        "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 7_000) + " }",
        "SELECT * WHERE { " + " . ".join(f"?s{i} ?p ?o" for i in range(5_000)) + " }",
    ],
    ids=["plus", "union", "patterns"],
)
def test_a_chain_that_would_crash_the_engine_is_refused(client, text):
    """Chains of 7,000 UNIONs or 10,000 + crashed pyoxigraph's parser (a worker lost, 503);
    refused before parsing with the reason (core/guard.py MAX_TERMS)."""
    r = client.post("/sparql", data={"query": text}, headers={"Accept": "application/json"})
    assert r.status_code == 400, r.data[:300]
    assert "chains" in r.get_json()["error"]["message"]
