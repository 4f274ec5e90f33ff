"""The analyst's desk in a real browser: Debian's ``chromium`` driven by Playwright for Python
over the session's live server on the real graph (``live``, tests/conftest.py).

The browser is the system's (``chromium``, the Debian package: .ci/run installs it); nothing
here downloads one (never ``playwright install``). Without Playwright or without
``chromium`` every test of this folder skips with the reason.

Artefacts (a full-page screenshot of each page kind, the axe-core results, the page weights)
go to ``$ENLARGEMENT_KG_ARTEFACTS`` if set, else ``tests/artefacts/`` (not committed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import ARGS, CHROMIUM, VIEWPORT, Console
from support import ROOT


@pytest.fixture(scope="session")
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api):
    """Debian's chromium, headless, shared by the session."""
    b = playwright_api.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def site(live) -> str:
    """The base URL of the live server (gunicorn over the built real graph)."""
    return live.url


@pytest.fixture(scope="session")
def artefacts() -> Path:
    folder = Path(os.environ.get("ENLARGEMENT_KG_ARTEFACTS") or ROOT / "tests" / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture()
def page(browser) -> Iterator:
    """A fresh page under the pages' own Content-Security-Policy; ``page.console`` holds
    what it logged."""
    context = browser.new_context(viewport=VIEWPORT)
    p = context.new_page()
    p.console = Console(p)
    p.set_default_timeout(15_000)
    yield p
    context.close()
