"""Labels and display values: how a term, a date, a number, a link and a cited source are
shown on a page.

Pure core (no Flask, no store): everything here reads a value or a graph already in hand.

- :func:`label_of`, :func:`pick_label`, :func:`term_labels`: a readable name for a node (its
  label in the graph, the ontology's or a reused vocabulary's label, else the IRI's end).
- :func:`most_specific`: the asserted classes of a node, not the superclasses the derived
  graph adds.
- :func:`href_of`: where a link to a node goes (a minted IRI's path comes from
  :func:`.iris.local_path`).
- :func:`format_date`, :func:`format_value`: dates at their precision (core/dates.py),
  percentages, euro amounts and numbers as people write them.
- :class:`Link`, :class:`SourceRef`: the labelled link and the cited source every page model
  is made of, with :func:`source_refs` and :func:`source_from_row` that build the latter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from . import dates
from .iris import local_path
from .namespaces import BASE, ENL, SCHEMA

#: Labels of the reused vocabularies' terms, vendored so pages render without the network.
VENDORED_LABELS: dict[URIRef, str] = {
    RDF.type: "type",
    RDFS.label: "label",
    RDFS.comment: "comment",
    RDFS.seeAlso: "see also",
    RDFS.isDefinedBy: "defined by",
    RDFS.subClassOf: "subclass of",
    RDFS.subPropertyOf: "subproperty of",
    RDFS.domain: "domain",
    RDFS.range: "range",
    SKOS.prefLabel: "preferred label",
    SKOS.altLabel: "alternative label",
    SKOS.definition: "definition",
    SKOS.notation: "notation",
    SKOS.inScheme: "in scheme",
    SKOS.exactMatch: "exact match",
    SKOS.closeMatch: "close match",
    SKOS.broader: "broader",
    SKOS.narrower: "narrower",
    SKOS.note: "note",
    SKOS.topConceptOf: "top concept of",
    SKOS.hasTopConcept: "top concept",
    SKOS.Concept: "SKOS concept",
    SKOS.ConceptScheme: "Concept scheme",
    DCTERMS.source: "source",
    DCTERMS.date: "date",
    DCTERMS.title: "title",
    DCTERMS.publisher: "publisher",
    DCTERMS.identifier: "identifier",
    DCTERMS.description: "description",
    DCTERMS.license: "licence",
    DCTERMS.created: "created",
    DCTERMS.modified: "modified",
    DCTERMS.creator: "creator",
    SCHEMA.url: "URL",
    OWL.versionIRI: "version IRI",
    OWL.versionInfo: "version",
    OWL.Ontology: "Ontology",
    OWL.Class: "Class",
}

# -- labels --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def term_labels() -> dict[URIRef, str]:
    """Labels of the ontology's terms and of the reused vocabularies' terms."""
    from .validation import ontology_graph

    labels = dict(VENDORED_LABELS)
    g = ontology_graph()
    for s, o in g.subject_objects(RDFS.label):
        if isinstance(s, URIRef):
            labels[s] = str(o)
    return labels


@cache
def _superclasses() -> dict[URIRef, frozenset[URIRef]]:
    """Every class of the ontology and its named superclasses (``rdfs:subClassOf+``)."""
    from .validation import ontology_graph

    g = ontology_graph()
    return {
        c: frozenset(
            d for d in g.transitive_objects(c, RDFS.subClassOf) if isinstance(d, URIRef) and d != c
        )
        for c in set(g.subjects(RDFS.subClassOf, None))
        if isinstance(c, URIRef)
    }


def most_specific(types: Iterable[Node]) -> list[URIRef]:
    """The asserted classes among ``types``: those that are no superclass of another one.
    The derived graph adds every superclass (docs/modelling.md), so a page names a fact by
    its most specific class, not by ``enl:Event`` or ``prov:Entity``.

    >>> from .namespaces import ENL
    >>> most_specific([ENL.Event, ENL.ChapterOpened, ENL.Fact])
    [rdflib.term.URIRef('https://w3id.org/eu-enlargement/ontology#ChapterOpened')]
    """
    ts = {t for t in types if isinstance(t, URIRef)}
    sup = _superclasses()
    implied = set().union(*(sup.get(t, frozenset()) for t in ts)) if ts else set()
    return sorted(ts - implied)


def pick_label(values: Iterable[Node]) -> str | None:
    """One label among several: English or untagged first, then the shortest, then the
    first alphabetically, so that every page picks the same one."""
    vals = [v for v in values if isinstance(v, Literal)]
    if not vals:
        return None
    return str(min(vals, key=lambda v: (v.language not in (None, "en"), len(str(v)), str(v))))


def label_of(g: Graph, node: Node) -> str:
    """A readable name for ``node``: its preferred label, label or title in ``g``, the
    vendored term label, else the end of the IRI."""
    if isinstance(node, Literal):
        return str(node)
    for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
        lab = pick_label(g.objects(node, p))
        if lab:
            return lab
    labels = term_labels()
    if node in labels:
        return labels[node]
    text = str(node)
    if isinstance(node, URIRef) and not text.startswith(BASE) and "://" in text:
        return text.split("://", 1)[1]  # an outside authority: show where it points
    return short_name(node)


def short_name(node: Node) -> str:
    s = str(node)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or s


def href_of(node: Node) -> str | None:
    """Where a link to ``node`` goes: the local page of a minted IRI, the IRI itself for
    other web IRIs, nothing for literals. Ontology terms go to ``/ontology``'s anchors."""
    if not isinstance(node, URIRef):
        return None
    local = local_path(node)
    if local is not None:
        return local
    s = str(node)
    return s if s.startswith(("http://", "https://")) else None


# -- dates and values ----------------------------------------------------------------------


def precision_of(value: Node | str | None) -> str:
    """``day``, ``month`` or ``year`` of a date: its datatype says (core/dates.py)."""
    return dates.precision(value)


def format_date(value: Node | str | None) -> str:
    """A date as people write it, at its precision: ``18 December 2012``, ``April 2013``
    (an ``xsd:gYearMonth``), ``2013`` (an ``xsd:gYear``); a date-time with its time.
    Anything that is not a date comes back as it is.

    >>> from enlargement_kg.core.dates import literal
    >>> format_date(literal("2013-04")), format_date("2012-12-18")
    ('April 2013', '18 December 2012')
    """
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) > 10 and "T" in text:
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            return text
        return (
            f"{day.day} {dates.MONTHS[day.month - 1]} {day.year}, "
            + text[11:16]
            + (" UTC" if text.endswith("Z") else "")
        )
    try:
        dates.parse(text)
    except ValueError:
        return text
    return dates.display(value)


PERCENT_PROPERTIES = {ENL.rate, ENL.share, ENL.minimumRate, ENL.minimumEligibleOriginShare}
EURO_PROPERTIES = {ENL.amountEUR}
NUMERIC_TYPES = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.int, XSD.long}


def format_value(o: Node, *, prop: Node | None = None) -> str:
    """A literal as shown on a page: dates formatted; percentages with ``%``; euro
    amounts as ``€1,500,000``; other numbers with thousands separators.

    >>> format_value(Literal("99.0", datatype=XSD.decimal), prop=ENL.rate)
    '99%'
    """
    if not isinstance(o, Literal):
        return str(o)
    if o.datatype in (XSD.date, XSD.dateTime):
        return format_date(o)
    if o.datatype in NUMERIC_TYPES:
        try:
            num = float(str(o))
        except ValueError:
            return str(o)
        text = f"{num:,.0f}" if num == int(num) else f"{num:,.2f}".rstrip("0")
        if prop in PERCENT_PROPERTIES:
            return f"{num:g}%"
        if prop in EURO_PROPERTIES:
            return "€" + text
        return text if abs(num) >= 10000 else (str(int(num)) if num == int(num) else str(o))
    return str(o)


# -- links and cited sources ---------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A labelled link; ``href`` is None for a value that is not a web IRI."""

    label: str
    href: str | None = None
    iri: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A source document as a page cites it."""

    iri: str
    href: str | None
    title: str
    publisher: str = ""
    date: str = ""  #: formatted
    url: str = ""
    tier: str = ""  #: the reliability tier's notation: official, reliable, weak, state-media


def source_refs(g: Graph, node: Node) -> list[SourceRef]:
    """The sources ``node`` cites in ``g``, with their title, publisher, date and URL."""
    out = []
    for src in g.objects(node, DCTERMS.source):
        pub = g.value(src, DCTERMS.publisher)
        out.append(
            SourceRef(
                iri=str(src),
                href=href_of(src),
                title=label_of(g, src),
                publisher=label_of(g, pub) if pub is not None else "",
                date=format_date(g.value(src, DCTERMS.date)),
                url=str(g.value(src, SCHEMA.url) or ""),
                tier=tier_of(g.value(src, ENL.reliabilityTier)),
            )
        )
    return sorted(out, key=lambda s: (s.title, s.iri))


def tier_of(tier: Node | None) -> str:
    """``official``, ``reliable``, ``weak`` or ``state-media`` (the concept's IRI tail)."""
    return str(tier).rsplit("/", 1)[-1] if tier is not None else ""


def source_from_row(row: Mapping[str, Node]) -> SourceRef:
    """The source a SELECT row names: ``?source`` with what the query gives of it among
    ``?stitle``, ``?spubLabel``, ``?sdate``, ``?surl`` and ``?stier`` (``rq/facts.rq``,
    ``rq/negotiation.rq``)."""
    src = row["source"]
    return SourceRef(
        iri=str(src),
        href=href_of(src),
        title=str(row.get("stitle") or short_name(src)),
        publisher=str(row.get("spubLabel") or ""),
        date=format_date(row.get("sdate")) if row.get("sdate") is not None else "",
        url=str(row.get("surl") or ""),
        tier=tier_of(row.get("stier")),
    )
