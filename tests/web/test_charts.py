"""``/charts``: each chart of each of the ten countries, on the real graph, is well-formed SVG
with one mark per row of the data it is drawn from (counted here from the canned queries,
independently of core/charts.py), dates at their precision, its data link answering those
rows, under 300 KB; a country without data gets a chart saying so."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET

import pytest
from support import charts as support_charts
from support.charts import CHARTS

from enlargement_kg.core import dates

SVG = "{http://www.w3.org/2000/svg}"
CODES = ("ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX")


def canned(client, name: str, **args) -> list[dict[str, str]]:
    r = client.get(f"/queries/{name}.json", query_string=args)
    assert r.status_code == 200, r.data
    return [{k: v["value"] for k, v in b.items()} for b in r.get_json()["results"]["bindings"]]


def expected_marks(client, chart: str, code: str) -> int:
    return support_charts.expected_marks(lambda n, **a: canned(client, n, **a), chart, code)


def marks(svg: bytes) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [e for e in root.iter() if "mark" in (e.get("class") or "").split()]


@pytest.mark.parametrize("chart", CHARTS)
def test_every_country_chart(client, chart):
    for code in CODES:
        r = client.get(f"/charts/{chart}/{code}.svg")
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
        assert len(r.data) < 300_000
        root = ET.fromstring(r.data)  # well-formed
        assert root.tag == SVG + "svg" and root.get("role") == "img"
        assert root.find(SVG + "title").text and root.find(SVG + "desc").text
        ms = marks(r.data)
        assert len(ms) == expected_marks(client, chart, code), (chart, code)
        for m in ms:
            assert m.find(SVG + "title").text.strip()
            assert any(k.startswith("data-") for k in m.attrib)
            for part in m.get("data-date").split("/"):
                dates.parse(part)  # a date at its precision, never a made-up day
        if not ms:
            assert root.find(f".//{SVG}text[@class='no-data']") is not None
            assert not [e for e in root.iter() if "axis" in (e.get("class") or "")]


def test_month_precision_is_never_placed_on_a_day(client):
    """Montenegro opened chapters 9 and 21 in "June 2015" (a month): the step is a bar
    across the month, dated 2015-06, not a point on a day."""
    ms = marks(client.get("/charts/chapters/MNE.svg").data)
    june = [m for m in ms if m.get("data-date") == "2015-06"]
    assert len(june) == 1 and june[0].tag == SVG + "rect"
    assert june[0].get("data-precision") == "month" and "June 2015" in june[0][0].text
    timeline = {r["date"] for r in canned(client, "country-timeline", country="MNE")}
    assert {m.get("data-date") for m in ms} <= timeline
    for chart in ("chapters", "timeline"):
        for code in CODES:
            for m in marks(client.get(f"/charts/{chart}/{code}.svg").data):
                if m.get("data-precision") in ("month", "year"):
                    assert m.tag == SVG + "rect", (chart, code, m.attrib)


def centre_x(m: ET.Element) -> float:
    if m.get("cx"):
        return float(m.get("cx"))
    if m.get("points"):
        xs = [float(p.split(",")[0]) for p in m.get("points").split()]
        return (min(xs) + max(xs)) / 2
    return float(m.get("x")) + float(m.get("width")) / 2


def test_cfsp_points_sit_inside_the_period_they_cover(client):
    """A rate for a year (or a half-year) is a point in that period, with a line spanning
    the whole period: "2019" is never shown as a day."""
    for code in CODES:
        children = list(ET.fromstring(client.get(f"/charts/cfsp/{code}.svg").data))
        for i, m in enumerate(children):
            if m.get("class") != "mark":
                continue
            span, x = children[i - 1], centre_x(m)
            assert span.get("class") == "span"
            assert float(span.get("x1")) <= x <= float(span.get("x2"))
            assert "T" not in m.get("data-date") and m.get("data-date").count("-") <= 2


@pytest.mark.parametrize("chart", CHARTS)
def test_data_link_answers_the_rows_drawn(client, chart):
    for code in ("MNE", "SRB", "UKR", "XKX"):
        n = len(marks(client.get(f"/charts/{chart}/{code}.svg").data))
        r = client.get(f"/charts/{chart}/{code}.csv")
        assert r.status_code == 200 and r.mimetype == "text/csv"
        assert len(list(csv.DictReader(io.StringIO(r.data.decode())))) == n
        doc = client.get(f"/charts/{chart}/{code}.json").get_json()
        assert doc["chart"] == chart and doc["country"] == code and len(doc["rows"]) == n


def test_cfsp_rows_are_the_canned_query_rows(client):
    rows = canned(client, "cfsp-alignment", country="SRB")
    doc = client.get("/charts/cfsp/SRB.json").get_json()
    assert [(r["year"], r["rate"], r["measuredBy"]) for r in doc["rows"]] == [
        (r["year"], r["rate"], r["measuredBy"]) for r in rows
    ]


def test_country_page_embeds_the_charts(client):
    r = client.get("/id/country/MNE", headers={"Accept": "text/html"})
    assert r.status_code == 200 and len(r.data) < 300_000
    page = r.data.decode()
    for chart in CHARTS:
        assert f'id="chart-{chart}-MNE"' in page
        assert f'href="/charts/{chart}/MNE.csv"' in page


def test_charts_page_links_every_chart(client):
    r = client.get("/charts")
    assert r.status_code == 200 and len(r.data) < 300_000
    page = r.data.decode()
    for chart in CHARTS:
        for code in CODES:
            assert f'src="/charts/{chart}/{code}.svg"' in page
            assert f'href="/charts/{chart}/{code}.csv"' in page
    assert page.count("<img ") == page.count(' alt="') == 40


@pytest.mark.parametrize(
    "path,words",
    [
        ("/charts/pie/MNE.svg", "the charts are cfsp"),
        ("/charts/cfsp/FRA.svg", "the countries are ALB"),
        ("/charts/cfsp/MNE.png", "CODE.svg"),
        ("/charts/cfsp/%3Cscript%3E.svg", "no country"),
    ],
)
def test_bad_requests_get_404_with_a_reason(client, path, words):
    r = client.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert words in r.get_json()["error"]["message"]
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<script>" not in page.data.decode()


def test_revalidation_and_lower_case_code(client):
    r = client.get("/charts/timeline/mne.svg")
    assert r.status_code == 200 and r.headers["ETag"]
    again = client.get("/charts/timeline/MNE.svg", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_warm_render_is_fast(client):
    """Every chart warm (cached per graph version) well under the 50 ms page budget."""
    for chart in CHARTS:
        client.get(f"/charts/{chart}/MNE.svg")
        t0 = time.perf_counter()
        for _ in range(5):
            client.get(f"/charts/{chart}/MNE.svg")
        assert (time.perf_counter() - t0) / 5 < 0.05
