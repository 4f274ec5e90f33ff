"""The pages built on the negotiation status: a country's page, a chapter's page and the
home page's summary of every country, with the clusters and chapters they are laid out by.

Pure core (no Flask): the web layer (``web/ld.py``, ``web/home.py``) renders these models.
The status itself comes from the rules of ``core/negotiation.py``; the facts, the generic
page and its parts from ``core/pages.py``.

- :func:`country_view`: status, chapters, accession timeline, defence ties, alignment.
- :func:`chapter_view`: every enlargement country's status on one chapter.
- :func:`home_view`: the entry page: every country's summary, the clusters and the graphs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef

from .describe import Description, named_graphs
from .iris import local_path
from .labels import Link, label_of
from .namespaces import ENL
from .negotiation import (
    CLOSED,
    NOT_OPENED,
    OPENED,
    BlockSummary,
    ChapterStatus,
    CountryStatus,
    StructureItem,
    block_summaries,
    chapter_statuses,
    country_statuses,
    negotiating_structure,
)
from .pages import FactItem, ResourceView, fact_items, incoming_item, resource_view
from .store import Store

#: The classes of the facts a country's page shows in its alignment section.
ALIGNMENT_TYPES = {ENL.CFSPAlignmentRate, ENL.CFSPNonAlignment}


# -- clusters and their chapters -----------------------------------------------------------


@dataclass(frozen=True)
class ClusterGroup:
    cluster: Link | None  #: None for the chapters outside the clusters (34, 35)
    number: int | None
    items: tuple[StructureItem, ...]


def cluster_groups(items: list[StructureItem]) -> list[ClusterGroup]:
    groups: dict[str | None, list[StructureItem]] = defaultdict(list)
    heads: dict[str | None, tuple[Link | None, int | None]] = {}
    for it in items:
        key = it.cluster.iri if it.cluster else None
        groups[key].append(it)
        heads[key] = (it.cluster, it.cluster_number)
    out = [ClusterGroup(heads[k][0], heads[k][1], tuple(v)) for k, v in groups.items()]
    return sorted(out, key=lambda g: (g.number is None, g.number or 0))


# -- the pages of a country, a chapter and the home page -----------------------------------


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
    facts = sorted(
        fact_items(store, via=ENL.country, this=d.iri).values(), key=lambda f: f.sort_key
    )
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
                    incoming_item(d.graph, s)
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
    for f in sorted(
        fact_items(store, via=ENL.chapter, this=d.iri).values(), key=lambda f: f.sort_key
    ):
        if URIRef(f.type_iri) == ENL.PreparationAssessment and f.country is not None:
            prep[f.country.iri or ""] = f  # the latest wins
    return ChapterView(resource_view(d), tuple(rows), prep)


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
