"""What a dereferenced IRI returns, and the page models of the HTML views.

Pure core (no Flask): the web layer (``web/ld.py``, ``web/home.py``) calls these functions
and renders their dataclasses. Every SPARQL text lives in ``core/rq/*.rq`` and is run with
bound variables (SEP-0007 substitutions), never formatted.

- :func:`describe`: the description graph of one IRI (``rq/describe.rq``): its own triples,
  the labels of what it links to, the facts that point to it, and their sources. It is the
  same graph in every RDF format, and the HTML page shows it.
- :func:`resource_view`: the generic HTML page model built from that graph.
- :func:`country_view`, :func:`chapter_view`, :func:`source_view`: the pages of a country
  (status, accession timeline, chapters, defence ties), a chapter (every country's status on
  it) and a source document (the facts that cite it).
- :func:`home_view`: the entry page. :func:`graph_view`: a named graph's page.
- :func:`format_date`: dates as people write them, at their precision (core/dates.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from . import dates
from .namespaces import BASE, ENL, SCHEMA
from .store import Store

_RQ = Path(__file__).resolve().parent / "rq"

MONTHS = dates.MONTHS

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
#: Properties shown at the top of a page, in this order; the rest follow alphabetically.
FIRST_PROPERTIES = (
    RDF.type,
    SKOS.prefLabel,
    RDFS.label,
    DCTERMS.title,
    DCTERMS.date,
    ENL.datePrecision,
    ENL.country,
    ENL.chapter,
    ENL.cluster,
)
#: Properties a fact's summary line does not repeat (they have their own columns).
FACT_FRAME = {
    RDF.type,
    RDFS.label,
    DCTERMS.date,
    ENL.datePrecision,
    DCTERMS.source,
    ENL.lastConfirmed,
    ENL.country,
    SKOS.note,
}
ALIGNMENT_TYPES = {ENL.CFSPAlignmentRate, ENL.CFSPNonAlignment}
#: Properties whose value names itself on a fact's summary line (no "chapter:" prefix).
SELF_NAMED = {ENL.chapter, ENL.cluster, ENL.mission, ENL.instrument, ENL.cfspAct}
#: Events of one day in the order they happen: applications and opinions, decisions, the
#: conference, then what it opens and closes, then blocks and lifts.
SAME_DAY_ORDER = {
    t: i
    for i, t in enumerate(
        (
            ENL.MembershipApplication,
            ENL.CommissionOpinion,
            ENL.PotentialCandidateStatusGranted,
            ENL.CandidateStatusGranted,
            ENL.DecisionToOpenNegotiations,
            ENL.NegotiatingFrameworkAdopted,
            ENL.IntergovernmentalConference,
            ENL.ClusterOpened,
            ENL.ChapterOpened,
            ENL.ClosingBenchmarksSet,
            ENL.InterimBenchmarksMet,
            ENL.ClosingBenchmarksMet,
            ENL.ChapterProvisionallyClosed,
            ENL.ChapterBlocked,
            ENL.BlockLifted,
            ENL.AccessionProcessHalted,
        )
    )
}


@cache
def internal_query(name: str) -> str:
    """The text of ``core/rq/{name}.rq``."""
    return (_RQ / f"{name}.rq").read_text(encoding="utf-8")


# -- labels, links and dates ---------------------------------------------------------------


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


def local_path(iri: str | Node) -> str | None:
    """The service path of a minted IRI (``/id/country/MNE``); None for other IRIs."""
    s = str(iri)
    return "/" + s[len(BASE) :] if s.startswith(BASE) and len(s) > len(BASE) else None


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
            f"{day.day} {MONTHS[day.month - 1]} {day.year}, "
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


# -- the description graph -----------------------------------------------------------------


@dataclass(frozen=True)
class Description:
    """The description of one IRI (``rq/describe.rq``); ``found`` is False when the graph
    says nothing about it as a subject."""

    iri: URIRef
    graph: Graph
    found: bool


def describe(store: Store, *, iri: str) -> Description:
    """The description graph of ``iri`` (see ``rq/describe.rq`` for what it holds)."""
    this = URIRef(iri)
    g = _construct_sorted(store, "describe", {"this": this})
    return Description(this, g, (this, None, None) in g)


def graph_content(store: Store, *, graph: str) -> Description:
    """Everything in the named graph ``graph`` (``rq/graph_content.rq``)."""
    g = _construct_sorted(store, "graph_content", {"graph": URIRef(graph)})
    return Description(URIRef(graph), g, len(g) > 0)


def _construct_sorted(store: Store, name: str, bindings: Mapping[str, Node]) -> Graph:
    """Run a CONSTRUCT and parse its N-Triples in sorted order (see :func:`sorted_graph`)."""
    from .formats import by_name

    res = store.execute(
        internal_query(name),
        result_format=by_name("json"),
        graph_format=by_name("ntriples"),
        substitutions=bindings,
    )
    text = res.body.decode("utf-8")
    lines = sorted({ln for ln in text.splitlines() if ln.strip()})
    g = Graph()
    g.parse(data="\n".join(lines) + "\n", format="nt")
    if "_:" in text:  # maybe blank nodes: relabel them canonically, then sort again
        return sorted_graph(g)
    return g


def sorted_graph(g: Graph) -> Graph:
    """A copy of ``g`` with blank nodes labelled canonically and triples inserted in sorted
    order, so that serialisers that follow insertion order give the same bytes every time."""
    from .jsonld import canonical_bnodes

    out = Graph()
    for t in sorted(canonical_bnodes(g), key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        out.add(t)
    return out


# -- page models ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Detail:
    """One property of a fact as its summary line shows it: ``blocked by: France``. The
    property name is empty where the value says it all (a chapter, a mission ...)."""

    prop: str
    value: Link


@dataclass
class FactItem:
    """One fact as a row of a page."""

    iri: str
    href: str | None
    label: str
    type_iri: str = ""
    type_label: str = ""
    date_iso: str = ""
    date: str = ""  #: formatted, honouring the precision
    precision: str = "day"
    country: Link | None = None
    accession: bool = False
    defence: bool = False
    details: list[Detail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        """Date order; on one day, the order things happen at a conference."""
        rank = SAME_DAY_ORDER.get(URIRef(self.type_iri), len(SAME_DAY_ORDER))
        return (self.date_iso or "9999", rank, self.type_label, self.label, self.iri)


@dataclass(frozen=True)
class PropertyRow:
    prop: Link
    values: tuple[Link, ...]


@dataclass(frozen=True)
class IncomingGroup:
    """The resources that point to this one through ``prop``."""

    prop: Link
    items: tuple[FactItem, ...]


@dataclass(frozen=True)
class ResourceView:
    """The generic page of a resource, from its description graph."""

    iri: str
    path: str
    label: str
    types: tuple[Link, ...]
    properties: tuple[PropertyRow, ...]
    sources: tuple[SourceRef, ...]
    incoming: tuple[IncomingGroup, ...]
    date: str = ""  #: a fact's date, formatted
    notes: tuple[str, ...] = ()
    claims: tuple[ClaimItem, ...] = ()  #: what each source says of this event, ranked
    claim_of: Link | None = None  #: for a claim: the event it is about


@dataclass(frozen=True)
class ClaimItem:
    """One source's account of an event: the date it gives, its rank and why."""

    iri: str
    href: str | None
    date: str  #: formatted, at its precision
    date_iso: str
    rank: str  #: preferred, normal, deprecated
    reason: str
    sources: tuple[SourceRef, ...]

    @property
    def sort_key(self) -> tuple:
        return ({"preferred": 0, "normal": 1}.get(self.rank, 2), self.date_iso, self.iri)


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


def resource_view(d: Description) -> ResourceView:
    """The generic page model of a described resource."""
    g, this = d.graph, d.iri
    by_prop: dict[URIRef, list[Node]] = defaultdict(list)
    for p, o in g.predicate_objects(this):
        by_prop[p].append(o)
    order = {p: i for i, p in enumerate(FIRST_PROPERTIES)}
    rows = []
    for p in sorted(by_prop, key=lambda p: (order.get(p, len(order)), label_of(g, p))):
        if p == DCTERMS.source:
            continue
        values = sorted(by_prop[p], key=lambda o: (label_of(g, o), str(o)))
        links = []
        for o in values:
            if p == DCTERMS.date and isinstance(o, Literal):
                text = format_date(o)
            elif isinstance(o, Literal):
                text = format_value(o, prop=p)
            else:
                text = label_of(g, o)
            links.append(Link(text, href_of(o), str(o) if isinstance(o, URIRef) else None))
        rows.append(PropertyRow(Link(label_of(g, p), href_of(p), str(p)), tuple(links)))
    groups: dict[URIRef, list[FactItem]] = defaultdict(list)
    claims = []
    for s, p in g.subject_predicates(this):
        if s == this:
            continue
        if p == ENL.claimOf:  # shown as the event's claims, not as "what refers to it"
            claims.append(_claim_item(g, s))
            continue
        groups[p].append(_incoming_item(g, s))
    incoming = tuple(
        IncomingGroup(
            Link(label_of(g, p), href_of(p), str(p)), tuple(sorted(items, key=lambda f: f.sort_key))
        )
        for p, items in sorted(groups.items(), key=lambda kv: label_of(g, kv[0]))
    )
    date = g.value(this, DCTERMS.date)
    return ResourceView(
        iri=str(this),
        path=local_path(this) or str(this),
        label=label_of(g, this),
        types=tuple(
            Link(label_of(g, t), href_of(t), str(t))
            for t in most_specific(g.objects(this, RDF.type))
        ),
        properties=tuple(r for r in rows if r.prop.iri != str(SKOS.note)),
        sources=tuple(source_refs(g, this)),
        incoming=incoming,
        date=format_date(date) if date else "",
        notes=tuple(sorted(str(n) for n in g.objects(this, SKOS.note))),
        claims=tuple(sorted(claims, key=lambda c: c.sort_key)),
        claim_of=next(
            (Link(label_of(g, e), href_of(e), str(e)) for e in g.objects(this, ENL.claimOf)), None
        ),
    )


def _claim_item(g: Graph, c: Node) -> ClaimItem:
    date = g.value(c, DCTERMS.date)
    return ClaimItem(
        iri=str(c),
        href=href_of(c),
        date=format_date(date) if date is not None else "",
        date_iso=str(date) if date is not None else "",
        rank=str(g.value(c, ENL.rank) or "").rsplit("/", 1)[-1],
        reason=str(g.value(c, ENL.rankReason) or ""),
        sources=tuple(source_refs(g, c)),
    )


def _incoming_item(g: Graph, s: Node) -> FactItem:
    date = g.value(s, DCTERMS.date)
    types = most_specific(g.objects(s, RDF.type))
    return FactItem(
        iri=str(s),
        href=href_of(s),
        label=label_of(g, s),
        type_iri=str(types[0]) if types else "",
        type_label=label_of(g, types[0]) if types else "",
        date_iso=str(date) if date is not None else "",
        date=format_date(date) if date is not None else "",
        precision=precision_of(date),
        sources=source_refs(g, s),
    )


# -- facts from SELECT rows ----------------------------------------------------------------


def _facts(store: Store, *, via: URIRef, this: URIRef) -> dict[str, FactItem]:
    """The facts pointing to ``this`` through ``via`` (``rq/facts.rq``, ``rq/fact_details.rq``)."""
    bindings = {"via": via, "this": this}
    facts: dict[str, FactItem] = {}
    labels = term_labels()
    for row in store.select(internal_query("facts"), bindings=bindings):
        key = str(row["fact"])
        f = facts.get(key)
        if f is None:
            date = row.get("date")
            country = row.get("country")
            type_iri = row["type"]
            f = facts[key] = FactItem(
                iri=key,
                href=href_of(row["fact"]),
                label=str(row.get("label") or short_name(row["fact"])),
                type_iri=str(type_iri),
                type_label=str(
                    row.get("typeLabel") or labels.get(type_iri) or short_name(type_iri)
                ),
                date_iso=str(date) if date is not None else "",
                date=format_date(date) if date is not None else "",
                precision=precision_of(date),
                country=Link(
                    str(row.get("countryLabel") or short_name(country)),
                    href_of(country),
                    str(country),
                )
                if country is not None
                else None,
                accession=_true(row.get("accession")),
                defence=_true(row.get("defence")),
            )
        src = row.get("source")
        if src is not None and all(s.iri != str(src) for s in f.sources):
            f.sources.append(_source_from_row(row))
    details: dict[str, dict[tuple[str, str], tuple[Node, list[Node]]]] = defaultdict(dict)
    for row in store.select(internal_query("fact_details"), bindings=bindings):
        key = str(row["fact"])
        if key not in facts:
            continue
        p, o = row["p"], row["o"]
        if p == SKOS.note:
            if str(o) not in facts[key].notes:
                facts[key].notes.append(str(o))
            continue
        lab = row.get("olabel")
        entry = details[key].setdefault((str(p), o.n3()), (o, []))
        if lab is not None:
            entry[1].append(lab)
    for key, props in details.items():
        items = []
        for (p, _), (o, labelled) in props.items():
            text = pick_label(labelled)
            prop = URIRef(p)
            prop_label = "" if prop in SELF_NAMED else labels.get(prop, short_name(p))
            value = (
                Link(text or label_of(Graph(), o), href_of(o), str(o))
                if isinstance(o, URIRef)
                else Link(format_value(o, prop=prop))
            )
            items.append(Detail(prop_label, value))
        facts[key].details = sorted(items, key=lambda d: (d.prop != "", d.prop, d.value.label))
    for f in facts.values():
        f.sources.sort(key=lambda s: (s.title, s.iri))
        f.notes.sort()
    return facts


def _source_from_row(row: Mapping[str, Node]) -> SourceRef:
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


def _true(v: Node | None) -> bool:
    return v is not None and str(v).lower() in ("true", "1")


# -- accession status ----------------------------------------------------------------------


@dataclass(frozen=True)
class CountryStatus:
    """A country's accession status now: that of its latest status-giving event."""

    country: Link
    iso: str
    status: str  #: label, e.g. "Candidate"; "" when no event gives one
    status_iri: str
    since: str  #: formatted date of the first event giving the current status
    since_iso: str


def country_statuses(store: Store, *, country: str | None = None) -> list[CountryStatus]:
    """The current accession status of every enlargement country (``rq/status.rq``)."""
    bindings = {"country": URIRef(country)} if country else None
    rows = store.select(internal_query("status"), bindings=bindings)
    per: dict[str, list[Mapping[str, Node]]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        c = str(row["country"])
        names[c] = (str(row["countryLabel"]), str(row.get("iso") or short_name(c)))
        if row.get("status") is not None:
            per[c].append(row)
    out = []
    for c, (name, iso) in names.items():
        events = sorted(per.get(c, []), key=lambda r: (str(r["date"]), str(r["status"])))
        status = status_iri = since = since_iso = ""
        if events:
            last = events[-1]
            status_iri = str(last["status"])
            status = str(last.get("statusLabel") or short_name(status_iri))
            first = _first_precise([r for r in events if str(r["status"]) == status_iri])
            since_iso = str(first["date"])
            since = format_date(first["date"])
        out.append(
            CountryStatus(
                Link(name, href_of(URIRef(c)), c), iso, status, status_iri, since, since_iso
            )
        )
    return sorted(out, key=lambda s: s.country.label)


def _first_precise(events: list[Mapping[str, Node]]) -> Mapping[str, Node]:
    """The earliest event, or a more precise one inside its period: a month-precision
    "June 2012" and a day "29 June 2012" are the same start, told more precisely."""
    earliest = events[0]
    prec = precision_of(earliest["date"])
    width = {"year": 4, "month": 7}.get(prec, 10)
    same = [r for r in events if str(r["date"])[:width] == str(earliest["date"])[:width]]
    rank = {"day": 0, "month": 1, "year": 2}
    return min(same, key=lambda r: (rank[precision_of(r["date"])], str(r["date"])))


# -- chapter statuses ----------------------------------------------------------------------

NOT_OPENED, OPENED, CLOSED = "not opened", "opened", "provisionally closed"


@dataclass
class EventRef:
    """A dated event behind a status, with its sources."""

    fact: str
    href: str | None
    date_iso: str
    date: str
    scope: str  #: "chapter", "cluster" or "negotiations"
    precision: str = "day"
    sources: list[SourceRef] = field(default_factory=list)


@dataclass
class Block:
    """A block in force: by whom (None when the source names no state), on what scope,
    since when."""

    blocker: Link | None
    scope: str
    since: str
    since_iso: str
    events: list[EventRef] = field(default_factory=list)


@dataclass
class ChapterStatus:
    """One country's status on one chapter."""

    country: Link
    chapter: Link
    number: int
    status: str = NOT_OPENED
    opened: list[EventRef] = field(default_factory=list)
    closed: list[EventRef] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    benchmarks: list[tuple[str, EventRef]] = field(default_factory=list)

    @property
    def status_date(self) -> str:
        """When the chapter got its status: the first event, told as precisely as the
        records allow."""
        events = self.closed if self.status == CLOSED else self.opened
        return first_precise(events).date if events else ""

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def opened_dates(self) -> list[EventRef]:
        return distinct_dates(self.opened)

    @property
    def closed_dates(self) -> list[EventRef]:
        return distinct_dates(self.closed)


def first_precise(events: list[EventRef]) -> EventRef:
    """The earliest event, or a more precise one inside its period."""
    earliest = min(events, key=lambda e: e.date_iso)
    width = {"year": 4, "month": 7}.get(earliest.precision, 10)
    same = [e for e in events if e.date_iso[:width] == earliest.date_iso[:width]]
    rank = {"day": 0, "month": 1, "year": 2}
    return min(same, key=lambda e: (rank.get(e.precision, 0), e.date_iso, e.scope != "chapter"))


def distinct_dates(events: list[EventRef]) -> list[EventRef]:
    """One event per date (the chapter's own before its cluster's), sources merged."""
    out: dict[tuple[str, str], EventRef] = {}
    for e in sorted(events, key=lambda e: (e.date_iso, e.scope != "chapter", e.fact)):
        key = (e.date_iso, e.precision)
        if key not in out:
            out[key] = EventRef(
                e.fact, e.href, e.date_iso, e.date, e.scope, e.precision, list(e.sources)
            )
        else:
            have = {s.iri for s in out[key].sources}
            out[key].sources.extend(s for s in e.sources if s.iri not in have)
    return list(out.values())


def chapter_statuses(
    store: Store, *, country: str | None = None, chapter: str | None = None
) -> list[ChapterStatus]:
    """Every (country, chapter) with events, and its status (``rq/negotiation.rq``).

    A chapter is opened by its own opening or its cluster's; provisionally closed by a
    closing; blocked while a block on it, its cluster or the negotiations as a whole has
    no later lift (by the same state, or by an unnamed one) and no later opening or closing
    of the chapter that would show the block overcome.
    """
    bindings: dict[str, Node] = {}
    if country:
        bindings["country"] = URIRef(country)
    if chapter:
        bindings["chapter"] = URIRef(chapter)
    rows = store.select(internal_query("negotiation"), bindings=bindings or None)
    structure = {i.iri: i for i in negotiating_structure(store)}
    events: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    countries: dict[str, str] = {}
    for row in rows:
        c, ch, fact = str(row["country"]), str(row["chapter"]), str(row["fact"])
        countries.setdefault(c, short_name(c))
        ev = events[(c, ch)].get(fact)
        if ev is None:
            date = row["date"]
            ev = events[(c, ch)][fact] = {
                "type": row["type"],
                "blocker": row.get("blocker"),
                "blockerLabel": row.get("blockerLabel"),
                "ref": EventRef(
                    fact,
                    href_of(row["fact"]),
                    str(date),
                    format_date(date),
                    str(row["scope"]),
                    precision_of(date),
                ),
            }
        if row.get("source") is not None:
            ref = ev["ref"]
            if all(s.iri != str(row["source"]) for s in ref.sources):
                ref.sources.append(_source_from_row(row))
    names = {s.country.iri: s.country.label for s in country_statuses(store, country=country)}
    out = []
    for (c, ch), evs in events.items():
        item = structure.get(ch)
        st = ChapterStatus(
            Link(names.get(c, countries[c]), href_of(URIRef(c)), c),
            Link(item.label if item else short_name(ch), href_of(URIRef(ch)), ch),
            item.number if item and item.number else 0,
        )
        ordered = sorted(evs.values(), key=lambda e: (e["ref"].date_iso, e["ref"].fact))
        for e in ordered:
            e["ref"].sources.sort(key=lambda s: (s.title, s.iri))
            t = e["type"]
            if t in (ENL.ChapterOpened, ENL.ClusterOpened):
                st.opened.append(e["ref"])
            elif t == ENL.ChapterProvisionallyClosed:
                st.closed.append(e["ref"])
            elif t in (ENL.InterimBenchmarksMet, ENL.ClosingBenchmarksMet):
                st.benchmarks.append((term_labels().get(t, short_name(t)), e["ref"]))
        st.status = CLOSED if st.closed else OPENED if st.opened else NOT_OPENED
        st.blocks = _blocks_in_force(ordered)
        out.append(st)
    return sorted(out, key=lambda s: (s.country.label, s.number))


def _blocks_in_force(ordered: list[dict]) -> list[Block]:
    progress = [
        e["ref"].date_iso
        for e in ordered
        if e["type"] in (ENL.ChapterOpened, ENL.ClusterOpened, ENL.ChapterProvisionallyClosed)
    ]
    lifts = [e for e in ordered if e["type"] == ENL.BlockLifted]
    blocks: dict[tuple[str, str], Block] = {}
    for e in ordered:
        if e["type"] != ENL.ChapterBlocked:
            continue
        ref, who = e["ref"], e["blocker"]
        lifted = any(
            lift["ref"].date_iso >= ref.date_iso
            and (lift["blocker"] is None or who is None or lift["blocker"] == who)
            and lift["ref"].scope == ref.scope
            for lift in lifts
        )
        overcome = any(d > ref.date_iso for d in progress)
        if lifted or overcome:
            continue
        key = (str(who), ref.scope)
        b = blocks.get(key)
        if b is None:
            blocker = (
                Link(str(e["blockerLabel"] or short_name(who)), href_of(who), str(who))
                if who is not None
                else None
            )
            b = blocks[key] = Block(blocker, ref.scope, ref.date, ref.date_iso)
        b.events.append(ref)
    return sorted(
        blocks.values(), key=lambda b: (b.since_iso, b.blocker.label if b.blocker else "")
    )


@dataclass(frozen=True)
class BlockSummary:
    """A block in force as a country's summary names it: "Chapter 31", "Cluster 1",
    "Negotiations as a whole", by whom and since when, with the events behind it."""

    target: str
    blocker: Link | None
    scope: str
    since: str
    since_iso: str
    events: tuple[EventRef, ...]

    @property
    def text(self) -> str:
        who = self.blocker.label if self.blocker else "no state named"
        return f"{self.target} ({who})"


def block_summaries(
    statuses: Iterable[ChapterStatus], structure: Mapping[str, StructureItem]
) -> list[BlockSummary]:
    """The blocks in force over ``statuses`` (one country's), merged by what they hold:
    one line per blocking state for its chapters, per cluster, and for the negotiations."""
    groups: dict[tuple[str, str, str], dict] = {}
    for st in statuses:
        item = structure.get(st.chapter.iri or "")
        for b in st.blocks:
            who = b.blocker.iri if b.blocker else ""
            if b.scope == "chapter":
                key = ("chapter", who, "")
            elif b.scope == "cluster":
                key = ("cluster", who, item.cluster.label if item and item.cluster else "")
            else:
                key = ("negotiations", who, "")
            g = groups.setdefault(key, {"block": b, "numbers": set(), "events": {}})
            g["numbers"].add(st.number)
            for e in b.events:
                g["events"][e.fact] = e
            if b.since_iso < g["block"].since_iso:
                g["block"] = b
    out = []
    for (scope, _, cluster), g in groups.items():
        nums = sorted(g["numbers"])
        if scope == "chapter":
            target = ("Chapter " if len(nums) == 1 else "Chapters ") + ", ".join(map(str, nums))
        elif scope == "cluster":
            target = cluster.split(":")[0] if cluster else "A cluster"
        else:
            target = "Negotiations as a whole"
        b = g["block"]
        out.append(
            BlockSummary(
                target,
                b.blocker,
                scope,
                b.since,
                b.since_iso,
                tuple(sorted(g["events"].values(), key=lambda e: (e.date_iso, e.fact))),
            )
        )
    return sorted(out, key=lambda x: (x.since_iso, x.target))


# -- the negotiating structure -------------------------------------------------------------


@dataclass(frozen=True)
class StructureItem:
    iri: str
    href: str | None
    label: str
    number: int | None  #: chapter number; None for the Fundamentals items
    is_chapter: bool
    cluster: Link | None
    cluster_number: int | None


@dataclass(frozen=True)
class ClusterGroup:
    cluster: Link | None  #: None for the chapters outside the clusters (34, 35)
    number: int | None
    items: tuple[StructureItem, ...]


def negotiating_structure(store: Store) -> list[StructureItem]:
    """Every chapter and negotiation item with its cluster (``rq/structure.rq``)."""
    seen: dict[str, StructureItem] = {}
    for row in store.select(internal_query("structure")):
        iri = str(row["item"])
        if iri in seen:
            continue
        cl = row.get("cluster")
        num = row.get("number")
        cnum = row.get("clusterNumber")
        seen[iri] = StructureItem(
            iri,
            href_of(row["item"]),
            str(row.get("label") or short_name(iri)),
            int(num) if num is not None else None,
            _true(row.get("isChapter")),
            Link(str(row.get("clusterLabel") or short_name(cl)), href_of(cl), str(cl))
            if cl is not None
            else None,
            int(cnum) if cnum is not None else None,
        )
    return sorted(seen.values(), key=lambda i: (i.number is None, i.number or 0, i.label))


def cluster_groups(items: list[StructureItem]) -> list[ClusterGroup]:
    groups: dict[str | None, list[StructureItem]] = defaultdict(list)
    heads: dict[str | None, tuple[Link | None, int | None]] = {}
    for it in items:
        key = it.cluster.iri if it.cluster else None
        groups[key].append(it)
        heads[key] = (it.cluster, it.cluster_number)
    out = [ClusterGroup(heads[k][0], heads[k][1], tuple(v)) for k, v in groups.items()]
    return sorted(out, key=lambda g: (g.number is None, g.number or 0))


# -- the special pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountryView:
    """A country's page: status, chapters, accession timeline, defence ties, alignment."""

    resource: ResourceView
    status: CountryStatus | None
    chapters: tuple[ChapterStatus, ...]
    structure: tuple[StructureItem, ...]
    timeline: tuple[FactItem, ...]
    defence: tuple[FactItem, ...]
    alignment: tuple[FactItem, ...]
    other: tuple[FactItem, ...]
    blocks: tuple[BlockSummary, ...]
    derived: tuple[FactItem, ...] = ()  #: records the build derived (chapter negotiations ...)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "opened": sum(1 for c in self.chapters if c.status in (OPENED, CLOSED)),
            "closed": sum(1 for c in self.chapters if c.status == CLOSED),
            "blocks": len(self.blocks),
        }


def country_view(store: Store, d: Description) -> CountryView:
    iri = str(d.iri)
    facts = sorted(_facts(store, via=ENL.country, this=d.iri).values(), key=lambda f: f.sort_key)
    statuses = country_statuses(store, country=iri)
    timeline = [f for f in facts if f.accession]
    defence = [f for f in facts if f.defence and not f.accession]
    alignment = [f for f in facts if URIRef(f.type_iri) in ALIGNMENT_TYPES]
    shown = {f.iri for f in timeline + defence + alignment}
    structure = negotiating_structure(store)
    chapters = sorted(chapter_statuses(store, country=iri), key=lambda s: s.number)
    return CountryView(
        resource_view(d),
        statuses[0] if statuses else None,
        tuple(chapters),
        tuple(i for i in structure if i.is_chapter),
        tuple(timeline),
        tuple(defence),
        tuple(alignment),
        tuple(f for f in facts if f.iri not in shown),
        tuple(block_summaries(chapters, {i.iri: i for i in structure})),
        tuple(
            sorted(
                (
                    _incoming_item(d.graph, s)
                    for s in d.graph.subjects(ENL.country, d.iri)
                    if str(s) not in {f.iri for f in facts}
                ),
                key=lambda f: f.sort_key,
            )
        ),
    )


@dataclass(frozen=True)
class ChapterView:
    """A chapter's page: every enlargement country's status on it."""

    resource: ResourceView
    rows: tuple[ChapterStatus, ...]
    preparation: dict[str, FactItem]  #: country IRI -> latest level-of-preparation fact


def chapter_view(store: Store, d: Description) -> ChapterView:
    iri = str(d.iri)
    found = {s.country.iri: s for s in chapter_statuses(store, chapter=iri)}
    number = d.graph.value(d.iri, ENL.chapterNumber)
    chapter = Link(label_of(d.graph, d.iri), local_path(iri), iri)
    rows = []
    for cs in country_statuses(store):
        rows.append(
            found.get(cs.country.iri)
            or ChapterStatus(cs.country, chapter, int(number) if number is not None else 0)
        )
    prep: dict[str, FactItem] = {}
    for f in sorted(_facts(store, via=ENL.chapter, this=d.iri).values(), key=lambda f: f.sort_key):
        if URIRef(f.type_iri) == ENL.PreparationAssessment and f.country is not None:
            prep[f.country.iri or ""] = f  # the latest wins
    return ChapterView(resource_view(d), tuple(rows), prep)


@dataclass(frozen=True)
class SourceView:
    """A source document's page: the facts that cite it."""

    resource: ResourceView
    tier: str  #: the reliability tier's label
    tier_code: str  #: official, reliable, weak, state-media
    title: str
    publisher: Link | None
    date: str
    url: str
    kind: str
    facts: tuple[FactItem, ...]
    others: tuple[FactItem, ...]  #: reference records (chapters, schemes ...) citing it


def source_view(store: Store, d: Description) -> SourceView:
    g, this = d.graph, d.iri
    facts = sorted(_facts(store, via=DCTERMS.source, this=this).values(), key=lambda f: f.sort_key)
    fact_iris = {f.iri for f in facts}
    others = sorted(
        (_incoming_item(g, s) for s in g.subjects(DCTERMS.source, this) if str(s) not in fact_iris),
        key=lambda f: f.sort_key,
    )
    pub = g.value(this, DCTERMS.publisher)
    kind = g.value(this, ENL.sourceKind)
    tier = g.value(this, ENL.reliabilityTier)
    return SourceView(
        resource_view(d),
        label_of(g, tier) if tier is not None else "",
        tier_of(tier),
        label_of(g, this),
        Link(label_of(g, pub), href_of(pub), str(pub)) if pub is not None else None,
        format_date(g.value(this, DCTERMS.date)),
        str(g.value(this, SCHEMA.url) or ""),
        label_of(g, kind) if kind is not None else "",
        tuple(facts),
        tuple(others),
    )


@dataclass(frozen=True)
class CountrySummary:
    status: CountryStatus
    opened: int
    closed: int
    blocks: tuple[BlockSummary, ...]


@dataclass(frozen=True)
class HomeView:
    countries: tuple[CountrySummary, ...]
    clusters: tuple[ClusterGroup, ...]
    triples: int
    graphs: tuple[tuple[str, int], ...]


def home_view(store: Store) -> HomeView:
    statuses = country_statuses(store)
    structure = negotiating_structure(store)
    by_iri = {i.iri: i for i in structure}
    per: dict[str, list[ChapterStatus]] = defaultdict(list)
    for st in chapter_statuses(store):
        per[st.country.iri or ""].append(st)
    countries = []
    for s in statuses:
        chs = per[s.country.iri or ""]
        countries.append(
            CountrySummary(
                s,
                sum(1 for c in chs if c.status != NOT_OPENED),
                sum(1 for c in chs if c.status == CLOSED),
                tuple(block_summaries(chs, by_iri)),
            )
        )
    graphs = named_graphs(store)
    return HomeView(
        tuple(countries), tuple(cluster_groups(structure)), sum(n for _, n in graphs), tuple(graphs)
    )


# -- named graphs --------------------------------------------------------------------------


def named_graphs(store: Store, *, graph: str | None = None) -> list[tuple[str, int]]:
    """(graph IRI, triple count) of every named graph, or of ``graph`` (``rq/graphs.rq``)."""
    bindings = {"graph": URIRef(graph)} if graph else None
    rows = store.select(internal_query("graphs"), bindings=bindings)
    return sorted((str(r["graph"]), int(r["triples"])) for r in rows if "graph" in r)


@dataclass(frozen=True)
class GraphView:
    iri: str
    path: str
    triples: int
    source_file: str  #: the file the graph was loaded from, relative to the package
    classes: tuple[tuple[Link, tuple[Link, ...]], ...]  #: class -> its members in the graph


def graph_view(store: Store, *, graph: str, triples: int) -> GraphView:
    rows = store.select(internal_query("graph_subjects"), bindings={"graph": URIRef(graph)})
    members: dict[str, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    type_labels: dict[str, str] = {}
    for row in rows:
        t = str(row["type"])
        type_labels[t] = str(
            row.get("typeLabel") or term_labels().get(row["type"]) or short_name(t)
        )
        lab = row.get("label")
        members[t][str(row["s"])].extend([lab] if lab is not None else [])
    classes = []
    for t in sorted(members, key=lambda t: type_labels[t]):
        links = sorted(
            (
                Link(pick_label(labs) or short_name(s), href_of(URIRef(s)), s)
                for s, labs in members[t].items()
            ),
            key=lambda lk: (lk.label, lk.iri),
        )
        classes.append((Link(type_labels[t], href_of(URIRef(t)), t), tuple(links)))
    rel = graph[len(BASE + "graph/") :]
    return GraphView(graph, local_path(graph) or graph, triples, rel, tuple(classes))


# -- suggestions for unknown IRIs ----------------------------------------------------------


@dataclass(frozen=True)
class Suggestions:
    """What a 404 page offers instead of an unknown IRI."""

    iri: str
    close: tuple[Link, ...]  #: known IRIs that look like the one asked for
    kinds: tuple[Link, ...]  #: the kinds of resource (``/id/{kind}/``) that exist
    siblings: tuple[Link, ...]  #: other resources of the same kind (a sample when many)
    siblings_total: int


def known_subjects(store: Store, *, prefix: str) -> dict[str, str]:
    """Every subject IRI starting with ``prefix`` and a label (``rq/subjects_under.rq``)."""
    labels: dict[str, list[Node]] = defaultdict(list)
    for row in store.select(internal_query("subjects_under"), bindings={"prefix": Literal(prefix)}):
        labels[str(row["s"])].extend([row["label"]] if row.get("label") is not None else [])
    return {s: pick_label(labs) or short_name(s) for s, labs in labels.items()}


def suggest(known: Mapping[str, str], *, iri: str, limit: int = 8) -> Suggestions:
    """Suggestions for ``iri`` among ``known`` (IRI -> label, the minted subjects)."""
    rest = iri[len(BASE) :] if iri.startswith(BASE) else iri
    parts = rest.split("/")
    kinds: dict[str, int] = defaultdict(int)
    for k in known:
        kp = k[len(BASE) :].split("/")
        if len(kp) >= 2:
            kinds["/".join(kp[:2])] += 1
    kind = "/".join(parts[:2]) if len(parts) >= 2 else ""
    prefix = BASE + kind + "/" if kind in kinds else None
    pool = {k: v for k, v in known.items() if prefix and k.startswith(prefix)} or dict(known)
    cut = len(prefix) if prefix else len(BASE)
    wanted = iri[cut:].lower() if iri.startswith(BASE) else iri.lower()
    keys: dict[str, list[str]] = defaultdict(list)
    for k in pool:
        keys[k[cut:].lower()].append(k)
    matches = difflib.get_close_matches(wanted, list(keys), n=limit, cutoff=0.6)
    close = [k for m in matches for k in keys[m]][:limit]
    siblings = sorted(pool, key=lambda k: (pool[k], k)) if prefix else []
    return Suggestions(
        iri,
        tuple(Link(pool[k], local_path(k), k) for k in close),
        tuple(Link(f"{k} ({n})", f"/{k}/", BASE + k + "/") for k, n in sorted(kinds.items())),
        tuple(Link(pool[k], local_path(k), k) for k in siblings[:60]),
        len(siblings),
    )
