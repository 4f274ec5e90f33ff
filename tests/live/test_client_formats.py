"""SPARQLWrapper against the live service in every return format it offers for each query
form: it sends ``format``/``output``/``results`` parameters and an ``Accept`` header at
once (an RDF/XML request carries ``format=rdf+xml``, N3 carries ``format=n3``), and
converts the answer with the parser the media type implies. (SPARQLWrapper itself warns
that JSON and RDF are unexpected for graph queries, so those two are left out.)"""

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.live

MNE = "https://w3id.org/eu-enlargement/id/country/MNE"
GRAPH_QUERIES = (f"CONSTRUCT WHERE {{ <{MNE}> ?p ?o }}", f"DESCRIBE <{MNE}>")


@pytest.mark.parametrize("query", GRAPH_QUERIES, ids=("construct", "describe"))
@pytest.mark.parametrize("fmt", (XML, RDFXML, JSONLD, TURTLE, N3))
def test_graph_answers_in_every_format(live, query, fmt):
    sw = SPARQLWrapper(live.sparql)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    result = sw.query()
    answer = result.convert()
    if isinstance(answer, bytes):  # Turtle and N3 come back as text
        media = result.info()["content-type"].split(";")[0]
        answer = Graph().parse(data=answer, format={"text/turtle": "turtle"}[media])
    assert (URIRef(MNE), None, None) in answer


@pytest.mark.parametrize(
    "query,key", [("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "s"), ("ASK { ?s ?p ?o }", None)]
)
@pytest.mark.parametrize("fmt", (XML, JSON, CSV, TSV))
def test_table_answers_in_every_format(live, query, key, fmt):
    sw = SPARQLWrapper(live.sparql)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    answer = sw.query().convert()
    if fmt == JSON:
        assert answer["boolean"] is True if key is None else len(answer["results"]["bindings"]) == 3
    elif fmt == XML:
        tag = "boolean" if key is None else "result"
        assert len(answer.getElementsByTagName(tag)) == (1 if key is None else 3)
    else:
        lines = answer.decode("utf-8").strip().splitlines()
        assert lines == ["true"] if key is None else len(lines) == 4
