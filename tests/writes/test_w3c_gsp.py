"""The W3C SPARQL 1.1 Graph Store HTTP Protocol manifests, run over real HTTP against a live
``--writable`` server (tests/fixtures/w3c/graph-store-protocol/, see SOURCE.md there).

The runner reads ``manifest.ttl`` and the manifests it includes (``mf:include``) and makes
one test per ``mf:entries`` item, in manifest order. Each test starts from an empty dataset
(the manifests assume a fresh graph store per test: several expect ``201 Created`` for a
graph an earlier test made), then sends its ``ht:Request``s in order, with the bearer token,
``/gsp`` replaced by ``/store``, and checks each ``ht:resp``: ``mf:expectedStatus`` (one of
the listed codes or classes), the expected ``Content-Type`` and a body graph-isomorphic to
the expected one; ``mf:expectedLocation`` makes the ``Location`` header a template variable.

Skipped, each with its reason: tests that require ``mf:DirectGraphIdentification``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic
from support.writes import copy_store, start_writable

pytestmark = pytest.mark.live

HERE = Path(__file__).resolve().parent
MANIFEST = HERE.parent / "fixtures" / "w3c" / "graph-store-protocol" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")

STATUS = {
    "OK": {200},
    "Created": {201},
    "NoContent": {204},
    "NotFound": {404},
    "BadRequest": {400},
    "StatusCode2xx": set(range(200, 300)),
    "StatusCode3xx": set(range(300, 400)),
    "StatusCode4xx": set(range(400, 500)),
}
#: Features of the manifests this service does not provide, with the reason.
UNSUPPORTED = {
    MF.DirectGraphIdentification: (
        "direct graph identification (GSP §4.1) is not supported: the graphs' IRIs live "
        "under https://w3id.org/eu-enlargement/graph/, not under this host; graphs are named "
        "indirectly with /store?graph=IRI (§4.2)"
    ),
}
RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass
class Expected:
    statuses: set[int]
    location_var: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    expected: Expected


@dataclass
class Entry:
    iri: str
    name: str
    requires: list[URIRef]
    requests: list[Request]

    @property
    def key(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def _headers(g: Graph, node) -> dict[str, str]:
    lst = g.value(node, HT.headers)
    if lst is None:
        return {}
    return {
        str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
        for h in Collection(g, lst)
    }


def _body(g: Graph, node) -> str | None:
    body = g.value(node, HT.body)
    return None if body is None else str(g.value(body, CNT.chars))


def read_manifest(path: Path) -> list[Entry]:
    """The entries of ``path`` and of the manifests it includes, in order."""
    g = Graph().parse(path, format="turtle")
    manifest = URIRef(path.as_uri())
    entries: list[Entry] = []
    include = g.value(manifest, MF.include)
    if include is not None:
        for sub in Collection(g, include):
            entries += read_manifest(Path(str(sub).removeprefix("file://")))
    listed = g.value(manifest, MF.entries)
    for test in Collection(g, listed) if listed is not None else []:
        action = g.value(test, MF.action)
        reqs = []
        for req in Collection(g, g.value(action, HT.requests)):
            resp = g.value(req, HT.resp)
            statuses: set[int] = set()
            for code in g.objects(resp, MF.expectedStatus):
                statuses |= STATUS[str(code).rsplit("#", 1)[-1]]
            loc = g.value(resp, MF.expectedLocation)
            reqs.append(
                Request(
                    method=str(g.value(req, HT.methodName)),
                    path=str(g.value(req, HT.absolutePath)),
                    headers=_headers(g, req),
                    body=_body(g, req),
                    expected=Expected(
                        statuses,
                        None if loc is None else str(loc),
                        _headers(g, resp),
                        _body(g, resp),
                    ),
                )
            )
        entries.append(
            Entry(
                str(test), str(g.value(test, MF.name)), sorted(g.objects(test, MF.requires)), reqs
            )
        )
    return entries


ENTRIES = read_manifest(MANIFEST)


@pytest.fixture(scope="module")
def gsp_server(ontology_only_store, tmp_path_factory):
    store = copy_store(ontology_only_store, tmp_path_factory.mktemp("gsp") / "store")
    w = start_writable(store, secrets.token_urlsafe(24))
    yield w
    w.stop()


def _media(value: str) -> tuple[str, dict[str, str]]:
    parts = [p.strip() for p in value.split(";")]
    params = dict(p.lower().split("=", 1) for p in parts[1:] if "=" in p)
    return parts[0].lower(), params


def check(req: Request, resp: requests.Response) -> list[str]:
    """What is wrong with ``resp`` for ``req`` (nothing: an empty list)."""
    problems = []
    exp = req.expected
    if exp.statuses and resp.status_code not in exp.statuses:
        problems.append(
            f"status {resp.status_code}, expected one of {sorted(exp.statuses)}: {resp.text[:300]}"
        )
        return problems
    for name, value in exp.headers.items():
        got = resp.headers.get(name)
        if got is None:
            problems.append(f"no {name} header")
        elif name == "content-type" and _media(got) != _media(value):
            problems.append(f"content-type {got!r}, expected {value!r}")
    if exp.location_var and not resp.headers.get("Location"):
        problems.append("no Location header")
    if exp.body is not None and req.method != "HEAD":
        media = _media(exp.headers.get("content-type", "text/turtle"))[0]
        expected = Graph().parse(data=exp.body, format=RDFLIB_FORMAT[media])
        got = Graph().parse(
            data=resp.text,
            format=RDFLIB_FORMAT[_media(resp.headers.get("Content-Type", "text/turtle"))[0]],
        )
        if not isomorphic(expected, got):
            problems.append(
                "the graph returned is not isomorphic to the expected one:\n"
                + to_isomorphic(got).serialize(format="nt")
            )
    return problems


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.key)
def test_graph_store_protocol(entry: Entry, gsp_server):
    for feature in entry.requires:
        if feature in UNSUPPORTED:
            pytest.skip(UNSUPPORTED[feature])
    assert entry.requests, f"{entry.iri} has no ht:Request"
    reset = gsp_server.update("DROP ALL")  # a fresh graph store for each test
    assert reset.status_code == 204, reset.text
    variables: dict[str, str] = {}
    with requests.Session() as session:
        for i, req in enumerate(entry.requests, 1):
            path, body = req.path, req.body
            for var, value in variables.items():
                path = path.replace(var, value)
                body = body.replace(var, value) if body is not None else None
            path = re.sub(r"^/gsp(?=[/?]|$)", "/store", path)
            resp = session.request(
                req.method,
                gsp_server.url + path,
                headers={**req.headers, **gsp_server.auth},
                data=None if body is None else body.encode("utf-8"),
                timeout=60,
            )
            problems = check(req, resp)
            assert not problems, (
                f"{entry.name}: request {i} of {len(entry.requests)} "
                f"({req.method} {path}): " + "; ".join(problems)
            )
            if req.expected.location_var:
                variables[req.expected.location_var] = resp.headers["Location"]
            assert "Access-Control-Allow-Origin" not in resp.headers or req.method in (
                "GET",
                "HEAD",
            ), "a write answered with CORS headers"


def test_the_manifests_were_read():
    """The runner saw every entry of both included manifests (13 in the vendored copy)."""
    keys = [e.key for e in ENTRIES]
    assert len(keys) == 13 and len(set(keys)) == 13
    assert sum(MF.DirectGraphIdentification in e.requires for e in ENTRIES) == 4


def test_the_checks_can_fail():
    """``check`` reports a wrong status, a wrong type and a non-isomorphic body."""
    req = next(
        r
        for e in ENTRIES
        for r in e.requests
        if r.method == "GET" and r.expected.body and "?graph=" in r.path
    )

    def response(status: int, ctype: str, body: str) -> requests.Response:
        resp = requests.Response()
        resp.status_code, resp._content = status, body.encode()
        resp.headers["Content-Type"] = ctype
        return resp

    good = Graph().parse(data=req.expected.body, format="turtle").serialize(format="nt")
    assert check(req, response(200, "text/turtle; charset=utf-8", good)) == []
    assert check(req, response(404, "text/turtle; charset=utf-8", good))
    assert check(req, response(200, "application/n-triples", good))
    assert check(req, response(200, "text/turtle; charset=utf-8", "<http://a> <http://b> 1 ."))
