"""The DCAT-AP 3.0.1 catalogue (SEMIC): a ``dcat:Catalog`` with the current dataset and every
recorded release as ``dcat:Dataset``s, one ``dcat:Distribution`` per dump (media type, byte
size, ``spdx:checksum``, access and download URL) and the SPARQL endpoint as a
``dcat:DataService``.

Code-list values come from the EU Vocabularies authority tables; the triples the DCAT-AP
shapes need about them ship in ``core/vendor/eu-vocabularies.ttl`` (:func:`add_vendored`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from ..namespaces import ADMS, BASE, DCAT3, EU_AUTHORITY, ONTOLOGY_IRI, SPDX
from .dumps import GZIP_MEDIA_TYPE, DumpFile
from .identity import (
    DESCRIPTION,
    LICENCE,
    PUBLISHER,
    PUBLISHER_NAME,
    TITLE,
    bound_graph,
    normalise_base,
)

IANA = "https://www.iana.org/assignments/media-types/"
#: SHA-256 in the form the DCAT-AP 3.0.1 shapes accept (see vendor/eu-vocabularies.ttl).
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")

#: IRIs of the catalogue's own resources: hash IRIs of the ``/catalog`` document, so each
#: dereferences to the catalogue that describes it.
CATALOG = URIRef(BASE + "catalog")
SERVICE = URIRef(BASE + "catalog#sparql-service")

KEYWORDS = (
    "EU enlargement",
    "accession negotiations",
    "CFSP alignment",
    "security and defence",
    "knowledge graph",
    "linked data",
)
# Values from the EU Vocabularies authority tables (DCAT-AP 3.0.1 §7).
THEMES = (EU_AUTHORITY["data-theme/INTR"], EU_AUTHORITY["data-theme/GOVE"])
LANGUAGE = EU_AUTHORITY["language/ENG"]
ACCESS_PUBLIC = EU_AUTHORITY["access-right/PUBLIC"]
FREQUENCY = EU_AUTHORITY["frequency/IRREG"]
#: The file-type authority table's code of each dump format (``dcterms:format``).
FILE_TYPE = {
    "nquads": "RDF_N_QUADS",
    "trig": "RDF_TRIG",
    "turtle": "RDF_TURTLE",
    "ntriples": "RDF_N_TRIPLES",
    "jsonld": "JSON_LD",
}

VENDORED = Path(__file__).resolve().parent.parent / "vendor" / "eu-vocabularies.ttl"


@dataclass(frozen=True)
class DatasetVersion:
    """One version of the dataset as the catalogue describes it: the current graph or a
    recorded release."""

    iri: URIRef
    version: str
    graph_version: str
    issued: str  #: xsd:date
    modified: str  #: xsd:date
    files: tuple[DumpFile, ...]
    download_prefix: str  #: path under the base where the files are served
    spatial: tuple[URIRef, ...]
    previous: URIRef | None = None
    notes: str | None = None
    is_release: bool = False


def today() -> str:
    """Today's date (UTC) as ``YYYY-MM-DD``."""
    return datetime.now(UTC).date().isoformat()


def _distribution_iri(ds: DatasetVersion, name: str) -> URIRef:
    return URIRef(f"{ds.iri}-dist-{name}" if ds.is_release else f"{BASE}catalog#dist-{name}")


def catalog_graph(
    *,
    current: DatasetVersion | None,
    releases: Sequence[DatasetVersion],
    base_url: str | None = None,
) -> Graph:
    """The DCAT-AP 3.0.1 catalogue: the current dataset, each release, their distributions
    and the SPARQL data service, with the vendored code-list triples the profile's shapes
    need (DCAT-AP 3.0.1 §5 classes, §7 controlled vocabularies)."""
    base = normalise_base(base_url)
    g = bound_graph()
    cat = CATALOG
    versions = ([current] if current is not None else []) + list(releases)
    issued = min((v.issued for v in versions), default=today())
    modified = max((v.modified for v in versions), default=today())
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal(f"Catalogue of the {TITLE}", lang="en")))
    g.add(
        (
            cat,
            DCTERMS.description,
            Literal(
                "The current graph and every release of the dataset, with their downloadable dumps "
                "and the SPARQL endpoint.",
                lang="en",
            ),
        )
    )
    g.add((cat, DCTERMS.publisher, PUBLISHER))
    g.add((cat, FOAF.homepage, URIRef(base)))
    g.add((URIRef(base), RDF.type, FOAF.Document))
    g.add((cat, DCTERMS.language, LANGUAGE))
    g.add((cat, DCTERMS.license, LICENCE))
    g.add((cat, DCAT.themeTaxonomy, EU_AUTHORITY["data-theme"]))
    g.add((cat, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((cat, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    g.add((cat, DCAT.service, SERVICE))
    _agent(g)
    _service(g, base, current.iri if current is not None else None)
    for v in versions:
        g.add((cat, DCAT.dataset, v.iri))
        _dataset(g, v, base)
        if current is not None and v.is_release:
            g.add((current.iri, DCTERMS.hasVersion, v.iri))
    add_vendored(g)
    return g


def _agent(g: Graph) -> None:
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, FOAF.name, Literal(PUBLISHER_NAME, lang="en")))


def _service(g: Graph, base: str, dataset: URIRef | None) -> None:
    s = SERVICE
    g.add((s, RDF.type, DCAT.DataService))
    g.add((s, DCTERMS.title, Literal("SPARQL 1.1 endpoint of the knowledge graph", lang="en")))
    g.add(
        (
            s,
            DCTERMS.description,
            Literal(
                "SPARQL 1.1 Protocol endpoint over the current graph: query the union of the named "
                "graphs, or name graphs with default-graph-uri and named-graph-uri.",
                lang="en",
            ),
        )
    )
    g.add((s, DCAT.endpointURL, URIRef(base + "sparql")))
    g.add((s, DCAT.endpointDescription, URIRef(base + "sparql")))
    std = URIRef("https://www.w3.org/TR/sparql11-protocol/")
    g.add((s, DCTERMS.conformsTo, std))
    g.add((std, RDF.type, DCTERMS.Standard))
    g.add((s, DCTERMS.license, LICENCE))
    g.add((s, DCTERMS.publisher, PUBLISHER))
    g.add((s, DCTERMS.accessRights, ACCESS_PUBLIC))
    for t in THEMES:
        g.add((s, DCAT.theme, t))
    if dataset is not None:
        g.add((s, DCAT.servesDataset, dataset))


def _dataset(g: Graph, v: DatasetVersion, base: str) -> None:
    """One ``dcat:Dataset`` (DCAT-AP 3.0.1 §5) and its distributions."""
    _dataset_description(g, v, base)
    _dataset_context(g, v)
    for f in v.files:
        _distribution(g, v, f, base)


def _dataset_description(g: Graph, v: DatasetVersion, base: str) -> None:
    """Title, description, identifier, publisher, rights, dates, version, provenance."""
    d = v.iri
    g.add((d, RDF.type, DCAT.Dataset))
    label = TITLE if not v.is_release else f"{TITLE}, release {v.version}"
    g.add((d, DCTERMS.title, Literal(label, lang="en")))
    g.add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((d, DCTERMS.identifier, Literal(str(d))))
    g.add((d, DCTERMS.publisher, PUBLISHER))
    g.add((d, DCTERMS.license, LICENCE))
    g.add((d, DCTERMS.accessRights, ACCESS_PUBLIC))
    g.add((d, DCTERMS.issued, Literal(v.issued, datatype=XSD.date)))
    g.add((d, DCTERMS.modified, Literal(v.modified, datatype=XSD.date)))
    g.add((d, DCAT3.version, Literal(v.version)))
    g.add((d, DCTERMS.language, LANGUAGE))
    g.add((d, DCTERMS.accrualPeriodicity, FREQUENCY))
    g.add((d, DCAT.landingPage, URIRef(base)))
    g.add((d, DCTERMS.conformsTo, ONTOLOGY_IRI))
    g.add((ONTOLOGY_IRI, RDF.type, DCTERMS.Standard))
    g.add((d, FOAF.page, URIRef(base + "catalog")))
    g.add((URIRef(base + "catalog"), RDF.type, FOAF.Document))
    prov = URIRef(f"{d}-provenance")
    g.add((d, DCTERMS.provenance, prov))
    g.add((prov, RDF.type, DCTERMS.ProvenanceStatement))
    g.add(
        (
            prov,
            RDFS.label,
            Literal(
                "Curated from official EU documents and news sources; every fact cites its source "
                "document (dcterms:source) and the date it was last confirmed.",
                lang="en",
            ),
        )
    )


def _dataset_context(g: Graph, v: DatasetVersion) -> None:
    """Themes, keywords, spatial coverage, the previous version and the serving service."""
    d = v.iri
    for t in THEMES:
        g.add((d, DCAT.theme, t))
    for k in KEYWORDS:
        g.add((d, DCAT.keyword, Literal(k, lang="en")))
    for place in v.spatial:
        g.add((d, DCTERMS.spatial, place))
    if v.previous is not None:
        g.add((d, DCAT3.previousVersion, v.previous))
    if v.notes:
        g.add((d, ADMS.versionNotes, Literal(v.notes, lang="en")))
    if not v.is_release:
        g.add((SERVICE, DCAT.servesDataset, d))


def _distribution(g: Graph, v: DatasetVersion, f: DumpFile, base: str) -> None:
    """The ``dcat:Distribution`` of one dump file, with its ``spdx:Checksum``."""
    dist = _distribution_iri(v, f.name)
    g.add((v.iri, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(f"{f.title} dump", lang="en")))
    content = (
        "The full dataset with its named graphs"
        if f.keeps_graphs
        else "The full dataset as one graph (the union of the named graphs)"
    )
    description = content + (", gzip-compressed." if f.compressed else ".")
    g.add((dist, DCTERMS.description, Literal(description, lang="en")))
    g.add((dist, DCAT.accessURL, URIRef(base + "export/")))
    g.add((dist, DCAT.downloadURL, URIRef(base + v.download_prefix + f.name)))
    g.add((dist, DCAT.mediaType, URIRef(IANA + f.rdf_format.media_type)))
    if f.compressed:
        g.add((dist, DCAT.compressFormat, URIRef(IANA + GZIP_MEDIA_TYPE)))
    g.add((dist, DCTERMS.format, EU_AUTHORITY["file-type/" + FILE_TYPE[f.format]]))
    g.add((dist, DCAT.byteSize, Literal(str(f.size), datatype=XSD.nonNegativeInteger)))
    checksum = URIRef(f"{dist}-sha256")
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SHA256))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    g.add((dist, DCTERMS.license, LICENCE))
    g.add((dist, DCTERMS.issued, Literal(v.issued, datatype=XSD.date)))
    g.add((dist, DCTERMS.modified, Literal(v.modified, datatype=XSD.date)))


_VENDORED: Graph | None = None


def vendored() -> Graph:
    """The vendored code-list triples (parsed once)."""
    global _VENDORED
    if _VENDORED is None:
        g = Graph()
        g.parse(VENDORED, format="turtle")
        _VENDORED = g
    return _VENDORED


def add_vendored(g: Graph) -> None:
    """Copy into ``g`` what the vendored file says about the resources ``g`` refers to, and
    what that refers to in turn (concept → scheme)."""
    v = vendored()
    seen: set = set()
    todo = [o for o in set(g.objects()) if isinstance(o, URIRef)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in v.predicate_objects(node):
            g.add((node, p, o))
            if isinstance(o, URIRef) and p != OWL.sameAs:
                todo.append(o)
