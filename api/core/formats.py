"""The format registry: one owner for media types, suffixes, rdflib's parser and serialiser
names and the W3C's format names (http://www.w3.org/ns/formats/)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """A serialisation the service offers."""

    name: str  #: short name used by ``format=``, the CLI and suffixes
    media_type: str
    kind: str  #: "results" (SELECT/ASK) or "rdf" (graphs)
    suffixes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  #: other media types clients send for it
    text: bool = True
    rdflib: str | None = None  #: rdflib's parser/serialiser name
    w3c: str | None = None  #: its name at http://www.w3.org/ns/formats/ (SD, VoID, DCAT)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type


RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        "results",
        (".json", ".srj"),
        ("application/json",),
        w3c="SPARQL_Results_JSON",
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "results",
        (".srx", ".xml"),
        ("application/xml", "text/xml"),
        w3c="SPARQL_Results_XML",
    ),
    Format("csv", "text/csv", "results", (".csv",), w3c="SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "results", (".tsv",), w3c="SPARQL_Results_TSV"),
)

RDF_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        "text/turtle",
        "rdf",
        (".ttl",),
        ("application/x-turtle",),
        rdflib="turtle",
        w3c="Turtle",
    ),
    Format(
        "ntriples",
        "application/n-triples",
        "rdf",
        (".nt",),
        ("text/plain",),
        rdflib="nt",
        w3c="N-Triples",
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "rdf",
        (".jsonld",),
        ("application/json",),
        rdflib="json-ld",
        w3c="JSON-LD",
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        (".rdf",),
        ("application/xml", "text/xml"),
        rdflib="xml",
        w3c="RDF_XML",
    ),
    Format("trig", "application/trig", "rdf", (".trig",), rdflib="trig", w3c="TriG"),
    Format("nquads", "application/n-quads", "rdf", (".nq",), rdflib="nquads", w3c="N-Quads"),
)

HTML = Format("html", "text/html", "page", (".html",))
#: A fact's citation (core/citations.py), offered by its linked-data page beside the RDF.
BIBTEX = Format("bibtex", "application/x-bibtex", "citation", (".bib",))
CSL_JSON = Format("csljson", "application/vnd.citationstyles.csl+json", "citation", (".csl.json",))
CITATION_FORMATS: tuple[Format, ...] = (BIBTEX, CSL_JSON)

ALL: tuple[Format, ...] = RESULT_FORMATS + RDF_FORMATS

_BY_NAME = {f.name: f for f in ALL}
_BY_NAME.update(
    {
        "ttl": _BY_NAME["turtle"],
        "nt": _BY_NAME["ntriples"],
        "json-ld": _BY_NAME["jsonld"],
        "rdf": _BY_NAME["rdfxml"],
        "nq": _BY_NAME["nquads"],
        "srj": _BY_NAME["json"],
        "srx": _BY_NAME["xml"],
    }
)


def by_name(name: str) -> Format:
    """Look a format up by short name; ``KeyError`` with the valid names otherwise."""
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise KeyError(
            f"unknown format {name!r}; expected one of {', '.join(f.name for f in ALL)}"
        ) from None


def by_media_type(media_type: str, kind: str) -> Format | None:
    """The format of ``kind`` for a media type (exact, then alias), or None."""
    mt = media_type.split(";")[0].strip().lower()
    pool = [f for f in ALL if f.kind == kind]
    for f in pool:
        if f.media_type == mt:
            return f
    for f in pool:
        if mt in f.aliases:
            return f
    return None


def by_suffix(suffix: str, kind: str = "rdf") -> Format | None:
    """The format of ``kind`` a file suffix names (``.ttl``), or None.

    >>> by_suffix(".nq").name, by_suffix(".csv", "results").name, by_suffix(".txt")
    ('nquads', 'csv', None)
    """
    for f in ALL:
        if f.kind == kind and suffix.lower() in f.suffixes:
            return f
    return None


def offered(kind: str) -> list[Format]:
    return [f for f in ALL if f.kind == kind]
