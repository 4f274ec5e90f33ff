"""``/compare`` in Chromium: ten rows (one per enlargement country) of 35 chapter cells and
of six cluster cells, as the JSON of the same day has them; the wide tables scroll from the
keyboard; the date picker moves the whole table to another day."""

from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.slow]

TEN = ["ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX"]


def rows(page, table: str) -> list[str]:
    return page.locator(f"table#{table} tbody tr").evaluate_all(
        "rs => rs.map(r => r.dataset.country)"
    )


def test_ten_rows_of_35_chapters_and_six_clusters(page, site, artefacts):
    page.goto(f"{site}/compare?date=2024-06-30")
    assert sorted(rows(page, "chapter-matrix")) == TEN
    assert sorted(rows(page, "cluster-matrix")) == TEN
    per_row = page.locator("table#chapter-matrix tbody tr").evaluate_all(
        "rs => rs.map(r => r.querySelectorAll('td[data-chapter]').length)"
    )
    assert per_row == [35] * 10
    per_row = page.locator("table#cluster-matrix tbody tr").evaluate_all(
        "rs => rs.map(r => r.querySelectorAll('td[data-cluster]').length)"
    )
    assert per_row == [6] * 10
    assert page.locator("table#chapter-matrix thead th[data-chapter]").count() == 35
    shown = page.locator("table#chapter-matrix td[data-chapter]").evaluate_all(
        "cs => cs.map(c => [c.closest('tr').dataset.country, c.dataset.chapter, c.dataset.status])"
    )
    doc = requests.get(f"{site}/compare.json", params={"date": "2024-06-30"}, timeout=30)
    assert doc.status_code == 200
    data = {(c["country"], str(c["chapter"])): c["status"] for c in doc.json()["chapterCells"]}
    assert len(shown) == 350
    assert {(c, ch): st.replace(" ", "-") for c, ch, st in shown} == data
    page.screenshot(path=artefacts / "compare-2024-06-30.png", full_page=True)
    assert page.console.errors == [] and page.console.csp_violations() == []


def test_the_wide_table_scrolls_from_the_keyboard(page, site):
    page.set_viewport_size({"width": 700, "height": 700})
    page.goto(f"{site}/compare")
    region = page.locator(".matrix-wrap").first
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-labelledby")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('matrix-wrap')")
    start = region.evaluate("e => e.scrollLeft")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("e => e.scrollLeft") > start


def test_an_earlier_day_changes_the_table(page, site):
    page.goto(f"{site}/compare?date=2024-06-30")
    later = page.locator("table#chapter-matrix td[data-status='opened']").count()
    page.get_by_label("Status on").fill("2012-01-01")
    with page.expect_navigation():
        page.locator("form.asof button[type=submit]").click()
    assert "date=2012-01-01" in page.url
    assert sorted(rows(page, "chapter-matrix")) == TEN
    earlier = page.locator("table#chapter-matrix td[data-status='opened']").count()
    assert earlier < later
