"""The domain rules of negotiation status: where a country stands in its accession, and
where it stands on each chapter.

Pure core (no Flask). The store gives the dated events (``rq/status.rq``,
``rq/negotiation.rq``, ``rq/structure.rq``); the rules that turn them into a status live
here, apart from how a page shows them (``core/pages.py``):

- :func:`country_statuses`: a country's status is that of its latest status-giving event,
  since the first event that gave it (:func:`first_precise`).
- **on a date** (``on=``, both functions): only the events whose period has begun by that day
  count, ``date <= on`` on the lexical forms (:func:`counts_on`): an event known only to its
  month ("June 2015") counts from the first day of that month, as the canned queries do
  (``core/dates.py``, "as of a day D"); it is still shown as the month.
- :func:`chapter_statuses` (:func:`chapter_status` for one chapter): a chapter is opened by
  its own opening or its cluster's, provisionally closed by a closing, and blocked while a
  block is in force (:func:`_blocks_in_force`); :func:`block_summaries` merges the blocks
  in force of one country by what they hold.
- :func:`first_precise`: the first date of something, told as precisely as the records allow.
- :data:`SAME_DAY_ORDER`, :func:`same_day_rank`: the order of the events of one day.
- :func:`negotiating_structure`: the chapters and negotiation items and their clusters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from .describe import internal_query, is_true
from .labels import (
    Link,
    SourceRef,
    format_date,
    href_of,
    precision_of,
    short_name,
    source_from_row,
    term_labels,
)
from .namespaces import ENL
from .store import Store

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


def same_day_rank(type_iri: Node) -> int:
    """Where an event of class ``type_iri`` comes among the events of its day
    (:data:`SAME_DAY_ORDER`); other classes come after them all."""
    return SAME_DAY_ORDER.get(type_iri, len(SAME_DAY_ORDER))


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

    @property
    def name(self) -> str:
        """The chapter's name without its number: "Public procurement"."""
        return chapter_name(self.label)


def chapter_name(label: str) -> str:
    """A chapter's label without its number, as the canned queries' ``chapterName`` gives it.

    >>> chapter_name("Chapter 5: Public procurement"), chapter_name("Rule of law")
    ('Public procurement', 'Rule of law')
    """
    head, sep, rest = label.partition(": ")
    return rest if sep and head.startswith(("Chapter ", "Cluster ")) else label


def counts_on(date_iso: str, on: str | None) -> bool:
    """Whether an event dated ``date_iso`` (at its precision) counts on the day ``on``:
    once its period has begun (None: every event counts).

    >>> counts_on("2015-06", "2015-06-01"), counts_on("2015-06-29", "2015-06-28")
    (True, False)
    """
    return on is None or date_iso <= on


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
            is_true(row.get("isChapter")),
            Link(str(row.get("clusterLabel") or short_name(cl)), href_of(cl), str(cl))
            if cl is not None
            else None,
            int(cnum) if cnum is not None else None,
        )
    return sorted(seen.values(), key=lambda i: (i.number is None, i.number or 0, i.label))


# -- dated events --------------------------------------------------------------------------


@dataclass
class EventRef:
    """A dated event behind a status, with its sources."""

    fact: str
    href: str | None
    date_iso: str
    date: str
    scope: str  #: "chapter", "cluster" or "negotiations"; "" for a status-giving event
    precision: str = "day"
    sources: list[SourceRef] = field(default_factory=list)


def first_precise(events: list[EventRef]) -> EventRef:
    """The earliest event, or a more precise one inside its period: a month-precision
    "June 2012" and a day "29 June 2012" are the same start, told more precisely. Among
    equally precise ones, the earliest (then the chapter's own before its cluster's)."""
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


def country_statuses(
    store: Store, *, country: str | None = None, on: str | None = None
) -> list[CountryStatus]:
    """The accession status of every enlargement country (``rq/status.rq``), now or on the
    day ``on`` (:func:`counts_on`)."""
    bindings = {"country": URIRef(country)} if country else None
    rows = store.select(internal_query("status"), bindings=bindings)
    per: dict[str, list[Mapping[str, Node]]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        c = str(row["country"])
        names[c] = (str(row["countryLabel"]), str(row.get("iso") or short_name(c)))
        if row.get("status") is not None and counts_on(str(row["date"]), on):
            per[c].append(row)
    out = []
    for c, (name, iso) in names.items():
        events = sorted(per.get(c, []), key=lambda r: (str(r["date"]), str(r["status"])))
        status = status_iri = since = since_iso = ""
        if events:
            last = events[-1]
            status_iri = str(last["status"])
            status = str(last.get("statusLabel") or short_name(status_iri))
            first = first_precise(
                [_status_event(r) for r in events if str(r["status"]) == status_iri]
            )
            since_iso = first.date_iso
            since = first.date
        out.append(
            CountryStatus(
                Link(name, href_of(URIRef(c)), c), iso, status, status_iri, since, since_iso
            )
        )
    return sorted(out, key=lambda s: s.country.label)


def _status_event(row: Mapping[str, Node]) -> EventRef:
    """A status-giving event of ``rq/status.rq`` as an :class:`EventRef`."""
    date = row["date"]
    return EventRef(
        str(row["fact"]), href_of(row["fact"]), str(date), format_date(date), "", precision_of(date)
    )


# -- chapter statuses ----------------------------------------------------------------------

NOT_OPENED, OPENED, CLOSED = "not opened", "opened", "provisionally closed"


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


@dataclass
class NegotiationEvent:
    """One dated event on a country's chapter (``rq/negotiation.rq``): its class, the
    :class:`EventRef` a page shows, and for a block or a lift, the state behind it."""

    type: Node
    ref: EventRef
    blocker: Node | None = None  #: None when the source names no state
    blocker_label: Node | None = None


def chapter_statuses(
    store: Store, *, country: str | None = None, chapter: str | None = None, on: str | None = None
) -> list[ChapterStatus]:
    """Every (country, chapter) with events, and its status (``rq/negotiation.rq``), now or
    on the day ``on`` (:func:`counts_on`): see :func:`chapter_status` for the rules."""
    bindings: dict[str, Node] = {}
    if country:
        bindings["country"] = URIRef(country)
    if chapter:
        bindings["chapter"] = URIRef(chapter)
    rows = store.select(internal_query("negotiation"), bindings=bindings or None)
    structure = {i.iri: i for i in negotiating_structure(store)}
    events: dict[tuple[str, str], dict[str, NegotiationEvent]] = defaultdict(dict)
    countries: dict[str, str] = {}
    for row in rows:
        if not counts_on(str(row["date"]), on):
            continue
        c, ch, fact = str(row["country"]), str(row["chapter"]), str(row["fact"])
        countries.setdefault(c, short_name(c))
        ev = events[(c, ch)].get(fact)
        if ev is None:
            date = row["date"]
            ev = events[(c, ch)][fact] = NegotiationEvent(
                row["type"],
                EventRef(
                    fact,
                    href_of(row["fact"]),
                    str(date),
                    format_date(date),
                    str(row["scope"]),
                    precision_of(date),
                ),
                row.get("blocker"),
                row.get("blockerLabel"),
            )
        if row.get("source") is not None:
            ref = ev.ref
            if all(s.iri != str(row["source"]) for s in ref.sources):
                ref.sources.append(source_from_row(row))
    names = {s.country.iri: s.country.label for s in country_statuses(store, country=country)}
    out = []
    for (c, ch), evs in events.items():
        item = structure.get(ch)
        out.append(
            chapter_status(
                Link(names.get(c, countries[c]), href_of(URIRef(c)), c),
                Link(item.label if item else short_name(ch), href_of(URIRef(ch)), ch),
                item.number if item and item.number else 0,
                evs.values(),
            )
        )
    return sorted(out, key=lambda s: (s.country.label, s.number))


def chapter_status(
    country: Link, chapter: Link, number: int, events: Iterable[NegotiationEvent]
) -> ChapterStatus:
    """One country's status on one chapter from the events on it (its own, its cluster's
    and the negotiations' as a whole).

    A chapter is opened by its own opening or its cluster's; provisionally closed by a
    closing; blocked while a block on it, its cluster or the negotiations as a whole has
    no later lift (by the same state, or by an unnamed one) and no later opening or closing
    of the chapter that would show the block overcome.
    """
    st = ChapterStatus(country, chapter, number)
    ordered = sorted(events, key=lambda e: (e.ref.date_iso, e.ref.fact))
    for e in ordered:
        e.ref.sources.sort(key=lambda s: (s.title, s.iri))
        t = e.type
        if t in (ENL.ChapterOpened, ENL.ClusterOpened):
            st.opened.append(e.ref)
        elif t == ENL.ChapterProvisionallyClosed:
            st.closed.append(e.ref)
        elif t in (ENL.InterimBenchmarksMet, ENL.ClosingBenchmarksMet):
            st.benchmarks.append((term_labels().get(t, short_name(t)), e.ref))
    st.status = CLOSED if st.closed else OPENED if st.opened else NOT_OPENED
    st.blocks = _blocks_in_force(ordered)
    return st


def _blocks_in_force(ordered: list[NegotiationEvent]) -> list[Block]:
    """The blocks among ``ordered`` (in date order) still in force: neither lifted (on or
    after the block's date, on the same scope, by the same state or an unnamed one) nor
    overcome (by an opening or closing after it); one per blocking state and scope."""
    progress = [
        e.ref.date_iso
        for e in ordered
        if e.type in (ENL.ChapterOpened, ENL.ClusterOpened, ENL.ChapterProvisionallyClosed)
    ]
    lifts = [e for e in ordered if e.type == ENL.BlockLifted]
    blocks: dict[tuple[str, str], Block] = {}
    for e in ordered:
        if e.type != ENL.ChapterBlocked:
            continue
        ref, who = e.ref, e.blocker
        lifted = any(
            lift.ref.date_iso >= ref.date_iso
            and (lift.blocker is None or who is None or lift.blocker == who)
            and lift.ref.scope == ref.scope
            for lift in lifts
        )
        overcome = any(d > ref.date_iso for d in progress)
        if lifted or overcome:
            continue
        key = (str(who), ref.scope)
        b = blocks.get(key)
        if b is None:
            blocker = (
                Link(str(e.blocker_label or short_name(who)), href_of(who), str(who))
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
    numbers: tuple[int, ...] = ()  #: the chapters a chapter-scope block holds

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
                tuple(nums) if scope == "chapter" else (),
            )
        )
    return sorted(out, key=lambda x: (x.since_iso, x.target))
