"""The ontology: documented terms, a DefinedNamespace that mirrors it, and consistency under
OWL 2 RL reasoning together with the whole graph."""

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from enlargement_kg.core.namespaces import ENL, ONTOLOGY_IRI
from enlargement_kg.core.validation import ontology_graph

NS = str(ENL._NS)


def terms(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}


def test_defined_namespace_mirrors_the_ontology():
    g = ontology_graph()
    in_ontology = {str(t)[len(NS) :] for t in terms(g)}
    in_code = {k for k in ENL.__annotations__}
    assert in_ontology - in_code == set(), "terms missing from namespaces.ENL"
    assert in_code - in_ontology == set(), "ENL declares terms the ontology lacks"


def test_every_term_is_labelled_defined_and_owned():
    g = ontology_graph()
    problems = []
    for t in terms(g):
        for p in (RDFS.label, SKOS.definition):
            vals = list(g.objects(t, p))
            if not any(isinstance(v, Literal) and v.language == "en" for v in vals):
                problems.append(f"{t} lacks {p} @en")
        if (t, RDFS.isDefinedBy, ONTOLOGY_IRI) not in g:
            problems.append(f"{t} lacks rdfs:isDefinedBy")
    assert problems == []


def test_naming_convention():
    g = ontology_graph()
    for t in terms(g):
        local = str(t)[len(NS) :]
        if (t, RDF.type, OWL.Class) in g:
            assert local[0].isupper(), local
        else:
            assert local[0].islower(), local


def test_header():
    g = ontology_graph()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    for p in (
        OWL.versionIRI,
        OWL.versionInfo,
        URIRef("http://purl.org/dc/terms/license"),
        URIRef("http://purl.org/dc/terms/creator"),
    ):
        assert g.value(ONTOLOGY_IRI, p) is not None, p


def test_namespace_fails_on_typos():
    import pytest

    with pytest.raises(AttributeError):
        ENL.Chaptr  # noqa: B018
