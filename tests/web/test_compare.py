"""``/compare``: the ten countries x the 35 chapters and x the six clusters on a day, each
cell coloured and lettered by status and linking to the facts behind it; the same cells as
CSV and JSON (by suffix or ``Accept``); the chapter names in the headers; small and fast
once rendered. And the chapter's name beside its number in the canned queries' answers."""

from __future__ import annotations

import csv
import io
import time
from html.parser import HTMLParser

import pytest

from enlargement_kg.core.queries import catalogue

TEN = ("ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX")


class Matrix(HTMLParser):
    """The cells of the two tables: (table id, country, chapter or cluster) -> the cell's
    attributes and its links; and the column headers."""

    def __init__(self, text: str):
        super().__init__()
        self.cells: dict[tuple[str, str, str], dict] = {}
        self.heads: list[dict] = []
        self.table = self.country = ""
        self.cell: dict | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id", "")
        elif tag == "tr" and "data-country" in a:
            self.country = a["data-country"]
        elif tag == "th" and a.get("scope") == "col":
            self.heads.append({"table": self.table, **a, "links": []})
        elif tag == "td" and self.country:
            key = a.get("data-chapter") or a.get("data-cluster")
            self.cell = self.cells[(self.table, self.country, key)] = {**a, "links": []}
        elif tag == "a" and self.cell is not None:
            self.cell["links"].append(a)
        elif tag == "abbr" and self.heads:
            self.heads[-1]["abbr"] = a.get("title", "")

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None


def matrix(client, query: str = "") -> Matrix:
    r = client.get("/compare" + query, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.status_code
    assert r.mimetype == "text/html"
    return Matrix(r.get_data(as_text=True))


def chapters(m: Matrix) -> dict[tuple[str, int], dict]:
    return {(c, int(k)): v for (t, c, k), v in m.cells.items() if t == "chapter-matrix"}


def test_ten_rows_35_chapters_6_clusters_with_names_in_the_headers(client):
    m = matrix(client)
    cells = chapters(m)
    assert {c for c, _ in cells} == set(TEN)
    assert {n for _, n in cells} == set(range(1, 36))
    assert len(cells) == 350
    clusters = [k for k in m.cells if k[0] == "cluster-matrix"]
    assert len(clusters) == 60
    heads = [h for h in m.heads if h["table"] == "chapter-matrix" and "data-chapter" in h]
    assert len(heads) == 35
    assert heads[4]["abbr"] == "Chapter 5: Public procurement"
    assert {"scope": "col"}.items() <= heads[0].items()
    text = client.get("/compare", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert text.count('<th scope="row">') == 20  # ten countries, two tables
    assert "Foreign, security and defence policy" in text  # the names, in words too


def test_every_cell_is_lettered_and_links_to_its_facts(client):
    letters = {"not-opened": "·", "opened": "O", "provisionally-closed": "C"}
    for (_country, _n), cell in chapters(matrix(client)).items():
        assert cell["data-status"] in letters
        if cell["data-status"] != "not-opened" or cell.get("data-blocked"):
            assert cell["links"] and cell["links"][0]["href"].startswith("/id/fact/"), cell
            assert cell["links"][0]["title"].startswith("Chapter ")


def test_the_day_changes_the_cells(client):
    """Montenegro opened and provisionally closed chapter 25 on 18 December 2012."""
    before = chapters(matrix(client, "?date=2012-12-17"))
    on = chapters(matrix(client, "?date=2012-12-18"))
    assert before[("MNE", 25)]["data-status"] == "not-opened"
    assert on[("MNE", 25)]["data-status"] == "provisionally-closed"
    assert on[("MNE", 25)]["links"][0]["title"].endswith("since 18 December 2012")
    june = chapters(matrix(client, "?date=2015-06-01"))[("MNE", 9)]  # opened "June 2015"
    assert june["data-status"] == "opened"
    assert june["links"][0]["title"] == "Chapter 9: Financial services: opened since June 2015"


@pytest.mark.parametrize("day", ["2012-12-18", "2025-12-31"])
def test_csv_and_json_hold_the_cells_of_the_page(client, day):
    cells = chapters(matrix(client, f"?date={day}"))
    r = client.get(f"/compare.csv?date={day}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == 350
    assert list(rows[0]) == [
        "country",
        "countryName",
        "chapter",
        "chapterName",
        "cluster",
        "status",
        "blocked",
        "since",
        "facts",
    ]
    for row in rows:
        cell = cells[(row["country"], int(row["chapter"]))]
        assert row["status"] == cell["data-status"]
        assert (row["blocked"] == "true") == ("data-blocked" in cell)
        if row["facts"]:
            first = row["facts"].split()[0]
            assert first.endswith(cell["links"][0]["href"])
    doc = client.get(f"/compare.json?date={day}").get_json()
    assert doc["date"] == day and len(doc["countries"]) == 10 and len(doc["chapters"]) == 35
    assert doc["chapters"][30]["name"] == "Foreign, security and defence policy"
    as_csv = [
        {**c, "blocked": "true" if c["blocked"] else "false", "facts": " ".join(c["facts"])}
        for c in doc["chapterCells"]
    ]
    norm = [{k: "" if v is None else str(v) for k, v in c.items()} for c in as_csv]
    assert norm == rows
    clusters = list(
        csv.DictReader(io.StringIO(client.get(f"/compare.csv?date={day}&table=clusters").text))
    )
    assert len(clusters) == 60 == len(doc["clusterCells"])
    html = matrix(client, f"?date={day}")
    for row in clusters:
        assert (
            row["state"]
            == html.cells[("cluster-matrix", row["country"], row["cluster"])]["data-state"]
        )


def test_the_canned_query_agrees(client):
    """The page and ``chapter-status`` follow one rule on a day (a month counts from its
    first day)."""
    for day in ("2015-06-01", "2025-12-31"):
        cells = chapters(matrix(client, f"?date={day}"))
        r = client.get("/queries/chapter-status.json", query_string={"country": "MNE", "date": day})
        for b in r.get_json()["results"]["bindings"]:
            n = int(b["chapter"]["value"])
            assert cells[("MNE", n)]["data-status"] == b["status"]["value"], (day, n)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv", "text/csv"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
    ],
)
def test_content_negotiation(client, accept, media):
    r = client.get("/compare", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media
    assert "Accept" in r.headers["Vary"]


def test_bad_input_is_a_4xx_with_the_reason(client):
    r = client.get("/compare.json?date=2015-06")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.get_json()["error"]["message"]
    assert client.get("/compare?date=2025-02-30").status_code == 400
    assert client.get("/compare.csv?table=countries").status_code == 400
    assert client.get("/compare.xlsx").status_code == 404
    assert client.get("/compare", headers={"Accept": "image/png"}).status_code == 406


def test_revalidation_and_links_from_home_and_nav(client):
    first = client.get("/compare.csv?date=2020-01-01")
    again = client.get(
        "/compare.csv?date=2020-01-01", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert home.count('href="/compare"') >= 3  # the nav, the countries' table, explore


def test_small_and_fast_when_warm(client):
    for path in ("/compare", "/compare.json", "/compare.csv"):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200 and len(r.data) < 300_000, (path, len(r.data))
        times = []
        for _ in range(10):
            t = time.perf_counter()
            client.get(path, headers={"Accept": "text/html"})
            times.append(time.perf_counter() - t)
        assert sorted(times)[5] < 0.050, (path, times)


NUMBERED = ["chapter-status", "blocked-chapters", "country-timeline", "interim-benchmarks"]


@pytest.mark.parametrize("name", [*NUMBERED, "preparation-levels"])
def test_canned_queries_name_the_chapters_they_number(client, name):
    q = catalogue()[name]
    assert "chapterName" in q.columns
    r = client.get(f"/queries/{name}.json", query_string=q.example_args())
    rows = r.get_json()["results"]["bindings"]
    numbered = [b for b in rows if "chapter" in b]
    if name in NUMBERED:
        assert numbered, name
    for b in numbered:
        assert b["chapterName"]["value"], b
        n = b["chapter"]["value"]
        if n.isdigit():
            assert not b["chapterName"]["value"].startswith("Chapter "), b
    if name == "chapter-status":
        names = {b["chapter"]["value"]: b["chapterName"]["value"] for b in rows}
        assert names["31"] == "Foreign, security and defence policy"
