"""The real graph: it conforms to the shapes, every fact cites a source with a URL, and
the reference data is complete."""

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from enlargement_kg.core.build import build_memory, union_graph
from enlargement_kg.core.namespaces import ENL
from enlargement_kg.core.validation import validate


@pytest.fixture(scope="module")
def graph() -> Graph:
    return union_graph(build_memory(validate_data=False).store)


@pytest.fixture(scope="module")
def report(graph):
    return validate(graph)


def test_real_graph_has_no_violations(report):
    assert report.violations == [], report.to_text(limit=20)


def q(graph, text):
    from enlargement_kg.core.namespaces import sparql_prologue

    return list(graph.query(sparql_prologue() + text))


def test_every_fact_has_a_source_with_a_url(graph):
    rows = q(graph, """
        SELECT ?fact WHERE {
          ?fact a/rdfs:subClassOf* enl:Fact .
          FILTER NOT EXISTS { ?fact dcterms:source/schema:url ?url }
        }""")
    assert rows == []


def test_every_source_has_title_publisher_url_kind(graph):
    rows = q(graph, """
        SELECT ?s WHERE {
          ?s a enl:SourceDocument .
          FILTER NOT EXISTS { ?s dcterms:title ?t ; dcterms:publisher/skos:prefLabel ?p ;
                                 schema:url ?u ; enl:sourceKind ?k }
        }""")
    assert rows == []


def test_structure_35_chapters_6_clusters(graph):
    chapters = set(graph.subjects(RDF.type, ENL.Chapter))
    clusters = set(graph.subjects(RDF.type, ENL.Cluster))
    assert len(chapters) == 35 and len(clusters) == 6
    outside = {int(graph.value(c, ENL.chapterNumber)) for c in chapters
               if graph.value(c, ENL.inCluster) is None}
    assert outside == {34, 35}


def test_ten_countries_with_iso_codes(graph):
    codes = {str(graph.value(c, ENL.iso3166Alpha3))
             for c in graph.subjects(RDF.type, ENL.EnlargementCountry)}
    assert codes == {"ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX"}


def test_data_coverage_doc_is_current():
    """docs/data-coverage.md is generated (`enlargement-kg coverage`); it must match the graph."""
    from pathlib import Path

    from enlargement_kg.core.coverage import generate

    doc = Path(__file__).resolve().parents[2] / "docs" / "data-coverage.md"
    assert doc.read_text(encoding="utf-8") == generate(), \
        "run: enlargement-kg coverage --out docs/data-coverage.md"
