"""Fixtures of the whole suite: the real graph built once per session (per xdist worker), Flask
apps over it (``app``, and ``make_app(**settings)`` for one with settings of its own), and a
live gunicorn server on a free loopback port (real HTTP, real clients). Helpers that are not
fixtures are in ``tests/support/``; fixtures of one folder are in that folder's
``conftest.py``.

Markers (docs/architecture.md, "Developer loop"): ``live`` marks every test that starts a
server process, ``slow`` every test that takes more than a few seconds; the fast subset is
``-m "not live and not slow"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support import start_server

#: test folders whose every test talks to a server process it starts
LIVE_FOLDERS = {"live", "conformance"}
#: fixtures that start a server process
LIVE_FIXTURES = {"live", "writable", "served", "virtuoso"}
#: tests measured at more than a few seconds each (``--durations``), by node id prefix
SLOW = (
    "tests/cli/",
    "tests/kg/test_shapes.py",
    "tests/kg/test_reasoning.py",
    "tests/kg/test_prebuilt.py",
    "tests/publish/test_releases.py",
    "tests/publish/test_push.py",
    "tests/writes/",
    "tests/unit/test_pool_workers.py",
    "tests/unit/test_ontology_docs.py::test_cli_writes_and_checks",
    "tests/web/test_validation_pages.py",
    "tests/kg/test_one_event.py::test_coverage",
    "tests/kg/test_one_event.py::test_importing",
    "tests/kg/test_one_event.py::test_a_second",
    "tests/bench/",
    "tests/kg/test_graph.py::test_real_graph_has_no_violations",
    "tests/ld/test_jsonld_context.py::test_compaction",
    "tests/ld/test_ld_negotiation.py::test_matrix",
    "tests/publish/test_dumps.py::test_every_format",
    "tests/publish/test_catalog.py::test_catalogue_has_no_dcat_ap",
    "tests/publish/test_http.py::test_export_listing",
)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        path = Path(str(item.fspath))
        nodeid = item.nodeid
        if (
            path.parent.name in LIVE_FOLDERS
            or "live" in path.stem
            or LIVE_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.live)
        if nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The real graph, built (and validated) once into an on-disk store."""
    from enlargement_kg.core.build import build_to_dir

    out = tmp_path_factory.mktemp("store") / "store"
    build_to_dir(out)
    return out


@contextmanager
def _app_over(built_store: Path, **settings) -> Iterator:
    from enlargement_kg.web import create_app

    application = create_app({"store_path": built_store, "query_workers": 1, **settings})
    try:
        yield application
    finally:
        gs = application.extensions["enlargement_kg"]
        gs.store.close()
        if gs.service.shared is not None:
            gs.service.shared.remove()


@pytest.fixture(scope="session")
def app(built_store):
    """The production configuration (fast paths on, read-only) over the built store."""
    with _app_over(built_store, query_timeout=10.0) as application:
        yield application


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make_app(built_store) -> Iterator[Callable]:
    """``make_app(**settings)``: an app of its own over the built store (closed after the
    test), e.g. ``make_app(fast_paths=False)`` or ``make_app(workers=2)``."""
    with _AppFactory(built_store) as factory:
        yield factory


class _AppFactory:
    def __init__(self, built_store: Path):
        self.built_store = built_store
        self._open: list = []

    def __call__(self, **settings):
        cm = _app_over(self.built_store, **settings)
        application = cm.__enter__()
        self._open.append(cm)
        return application

    def __enter__(self) -> _AppFactory:
        return self

    def __exit__(self, *exc) -> None:
        while self._open:
            self._open.pop().__exit__(None, None, None)


@contextmanager
def _counted_app(built_store, **config):
    """An app of its own over ``built_store`` whose requests that reach Flask are counted
    (the hook goes in before the first request), and the list they are counted in: for the
    read paths in front of Flask (web/fastpath/lane.py, web/fastpath/response_cache.py)."""
    from flask import request

    with _app_over(built_store, **config) as application:
        seen: list[str] = []

        @application.before_request
        def count():
            seen.append(request.full_path)

        yield application, seen


@pytest.fixture(scope="session")
def counted_app():
    """:func:`_counted_app`, for module fixtures: ``with counted_app(built_store) as ...``."""
    return _counted_app


@pytest.fixture(scope="session")
def live(built_store):
    """A real server (gunicorn, 2 workers) on a free loopback port, over the built store."""
    server = start_server("--store", str(built_store), "--timeout", "3")
    yield server
    server.stop()
