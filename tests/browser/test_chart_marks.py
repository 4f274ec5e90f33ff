"""The charts as a browser draws them: on the country page of three countries each inline
chart has one ``.mark`` per row of the data it is drawn from, counted here from the canned
queries' answers (the service's own ``/queries/<name>.json``), not from the charts' code;
and the marks are visible, with a title a screen reader and a tooltip give."""

from __future__ import annotations

import pytest
import requests
from support import charts as support_charts
from support.charts import CHARTS

pytestmark = [pytest.mark.live, pytest.mark.slow]

COUNTRIES = ("MNE", "SRB", "UKR")


def canned(site: str, name: str, **args: str) -> list[dict[str, str]]:
    r = requests.get(f"{site}/queries/{name}.json", params=args, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def expected_marks(site: str, code: str) -> dict[str, int]:
    return {
        c: support_charts.expected_marks(lambda n, **a: canned(site, n, **a), c, code)
        for c in CHARTS
    }


@pytest.mark.parametrize("code", COUNTRIES)
def test_each_chart_has_a_mark_per_row(page, site, code):
    expected = expected_marks(site, code)
    page.goto(f"{site}/id/country/{code}")
    drawn = {}
    for chart in CHARTS:
        svg = page.locator(f"svg#chart-{chart}-{code}")
        assert svg.count() == 1, chart
        svg.scroll_into_view_if_needed()
        assert svg.is_visible() and svg.bounding_box()["width"] > 200
        marks = svg.locator(".mark")
        drawn[chart] = marks.count()
        titles = marks.evaluate_all(
            "ms => ms.map(m => (m.querySelector('title') || {}).textContent || '')"
        )
        assert all(t.strip() for t in titles), chart
        boxes = marks.evaluate_all(
            "ms => ms.filter(m => {const b = m.getBoundingClientRect();"
            " return b.width > 0 || b.height > 0}).length"
        )
        assert boxes == drawn[chart], chart  # every mark is drawn, none of zero size
    assert drawn == expected
    assert sum(drawn.values()) > 0
    assert page.console.errors == [] and page.console.csp_violations() == []
