"""A country page's date picker, used as a person would with the keyboard: Tab reaches the
labelled date field and its button; an earlier date changes the chapter grid (Serbia's
chapters opened in 2016 are not opened on 1 January 2015)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.live, pytest.mark.slow]

GRID = "ol.grid li.cell"


def grid(page) -> dict[str, str]:
    """chapter number -> status, as the page shows it."""
    return dict(
        page.locator(GRID).evaluate_all("cs => cs.map(c => [c.dataset.chapter, c.dataset.status])")
    )


def tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab until ``selector`` has the focus; the number of presses."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return n
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def test_an_earlier_date_changes_the_chapter_grid(page, site, artefacts):
    page.goto(f"{site}/id/country/SRB")
    now = grid(page)
    assert len(now) == 35
    in_2016 = page.locator(GRID + "[data-status='opened']").evaluate_all(
        "cs => cs.filter(c => / 2016$/.test(c.title)).map(c => c.dataset.chapter)"
    )
    assert in_2016, "no chapter of Serbia opened in 2016 on the page"

    date = page.get_by_label("Status on")  # the field has a label
    assert date.get_attribute("type") == "date" and date.get_attribute("id") == "date"
    assert tab_to(page, "input#date") > 0
    date.fill("2015-01-01")
    assert tab_to(page, "form.asof button[type=submit]", limit=4)  # past the day, month, year
    assert page.locator("form.asof button[type=submit]").inner_text().strip()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"[?&]date=2015-01-01\b", page.url)
    assert "1 January 2015" in page.locator("#summary-h").inner_text()
    assert page.get_by_label("Status on").input_value() == "2015-01-01"
    before = grid(page)
    assert len(before) == 35
    for chapter in in_2016:
        assert before[chapter] == "not opened", chapter
    assert sum(before[k] != now[k] for k in now) >= len(in_2016)
    page.screenshot(path=artefacts / "country-SRB-2015-01-01.png", full_page=True)
    assert page.console.errors == [] and page.console.csp_violations() == []


def test_every_control_has_a_name(page, site):
    """Inputs, selects, buttons and links of a country page all have an accessible name."""
    page.goto(f"{site}/id/country/SRB")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input,select,textarea,button,a[href]')]
        .filter(e => e.type !== 'hidden')
        .filter(e => {
          const labelled = e.labels && e.labels.length
            || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
          return !labelled && !(e.textContent || '').trim() && !e.getAttribute('title');
        }).map(e => e.outerHTML.slice(0, 120))"""
    )
    assert unnamed == []
