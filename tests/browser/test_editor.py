"""The query editor at ``/sparql`` in Chromium, under the page's own Content-Security-Policy:
a query typed into the editor runs and its results come as a table whose IRIs link to this
service's pages; a query in the address opens and runs; the gallery's examples run."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = [pytest.mark.live, pytest.mark.slow]

CHAPTERS = "SELECT ?c WHERE { ?c a <https://w3id.org/eu-enlargement/ontology#Chapter> } LIMIT 5"
ROWS = ".yasr table.dataTable tbody tr"


def open_editor(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".yasqe .CodeMirror")


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")


def test_a_typed_query_runs_and_shows_a_table(page, site, artefacts):
    open_editor(page, site + "/sparql")
    editor = page.locator(".yasqe .CodeMirror")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(CHAPTERS)
    assert editor_text(page) == CHAPTERS
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(ROWS + " a.iri")
    assert page.locator(ROWS).count() == 5
    hrefs = page.locator(ROWS + " a.iri").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/id/chapter/") for h in hrefs), hrefs  # local pages
    page.screenshot(path=artefacts / "sparql-results.png", full_page=True)
    page.locator(".yasqe_share").click()  # the query's address, to share it
    link = page.locator(".yasqe_sharePopup input").input_value()
    assert link.startswith(site + "/sparql#query=") and quote(CHAPTERS, safe="") in link
    page.locator(ROWS + " a.iri").first.click()
    page.wait_for_url(site + hrefs[0])
    assert page.locator("h1").inner_text().startswith("Chapter")
    assert page.console.errors == [] and page.console.csp_violations() == []
    fresh = page.context.browser.new_context()  # nothing remembered from the first visit
    try:
        shared = fresh.new_page()
        open_editor(shared, link)  # the shared address opens the query and runs it
        shared.wait_for_selector(ROWS + " a.iri")
        assert editor_text(shared) == CHAPTERS and shared.locator(ROWS).count() == 5
    finally:
        fresh.close()


def test_a_query_in_the_address_opens_and_runs(page, site):
    """A shared link (``/sparql?query=``) is the editor with that query, run here."""
    open_editor(page, f"{site}/sparql?query={quote(CHAPTERS)}")
    page.wait_for_selector(ROWS + " a.iri")
    assert page.locator(ROWS).count() == 5
    assert editor_text(page) == CHAPTERS
    assert page.console.csp_violations() == []


def test_a_gallery_example_opens_in_a_tab_and_runs(page, site):
    open_editor(page, site + "/sparql")
    page.locator("details.gallery summary").click()
    page.locator("button[data-example='nato-pfp']").click()
    page.wait_for_selector(ROWS)
    assert page.locator(".tabsList .tab.active").inner_text().split()[0] == "nato-pfp"
    assert page.locator(ROWS).count() > 0
