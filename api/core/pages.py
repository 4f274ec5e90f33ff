"""The page models of the HTML views: what a page shows, as dataclasses the templates render.

Pure core (no Flask): the web layer (``web/ld.py``) calls these functions and renders their
dataclasses. They read the description graph (``core/describe.py``) or run the queries of
``core/rq/*.rq``, and name things with ``core/labels.py``.

- :func:`resource_view`: the generic page of a resource, built from its description graph,
  and its parts: :class:`FactItem` rows (:func:`fact_items`, :func:`incoming_item`),
  property rows, claims.
- :func:`source_view`: a source document's page (the facts that cite it).
- :func:`graph_view`: a named graph's page.
- :func:`suggest` (over :func:`known_subjects`): what a 404 page offers instead of an
  unknown IRI.

The pages built on the negotiation status (a country's, a chapter's, the home page) are in
``core/negotiation_pages.py``.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from .describe import Description, internal_query, is_true
from .iris import local_path
from .labels import (
    Link,
    SourceRef,
    format_date,
    format_value,
    href_of,
    label_of,
    most_specific,
    pick_label,
    precision_of,
    short_name,
    source_from_row,
    source_refs,
    term_labels,
    tier_of,
)
from .namespaces import BASE, ENL, SCHEMA
from .negotiation import same_day_rank
from .store import Store

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
#: Properties whose value names itself on a fact's summary line (no "chapter:" prefix).
SELF_NAMED = {ENL.chapter, ENL.cluster, ENL.mission, ENL.instrument, ENL.cfspAct}


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
        rank = same_day_rank(URIRef(self.type_iri))
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
        groups[p].append(incoming_item(g, s))
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


def incoming_item(g: Graph, s: Node) -> FactItem:
    """A resource that points to the described one, as a row, from the description graph."""
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


def fact_items(store: Store, *, via: URIRef, this: URIRef) -> dict[str, FactItem]:
    """The facts pointing to ``this`` through ``via`` (``rq/facts.rq``, ``rq/fact_details.rq``),
    by IRI."""
    bindings = {"via": via, "this": this}
    labels = term_labels()
    facts = _facts_with_sources(store, bindings, labels)
    for key, props in _fact_details(store, bindings, facts).items():
        facts[key].details = _details(props, labels)
    for f in facts.values():
        f.sources.sort(key=lambda s: (s.title, s.iri))
        f.notes.sort()
    return facts


def _facts_with_sources(
    store: Store, bindings: dict[str, URIRef], labels: Mapping[URIRef, str]
) -> dict[str, FactItem]:
    """The facts of ``rq/facts.rq`` (a row per fact and source), each with its sources."""
    facts: dict[str, FactItem] = {}
    for row in store.select(internal_query("facts"), bindings=bindings):
        key = str(row["fact"])
        f = facts.get(key)
        if f is None:
            f = facts[key] = _fact_item(row, labels)
        src = row.get("source")
        if src is not None and all(s.iri != str(src) for s in f.sources):
            f.sources.append(source_from_row(row))
    return facts


def _fact_item(row: Mapping[str, Node], labels: Mapping[URIRef, str]) -> FactItem:
    """A fact from the first row of ``rq/facts.rq`` about it (no sources, no details)."""
    date = row.get("date")
    country = row.get("country")
    type_iri = row["type"]
    return FactItem(
        iri=str(row["fact"]),
        href=href_of(row["fact"]),
        label=str(row.get("label") or short_name(row["fact"])),
        type_iri=str(type_iri),
        type_label=str(row.get("typeLabel") or labels.get(type_iri) or short_name(type_iri)),
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
        accession=is_true(row.get("accession")),
        defence=is_true(row.get("defence")),
    )


def _fact_details(
    store: Store, bindings: dict[str, URIRef], facts: dict[str, FactItem]
) -> dict[str, dict[tuple[str, str], tuple[Node, list[Node]]]]:
    """The other properties of each of ``facts`` (``rq/fact_details.rq``): per fact,
    (property, value) -> (value, the value's labels). Notes go straight to the fact."""
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
    return details


def _details(
    props: dict[tuple[str, str], tuple[Node, list[Node]]], labels: Mapping[URIRef, str]
) -> list[Detail]:
    """A fact's summary line: the self-named values first, then by property and value."""
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
    return sorted(items, key=lambda d: (d.prop != "", d.prop, d.value.label))


# -- the pages of a source document and of a named graph -----------------------------------


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
    facts = sorted(
        fact_items(store, via=DCTERMS.source, this=this).values(), key=lambda f: f.sort_key
    )
    fact_iris = {f.iri for f in facts}
    others = sorted(
        (incoming_item(g, s) for s in g.subjects(DCTERMS.source, this) if str(s) not in fact_iris),
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
