"""The VoID description (Describing Linked Datasets with the VoID Vocabulary, W3C Interest
Group Note 2011): statistics §4.6, class and property partitions §4.6, access §3.3
(``void:sparqlEndpoint``, ``void:dataDump``), vocabularies §4.4, licence §2.3; served for
discovery at ``/.well-known/void`` §7.2."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, VOID, XSD

from .. import formats
from ..namespaces import BASE, SD, W3C_FORMATS
from .dumps import DumpSet
from .identity import (
    DATASET,
    DESCRIPTION,
    LICENCE,
    PUBLISHER,
    PUBLISHER_NAME,
    TITLE,
    bound_graph,
    normalise_base,
)
from .statistics import GraphStats

#: The VoID document itself (VoID §7.2).
VOID_DOCUMENT = URIRef(BASE + ".well-known/void")
#: The W3C format IRI (``formats:…``) of each dump format, for ``void:feature``.
#: Resources that show what the dataset holds (VoID §4.3 ``void:exampleResource``).
EXAMPLE_RESOURCES = (URIRef(BASE + "id/country/MNE"), URIRef(BASE + "id/chapter/31"))


def void_graph(
    *,
    stats: GraphStats,
    dumps: DumpSet | None,
    base_url: str | None = None,
    modified: str | None = None,
    version: str | None = None,
    download_prefix: str = "export/",
) -> Graph:
    """The VoID description of the dataset (VoID §2-§4), as a graph."""
    base = normalise_base(base_url)
    g = bound_graph()
    g.bind("void", VOID)
    g.bind("sd", SD)
    _about(g, base, modified=modified, version=version)
    _access(g, base, dumps, download_prefix)
    _statistics(g, stats)
    return g


def _about(g: Graph, base: str, *, modified: str | None, version: str | None) -> None:
    """The description document, and the dataset's title, licence and publisher (§2-§3)."""
    doc, ds = VOID_DOCUMENT, DATASET
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal(f"VoID description of the {TITLE}", lang="en")))
    g.add((doc, FOAF.primaryTopic, ds))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, LICENCE))
    g.add((ds, DCTERMS.publisher, PUBLISHER))
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, FOAF.name, Literal(PUBLISHER_NAME, lang="en")))
    if modified:
        g.add((ds, DCTERMS.modified, Literal(modified[:10], datatype=XSD.date)))
    if version:
        g.add((ds, OWL.versionInfo, Literal(version)))
    g.add((ds, FOAF.homepage, URIRef(base)))


def _access(g: Graph, base: str, dumps: DumpSet | None, download_prefix: str) -> None:
    """The SPARQL endpoint, the URI space, example resources and the dumps (§3.3, §4.3)."""
    ds = DATASET
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    for example in EXAMPLE_RESOURCES:
        g.add((ds, VOID.exampleResource, example))
    if dumps is not None:
        for f in dumps.files:
            g.add((ds, VOID.dataDump, URIRef(base + download_prefix + f.name)))
            if not f.compressed:
                g.add((ds, VOID.feature, W3C_FORMATS[formats.by_name(f.format).w3c]))


def _statistics(g: Graph, stats: GraphStats) -> None:
    """Vocabularies (§4.4), totals and class, property and named-graph partitions (§4.6)."""
    ds = DATASET
    for v in stats.vocabularies:
        g.add((ds, VOID.vocabulary, v))
    g.add((ds, VOID.triples, Literal(stats.triples)))
    g.add((ds, VOID.entities, Literal(stats.entities)))
    g.add((ds, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    g.add((ds, VOID.distinctObjects, Literal(stats.distinct_objects)))
    g.add((ds, VOID.properties, Literal(stats.properties)))
    g.add((ds, VOID.classes, Literal(len(stats.classes))))
    for part in stats.classes:
        node = BNode()
        g.add((ds, VOID.classPartition, node))
        g.add((node, VOID["class"], part.iri))
        g.add((node, VOID.entities, Literal(part.count)))
    for part in stats.property_partitions:
        node = BNode()
        g.add((ds, VOID.propertyPartition, node))
        g.add((node, VOID.property, part.iri))
        g.add((node, VOID.triples, Literal(part.count)))
    for part in stats.named_graphs:
        node = BNode()
        g.add((ds, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, part.iri))
        g.add((node, VOID.triples, Literal(part.count)))
