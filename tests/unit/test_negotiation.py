"""The rules of negotiation status (core/negotiation.py) on small hand-built inputs: the first
date of something told as precisely as the records allow, a chapter's status from its
events, the blocks in force, and the order of the events of one day."""

import random

from rdflib import URIRef

from enlargement_kg.core import formats
from enlargement_kg.core.labels import Link, SourceRef
from enlargement_kg.core.namespaces import BASE, ENL
from enlargement_kg.core.negotiation import (
    CLOSED,
    NOT_OPENED,
    OPENED,
    SAME_DAY_ORDER,
    EventRef,
    NegotiationEvent,
    StructureItem,
    block_summaries,
    chapter_status,
    country_statuses,
    distinct_dates,
    first_precise,
    same_day_rank,
)
from enlargement_kg.core.oxigraph_store import OxigraphStore

FRANCE = URIRef(BASE + "id/country/FRA")
HUNGARY = URIRef(BASE + "id/country/HUN")
MNE = Link("Montenegro", "/id/country/MNE", BASE + "id/country/MNE")
CH23 = Link("Chapter 23", "/id/chapter/23", BASE + "id/chapter/23")


def ref(date: str, *, fact: str = "", scope: str = "chapter", sources=()) -> EventRef:
    precision = {4: "year", 7: "month"}.get(len(date), "day")
    return EventRef(
        fact or f"urn:fact:{scope}:{date}", None, date, date, scope, precision, list(sources)
    )


def event(
    type_, date: str, *, scope="chapter", blocker=None, label=None, fact=""
) -> NegotiationEvent:
    return NegotiationEvent(type_, ref(date, scope=scope, fact=fact), blocker, label)


def status_of(*events: NegotiationEvent, number: int = 23):
    return chapter_status(MNE, CH23, number, list(events))


# -- the first precise date ----------------------------------------------------------------


def test_a_day_beats_the_month_of_the_same_event():
    got = first_precise([ref("2012-06"), ref("2012-06-29"), ref("2012-07-02")])
    assert (got.date_iso, got.precision) == ("2012-06-29", "day")


def test_a_month_beats_its_year_and_a_day_outside_the_period_does_not_count():
    assert first_precise([ref("2012"), ref("2012-06"), ref("2013-01-05")]).date_iso == "2012-06"
    assert first_precise([ref("2012-06"), ref("2012-07-02")]).date_iso == "2012-06"


def test_equal_precision_keeps_the_earliest():
    got = first_precise([ref("2014-01-21"), ref("2013-12-18"), ref("2013-12-14")])
    assert got.date_iso == "2013-12-14"
    assert first_precise([ref("2013-12"), ref("2013-11")]).date_iso == "2013-11"


def test_on_the_same_day_the_chapters_own_event_comes_before_its_clusters():
    got = first_precise([ref("2021-12-14", scope="cluster"), ref("2021-12-14", scope="chapter")])
    assert got.scope == "chapter"


def test_distinct_dates_keeps_one_event_per_date_and_merges_their_sources():
    a = SourceRef("urn:src:a", None, "A")
    b = SourceRef("urn:src:b", None, "B")
    merged = distinct_dates(
        [
            ref("2012-12-18", scope="cluster", sources=[a]),
            ref("2012-12-18", sources=[a, b]),
            ref("2013-06-27", sources=[b]),
        ]
    )
    assert [(e.date_iso, e.scope) for e in merged] == [
        ("2012-12-18", "chapter"),
        ("2013-06-27", "chapter"),
    ]
    assert [s.iri for s in merged[0].sources] == ["urn:src:a", "urn:src:b"]


# -- a chapter's status --------------------------------------------------------------------


def test_no_event_leaves_the_chapter_not_opened():
    st = status_of()
    assert (st.status, st.status_date, st.blocked) == (NOT_OPENED, "", False)


def test_an_opening_opens_the_chapter_and_dates_it():
    st = status_of(event(ENL.ChapterOpened, "2012-12-18"))
    assert (st.status, st.status_date, st.blocked) == (OPENED, "2012-12-18", False)


def test_its_clusters_opening_opens_the_chapter():
    st = status_of(event(ENL.ClusterOpened, "2021-12", scope="cluster"))
    assert (st.status, st.status_date) == (OPENED, "2021-12")


def test_a_closing_closes_the_chapter_and_its_date_is_the_closing():
    st = status_of(
        event(ENL.ChapterProvisionallyClosed, "2024-06-26"),
        event(ENL.ChapterOpened, "2012-12-18"),
    )
    assert (st.status, st.status_date) == (CLOSED, "2024-06-26")
    assert [e.date_iso for e in st.opened] == ["2012-12-18"]
    assert [e.date_iso for e in st.closed] == ["2024-06-26"]


def test_the_status_date_is_the_precise_one_inside_the_first_period():
    st = status_of(event(ENL.ChapterOpened, "2013-12"), event(ENL.ChapterOpened, "2013-12-18"))
    assert st.status_date == "2013-12-18"


def test_a_block_with_no_later_lift_or_progress_is_in_force():
    st = status_of(
        event(ENL.ChapterOpened, "2012-12-18"),
        event(ENL.ChapterBlocked, "2020-05-01", blocker=FRANCE, label="France"),
    )
    assert st.status == OPENED
    assert st.blocked
    [b] = st.blocks
    assert (b.blocker.label, b.blocker.iri, b.scope, b.since_iso) == (
        "France",
        str(FRANCE),
        "chapter",
        "2020-05-01",
    )


def test_a_block_lifted_later_is_no_longer_in_force():
    st = status_of(
        event(ENL.ChapterBlocked, "2016-04-07", blocker=FRANCE, label="France"),
        event(ENL.BlockLifted, "2016-07-04", blocker=FRANCE),
    )
    assert (st.status, st.blocks) == (NOT_OPENED, [])


def test_a_lift_by_an_unnamed_state_lifts_a_named_block():
    st = status_of(
        event(ENL.ChapterBlocked, "2016-04-07", blocker=FRANCE, label="France"),
        event(ENL.BlockLifted, "2016-07-04"),
    )
    assert st.blocks == []


def test_a_lift_by_another_state_or_on_another_scope_leaves_the_block():
    st = status_of(
        event(ENL.ChapterBlocked, "2016-04-07", blocker=FRANCE, label="France"),
        event(ENL.BlockLifted, "2016-07-04", blocker=HUNGARY),
        event(ENL.BlockLifted, "2016-07-05", blocker=FRANCE, scope="cluster"),
    )
    assert [(b.blocker.label, b.since_iso) for b in st.blocks] == [("France", "2016-04-07")]


def test_a_lift_before_the_block_does_not_lift_it():
    st = status_of(
        event(ENL.BlockLifted, "2015-01-01", blocker=FRANCE),
        event(ENL.ChapterBlocked, "2016-04-07", blocker=FRANCE, label="France"),
    )
    assert [b.since_iso for b in st.blocks] == ["2016-04-07"]


def test_an_opening_after_a_block_shows_it_overcome():
    st = status_of(
        event(ENL.ChapterBlocked, "2016-04-07", blocker=FRANCE, label="France"),
        event(ENL.ChapterOpened, "2016-07-18"),
    )
    assert (st.status, st.blocks) == (OPENED, [])


def test_blocks_of_one_state_merge_and_each_names_its_events():
    st = status_of(
        event(ENL.ChapterBlocked, "2020-05", blocker=FRANCE, label="France", fact="urn:f:1"),
        event(ENL.ChapterBlocked, "2021-02-01", blocker=FRANCE, label="France", fact="urn:f:2"),
        event(ENL.ChapterBlocked, "2025", scope="negotiations", blocker=HUNGARY, label="Hungary"),
        event(ENL.ChapterBlocked, "2022-03-01", fact="urn:f:3"),
    )
    got = [(b.blocker.label if b.blocker else None, b.scope, b.since_iso) for b in st.blocks]
    assert got == [
        ("France", "chapter", "2020-05"),
        (None, "chapter", "2022-03-01"),
        ("Hungary", "negotiations", "2025"),
    ]
    assert [e.fact for e in st.blocks[0].events] == ["urn:f:1", "urn:f:2"]


def test_block_summaries_name_the_chapters_a_state_blocks():
    def blocked(number: int, chapter: str):
        st = chapter_status(
            MNE,
            Link(f"Chapter {number}", None, chapter),
            number,
            [event(ENL.ChapterBlocked, "2020-05-01", blocker=FRANCE, label="France")],
        )
        return st

    structure = {
        BASE + f"id/chapter/{n}": StructureItem(
            BASE + f"id/chapter/{n}", None, "", n, True, None, 1
        )
        for n in (23, 24)
    }
    summaries = block_summaries(
        [blocked(24, BASE + "id/chapter/24"), blocked(23, BASE + "id/chapter/23")], structure
    )
    assert [(s.target, s.text, s.since_iso) for s in summaries] == [
        ("Chapters 23, 24", "Chapters 23, 24 (France)", "2020-05-01")
    ]


# -- the order of one day ------------------------------------------------------------------


def test_same_day_order_follows_a_conference():
    day = [
        ENL.BlockLifted,
        ENL.ChapterProvisionallyClosed,
        ENL.ChapterOpened,
        ENL.IntergovernmentalConference,
        ENL.ChapterBlocked,
        ENL.MembershipApplication,
        URIRef("urn:other"),
    ]
    random.Random(4).shuffle(day)
    assert sorted(day, key=same_day_rank) == [
        ENL.MembershipApplication,
        ENL.IntergovernmentalConference,
        ENL.ChapterOpened,
        ENL.ChapterProvisionallyClosed,
        ENL.ChapterBlocked,
        ENL.BlockLifted,
        URIRef("urn:other"),
    ]
    assert same_day_rank(URIRef("urn:other")) == len(SAME_DAY_ORDER) == 16


# -- a country's status, over a tiny store -------------------------------------------------

STATUS_DATA = f"""
@prefix enl: <https://w3id.org/eu-enlargement/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix country: <{BASE}id/country/> .
@prefix fact: <{BASE}id/fact/> .
@prefix status: <{BASE}id/status/> .

enl:CandidateStatusGranted enl:impliesStatus status:candidate .
enl:MembershipApplication enl:impliesStatus status:applicant .
status:candidate skos:prefLabel "Candidate" .
country:MNE a enl:EnlargementCountry ; skos:prefLabel "Montenegro" ; enl:iso3166Alpha3 "MNE" .
country:SRB a enl:EnlargementCountry ; skos:prefLabel "Serbia" .
fact:a a enl:MembershipApplication ; enl:country country:MNE ;
    dcterms:date "2008-12-15"^^xsd:date .
fact:b a enl:CandidateStatusGranted ; enl:country country:MNE ;
    dcterms:date "2010-12"^^xsd:gYearMonth .
fact:c a enl:CandidateStatusGranted ; enl:country country:MNE ;
    dcterms:date "2010-12-17"^^xsd:date .
fact:d a enl:CandidateStatusGranted ; enl:country country:MNE ;
    dcterms:date "2011-03-01"^^xsd:date .
"""


def test_a_countrys_status_is_its_latest_since_the_first_precise_date():
    store = OxigraphStore.memory()
    store.load_bytes(STATUS_DATA.encode(), formats.by_name("turtle"), "urn:test:status")
    got = [
        (s.country.label, s.iso, s.status, s.status_iri, s.since_iso, s.since)
        for s in country_statuses(store)
    ]
    assert got == [
        (
            "Montenegro",
            "MNE",
            "Candidate",
            BASE + "id/status/candidate",
            "2010-12-17",
            "17 December 2010",
        ),
        ("Serbia", "SRB", "", "", "", ""),
    ]
