"""Every kind of page, in Chromium: it works under its own Content-Security-Policy (no CSP
violation, no script error: a full-page screenshot of it is kept as an artefact), and
axe-core (tests/fixtures/axe, 4.14.1) finds no serious or critical violation in it.

The pages allow scripts of their own origin only (``script-src 'self'``), so axe-core cannot
be injected into them as they are served: the axe runs use a browser context with
Playwright's ``bypass_csp=True``, and only they do; the first run of each page, the one
screenshotted, is under the page's own policy. The full axe results (every violation, any
impact) are written to ``axe/<page>.json`` in the artefacts folder, and a table of the
violations by impact to ``axe-summary.md``.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from browsing import PAGES, VIEWPORT, Console
from support import FIXTURES

pytestmark = [pytest.mark.live, pytest.mark.slow]

AXE = FIXTURES / "axe" / "axe.min.js"
IMPACTS = ("critical", "serious", "moderate", "minor")
#: The editor with a query run (its results table is checked too).
EDITOR = "/sparql?query=" + quote(
    "SELECT ?c WHERE { ?c a <https://w3id.org/eu-enlargement/ontology#Chapter> } LIMIT 5"
)


@pytest.fixture(scope="module")
def axe_context(browser):
    """The context the axe runs use: the only one with ``bypass_csp=True``."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture(scope="module")
def summary(artefacts):
    """Collects the figures of this module's runs; writes axe-summary.md at the end (with
    the figures of every page whose results are in the folder, from any worker)."""
    yield
    rows = []
    for path in sorted((artefacts / "axe").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        counts = doc["by_impact"]
        rules = ", ".join(
            f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in doc["violations"]
        )
        rows.append(
            f"| {path.stem} | `{doc['path']}` | "
            + " | ".join(str(counts[i]) for i in IMPACTS)
            + f" | {doc['passes']} | {rules or '-'} |"
        )
    head = "| page | path | critical | serious | moderate | minor | rules passed | violations |"
    text = "\n".join(
        [
            f"# axe-core {json.loads(path.read_text())['axe']} on every page kind\n",
            "Violations counted by rule, by impact (nodes in brackets).\n",
            head,
            "|" + "---|" * 8,
            *rows,
        ]
    )
    (artefacts / "axe-summary.md").write_text(text + "\n", encoding="utf-8")


def settle(page, name: str) -> None:
    """Wait for what scripts draw: the editor and its results table."""
    if name == "sparql":
        page.wait_for_selector(".yasr table.dataTable tbody tr a.iri")


def path_of(name: str) -> str:
    return EDITOR if name == "sparql" else PAGES[name]


#: Seen, reported, not fixed here: the first (cold) visit of /charts under the live
#: fixture's 3 s query limit on a loaded machine gets 503 for some of its 40 chart images
#: (e.g. /charts/chapters/BIH.svg): not strict, it depends on the load.
#: Pages known to fail cold, with the reason (none now: the service's own chart queries wait
#: for a query worker up to their time limit instead of the admission wait, core/pool.py)
COLD: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=False, reason=COLD[n])) if n in COLD else n
        for n in PAGES
    ],
)
def test_the_page_works_under_its_policy(page, site, artefacts, name):
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    resp = page.goto(site + path_of(name))
    assert resp.status == (404 if name == "not-found" else 200)
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    settle(page, name)
    page.screenshot(path=artefacts / f"{name}.jpeg", full_page=True, quality=80)
    assert page.console.csp_violations() == [] and page.console.errors == []
    assert failed == ([f"404 {site}{PAGES[name]}"] if name == "not-found" else [])


#: Known violations, each with its reason, strict so that a fix is noticed (none now: the
#: ontology diagram's nested-interactive was fixed with role="group" in core/diagram.py).
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n
        for n in PAGES
    ],
)
def test_axe_finds_no_serious_or_critical_violation(axe_context, site, artefacts, summary, name):
    page = axe_context.new_page()
    console = Console(page)
    try:
        page.goto(site + path_of(name))
        settle(page, name)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => ({axe: r.testEngine.version, violations: r.violations,"
            " passes: r.passes.length}))"
        )
    finally:
        page.close()
    assert console.errors == []
    by_impact = {i: sum(v["impact"] == i for v in result["violations"]) for i in IMPACTS}
    (artefacts / "axe").mkdir(exist_ok=True)
    (artefacts / "axe" / f"{name}.json").write_text(
        json.dumps({"path": path_of(name), "by_impact": by_impact, **result}, indent=1),
        encoding="utf-8",
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
