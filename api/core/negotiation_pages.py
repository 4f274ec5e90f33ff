"""The pages built on the negotiation status: a country's page, a chapter's page and the
home page's summary of every country, with the clusters and chapters they are laid out by.

Pure core (no Flask): the web layer (``web/ld.py``, ``web/home.py``) renders these models.
The status itself comes from the rules of ``core/negotiation.py``; the facts, the generic
page and its parts from ``core/pages.py``.

- :func:`country_view`: on a date, the status, the 35 chapters as a grid of
  :class:`ChapterCell` (:func:`chapter_cells`), the clusters (:func:`cluster_cells`) and the
  blocks in force; then defence ties, alignment, and the accession timeline by year.
- :func:`chapter_view`: every enlargement country's status on one chapter.
- :func:`home_view`: the entry page: every country's summary, the clusters and the graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from .describe import Description, named_graphs
from .iris import local_path
from .labels import Link, format_date, label_of
from .namespaces import ENL
from .negotiation import (
    CLOSED,
    NOT_OPENED,
    OPENED,
    BlockSummary,
    ChapterStatus,
    CountryStatus,
    EventRef,
    StructureItem,
    block_summaries,
    chapter_statuses,
    country_statuses,
    distinct_dates,
    first_precise,
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


# -- the status of a chapter and of a cluster as a cell of a grid ---------------------------

#: A chapter's status -> (its slug, as the canned query ``chapter-status`` writes it; the
#: letter a cell shows, so that the status never rests on colour alone).
STATUS_CODES = {
    NOT_OPENED: ("not-opened", "·"),
    OPENED: ("opened", "O"),
    CLOSED: ("provisionally-closed", "C"),
}
#: A cluster's state -> its label and letter: opened as a whole or every chapter opened
#: ("opened"), some chapters only ("partly-opened"), every chapter closed.
CLUSTER_STATES = {
    "not-opened": ("Not opened", "·"),
    "partly-opened": ("Partly opened", "P"),
    "opened": ("Opened", "O"),
    "provisionally-closed": ("Every chapter provisionally closed", "C"),
}
BLOCKED_LETTER = "B"


def _letters(status: str, blocked: bool) -> str:
    if not blocked:
        return status
    return BLOCKED_LETTER if status == "·" else status + BLOCKED_LETTER


@dataclass(frozen=True)
class ChapterCell:
    """One country's status on one chapter, as a cell: the status, since when (at the
    precision of its source), and the facts behind it (the events that set the status, then
    the blocks in force)."""

    item: StructureItem
    status: ChapterStatus

    @property
    def slug(self) -> str:
        return STATUS_CODES[self.status.status][0]

    @property
    def status_letter(self) -> str:
        return STATUS_CODES[self.status.status][1]

    @property
    def letter(self) -> str:
        """The status letter, then ``B`` when blocked (a blocked chapter not opened: ``B``)."""
        return _letters(self.status_letter, self.blocked)

    @property
    def blocked(self) -> bool:
        return self.status.blocked

    @property
    def setting(self) -> list[EventRef]:
        """The events that set the status: the closings of a closed chapter, the openings
        of an opened one, one per date."""
        st = self.status
        return distinct_dates(st.closed if st.status == CLOSED else st.opened)

    @property
    def since(self) -> EventRef | None:
        events = self.setting
        return first_precise(events) if events else None

    @property
    def facts(self) -> list[EventRef]:
        """Every fact behind the cell: :attr:`setting`, then the blocks' events."""
        seen = {e.fact for e in self.setting}
        blocks = [e for b in self.status.blocks for e in b.events if e.fact not in seen]
        return self.setting + sorted({e.fact: e for e in blocks}.values(), key=lambda e: e.date_iso)

    @property
    def title(self) -> str:
        """The cell told in words (its tooltip and accessible name)."""
        since = self.since
        text = f"{self.item.label}: {self.status.status}"
        if since is not None:
            text += f" since {since.date}"
        for b in self.status.blocks:
            who = b.blocker.label if b.blocker else "a state not named"
            text += f"; blocked by {who} since {b.since}"
        return text


def chapter_cells(
    statuses: Iterable[ChapterStatus], structure: Iterable[StructureItem], country: Link
) -> tuple[ChapterCell, ...]:
    """A cell for every chapter of ``structure`` in number order; a chapter without events
    is not opened."""
    by_iri = {s.chapter.iri: s for s in statuses}
    out = []
    for it in structure:
        if not it.is_chapter:
            continue
        st = by_iri.get(it.iri) or ChapterStatus(
            country, Link(it.label, it.href, it.iri), it.number or 0
        )
        out.append(ChapterCell(it, st))
    return tuple(sorted(out, key=lambda c: c.item.number or 0))


@dataclass(frozen=True)
class ClusterCell:
    """One country's state on one cluster, from its chapters' cells."""

    cluster: Link
    number: int
    cells: tuple[ChapterCell, ...]

    @property
    def opened_as_whole(self) -> list[EventRef]:
        """The cluster's own openings (every chapter's, one per date)."""
        return distinct_dates(
            [e for c in self.cells for e in c.status.opened if e.scope == "cluster"]
        )

    @property
    def state(self) -> str:
        closed = sum(1 for c in self.cells if c.status.status == CLOSED)
        opened = sum(1 for c in self.cells if c.status.status != NOT_OPENED)
        if self.cells and closed == len(self.cells):
            return "provisionally-closed"
        if self.opened_as_whole or (self.cells and opened == len(self.cells)):
            return "opened"
        return "partly-opened" if opened else "not-opened"

    @property
    def label(self) -> str:
        return CLUSTER_STATES[self.state][0]

    @property
    def status_letter(self) -> str:
        return CLUSTER_STATES[self.state][1]

    @property
    def letter(self) -> str:
        return _letters(self.status_letter, self.blocked)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(chapters opened or closed, closed, chapters in the cluster)."""
        opened = sum(1 for c in self.cells if c.status.status != NOT_OPENED)
        closed = sum(1 for c in self.cells if c.status.status == CLOSED)
        return opened, closed, len(self.cells)

    @property
    def blocked(self) -> bool:
        return any(c.blocked for c in self.cells)

    @property
    def facts(self) -> list[EventRef]:
        """The cluster's openings, else the facts behind its chapters' cells."""
        own = self.opened_as_whole
        rest = {
            e.fact: e for c in self.cells for e in c.facts if e.fact not in {o.fact for o in own}
        }
        return own + sorted(rest.values(), key=lambda e: (e.date_iso, e.fact))

    @property
    def title(self) -> str:
        opened, closed, total = self.counts
        text = f"{self.cluster.label}: {self.label.lower()}"
        text += f" ({opened} of {total} chapters opened, {closed} closed)"
        return text + ("; a block in force" if self.blocked else "")


def cluster_cells(cells: Iterable[ChapterCell]) -> tuple[ClusterCell, ...]:
    """The six clusters' cells, by cluster number (the chapters outside them left out)."""
    groups: dict[str, list[ChapterCell]] = defaultdict(list)
    heads: dict[str, tuple[Link, int]] = {}
    for c in cells:
        cl = c.item.cluster
        if cl is not None and cl.iri:
            groups[cl.iri].append(c)
            heads[cl.iri] = (cl, c.item.cluster_number or 0)
    return tuple(
        sorted(
            (ClusterCell(heads[k][0], heads[k][1], tuple(v)) for k, v in groups.items()),
            key=lambda g: g.number,
        )
    )


# -- the pages of a country, a chapter and the home page -----------------------------------


@dataclass(frozen=True)
class FactGroup:
    """Facts shown together, folded unless ``open``: the timeline's events of one year
    (``title`` "" for the undated), the defence ties of one kind."""

    title: str
    facts: tuple[FactItem, ...]
    open: bool = False

    @property
    def span(self) -> str:
        """The first and last dates, at their precision: "5 June 2017", "2021 – 2025"."""
        dated = [f.date for f in self.facts if f.date]
        if not dated:
            return ""
        return dated[0] if dated[0] == dated[-1] else f"{dated[0]} – {dated[-1]}"


def year_groups(facts: Iterable[FactItem]) -> tuple[FactGroup, ...]:
    """``facts`` (in date order) by year, oldest first, the undated last; the latest year
    with events is the one shown open."""
    groups: dict[str, list[FactItem]] = defaultdict(list)
    for f in facts:
        groups[f.date_iso[:4]].append(f)
    years = sorted(y for y in groups if y)
    out = [FactGroup(y, tuple(groups[y]), y == years[-1]) for y in years]
    if "" in groups:
        out.append(FactGroup("", tuple(groups[""]), not years))
    return tuple(out)


def kind_groups(facts: Iterable[FactItem]) -> tuple[FactGroup, ...]:
    """``facts`` (in date order) by kind (their type's label), kinds in the order of their
    first fact; all folded, each summed up by its count and dates."""
    groups: dict[str, list[FactItem]] = {}
    for f in facts:
        groups.setdefault(f.type_label or "Other", []).append(f)
    return tuple(FactGroup(k, tuple(v)) for k, v in groups.items())


@dataclass(frozen=True)
class CountryView:
    """A country's page. On the day ``on``: its status, the 35 chapters' cells, the
    clusters' cells, the blocks in force. Whatever the day: defence ties, alignment, the
    accession timeline (by year), other facts, derived records."""

    resource: ResourceView
    on: str  #: the day the summary is for (YYYY-MM-DD)
    status: CountryStatus | None
    cells: tuple[ChapterCell, ...]
    clusters: tuple[ClusterCell, ...]
    blocks: tuple[BlockSummary, ...]
    timeline: tuple[FactItem, ...]
    defence: tuple[FactItem, ...]
    alignment: tuple[FactItem, ...]
    other: tuple[FactItem, ...]
    derived: tuple[FactItem, ...] = ()  #: records the build derived (chapter negotiations ...)

    @property
    def on_label(self) -> str:
        return format_date(self.on)

    @property
    def years(self) -> tuple[FactGroup, ...]:
        return year_groups(self.timeline)

    @property
    def defence_kinds(self) -> tuple[FactGroup, ...]:
        return kind_groups(self.defence)

    @property
    def names(self) -> dict[int, str]:
        """Chapter number -> name, for the blocks' chapters."""
        return {c.item.number or 0: c.item.name for c in self.cells}

    @property
    def counts(self) -> dict[str, int]:
        return {
            "opened": sum(1 for c in self.cells if c.status.status in (OPENED, CLOSED)),
            "closed": sum(1 for c in self.cells if c.status.status == CLOSED),
            "blocks": len(self.blocks),
        }


def country_view(store: Store, d: Description, *, on: str) -> CountryView:
    """The page of the country ``d`` with its summary on the day ``on`` (YYYY-MM-DD)."""
    iri = str(d.iri)
    facts = sorted(
        fact_items(store, via=ENL.country, this=d.iri).values(), key=lambda f: f.sort_key
    )
    statuses = country_statuses(store, country=iri, on=on)
    timeline = [f for f in facts if f.accession]
    defence = [f for f in facts if f.defence and not f.accession]
    alignment = [f for f in facts if URIRef(f.type_iri) in ALIGNMENT_TYPES]
    shown = {f.iri for f in timeline + defence + alignment}
    structure = negotiating_structure(store)
    chapters = chapter_statuses(store, country=iri, on=on)
    link = Link(label_of(d.graph, d.iri), local_path(iri), iri)
    cells = chapter_cells(chapters, structure, link)
    known = {f.iri for f in facts}
    derived = (incoming_item(d.graph, s) for s in d.graph.subjects(ENL.country, d.iri))
    return CountryView(
        resource_view(d),
        on,
        statuses[0] if statuses else None,
        cells,
        cluster_cells(cells),
        tuple(block_summaries(chapters, {i.iri: i for i in structure})),
        tuple(timeline),
        tuple(defence),
        tuple(alignment),
        tuple(f for f in facts if f.iri not in shown),
        tuple(sorted((f for f in derived if f.iri not in known), key=lambda f: f.sort_key)),
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

    @property
    def names(self) -> dict[int, str]:
        """Chapter number -> name, for the blocks' chapters."""
        return {i.number: i.name for g in self.clusters for i in g.items if i.number}


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
