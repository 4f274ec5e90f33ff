"""A bounded fuzzer of the whole HTTP surface (issue 17): every route of the OpenAPI
description (``/openapi.json``, held here to ``app.url_map``), methods GET/HEAD/POST/PUT/
DELETE/OPTIONS, hostile path segments, query parameters, headers (Accept, Content-Type, Host,
If-None-Match, Range, Authorization) and bodies, on the read-only app (fast paths on) and on
a writable app with its token. No answer may be a 5xx other than the documented 503 and 501,
none may show a traceback, every header must be writable in Latin-1 (as gunicorn writes
them), every response carries ``nosniff`` and every page the CSP. Derandomised and bounded
(``max_examples``, ``deadline``): about 30 s on 2 cores."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import TOKEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enlargement_kg.web import CONTENT_SECURITY_POLICY

OPENAPI = json.loads(
    (Path(__file__).resolve().parents[2] / "api" / "web" / "openapi.json").read_text()
)
#: what a 5xx may be: the documented ones (the time limit, busy or replaced workers; a
#: backend that cannot serve single graphs)
DOCUMENTED_5XX = {501, 503}
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]
#: path segments an attacker tries: not IRIs, not UTF-8, not Latin-1, traversal, long
HOSTILE_SEGMENTS = [
    "%00",
    "%zz",
    "%FF",
    "%C0%AF",
    "a%20b",
    "a%3Cb%3E",
    "a|b",
    'a"b',
    "a{b}",
    "a%5Cb",
    "a^b",
    "..",
    "%2e%2e",
    "..%2F..%2Fetc%2Fpasswd",
    "%E2%82%AC",
    "%F0%9F%92%A9",
    "%ED%A0%80",
    "%0D%0AX-Injected:%201",
    "country/MNE",
    "country/MNE.ttl",
    "fact/x.bib",
    "derived",
    "x" * 3000,
    "%25",
    "%",
    "a;b=c",
    "~",
    "a%23b",
    "a%3Fb",
]
MEDIA_TYPES = [
    "*/*",
    "text/html",
    "application/json",
    "text/turtle",
    "application/ld+json",
    "application/sparql-results+json",
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/n-triples",
    "application/rdf+xml",
    "text/plain; charset=latin-1",
    "application/sparql-query; charset=utf-16",
    "text/*;q=0",
    "image/png",
    "",
    "a/b/c",
    "text/html;q=abc",
    "application/json;q=0.5, text/html;q=2",
]
QUERIES = [
    "ASK {}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT",
    "{" * 300 + "}" * 300,
    "SELECT * WHERE { <file:///etc/passwd> ?p ?o }",
    "SELECT * { <\\u0066ile:///x> ?p ?o }",
    "SELECT * WHERE { SERVICE <http://e/> { ?s ?p ?o } }",
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "DESCRIBE <https://w3id.org/eu-enlargement/id/country/MNE>",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
    "LOAD <http://e/x>",
    "\x00",
    "\U0001f4a9",
]
GRAPH_IRIS = ["http://e/g", "http://e/%zz", "file:///etc/passwd", "a b", "", "\x00", "urn:x"]

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # encodable
segment = st.one_of(st.sampled_from(HOSTILE_SEGMENTS), text.map(lambda t: quote(t, safe="")))
header_value = st.one_of(
    st.sampled_from(MEDIA_TYPES),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
)


def routes() -> list[str]:
    return sorted(OPENAPI["paths"])


def parameters(path: str) -> list[str]:
    names = {
        p["name"]
        for op in OPENAPI["paths"][path].values()
        for p in op.get("parameters", [])
        if "name" in p and p.get("in") == "query"
    }
    return sorted(names | {"query", "update", "graph", "default", "format"})


@st.composite
def requests_(draw):
    template = draw(st.sampled_from(routes()))
    path = re.sub(r"\{[^}]+\}", lambda _: draw(segment), template)
    params = draw(
        st.lists(
            st.tuples(
                st.sampled_from(parameters(template)),
                st.one_of(st.sampled_from(QUERIES + GRAPH_IRIS), text),
            ),
            max_size=3,
        )
    )
    headers = {
        name: draw(header_value)
        for name in draw(
            st.sets(
                st.sampled_from(
                    ["Accept", "Content-Type", "Host", "If-None-Match", "Range", "Authorization"]
                )
            )
        )
    }
    if "Authorization" in headers and draw(st.booleans()):
        headers["Authorization"] = f"Bearer {TOKEN}"
    body = draw(
        st.one_of(
            st.just(b""),
            st.sampled_from(QUERIES).map(str.encode),
            st.just(b'"\xed\xa0\x80"'),  # a surrogate in UTF-8: not UTF-8
            st.binary(max_size=200),
            st.sampled_from(["query=ASK%7B%7D", "update=CLEAR%20ALL", "query=%FF"]).map(str.encode),
        )
    )
    return draw(st.sampled_from(METHODS)), path, params, headers, body


def check(client, request) -> None:
    method, path, params, headers, body = request
    r = client.open(path, method=method, query_string=params, headers=headers, data=body or None)
    where = f"{method} {path[:200]} {params} {headers}"
    assert r.status_code < 500 or r.status_code in DOCUMENTED_5XX, (where, r.data[:500])
    data = r.get_data()
    assert b"Traceback" not in data, where
    for name, value in r.headers.items():
        value.encode("latin-1")  # gunicorn writes headers in Latin-1
        assert "\n" not in value and "\r" not in value, (where, name)
    assert r.headers.get("X-Content-Type-Options") == "nosniff", where
    if r.mimetype == "text/html":
        assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, where
    if r.status_code >= 400 and r.mimetype == "application/json" and method != "HEAD":
        assert r.json["error"]["message"], where


FUZZ = settings(
    max_examples=250,
    deadline=timedelta(seconds=10),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(request=requests_())
def test_no_server_error_on_the_read_only_app(app, request):
    check(app.test_client(), request)


@FUZZ
@given(request=requests_())
def test_no_server_error_on_the_writable_app(writable_app, request):
    check(writable_app.test_client(), request)


def rule_paths(app) -> dict[str, set[str]]:
    """``app.url_map`` as OpenAPI paths (``<path:key>`` -> ``{key}``) and their methods."""
    out: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        out.setdefault(path, set()).update(m.lower() for m in rule.methods or ())
    return out


def test_the_openapi_description_names_every_route(app):
    """Every route and method of the app is described, and nothing else (OPTIONS only
    where the service answers it itself)."""
    described = {p: set(ops) - {"parameters"} for p, ops in OPENAPI["paths"].items()}
    served = rule_paths(app)
    assert sorted(described) == sorted(served)
    for path, methods in served.items():
        explicit = methods if path in ("/sparql", "/store") else methods - {"options"}
        assert described[path] == explicit, path


def test_the_description_is_served_and_linked(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.json["openapi"].startswith("3.1")
    assert r.json == OPENAPI
    again = client.get("/openapi.json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    sd = client.get("/sparql", headers={"Accept": "text/turtle"}).data
    assert b"openapi.json>" in sd


@pytest.mark.parametrize("path", routes())
def test_every_operation_has_responses(path):
    for method, op in OPENAPI["paths"][path].items():
        assert op["responses"], (path, method)
        for code in op["responses"]:
            assert int(code) < 500 or int(code) in DOCUMENTED_5XX, (path, method, code)
