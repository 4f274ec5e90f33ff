"""SPARQL 1.1 Protocol behaviour through the Flask test client."""

import csv
import io
import json

import pytest
from rdflib import Graph

Q_SELECT = (
    "SELECT ?c ?code WHERE { ?c <https://w3id.org/eu-enlargement/ontology#iso3166Alpha3> "
    "?code . ?c a <https://w3id.org/eu-enlargement/ontology#EnlargementCountry> } "
    "ORDER BY ?code"
)
Q_CONSTRUCT = (
    "CONSTRUCT { ?c ?p ?o } WHERE { BIND(<https://w3id.org/eu-enlargement/id/country/"
    "MNE> AS ?c) ?c ?p ?o }"
)


def test_select_json_get(client):
    r = client.get(
        "/sparql",
        query_string={"query": Q_SELECT},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert "Accept" in r.headers["Vary"]
    rows = r.get_json()["results"]["bindings"]
    assert [b["code"]["value"] for b in rows][:3] == ["ALB", "BIH", "GEO"]


@pytest.mark.parametrize(
    "accept,ctype",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ],
)
def test_select_negotiation(client, accept, ctype):
    r = client.get("/sparql", query_string={"query": Q_SELECT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(ctype)


def test_csv_and_tsv_bodies(client):
    r = client.get("/sparql", query_string={"query": Q_SELECT, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["c", "code"] and rows[1][1] == "ALB" and len(rows) == 11
    r = client.get("/sparql", query_string={"query": Q_SELECT, "format": "tsv"})
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0] == "?c\t?code" and lines[1].endswith('\t"ALB"')


def test_post_form_and_direct(client):
    r = client.post(
        "/sparql",
        data={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.get_json() == {"head": {}, "boolean": True}
    r = client.post(
        "/sparql",
        data="ASK { ?s ?p ?o }",
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+xml",
        },
    )
    assert b"<boolean>true</boolean>" in r.data


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_formats(client, accept, fmt):
    r = client.get("/sparql", query_string={"query": Q_CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    if fmt in ("trig", "nquads"):
        from rdflib import Dataset

        g = Dataset()
        g.parse(data=r.data, format=fmt)
        assert len(g) >= 5
    else:
        g = Graph().parse(data=r.data, format=fmt)
        assert len(g) >= 5


def test_malformed_query_is_400_with_parser_message(client):
    r = client.get(
        "/sparql",
        query_string={"query": "SELEC ?x WHERE {}"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 400
    msg = r.get_json()["error"]["message"]
    assert "expected" in msg or "error" in msg


def test_not_acceptable_lists_offered_types(client):
    r = client.get("/sparql", query_string={"query": Q_SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and b"application/sparql-results+json" in r.data


def test_update_on_query_operation_is_400(client):
    r = client.get("/sparql", query_string={"query": "INSERT DATA { <http://e/a> <http://e/b> 1 }"})
    assert r.status_code == 400


def test_update_refused_when_read_only(client):
    r = client.post("/sparql", data={"update": "INSERT DATA { <http://e/a> <http://e/b> 1 }"})
    assert r.status_code == 403


def test_service_refused(client):
    r = client.get(
        "/sparql",
        query_string={
            "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
        },
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 400 and "SERVICE" in r.get_json()["error"]["message"]


def test_bad_inputs_are_4xx(client):
    assert (
        client.post(
            "/sparql", data=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"}
        ).status_code
        == 400
    )
    assert (
        client.post("/sparql", data="ASK {}", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    assert client.get("/sparql?query=ASK{}&query=ASK{}").status_code == 400
    r = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert r.status_code == 400
    big = "ASK {} #" + "x" * 1_100_000
    assert (
        client.post(
            "/sparql", data=big, headers={"Content-Type": "application/sparql-query"}
        ).status_code
        == 413
    )


def test_cors(client):
    r = client.get("/sparql", query_string={"query": "ASK {}"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.options(
        "/sparql", headers={"Origin": "http://x.example", "Access-Control-Request-Method": "POST"}
    )
    assert r.status_code == 204 and "POST" in r.headers["Access-Control-Allow-Methods"]


def test_service_description(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    from rdflib import URIRef

    assert (None, URIRef(sd + "endpoint"), None) in g
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert len(list(g.objects(None, URIRef(sd + "namedGraph")))) >= 5
    for accept, fmt in (("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        r = client.get("/sparql", headers={"Accept": accept})
        assert len(Graph().parse(data=r.data, format=fmt)) == len(g)


def test_results_are_cached_by_version(client):
    q = Q_SELECT + " # cache probe"
    first = client.get("/sparql", query_string={"query": q})
    second = client.get("/sparql", query_string={"query": q})
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert json.loads(first.data) == json.loads(second.data)


def test_from_defines_the_dataset(client):
    """SPARQL 1.1 Query §13.2: a query's FROM replaces the default (union) dataset."""

    def ask(q):
        return client.get(
            "/sparql", query_string={"query": q}, headers={"Accept": "application/json"}
        ).get_json()["boolean"]

    assert ask("ASK { ?s ?p ?o }") is True
    assert ask("ASK FROM <http://example.org/no-such-graph> { ?s ?p ?o }") is False
    g = "https://w3id.org/eu-enlargement/graph/kg/reference/countries"
    enl = "https://w3id.org/eu-enlargement/ontology#"
    assert ask(f'ASK FROM <{g}> {{ ?c <{enl}iso3166Alpha3> "MNE" }}') is True
    assert ask(f"ASK FROM <{g}> {{ ?c a <{enl}Chapter> }}") is False


def test_result_cap_is_413(built_store):
    """Every query has a result cap (default 100,000 rows): over it, 413 with the reason."""
    from enlargement_kg.web import create_app

    app = create_app({"store_path": built_store, "query_workers": 0, "max_rows": 5})
    c = app.test_client()
    q = "SELECT ?c WHERE { ?c a <https://w3id.org/eu-enlargement/ontology#Chapter> }"
    r = c.get("/sparql", query_string={"query": q}, headers={"Accept": "application/json"})
    assert r.status_code == 413 and "result cap" in r.get_json()["error"]["message"]
    ok = c.get(
        "/sparql", query_string={"query": q + " LIMIT 5"}, headers={"Accept": "application/json"}
    )
    assert ok.status_code == 200 and len(ok.get_json()["results"]["bindings"]) == 5
