"""The HTML pages, read with html.parser: labels rather than IRIs, dates as people write
them at their precision (a month is never shown as its first day), every fact with its
source, a country's accession timeline in date order, a chapter's status in every country,
a source's citing facts."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from support.ld import BASE, Page, select

from enlargement_kg.core.labels import format_date

MNE = BASE + "id/country/MNE"
TEN = ("ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX")
DAY = re.compile(
    r"^\d{1,2} (January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{4}$"
)


def page(client, path: str) -> Page:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, (path, r.status_code)
    assert r.mimetype == "text/html"
    assert "<script" not in r.get_data(as_text=True)  # works without JavaScript
    return Page(r.get_data(as_text=True))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Literal("2013-04", datatype=XSD.gYearMonth), "April 2013"),
        ("2013-04", "April 2013"),
        (Literal("2010", datatype=XSD.gYear), "2010"),
        ("2012-12-18", "18 December 2012"),
        (Literal("2012-12-18", datatype=XSD.date), "18 December 2012"),
        ("2026-02-27T09:30:00Z", "27 February 2026, 09:30 UTC"),
        ("2025-02-30", "2025-02-30"),
        ("not a date", "not a date"),
    ],
)
def test_format_date(value, expected):
    """A date is shown at its precision: never a day its source did not give."""
    assert format_date(value) == expected


def test_country_page_timeline_in_date_order_with_sources(client, app):
    p = page(client, "/id/country/MNE")
    assert p.h1.strip() == "Montenegro"
    timeline = [  # the timeline's rows (defence ties come before it on the page)
        r
        for r in p.rows
        if r.attrs.get("data-type") and r.tag == "tr" and r.attrs.get("data-table") == "timeline"
    ]
    events = select(
        app,
        """
        SELECT DISTINCT ?c ?f WHERE {
          ?f enl:country ?c ; a ?t . ?t rdfs:subClassOf* enl:AccessionEvent }""",
        c=URIRef(MNE),
    )
    timeline_iris = [r.attrs["data-iri"] for r in timeline]
    assert {str(e["f"]) for e in events} <= set(timeline_iris)
    # the accession timeline lists them first; its dates never go backwards
    first = timeline[: len(events)]
    dates = [r.attrs["data-date"] for r in first]
    assert dates == sorted(dates)
    for row in first:  # every fact links to its source: the document's URL and its record
        hrefs = [h for h, _ in row.children]
        assert any(h.startswith(("http://", "https://")) for h in hrefs), row.text
        assert any(h.startswith("/id/source/") for h in hrefs), row.text


def test_country_page_lists_provisionally_closed_chapters_in_date_order(client, app):
    rows = select(
        app,
        """
        SELECT ?c ?f ?date ?n WHERE { ?f a enl:ChapterProvisionallyClosed ; enl:country ?c ;
          dcterms:date ?date ; enl:chapter/enl:chapterNumber ?n }""",
        c=URIRef(MNE),
    )
    expected = sorted((str(r["date"]), int(r["n"])) for r in rows)
    assert len(expected) >= 13
    p = page(client, "/id/country/MNE")
    shown = []
    for r in p.rows:
        if r.attrs.get("data-type") == "ChapterProvisionallyClosed" and r.tag == "tr":
            m = re.search(r"Chapter (\d+):", r.text)
            shown.append((r.attrs["data-date"], int(m.group(1))))
    shown = shown[: len(expected)]  # the timeline; the same facts are not listed again
    assert [d for d, _ in shown] == sorted(d for d, _ in shown)
    assert sorted(shown) == expected
    # the first closing, chapter 25 on 18 December 2012, leads; chapter 26 follows on the day
    # its sources give (one source said only "April 2013": a claim of it, not a second row)
    assert shown[0] == ("2012-12-18", 25)
    assert shown[1] == ("2013-04-15", 26)
    # a date known to the month reads as the month, never as its first day
    june = [
        r
        for r in p.rows
        if r.attrs.get("data-date") == "2015-06"
        and r.attrs.get("data-type") == "IntergovernmentalConference"
    ]
    assert june and june[0].text.startswith("June 2015"), [r.text for r in june]
    chapter_rows = {r.attrs["data-chapter"]: r for r in p.rows if "data-chapter" in r.attrs}
    closed = {n for _, n in expected}
    assert {
        int(k) for k, r in chapter_rows.items() if r.attrs["data-status"] == "provisionally closed"
    } == closed


def test_country_page_status_defence_ties_and_blocks(client):
    p = page(client, "/id/country/MNE")
    assert "Accession status: Negotiating since 29 June 2012" in p.text
    nato = [r for r in p.rows if r.attrs.get("data-type") == "NATOAccession"]
    assert nato and nato[0].text.startswith("5 June 2017")
    assert any(r.attrs.get("data-type") == "PartnershipForPeaceAccession" for r in p.rows)
    blocks = [r for r in p.rows if r.attrs.get("data-scope") == "chapter"]
    assert any("Chapter 31" in b.text and "Croatia" in b.text for b in blocks)
    assert ("/id/country/HRV", "Croatia") in p.links


def test_pages_show_labels_not_iris(client, app):
    fact = select(
        app,
        "SELECT (MIN(STR(?f)) AS ?x) WHERE { ?f a enl:ChapterProvisionallyClosed ; "
        "enl:chapter <https://w3id.org/eu-enlargement/id/chapter/26> }",
    )[0]["x"]
    p = page(client, "/" + str(fact)[len(BASE) :])
    assert ("/id/chapter/26", "Chapter 26: Education and culture") in p.links
    assert ("/id/country/MNE", "Montenegro") in p.links
    for href, text in p.links:
        assert not text.startswith(BASE), (href, text)  # a link reads as a label
    assert "April 2013" in p.text and "2013-04-01" not in p.text.replace(str(fact), "")


def test_chapter_page_lists_every_country_status(client):
    p = page(client, "/id/chapter/31")
    rows = [r for r in p.rows if "data-country" in r.attrs]
    assert {r.attrs["data-country"].rsplit("/", 1)[-1] for r in rows} == set(TEN)
    by = {r.attrs["data-country"].rsplit("/", 1)[-1]: r for r in rows}
    assert by["MNE"].attrs["data-status"] == "opened"
    assert by["MNE"].attrs.get("data-blocked") == "true" and "Croatia" in by["MNE"].text
    assert "24 June 2014" in by["MNE"].text
    assert by["BIH"].attrs["data-status"] == "not opened"
    assert by["TUR"].attrs.get("data-blocked") == "true"  # Cyprus, since 2009
    for r in rows:
        if r.attrs["data-status"] != "not opened":  # every status date has its sources
            assert any(h.startswith(("http://", "https://")) for h, _ in r.children), r.text
    p25 = page(client, "/id/chapter/25")
    mne = [r for r in p25.rows if r.attrs.get("data-country") == MNE][0]
    assert mne.attrs["data-status"] == "provisionally closed"
    assert "18 December 2012" in mne.text


def test_source_page_lists_the_facts_citing_it(client, app):
    src = select(
        app,
        """SELECT ?s (COUNT(DISTINCT ?f) AS ?n) WHERE {
        ?f dcterms:source ?s ; enl:country ?c } GROUP BY ?s ORDER BY DESC(?n) STR(?s) LIMIT 1""",
    )[0]
    iri, n = str(src["s"]), int(src["n"])
    meta = select(
        app,
        """SELECT ?s ?title ?url ?pub WHERE { ?s dcterms:title ?title ;
        <https://schema.org/url> ?url ; dcterms:publisher/skos:prefLabel ?pub }""",
        s=URIRef(iri),
    )[0]
    p = page(client, "/" + iri[len(BASE) :])
    assert p.h1.strip() == str(meta["title"])
    assert (str(meta["url"]), str(meta["url"])) in p.links
    assert str(meta["pub"]) in p.text
    facts = {r.attrs["data-iri"] for r in p.rows if r.attrs.get("data-iri")}
    assert len(facts) == n


def test_home_page(client):
    p = page(client, "/")
    rows = [r for r in p.rows if "data-country" in r.attrs]
    assert sorted(r.attrs["data-country"] for r in rows) == sorted(TEN)
    statuses = {"Applicant", "Potential candidate", "Candidate", "Negotiating", "Halted or frozen"}
    for r in rows:
        assert any(s in r.text for s in statuses), r.text
    mne = [r for r in rows if r.attrs["data-country"] == "MNE"][0]
    assert "Negotiating" in mne.text and "29 June 2012" in mne.text
    hrefs = {h for h, _ in p.links}
    for target in (
        "/sparql",
        "/queries",
        "/ontology",
        "/-/validation",
        "/export/",
        "/catalog",
        "/context.jsonld",
        "/id/country/MNE",
        "/id/cluster/6",
    ):
        assert target in hrefs, target
    assert {f"/id/chapter/{n}" for n in range(1, 36)} <= hrefs


def test_generic_page_groups_what_refers_to_it(client):
    p = page(client, "/id/claim-rank/normal")
    assert p.h1.strip() == "Normal"
    claims = [h for h, _ in p.links if h.startswith("/id/fact/")]
    assert len(claims) > 20


def test_named_graph_page(client):
    p = page(client, "/graph/kg/facts/XKX")
    assert "kg/facts/XKX" in p.h1
    assert any(h.startswith("/id/fact/XKX/") for h, _ in p.links)
    for suffix in (".ttl", ".jsonld", ".nt", ".rdf"):
        assert ("/graph/kg/facts/XKX" + suffix) in {h for h, _ in p.links}
    for r in p.rows:
        assert not r.text.startswith(BASE)


def test_day_dates_read_as_people_write_them(client):
    p = page(client, "/id/country/MNE")
    for r in p.rows:
        if r.tag == "tr" and r.attrs.get("data-date"):
            date_text = r.text.split("  ")[0]
            assert not re.match(r"^\d{4}-\d{2}-\d{2}", date_text), r.text
    assert any(DAY.match(" ".join(r.text.split()[:3])) for r in p.rows if r.tag == "tr")
