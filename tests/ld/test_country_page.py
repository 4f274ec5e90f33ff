"""A country's page answers at a glance: the summary first (status, the 35 chapters as a grid
on a day the reader picks, the clusters, the blocks in force), then defence ties, the charts,
and the accession timeline by year, folded but for the latest. Dates keep their precision:
a chapter opened in "June 2015" counts from 1 June 2015 and reads "June 2015"."""

from __future__ import annotations

import re
import time

from rdflib import URIRef
from support.ld import BASE, Page, select

MNE = BASE + "id/country/MNE"
DAY_OF_JUNE = re.compile(r"\b\d{1,2} June 2015\b")


def html(client, path: str) -> str:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def cells(page: Page) -> dict[int, object]:
    return {int(r.attrs["data-chapter"]): r for r in page.rows if "data-chapter" in r.attrs}


def test_sections_come_in_order(client):
    text = html(client, "/id/country/MNE")
    marks = [
        'id="summary"',
        'class="accession-status"',
        'class="grid"',
        'class="clusters"',
        'id="blocks"',
        'id="defence"',
        'id="charts"',
        'id="timeline"',
        'id="data"',
    ]
    where = [text.find(m) for m in marks]
    assert -1 not in where, dict(zip(marks, where, strict=True))
    assert where == sorted(where), dict(zip(marks, where, strict=True))


def test_the_grid_has_35_chapters_with_numbers_names_and_the_facts_behind_them(client):
    p = Page(html(client, "/id/country/MNE"))
    grid = cells(p)
    assert sorted(grid) == list(range(1, 36))
    for n, cell in grid.items():
        hrefs = [h for h, _ in cell.children]
        assert f"/id/chapter/{n}" in hrefs, n
        assert cell.attrs["title"].startswith(f"Chapter {n}: "), cell.attrs["title"]
        name = cell.attrs["title"].split(": ")[1]
        assert name in cell.text, (n, cell.text)  # the name is on the page, not only a tooltip
        if cell.attrs["data-status"] != "not opened":  # the fact that set its status
            assert any(h.startswith("/id/fact/MNE/") for h in hrefs), cell.text
    assert grid[31].attrs.get("data-blocked") == "true"  # Croatia's block on chapter 31
    assert any(h.startswith("/id/fact/") for h, _ in grid[31].children)
    legend = p.text
    for words in ("provisionally closed", "opened", "not opened", "blocked (striped)"):
        assert words in legend


def test_the_date_form_works_without_javascript(client):
    text = html(client, "/id/country/MNE?date=2014-01-01")
    form = re.search(r'<form method="get" action="/id/country/MNE"[^>]*>.*?</form>', text, re.S)
    assert form, "a GET form back to the page"
    assert '<label for="date">' in form.group(0)
    assert re.search(r'<input type="date" id="date" name="date" value="2014-01-01"', form.group(0))
    assert "<script" not in text


def test_the_day_changes_the_cells(client, app):
    """Chapter 25 was opened and provisionally closed on 18 December 2012."""
    rows = select(
        app,
        """SELECT ?c ?d WHERE { ?f a enl:ChapterProvisionallyClosed ; enl:country ?c ;
           enl:chapter <https://w3id.org/eu-enlargement/id/chapter/25> ; dcterms:date ?d }""",
        c=URIRef(MNE),
    )
    assert [str(r["d"]) for r in rows] == ["2012-12-18"]
    before = cells(Page(html(client, "/id/country/MNE?date=2012-12-17")))
    on = cells(Page(html(client, "/id/country/MNE?date=2012-12-18")))
    assert before[25].attrs["data-status"] == "not opened"
    assert on[25].attrs["data-status"] == "provisionally closed"
    assert "18 December 2012" in on[25].text
    assert {c.attrs["data-status"] for c in before.values()} == {"not opened"}
    now = Page(html(client, "/id/country/MNE"))
    assert "Accession status: Negotiating since 29 June 2012" in now.text
    assert sum(1 for c in cells(now).values() if c.attrs["data-status"] != "not opened") >= 30


def test_a_month_counts_from_its_first_day_and_is_never_shown_as_a_day(client, app):
    """Chapter 9 (Financial services) was opened in June 2015, a date known to the month."""
    rows = select(
        app,
        """SELECT ?c ?d WHERE { ?f a enl:ChapterOpened ; enl:country ?c ;
           enl:chapter <https://w3id.org/eu-enlargement/id/chapter/9> ; dcterms:date ?d }""",
        c=URIRef(MNE),
    )
    assert [str(r["d"]) for r in rows] == ["2015-06"]
    may = cells(Page(html(client, "/id/country/MNE?date=2015-05-31")))
    first = Page(html(client, "/id/country/MNE?date=2015-06-01"))
    assert may[9].attrs["data-status"] == "not opened"
    june = cells(first)[9]
    assert june.attrs["data-status"] == "opened"
    assert "June 2015" in june.text and not DAY_OF_JUNE.search(june.text)
    assert not DAY_OF_JUNE.search(june.attrs["title"])
    for cell in cells(first).values():  # no cell turns June 2015 into a day
        assert not DAY_OF_JUNE.search(cell.text), cell.text


def test_clusters_and_blocks_on_the_day(client):
    p = Page(html(client, "/id/country/MNE"))
    clusters = {r.attrs["data-cluster"]: r for r in p.rows if "data-cluster" in r.attrs}
    assert sorted(clusters) == [str(n) for n in range(1, 7)]
    assert all(r.attrs["data-state"] != "not-opened" for r in clusters.values())
    blocks = [r for r in p.rows if r.attrs.get("data-scope") == "chapter"]
    assert any(
        "Chapter 31" in b.text
        and "Foreign, security and defence policy" in b.text
        and "Croatia" in b.text
        for b in blocks
    )
    early = Page(html(client, "/id/country/MNE?date=2012-01-01"))
    assert not [r for r in early.rows if r.attrs.get("data-scope")]
    assert "None on this day." in early.text


def test_timeline_by_year_only_the_latest_open(client):
    text = html(client, "/id/country/MNE")
    years = re.findall(r'<details class="year" id="year-(\d{4}|undated)"( open)?>', text)
    assert len(years) > 5
    dated = [y for y, _ in years if y != "undated"]
    assert dated == sorted(dated)
    assert [y for y, o in years if o] == [dated[-1]]
    rows = [r for r in Page(text).rows if r.attrs.get("data-table") == "timeline"]
    assert [r.attrs["data-date"] for r in rows] == sorted(r.attrs["data-date"] for r in rows)
    for r in rows:  # each row sits in its year's group
        assert r.attrs["data-date"][:4] in dated


def test_a_bad_date_is_a_400_that_says_why(client):
    for bad in ("2015-06", "2025-02-30", "tomorrow"):
        r = client.get(f"/id/country/MNE?date={bad}", headers={"Accept": "text/html"})
        assert r.status_code == 400, bad
        assert "YYYY" in r.get_data(as_text=True) or "not a valid date" in r.get_data(as_text=True)
    # the data formats take no date: the same graph whatever the day
    assert client.get("/id/country/MNE.ttl?date=2015-06").status_code == 200
    r = client.get("/id/country/MNE?date=2015-06", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200


def test_small_and_fast_when_warm(client):
    """Under 300 KB, and under 50 ms once rendered (the page cache, per graph version and
    day); the page is much shorter than before: the timeline's years are folded."""
    for code in ("MNE", "SRB", "TUR", "UKR"):
        body = client.get(f"/id/country/{code}", headers={"Accept": "text/html"}).data
        assert len(body) < 300_000, (code, len(body))
        times = []
        for _ in range(10):
            t = time.perf_counter()
            r = client.get(f"/id/country/{code}", headers={"Accept": "text/html"})
            times.append(time.perf_counter() - t)
            assert r.status_code == 200
        assert sorted(times)[5] < 0.050, (code, times)
