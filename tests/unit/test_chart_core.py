"""The charts' core (``core/charts.py``, ``chart_axes.py``, ``chart_timeline.py``) on hand-built
rows: scales and ticks, dates placed at their precision, one mark per row, text escaped, a
chart without rows saying so."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from enlargement_kg.core import chart_axes as ax
from enlargement_kg.core import charts
from enlargement_kg.core.chart_timeline import milestone_rows, stagger

SVG = "{http://www.w3.org/2000/svg}"


def marks(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [e for e in root.iter() if "mark" in (e.get("class") or "").split()]


def test_scale_maps_domain_onto_range():
    s = ax.Scale(2000, 2010, 100, 200)
    assert (s(2000), s(2005), s(2010)) == (100, 150, 200)
    up = ax.Scale(0, 100, 250, 50)  # a y axis grows upwards
    assert (up(0), up(100)) == (250, 50)


@pytest.mark.parametrize(
    "lo,hi,most,expected",
    [
        (0, 100, 4, [0, 25, 50, 75, 100]),
        (0, 35, 7, [0, 5, 10, 15, 20, 25, 30, 35]),
        (0, 1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_linear_ticks(lo, hi, most, expected):
    assert ax.linear_ticks(lo, hi, most) == pytest.approx(expected)
    assert len(ax.linear_ticks(lo, hi, most)) <= most + 1


@pytest.mark.parametrize(
    "lo,hi,most,expected",
    [
        (2018.6, 2025.4, 12, [2019, 2020, 2021, 2022, 2023, 2024, 2025]),
        (1993.5, 2026.5, 12, [1995, 2000, 2005, 2010, 2015, 2020, 2025]),
        (1951.5, 2026.5, 10, [1960, 1970, 1980, 1990, 2000, 2010, 2020]),
    ],
)
def test_year_ticks_are_whole_years(lo, hi, most, expected):
    assert ax.year_ticks(lo, hi, most) == expected


def test_a_date_is_placed_as_the_period_it_names():
    assert ax.period("2019") == (2019.0, 2020.0)
    june = ax.period("2015-06")
    assert june[0] == pytest.approx(2015 + 151 / 365) and june[1] == pytest.approx(2015 + 181 / 365)
    assert ax.period("2020-12") == (pytest.approx(2020 + 335 / 366), 2021.0)
    day = ax.period("2013-04-15")
    assert day[1] - day[0] == pytest.approx(1 / 365)
    assert ax.between("2021-06", "2022-06")[1] == pytest.approx(2022 + 181 / 365)


def test_time_domain_is_at_least_two_years():
    lo, hi = ax.time_domain([(2024.0, 2025.0)])
    assert hi - lo == pytest.approx(2.0) and lo < 2024 and hi > 2025


def test_stagger_never_overlaps_on_a_level():
    extents = [(0, 50), (40, 90), (45, 60), (95, 140), (100, 110), None]
    levels = stagger(extents)
    assert levels[-1] == -1
    for i, a in enumerate(extents):
        for j, b in enumerate(extents[:i]):
            if a and b and levels[i] == levels[j]:
                assert a[0] >= b[1] or b[0] >= a[1]


CFSP = [
    {"year": "2019", "rate": "57", "measuredBy": "isac", "periodStart": "2019",
     "periodEnd": "2019", "date": "2020-03-09", "source": "https://a.example/1"},
    {"year": "2022", "rate": "45", "measuredBy": "european-commission", "periodStart": "2021-06",
     "periodEnd": "2022-06", "date": "2022-10-12", "source": "https://b.example/2"},
    {"year": "2023", "rate": "52", "measuredBy": "isac", "periodStart": "2023-01",
     "periodEnd": "2023-06", "date": "2023-08-10", "source": "https://a.example/3"},
]  # fmt: skip


def test_cfsp_one_mark_per_rate_at_its_period():
    chart = charts.cfsp_chart(
        CFSP, code="SRB", country="Serbia", bodies={"isac": "ISAC <Fund> & co"}
    )
    ms = marks(chart.svg)
    assert len(ms) == len(CFSP) == len(chart.rows)
    assert [m.get("data-date") for m in ms] == ["2021-06/2022-06", "2019", "2023-01/2023-06"]
    assert {m.get("data-series") for m in ms} == {"isac", "european-commission"}
    assert all(m.find(SVG + "title") is not None for m in ms)
    tip = ms[0].find(SVG + "title").text
    assert "45%" in tip and "June 2021 – June 2022" in tip and "https://b.example/2" in tip
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-cfsp-SRB-title chart-cfsp-SRB-desc"
    assert "ISAC <Fund> & co" in "".join(root.itertext())  # escaped, parsed back


def test_cfsp_series_differ_by_more_than_colour():
    chart = charts.cfsp_chart(CFSP, code="SRB", country="Serbia", bodies={})
    ms = marks(chart.svg)
    by_series = {m.get("data-series"): (m.tag, m.get("fill")) for m in ms}
    (t1, c1), (t2, c2) = by_series.values()
    assert t1 != t2 and c1 != c2


TIMELINE = [
    {"date": "2012-06-29", "event": "intergovernmental-conference", "label": "X: IGC",
     "chapter": "", "cluster": "", "source": "https://s/1"},
    {"date": "2012-12-18", "event": "chapter-opened", "label": "X: opened", "chapter": "25",
     "cluster": "", "source": "https://s/2"},
    {"date": "2012-12-18", "event": "chapter-provisionally-closed", "label": "X: closed",
     "chapter": "25", "cluster": "", "source": "https://s/3"},
    {"date": "2015-06", "event": "chapter-opened", "label": "X: opened", "chapter": "9",
     "cluster": "", "source": "https://s/4"},
    {"date": "2015-06-20", "event": "chapter-opened", "label": "X: opened", "chapter": "9",
     "cluster": "", "source": "https://s/5"},
    {"date": "2022-07-19", "event": "cluster-opened", "label": "X: cluster 1", "chapter": "",
     "cluster": "1", "source": "https://s/6"},
    {"date": "2008", "event": "membership-application", "label": "X: Membership <application>",
     "chapter": "", "cluster": "", "source": "https://s/7"},
]  # fmt: skip
CLUSTERS = {5: 1, 23: 1, 24: 1, 9: 2, 25: 3}


def test_chapter_steps_count_chapters_from_their_first_event():
    rows = charts.chapter_steps(TIMELINE, CLUSTERS)
    opened = [
        (r["date"], r["added"], r["total"], r["chapters"]) for r in rows if r["series"] == "opened"
    ]
    assert opened == [
        ("2012-12-18", "1", "1", "25"),
        ("2015-06", "1", "2", "9"),  # the month, not the later day
        ("2022-07-19", "3", "5", "5, 23, 24"),  # cluster 1 opens its chapters
    ]
    closed = [(r["date"], r["total"]) for r in rows if r["series"] == "closed"]
    assert closed == [("2012-12-18", "1")]


def test_a_month_is_drawn_as_a_span_never_a_day():
    chart = charts.chapters_chart(TIMELINE, CLUSTERS, code="MNE", country="M", until="2026-12-03")
    ms = marks(chart.svg)
    assert len(ms) == len(chart.rows) == 4
    june = [m for m in ms if m.get("data-date") == "2015-06"]
    assert len(june) == 1 and june[0].tag == SVG + "rect"
    assert june[0].get("data-precision") == "month"
    assert "June 2015" in june[0].find(SVG + "title").text
    assert all(len(m.get("data-date")) == 10 for m in ms if m.get("data-precision") == "day")


def test_timeline_lanes_and_escaped_labels():
    nato = [{"code": "MNE", "kind": "nato-membership", "since": "2017-06-05"},
            {"code": "SRB", "kind": "partnership-for-peace", "since": "2006-12-14"}]  # fmt: skip
    sdp = [{"code": "MNE", "signed": "2024-05", "source": "https://s/8"}]
    safe = [{"code": "ALB", "status": "associated", "since": "2025", "source": "https://s/9"}]
    rows = milestone_rows(TIMELINE, nato, sdp, safe, code="MNE")
    assert [r["event"] for r in rows] == [
        "membership-application",
        "intergovernmental-conference",
        "nato-membership",
        "cluster-opened",
        "sdp-signed",
    ]
    chart = charts.timeline_chart(TIMELINE, nato, sdp, safe, code="MNE", country="Montenegro")
    ms = marks(chart.svg)
    assert len(ms) == 5
    assert {m.get("data-lane") for m in ms} == {"accession", "igc", "security", "clusters"}
    year = next(m for m in ms if m.get("data-event") == "membership-application")
    assert year.tag == SVG + "rect" and year.get("data-date") == "2008"
    assert "Membership <application>: 2008 (known to the year)" in year.find(SVG + "title").text


def test_preparation_cells_merge_sources_and_mark_gaps():
    rows = [
        {"year": "2024", "chapter": "31", "level": "Good", "rank": "7", "change": "",
         "source": "https://s/a"},
        {"year": "2024", "chapter": "31", "level": "Good", "rank": "7", "change": "",
         "source": "https://s/b"},
        {"year": "2025", "chapter": "30", "level": "Some", "rank": "3", "change": "",
         "source": "https://s/c"},
    ]  # fmt: skip
    chart = charts.preparation_chart(
        rows,
        code="UKR",
        country="Ukraine",
        names={30: "Chapter 30: External relations", 31: "Chapter 31: <CFSP>"},
        years=range(2019, 2026),
        has_report=lambda y: y >= 2023,
    )
    assert len(chart.rows) == 2 and chart.rows[0]["source"] == "https://s/a | https://s/b"
    ms = marks(chart.svg)
    assert len(ms) == 2 and {m.get("data-date") for m in ms} == {"2024", "2025"}
    root = ET.fromstring(chart.svg)
    gaps = [e for e in root.iter() if e.get("class") == "gap"]
    assert len(gaps) == 2 * 7 - 2
    titles = [g.find(SVG + "title").text for g in gaps]
    assert sum("no report" in t for t in titles) == 2 * 4
    assert sum(t.endswith("no data") for t in titles) == 2 * 3 - 2
    assert "2 of 99 chapter grades" in "".join(root.itertext())


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.cfsp_chart([], code="XKX", country="Kosovo", bodies={}),
        lambda: charts.chapters_chart([], {}, code="XKX", country="Kosovo", until="2026-01-01"),
        lambda: charts.preparation_chart(
            [], code="XKX", country="Kosovo", names={}, years=[2024], has_report=lambda y: True
        ),
        lambda: charts.timeline_chart([], [], [], [], code="XKX", country="Kosovo"),
    ],
)
def test_no_rows_says_so_instead_of_an_empty_axis(make):
    chart = make()
    root = ET.fromstring(chart.svg)
    assert not marks(chart.svg) and not chart.rows
    assert not [e for e in root.iter() if "axis" in (e.get("class") or "")]
    assert "Kosovo" in root.find(SVG + "desc").text
    assert root.find(f".//{SVG}text[@class='no-data']") is not None
