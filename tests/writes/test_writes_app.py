"""Writes through the Flask app (test client) over a real on-disk store: the switch, the
token, the Graph Store Protocol status codes, the SHACL refusal in each format, and the
result cache keyed on the graph version. The store holds the ontology and no facts, so a
validation takes a fraction of a second; the real graph is written in test_writes_live.py."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from support.writes import ENL, UPDATE, copy_store

from enlargement_kg.core.validation import SH

TOKEN = "test-token-\u00e9"  # a non-ASCII token must work too (compared as UTF-8 bytes)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/graph/one"

VIOLATING = f"""PREFIX enl: <{ENL}>
INSERT DATA {{ GRAPH <{G}> {{
  <http://example.org/ok> <http://example.org/p> "fine" .
  <http://example.org/rate> a enl:CFSPAlignmentRate ; enl:rate 150.0 .
}} }}"""


@pytest.fixture(scope="module")
def app(ontology_only_store, tmp_path_factory):
    from enlargement_kg.web import create_app

    store = copy_store(ontology_only_store, tmp_path_factory.mktemp("app") / "store")
    application = create_app(
        {
            "store_path": store,
            "writable": True,
            "token": TOKEN,
            "query_workers": 1,
            "query_timeout": 5.0,
        }
    )
    yield application
    application.extensions["enlargement_kg"].store.close()


@pytest.fixture()
def client(app):
    return app.test_client()


def ask(client, query: str) -> tuple[bool, str]:
    r = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["boolean"], r.headers["X-Cache"]


def test_token_missing_wrong_and_right(client):
    body = (
        f"INSERT DATA {{ GRAPH <{G}-token> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"
    )
    r = client.post("/sparql", data=body, content_type=UPDATE)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="enlargement-kg"'
    for header in ("Bearer wrong", "Basic " + TOKEN, "Bearer", f"Bearer {TOKEN}x"):
        r = client.post(
            "/sparql", data=body, content_type=UPDATE, headers={"Authorization": header}
        )
        assert r.status_code == 401, header
        assert r.headers["WWW-Authenticate"].startswith("Bearer realm=")
    r = client.put(
        f"/store?graph={G}-token", data="<http://a> <http://b> 1 .", content_type="text/turtle"
    )
    assert r.status_code == 401
    assert ask(client, f"ASK {{ GRAPH <{G}-token> {{ ?s ?p ?o }} }}")[0] is False
    r = client.post("/sparql", data=body, content_type=UPDATE, headers=AUTH)
    assert r.status_code == 204, r.get_data(as_text=True)
    assert "Access-Control-Allow-Origin" not in r.headers  # no CORS on writes
    assert ask(client, f"ASK {{ GRAPH <{G}-token> {{ ?s ?p ?o }} }}")[0] is True


def test_writes_off_is_403(ontology_only_store, tmp_path):
    from enlargement_kg.web import create_app

    store = copy_store(ontology_only_store, tmp_path / "store")
    app = create_app({"store_path": store, "query_workers": 0, "token": TOKEN})
    c = app.test_client()
    r = c.post("/sparql", data="CLEAR ALL", content_type=UPDATE, headers=AUTH)
    assert r.status_code == 403 and "read-only" in r.get_data(as_text=True)
    for method in ("put", "post", "delete"):
        r = getattr(c, method)(
            f"/store?graph={G}",
            data="<http://a> <http://b> 1 .",
            content_type="text/turtle",
            headers=AUTH,
        )
        assert r.status_code == 403, method
    # reads of the Graph Store Protocol work without writes (and carry CORS)
    r = c.get(
        "/store?graph=https://w3id.org/eu-enlargement/graph/ontology/enlargement",
        headers={"Accept": "text/turtle"},
    )
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert len(Graph().parse(data=r.get_data(as_text=True), format="turtle")) > 100


def test_cache_is_invalidated_by_a_write(client):
    q = f"ASK {{ GRAPH <{G}-cache> {{ <http://example.org/s> ?p ?o }} }}"
    assert ask(client, q) == (False, "miss")
    assert ask(client, q) == (False, "hit")
    r = client.put(
        f"/store?graph={G}-cache",
        data="<http://example.org/s> <http://example.org/p> 1 .",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert r.status_code == 201
    assert ask(client, q) == (True, "miss")
    assert ask(client, q) == (True, "hit")
    version = client.get("/-/health").json["version"]
    assert version == r.headers["X-Graph-Version"]


def test_graph_store_protocol_status_codes(client):
    url = f"/store?graph={G}-gsp"
    ttl = "text/turtle"
    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404
    assert client.delete(url, headers=AUTH).status_code == 404
    r = client.put(
        url, data="<http://a> <http://b> [ <http://c> 'one' ] .", content_type=ttl, headers=AUTH
    )
    assert r.status_code == 201
    r = client.put(url, data="<http://a> <http://b> 'two' .", content_type=ttl, headers=AUTH)
    assert r.status_code == 204 and not r.data
    r = client.post(url, data="<http://a> <http://b> 'three' .", content_type=ttl, headers=AUTH)
    assert r.status_code == 204
    r = client.get(url, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/n-triples")
    expected = Graph().parse(data="<http://a> <http://b> 'two', 'three' .", format="turtle")
    assert isomorphic(Graph().parse(data=r.get_data(as_text=True), format="nt"), expected)
    r = client.head(url, headers={"Accept": "text/turtle; charset=utf-8"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert client.get(url, headers={"Accept": "image/png"}).status_code == 406
    # 415 for a type that is not a graph syntax, 400 for RDF that does not parse
    assert (
        client.put(url, data=b"%PDF", content_type="application/pdf", headers=AUTH).status_code
        == 415
    )
    r = client.put(url, data="<http://a> <http://b", content_type=ttl, headers=AUTH)
    assert r.status_code == 400 and "does not parse" in r.get_data(as_text=True)
    assert client.put("/store?graph=not-absolute", data="", headers=AUTH).status_code == 400
    assert client.put("/store", data="", headers=AUTH).status_code == 405
    assert client.get(f"/store?graph={G}&default").status_code == 400
    # the failed writes left the graph as it was
    r = client.get(url, headers={"Accept": "application/n-triples"})
    assert isomorphic(Graph().parse(data=r.get_data(as_text=True), format="nt"), expected)
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url).status_code == 404


def test_post_to_the_store_creates_a_graph_and_multipart_merges(client):
    r = client.post(
        "/store", data="<http://a> <http://b> 'new' .", content_type="text/turtle", headers=AUTH
    )
    assert r.status_code == 201
    location = r.headers["Location"]
    assert location.startswith("https://w3id.org/eu-enlargement/graph/store/")
    r = client.get("/store", query_string={"graph": location}, headers={"Accept": "text/turtle"})
    assert (None, None, Literal("new")) in Graph().parse(
        data=r.get_data(as_text=True), format="turtle"
    )
    from io import BytesIO

    r = client.post(
        "/store",
        query_string={"graph": location},
        headers=AUTH,
        content_type="multipart/form-data",
        data={
            "a": (BytesIO(b"<http://a> <http://b> 'x' ."), "a.ttl", "text/turtle"),
            "b": (BytesIO(b'<http://a> <http://b> "y" .'), "b.nt", "application/n-triples"),
        },
    )
    assert r.status_code == 204, r.get_data(as_text=True)
    r = client.get("/store", query_string={"graph": location}, headers={"Accept": "text/turtle"})
    objects = {
        str(o) for o in Graph().parse(data=r.get_data(as_text=True), format="turtle").objects()
    }
    assert objects == {"new", "x", "y"}


def test_default_graph_and_whole_store(client):
    r = client.put(
        "/store?default",
        data="_:a <http://example.org/in> 'default' .",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert r.status_code in (201, 204)
    r = client.get("/store?default", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    assert len(g) == 1
    # queries see the default graph as part of the union
    assert ask(client, "ASK { ?s <http://example.org/in> 'default' }")[0] is True
    r = client.get("/store", headers={"Accept": "application/n-quads"})
    assert r.status_code == 200 and b"<http://example.org/in>" in r.data
    assert client.delete("/store?default", headers=AUTH).status_code == 204
    assert ask(client, "ASK { ?s <http://example.org/in> 'default' }")[0] is False


@pytest.mark.parametrize("accept", ["application/json", "text/turtle", "text/plain"])
def test_violation_refused_with_the_report(client, accept):
    r = client.post(
        "/sparql", data=VIOLATING, content_type=UPDATE, headers={**AUTH, "Accept": accept}
    )
    assert r.status_code == 409
    assert r.headers["Content-Type"].startswith(accept)
    text = r.get_data(as_text=True)
    if accept == "application/json":
        doc = json.loads(text)
        assert doc["conforms"] is False and doc["violations"] >= 1
        assert {res["severity"] for res in doc["results"]} == {"Violation"}
        assert any(
            res["focus"] == "http://example.org/rate" and "[0, 100]" in res["message"]
            for res in doc["results"]
        )
    elif accept == "text/turtle":
        g = Graph().parse(data=text, format="turtle")
        report = g.value(None, RDF.type, SH.ValidationReport, any=True)
        assert report is not None
        assert g.value(None, SH.focusNode, URIRef("http://example.org/rate"), any=True)
        assert set(g.objects(None, SH.resultSeverity)) == {SH.Violation}
    else:
        assert "Violation" in text and "http://example.org/rate" in text
    # nothing of the refused update was written, not even its conforming triple
    assert ask(client, "ASK { <http://example.org/ok> ?p ?o }")[0] is False
    assert ask(client, "ASK { <http://example.org/rate> ?p ?o }")[0] is False


def test_update_errors_are_4xx_and_atomic(client):
    r = client.post(
        "/sparql",
        data=f"INSERT DATA {{ GRAPH <{G}-atomic> {{ <http://a> "
        "<http://b> 1 } } ;"
        " DROP GRAPH <http://example.org/no-such-graph>",
        content_type=UPDATE,
        headers=AUTH,
    )
    assert r.status_code == 400 and "does not exist" in r.get_data(as_text=True)
    assert ask(client, f"ASK {{ GRAPH <{G}-atomic> {{ ?s ?p ?o }} }}")[0] is False
    for bad, words in (
        ("INSERT DATA { <http://a> <http://b> }", "does not parse"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("INSERT DATA { <file:///etc/passwd> <http://b> 1 }", "file:"),
        (
            "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "SERVICE",
        ),
    ):
        r = client.post("/sparql", data=bad, content_type=UPDATE, headers=AUTH)
        assert r.status_code == 400, bad
        assert words.lower() in r.get_data(as_text=True).lower(), bad


def test_protocol_dataset_of_an_update(client):
    src, dst = f"{G}-using-src", f"{G}-using-dst"
    r = client.put(
        f"/store?graph={src}",
        data="<http://example.org/doc> a <http://example.org/Doc> .",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert r.status_code == 201
    body = (
        f"INSERT {{ GRAPH <{dst}> {{ ?s a <http://example.org/Seen> }} }} "
        "WHERE { ?s a <http://example.org/Doc> }"
    )
    r = client.post(
        "/sparql",
        query_string={"using-graph-uri": src},
        data=body,
        content_type=UPDATE,
        headers=AUTH,
    )
    assert r.status_code == 204, r.get_data(as_text=True)
    assert (
        ask(
            client,
            f"ASK {{ GRAPH <{dst}> {{ <http://example.org/doc> a <http://example.org/Seen> }} }}",
        )[0]
        is True
    )
    r = client.post(
        "/sparql",
        query_string={"using-named-graph-uri": src},
        headers=AUTH,
        data=f"WITH <{dst}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        content_type=UPDATE,
    )
    assert r.status_code == 400 and "§2.2.3" in r.get_data(as_text=True)
    r = client.post("/sparql", data={"update": f"DROP GRAPH <{dst}>"}, headers=AUTH)
    assert r.status_code == 204
    assert ask(client, f"ASK {{ GRAPH <{dst}> {{ ?s ?p ?o }} }}")[0] is False


def test_store_options_and_cors(client):
    r = client.options("/store")
    assert r.status_code == 204
    assert "PUT" in r.headers["Allow"] and "DELETE" in r.headers["Allow"]
    assert r.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_no_response_cache_or_lane_with_writes_on(app):
    """The replaying cache and the lane in front of /sparql are for read-only services; with
    writes on, every read goes through the endpoint, which first brings its readers up to the
    last write, and its own cache, keyed on the moving version, answers (above)."""
    from enlargement_kg.web.fastpath.lane import QueryLane
    from enlargement_kg.web.fastpath.response_cache import ResponseCache

    assert not isinstance(app.wsgi_app, ResponseCache | QueryLane)
