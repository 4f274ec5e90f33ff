"""What the browser tests share besides fixtures: the browser's path and flags, the page of
each kind the service serves, and what a page logged (imported by name, like ``support``)."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Quiet, offline, container-friendly: no sandbox (root in CI), no GPU, no calls home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}

#: One page of each kind the service serves to browsers: name -> path.
PAGES = {
    "home": "/",
    "sparql": "/sparql",
    "country": "/id/country/MNE",
    "chapter": "/id/chapter/23",
    "fact": "/id/fact/MNE/chapter-opened/ch1",
    "source": "/id/source/7b45ab874b5d",
    "graph": "/graph/kg/facts/MNE",
    "compare": "/compare",
    "charts": "/charts",
    "queries": "/queries",
    "query": "/queries/nato-pfp",
    "validation": "/-/validation",
    "ontology": "/ontology",
    "catalog": "/catalog",
    "export": "/export/",
    "not-found": "/id/country/NOWHERE",
}


class Console:
    """What the page reported: console messages and uncaught errors."""

    def __init__(self, page):
        self.messages: list[tuple[str, str]] = []
        self.errors: list[str] = []
        page.on("console", lambda m: self.messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def csp_violations(self) -> list[str]:
        return [t for _, t in self.messages if "Content Security Policy" in t]
