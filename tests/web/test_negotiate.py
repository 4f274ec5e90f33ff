"""Content negotiation (RFC 9110 §12.5.1) and the protocol details the W3C manifests probe:
media-type parameters, wildcards, ``format=`` as clients send it, UTF-8 only bodies, the
service-defined base IRI and the service description."""

import pytest
from rdflib import Graph, URIRef

ASK = "ASK { ?s ?p ?o }"
SELECT = (
    "SELECT ?n WHERE { ?c <https://w3id.org/eu-enlargement/ontology#chapterNumber> ?n } LIMIT 1"
)
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/eu-enlargement/id/chapter/31> ?p ?o }"


@pytest.mark.parametrize(
    "query,accept,media_type",
    [
        # parameters other than q do not stop a match (a charset we serve, a JSON-LD profile)
        (SELECT, "text/csv; charset=utf-8", "text/csv"),
        (
            SELECT,
            "application/sparql-results+json;charset=UTF-8;q=0.9, text/csv;q=0.5",
            "application/sparql-results+json",
        ),
        (
            CONSTRUCT,
            'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"',
            "application/ld+json",
        ),
        # the most specific range decides: turtle refused by name, the wildcard takes the rest
        (CONSTRUCT, "text/turtle;q=0, */*", "application/n-triples"),
        # a type wildcard picks a format of that type, not the default of another type
        (SELECT, "text/*", "text/csv"),
        (SELECT, "application/*", "application/sparql-results+json"),
        # only wildcards: the default, also behind a lower explicit preference for nothing we have
        (SELECT, "image/png;q=0.9, */*;q=0.1", "application/sparql-results+json"),
        (CONSTRUCT, "*/*", "text/turtle"),
    ],
)
def test_accept(client, query, accept, media_type):
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.data
    assert r.mimetype == media_type and r.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    "query,accept",
    [
        (SELECT, "text/csv; charset=iso-8859-1"),  # a charset we do not serve
        (SELECT, "text/turtle"),  # a graph syntax for a table
        (CONSTRUCT, "application/sparql-results+json, text/csv;q=0.5"),
    ],
)
def test_not_acceptable(client, query, accept):
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert r.status_code == 406 and b"offered" in r.data


@pytest.mark.parametrize(
    "query,values,media_type",
    [
        # what SPARQLWrapper sends: format, output and results, and a media type after some
        (CONSTRUCT, ["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
        (CONSTRUCT, ["json"], "application/ld+json"),
        (CONSTRUCT, ["xml"], "application/rdf+xml"),
        (CONSTRUCT, ["n3"], "text/turtle"),
        (CONSTRUCT, ["ttl"], "text/turtle"),
        (SELECT, ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
        (SELECT, ["application/json"], "application/sparql-results+json"),
        (ASK, ["json-ld"], "application/sparql-results+json"),
    ],
)
def test_format_parameter(client, query, values, media_type):
    r = client.get(
        "/sparql",
        query_string=[("query", query)] + [("format", v) for v in values],
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 200, r.data
    assert r.mimetype == media_type


def test_format_parameter_that_fits_nothing_is_406(client):
    r = client.get("/sparql", query_string={"query": SELECT, "format": "turtle"})
    assert r.status_code == 406
    r = client.get("/sparql", query_string={"query": SELECT, "format": "jsn"})
    assert r.status_code == 406 and b"application/sparql-results+json" in r.data


@pytest.mark.parametrize(
    "ctype",
    [
        "application/sparql-query; charset=UTF-16",
        "application/x-www-form-urlencoded; charset=latin1",
    ],
)
def test_bodies_declared_in_another_charset_are_415(client, ctype):
    body = "query=ASK%20%7B%7D" if "form" in ctype else "ASK {}".encode("utf-16")
    r = client.post(
        "/sparql", data=body, headers={"Content-Type": ctype, "Accept": "application/json"}
    )
    assert r.status_code == 415 and "UTF-8" in r.get_json()["error"]["message"]
    ok = client.post(
        "/sparql",
        data="ASK {}",
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert ok.status_code == 200


def test_relative_iris_resolve_against_the_endpoint_base(client):
    """SPARQL 1.1 Protocol: the service defines the base IRI; ours is the endpoint's IRI in
    the project's space, so ``<id/country/MNE>`` names Montenegro."""
    r = client.get(
        "/sparql",
        query_string={
            "query": "SELECT ?code WHERE { <id/country/MNE> "
            "<https://w3id.org/eu-enlargement/ontology#iso3166Alpha3> ?code }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert [b["code"]["value"] for b in r.get_json()["results"]["bindings"]] == ["MNE"]
    r = client.post(
        "/sparql",
        data="CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    g = Graph().parse(data=r.data, format="nt")
    assert (
        URIRef("https://w3id.org/eu-enlargement/s"),
        URIRef("https://w3id.org/eu-enlargement/p"),
        None,
    ) in g
    # a query's own BASE still applies, and queries without relative IRIs are untouched
    r = client.get(
        "/sparql",
        query_string={"query": "BASE <http://example.org/> SELECT (STR(<x>) AS ?x) {}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.get_json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/x"
    # parser messages point into the query as sent, whether or not a BASE was added
    for q in ("SELECT ?x { ?x ?p ?o . FILTER(?x <", "SELECT ?x { <a> ?p ?x . FILTER(?x <"):
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/json"})
        assert r.status_code == 400
        assert r.get_json()["error"]["message"].startswith(f"error at 1:{len(q) + 1}:"), q


def test_service_description_pages_vary_on_accept(client):
    for accept in ("text/html", "text/turtle"):
        r = client.get("/sparql", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["Vary"] == "Accept"


def test_service_description_counts_the_named_graphs(client):
    from rdflib.namespace import Namespace

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = Namespace("http://rdfs.org/ns/void#")
    g = Graph().parse(
        data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    sizes = {
        str(g.value(ng, sd.name)): int(g.value(g.value(ng, sd.graph), void.triples))
        for ng in g.objects(None, sd.namedGraph)
    }
    countries = "https://w3id.org/eu-enlargement/graph/kg/reference/countries"
    assert sizes[countries] > 50
    r = client.get(
        "/sparql",
        query_string={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "named-graph-uri": countries,
            "default-graph-uri": countries,
        },
        headers={"Accept": "application/json"},
    )
    assert int(r.get_json()["results"]["bindings"][0]["n"]["value"]) == sizes[countries]
    default = g.value(next(g.objects(None, sd.defaultDataset)), sd.defaultGraph)
    assert 0 < int(g.value(default, void.triples)) <= sum(sizes.values())
