"""Publishing the graph: dumps, the VoID description, the DCAT-AP 3 catalogue and releases.

* Dumps: the full dataset as N-Quads and TriG (named graphs kept), Turtle, N-Triples and
  JSON-LD (the union of the named graphs), each also gzipped, with byte size and SHA-256.
  They come from :meth:`Store.dump`, so any backend can be published.
* VoID (Describing Linked Datasets with the VoID Vocabulary, W3C Interest Group Note 2011):
  statistics §4.6, class and property partitions §4.6, access §3.3 (``void:sparqlEndpoint``,
  ``void:dataDump``), vocabularies §4.4, licence §2.3, discovery at ``/.well-known/void`` §7.2.
* DCAT-AP 3.0.1 (SEMIC): a ``dcat:Catalog`` with the current dataset and every recorded
  release as ``dcat:Dataset``s, one ``dcat:Distribution`` per dump (media type, byte size,
  ``spdx:checksum``, access and download URL) and the SPARQL endpoint as a
  ``dcat:DataService``. Code-list values come from the EU Vocabularies authority tables; the
  triples the DCAT-AP shapes need about them ship in ``vendor/eu-vocabularies.ttl``.
* Releases: ``enlargement-kg release VERSION`` writes a folder (dumps, ``void.ttl``,
  ``catalog.ttl``, ``CHANGES.md``, ``release.json``) and records it in the release index, so
  ``/catalog`` lists every release. ``enlargement-kg diff OLD NEW`` prints the changelog of
  facts for any two graphs, dumps or release folders (:mod:`.changelog`).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from . import formats
from .formats import Format
from .namespaces import BASE, EUCOUNTRY, ONTOLOGY_IRI, PREFIXES
from .store import Store

SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
#: DCAT 3 terms rdflib's (DCAT 2) namespace object does not know
DCAT3 = Namespace("http://www.w3.org/ns/dcat#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: The dataset's licence (README: data CC BY 4.0).
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: SHA-256 in the form the DCAT-AP 3.0.1 shapes accept (see vendor/eu-vocabularies.ttl).
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")

#: IRIs of the catalogue's own resources: hash IRIs of the ``/catalog`` document, so each
#: dereferences to the catalogue that describes it.
CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "catalog#dataset")
SERVICE = URIRef(BASE + "catalog#sparql-service")
PUBLISHER = URIRef(BASE + "catalog#publisher")
VOID_DOCUMENT = URIRef(BASE + ".well-known/void")

TITLE = "EU enlargement and defence-alignment knowledge graph"
DESCRIPTION = (
    "A linked-data knowledge graph of the EU accession negotiations of the ten enlargement "
    "countries (Albania, Bosnia and Herzegovina, Georgia, Kosovo, Moldova, Montenegro, North "
    "Macedonia, Serbia, Türkiye, Ukraine) and of their foreign, security and defence "
    "alignment: milestones, clusters and chapters opened, closed and blocked, CFSP alignment, "
    "NATO and Partnership for Peace, Security and Defence Partnerships, EDA arrangements, CSDP "
    "missions, European Peace Facility measures and SAFE. Every fact carries its source "
    "document (title, publisher, date, URL)."
)
PUBLISHER_NAME = "The enlargement-kg founding engineers"
KEYWORDS = (
    "EU enlargement",
    "accession negotiations",
    "CFSP alignment",
    "security and defence",
    "knowledge graph",
    "linked data",
)
THEMES = (URIRef(AUTHORITY + "data-theme/INTR"), URIRef(AUTHORITY + "data-theme/GOVE"))
LANGUAGE = URIRef(AUTHORITY + "language/ENG")
ACCESS_PUBLIC = URIRef(AUTHORITY + "access-right/PUBLIC")
FREQUENCY = URIRef(AUTHORITY + "frequency/IRREG")

STEM = "enlargement-kg"
#: The dump formats, in the order they are listed.
DUMP_FORMATS: tuple[str, ...] = ("nquads", "trig", "turtle", "ntriples", "jsonld")
FILE_TYPE = {
    "nquads": "RDF_N_QUADS",
    "trig": "RDF_TRIG",
    "turtle": "RDF_TURTLE",
    "ntriples": "RDF_N_TRIPLES",
    "jsonld": "JSON_LD",
}
W3C_FORMAT = {
    "nquads": "N-Quads",
    "trig": "TriG",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
}
FORMAT_TITLE = {
    "nquads": "N-Quads",
    "trig": "TriG",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
}
GZIP_MEDIA_TYPE = "application/gzip"
MANIFEST = "dumps.json"
RELEASE_MANIFEST = "release.json"
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")

VENDORED = Path(__file__).resolve().parent / "vendor" / "eu-vocabularies.ttl"


class PublishError(Exception):
    """A publishing step cannot be done (bad version, existing release, unreadable input)."""


# -- dumps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DumpFile:
    """One dump file: its name, the RDF format inside, whether it is gzipped, size, digest."""

    name: str
    format: str
    compressed: bool
    size: int
    sha256: str

    @property
    def rdf_format(self) -> Format:
        return formats.by_name(self.format)

    @property
    def media_type(self) -> str:
        """The media type of the bytes served (gzip for ``.gz``)."""
        return GZIP_MEDIA_TYPE if self.compressed else self.rdf_format.media_type

    @property
    def title(self) -> str:
        return FORMAT_TITLE[self.format] + (" (gzip)" if self.compressed else "")

    @property
    def keeps_graphs(self) -> bool:
        return self.format in ("nquads", "trig")


@dataclass(frozen=True)
class DumpSet:
    """The dumps of one graph version, in a folder."""

    version: str
    folder: Path
    files: tuple[DumpFile, ...]
    created: str = ""

    def get(self, name: str) -> DumpFile | None:
        for f in self.files:
            if f.name == name:
                return f
        return None

    def path(self, name: str) -> Path:
        return self.folder / name

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "created": self.created,
            "files": [asdict(f) for f in self.files],
        }


def dump_name(fmt: str, *, compressed: bool = False, stem: str = STEM) -> str:
    """``enlargement-kg.nq``, ``enlargement-kg.nq.gz`` ..."""
    return stem + formats.by_name(fmt).suffixes[0] + (".gz" if compressed else "")


def gzip_bytes(data: bytes) -> bytes:
    """RFC 1952 gzip with mtime 0, so the same dump always has the same digest."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def serialize_dump(store: Store, fmt: str, *, compressed: bool = False) -> bytes:
    """The whole dataset in ``fmt`` (named graphs kept for N-Quads and TriG)."""
    data = store.dump(formats.by_name(fmt))
    return gzip_bytes(data) if compressed else data


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_dumps(
    store: Store, *, out: Path, version: str, dump_formats: Sequence[str] = DUMP_FORMATS
) -> DumpSet:
    """Write every dump (plain and gzipped) into ``out`` with a ``dumps.json`` manifest."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for fmt in dump_formats:
        data = store.dump(formats.by_name(fmt))
        for compressed, body in ((False, data), (True, gzip_bytes(data))):
            name = dump_name(fmt, compressed=compressed)
            _write_atomic(out / name, body)
            files.append(
                DumpFile(name, fmt, compressed, len(body), hashlib.sha256(body).hexdigest())
            )
    ds = DumpSet(version, out, tuple(files), _now())
    _write_atomic(out / MANIFEST, json.dumps(ds.to_json(), indent=2).encode())
    return ds


def read_dumps(folder: Path) -> DumpSet | None:
    """The dump set in ``folder`` (its manifest), or None when there is none."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    files = tuple(DumpFile(**f) for f in doc["files"])
    if not all((folder / f.name).is_file() for f in files):
        return None
    return DumpSet(doc["version"], folder, files, doc.get("created", ""))


def default_cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "enlargement-kg" / "dumps"


class DumpCache:
    """Dumps generated once per graph version and kept in a cache folder.

    The folder is shared by every process serving the same graph (gunicorn workers): a file
    lock makes the first one write the dumps and the others wait and reuse them. Nothing is
    generated per request; a new graph version gets a new folder.
    """

    def __init__(self, root: Path | None = None, *, keep: int = 3):
        self.root = Path(root) if root else default_cache_dir()
        self.keep = keep  #: graph versions whose dumps stay on disk
        self._lock = threading.Lock()
        self._sets: dict[str, DumpSet] = {}

    def get(self, store: Store, version: str) -> DumpSet:
        ds = self._sets.get(version)
        if ds is not None:
            return ds
        with self._lock:
            ds = self._sets.get(version)
            if ds is None:
                ds = self._load_or_write(store, version)
                self._sets = {version: ds}
        return ds

    def _prune(self, current: Path) -> None:
        """Keep the dumps of the newest ``keep`` versions (a download in progress keeps its
        open file on POSIX even when the folder goes)."""
        folders = sorted(
            (
                p
                for p in self.root.iterdir()
                if p.is_dir()
                and not p.name.startswith(".")
                and p != current
                and (p / MANIFEST).is_file()
            ),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in folders[max(0, self.keep - 1) :]:
            shutil.rmtree(old, ignore_errors=True)
            with contextlib.suppress(OSError):
                (self.root / f"{old.name}.lock").unlink()

    def _load_or_write(self, store: Store, version: str) -> DumpSet:
        safe = re.sub(r"[^0-9A-Za-z._-]", "_", version)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            folder = self.root / safe
        except OSError:  # a read-only home: a private folder for this process
            self.root = Path(tempfile.mkdtemp(prefix="enlargement-kg-dumps-"))
            folder = self.root / safe
        ds = read_dumps(folder)
        if ds is not None and ds.version == version:
            return ds
        with _file_lock(self.root / f"{safe}.lock"):
            ds = read_dumps(folder)
            if ds is not None and ds.version == version:
                return ds
            tmp = Path(tempfile.mkdtemp(prefix=f".{safe}.", dir=self.root))
            try:
                write_dumps(store, out=tmp, version=version)
                if folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)
                os.chmod(tmp, 0o755)
                os.rename(tmp, folder)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            self._prune(folder)
            ds = read_dumps(folder)
            assert ds is not None
            return ds


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the thread lock is all there is
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# -- facts about the served graph -----------------------------------------------------------

Q_TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?o) AS ?objects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
"""
Q_ENTITIES = """
SELECT ?space (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) } GROUP BY ?space
"""
Q_CLASSES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdf:type ?class FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY ?class
"""
Q_PROPERTIES = """
SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
GROUP BY ?p ORDER BY ?p
"""
Q_GRAPHS = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
Q_SPATIAL = """
PREFIX enl: <https://w3id.org/eu-enlargement/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?prefix ?authority WHERE {
  ?country a enl:EnlargementCountry ; skos:exactMatch ?authority .
  FILTER(STRSTARTS(STR(?authority), ?prefix))
} ORDER BY ?authority
"""


@dataclass(frozen=True)
class Partition:
    iri: URIRef
    count: int


@dataclass(frozen=True)
class GraphStats:
    """What VoID §4.6 counts, computed with SPARQL through the store interface."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: tuple[Partition, ...]
    property_partitions: tuple[Partition, ...]
    named_graphs: tuple[Partition, ...]

    @property
    def vocabularies(self) -> tuple[URIRef, ...]:
        """The namespaces of the classes and properties used (VoID §4.4)."""
        out = {namespace_of(p.iri) for p in self.classes + self.property_partitions}
        return tuple(URIRef(v) for v in sorted(out))


def namespace_of(iri: str) -> str:
    s = str(iri)
    if "#" in s:
        return s.rsplit("#", 1)[0] + "#"
    return s.rsplit("/", 1)[0] + "/"


def _int(row: dict, key: str) -> int:
    v = row.get(key)
    return int(v.toPython()) if v is not None else 0


def graph_stats(store: Store) -> GraphStats:
    """Counts and partitions of the served dataset (union of the named graphs)."""
    totals = store.select(Q_TOTALS)[0]
    entities = store.select(Q_ENTITIES, bindings={"space": Literal(BASE)})[0]
    classes = tuple(Partition(r["class"], _int(r, "n")) for r in store.select(Q_CLASSES))
    props = tuple(Partition(r["p"], _int(r, "n")) for r in store.select(Q_PROPERTIES))
    graphs = tuple(
        Partition(r["g"], _int(r, "n"))
        for r in store.select(Q_GRAPHS)
        if isinstance(r.get("g"), URIRef)
    )
    return GraphStats(
        triples=_int(totals, "triples"),
        entities=_int(entities, "n"),
        distinct_subjects=_int(totals, "subjects"),
        distinct_objects=_int(totals, "objects"),
        properties=_int(totals, "properties"),
        classes=classes,
        property_partitions=props,
        named_graphs=graphs,
    )


def spatial_coverage(store: Store) -> tuple[URIRef, ...]:
    """The EU Publications Office country IRIs of the enlargement countries in the graph."""
    rows = store.select(Q_SPATIAL, bindings={"prefix": Literal(str(EUCOUNTRY))})
    return tuple(r["authority"] for r in rows)


# -- VoID -------------------------------------------------------------------------------------


def normalise_base(base_url: str | None) -> str:
    b = (base_url or BASE).strip()
    return b if b.endswith("/") else b + "/"


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
    g = _bound_graph()
    g.bind("void", VOID)
    g.bind("sd", SD)
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
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    g.add((ds, VOID.exampleResource, URIRef(BASE + "id/country/MNE")))
    g.add((ds, VOID.exampleResource, URIRef(BASE + "id/chapter/31")))
    if dumps is not None:
        for f in dumps.files:
            g.add((ds, VOID.dataDump, URIRef(base + download_prefix + f.name)))
            if not f.compressed:
                g.add((ds, VOID.feature, W3C_FORMATS[W3C_FORMAT[f.format]]))
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
    return g


# -- DCAT-AP 3 --------------------------------------------------------------------------------


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


def release_iri(version: str) -> URIRef:
    return URIRef(f"{BASE}catalog#release-{version}")


def _distribution_iri(ds: DatasetVersion, name: str) -> URIRef:
    return URIRef(f"{ds.iri}-dist-{name}" if ds.is_release else f"{BASE}catalog#dist-{name}")


def _bound_graph() -> Graph:
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    g.bind("spdx", SPDX)
    g.bind("adms", ADMS)
    g.bind("void", VOID)
    return g


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
    g = _bound_graph()
    cat = CATALOG
    versions = ([current] if current is not None else []) + list(releases)
    issued = min((v.issued for v in versions), default=_today())
    modified = max((v.modified for v in versions), default=_today())
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
    g.add((cat, DCAT.themeTaxonomy, URIRef(AUTHORITY + "data-theme")))
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
    access = URIRef(base + "export/")
    for f in v.files:
        dist = _distribution_iri(v, f.name)
        rdf_fmt = f.rdf_format
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{f.title} dump", lang="en")))
        g.add(
            (
                dist,
                DCTERMS.description,
                Literal(
                    (
                        "The full dataset with its named graphs"
                        if f.keeps_graphs
                        else "The full dataset as one graph (the union of the named graphs)"
                    )
                    + (", gzip-compressed." if f.compressed else "."),
                    lang="en",
                ),
            )
        )
        g.add((dist, DCAT.accessURL, access))
        g.add((dist, DCAT.downloadURL, URIRef(base + v.download_prefix + f.name)))
        g.add((dist, DCAT.mediaType, URIRef(IANA + rdf_fmt.media_type)))
        if f.compressed:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + GZIP_MEDIA_TYPE)))
        g.add((dist, DCTERMS.format, URIRef(AUTHORITY + "file-type/" + FILE_TYPE[f.format])))
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


# -- describing versions: current graph and releases --------------------------------------


def current_version(
    *,
    store: Store,
    dumps: DumpSet,
    releases: Sequence[ReleaseManifest],
    spatial: Sequence[URIRef] | None = None,
) -> DatasetVersion:
    """The current graph as a catalogue entry."""
    info = store.info()
    gv = info.version
    modified = str(info.details.get("built_at") or _now())[:10]
    latest = releases[-1] if releases else None
    if latest is not None and latest.graph_version == gv:
        version = latest.version
    else:
        version = f"snapshot-{gv}"
    issued = releases[0].issued if releases else modified
    return DatasetVersion(
        iri=DATASET,
        version=version,
        graph_version=gv,
        issued=issued,
        modified=modified,
        files=dumps.files,
        download_prefix="export/",
        spatial=tuple(spatial if spatial is not None else spatial_coverage(store)),
        previous=release_iri(latest.version) if latest is not None else None,
    )


@dataclass(frozen=True)
class ReleaseManifest:
    """``release.json``: what a release folder holds."""

    version: str
    graph_version: str
    issued: str
    previous: str | None
    files: tuple[DumpFile, ...]
    spatial: tuple[str, ...]
    changes: dict
    package_version: str = ""
    ontology_version: str = ""
    built_at: str = ""
    folder: Path | None = None

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("folder")
        d["files"] = [asdict(f) for f in self.files]
        return d

    @classmethod
    def read(cls, folder: Path) -> ReleaseManifest:
        doc = json.loads((folder / RELEASE_MANIFEST).read_text(encoding="utf-8"))
        doc["files"] = tuple(DumpFile(**f) for f in doc["files"])
        doc["spatial"] = tuple(doc.get("spatial", ()))
        return cls(**doc, folder=folder)

    def as_version(self) -> DatasetVersion:
        notes = (
            f"{self.changes.get('added', 0)} facts added, "
            f"{self.changes.get('changed', 0)} changed, "
            f"{self.changes.get('retracted', 0)} retracted"
            + (f" since release {self.previous}." if self.previous else " (first release).")
        )
        return DatasetVersion(
            iri=release_iri(self.version),
            version=self.version,
            graph_version=self.graph_version,
            issued=self.issued,
            modified=self.issued,
            files=self.files,
            download_prefix=f"export/releases/{self.version}/",
            spatial=tuple(URIRef(s) for s in self.spatial),
            previous=release_iri(self.previous) if self.previous else None,
            notes=notes,
            is_release=True,
        )


# -- the release index --------------------------------------------------------------------


def default_releases_dir() -> Path:
    """``$ENLARGEMENT_KG_RELEASES``, else ``./releases``."""
    return Path(os.environ.get("ENLARGEMENT_KG_RELEASES") or "releases")


@dataclass
class ReleaseIndex:
    """``index.json``: every recorded release, oldest first. Paths are stored relative to
    the index file when they lie below it."""

    path: Path
    entries: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> ReleaseIndex:
        path = Path(path)
        if not path.is_file():
            return cls(path, [])
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PublishError(f"cannot read the release index {path}: {exc}") from None
        return cls(path, list(doc.get("releases", [])))

    def folder(self, entry: dict) -> Path:
        p = Path(entry["path"])
        return p if p.is_absolute() else (self.path.parent / p)

    def manifests(self) -> list[ReleaseManifest]:
        """The releases whose folder is still readable, oldest first."""
        out = []
        for e in self.entries:
            folder = self.folder(e)
            try:
                out.append(ReleaseManifest.read(folder))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return out

    def find(self, version: str) -> ReleaseManifest | None:
        for e in self.entries:
            if e.get("version") == version:
                try:
                    return ReleaseManifest.read(self.folder(e))
                except (OSError, ValueError, KeyError, TypeError):
                    return None
        return None

    def add(self, manifest: ReleaseManifest, folder: Path) -> None:
        folder = folder.resolve()
        root = self.path.resolve().parent
        try:
            rel = folder.relative_to(root).as_posix()
        except ValueError:
            rel = str(folder)
        self.entries.append(
            {
                "version": manifest.version,
                "issued": manifest.issued,
                "graph_version": manifest.graph_version,
                "path": rel,
            }
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.path, json.dumps({"releases": self.entries}, indent=2).encode())


# -- making a release ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseResult:
    manifest: ReleaseManifest
    folder: Path
    changelog: str


def make_release(
    *,
    store: Store,
    version: str,
    out: Path,
    index: ReleaseIndex,
    previous: Path | None = None,
    issued: str | None = None,
    base_url: str | None = None,
) -> ReleaseResult:
    """Write a release folder (dumps, VoID, DCAT, CHANGES.md, release.json) and record it.

    ``previous`` is the folder to compare with; by default the latest recorded release.
    """
    from .changelog import changes_between, load_graph_source

    if not VERSION_RE.match(version):
        raise PublishError(
            f"bad release version {version!r}: use letters, digits, '.', "
            "'+', '_' or '-' (e.g. 1.0.0)"
        )
    if any(e.get("version") == version for e in index.entries):
        raise PublishError(f"release {version} is already recorded in {index.path}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise PublishError(f"{out} exists and is not empty: a release folder is written once")
    issued = issued or _today()
    try:
        date.fromisoformat(issued)
    except ValueError:
        raise PublishError(f"bad release date {issued!r}: use YYYY-MM-DD") from None
    prev_manifest = None
    if previous is None and index.entries:
        prev_folder = index.folder(index.entries[-1])
        if (prev_folder / RELEASE_MANIFEST).is_file():
            previous = prev_folder
    if previous is not None:
        if not Path(previous).exists():
            raise PublishError(f"the previous release {previous} does not exist")
        if (Path(previous) / RELEASE_MANIFEST).is_file():
            prev_manifest = ReleaseManifest.read(Path(previous))

    info = store.info()
    staging = Path(
        tempfile.mkdtemp(
            prefix=f".{out.name}.staging-", dir=out.parent if out.parent.exists() else None
        )
    )
    try:
        dumps = write_dumps(store, out=staging, version=info.version)
        os.remove(staging / MANIFEST)
        new_side = load_graph_source(staging / dump_name("nquads"))
        if previous is not None:
            old_side = load_graph_source(Path(previous))
            changes = changes_between(old_side, new_side)
        else:
            changes = changes_between(None, new_side)
        prev_version = prev_manifest.version if prev_manifest else None
        changelog = changes.to_markdown(
            title=f"Release {version} ({issued})",
            old_label=(
                f"release {prev_version}" if prev_version else (str(previous) if previous else None)
            ),
            new_label=f"release {version}",
        )
        spatial = spatial_coverage(store)
        manifest = ReleaseManifest(
            version=version,
            graph_version=info.version,
            issued=issued,
            previous=prev_version,
            files=dumps.files,
            spatial=tuple(str(s) for s in spatial),
            changes=changes.counts(),
            package_version=str(info.details.get("package_version", "")),
            ontology_version=str(info.details.get("ontology_version", "")),
            built_at=str(info.details.get("built_at", "")),
        )
        rel = manifest.as_version()
        stats = graph_stats(store)
        (staging / "void.ttl").write_bytes(
            void_graph(
                stats=stats,
                dumps=dumps,
                base_url=base_url,
                modified=issued,
                version=version,
                download_prefix=rel.download_prefix,
            ).serialize(format="turtle", encoding="utf-8")
        )
        previous_versions = [prev_manifest.as_version()] if prev_manifest else []
        cat = catalog_graph(current=None, releases=previous_versions + [rel], base_url=base_url)
        (staging / "catalog.ttl").write_bytes(cat.serialize(format="turtle", encoding="utf-8"))
        (staging / "CHANGES.md").write_text(changelog, encoding="utf-8")
        (staging / RELEASE_MANIFEST).write_text(
            json.dumps(manifest.to_json(), indent=2), encoding="utf-8"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.rmdir()
        os.chmod(staging, 0o755)
        os.rename(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = ReleaseManifest.read(out)
    index.add(manifest, out)
    return ReleaseResult(manifest, out, changelog)


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__ = [
    "DumpCache",
    "DumpFile",
    "DumpSet",
    "DatasetVersion",
    "GraphStats",
    "PublishError",
    "ReleaseIndex",
    "ReleaseManifest",
    "catalog_graph",
    "current_version",
    "dump_name",
    "graph_stats",
    "make_release",
    "serialize_dump",
    "spatial_coverage",
    "void_graph",
    "write_dumps",
]
