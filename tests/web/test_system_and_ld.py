"""System pages and dereferencing."""

from rdflib import Graph, URIRef

MNE = "https://w3id.org/eu-enlargement/id/country/MNE"


def test_health_and_version(client):
    assert client.get("/-/health").get_json()["status"] == "ok"
    v = client.get("/-/version").get_json()
    assert v["package_version"] and v["ontology_version"] == "0.2.0"
    assert v["triples"] > 1000 and v["graph_version"]


def test_metrics_prometheus(client):
    client.get("/sparql", query_string={"query": "ASK {}"})
    body = client.get("/-/metrics").get_data(as_text=True)
    assert "enlargement_kg_queries_total" in body and 'le="+Inf"' in body


def test_dereference_turtle_subject(client):
    r = client.get("/id/country/MNE", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.data, format="turtle")
    assert (URIRef(MNE), None, None) in g


def test_dereference_html_for_browsers(client):
    r = client.get(
        "/id/country/MNE",
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b"Montenegro" in r.data


def test_unknown_iri_404(client):
    r = client.get("/id/country/QQQ", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
