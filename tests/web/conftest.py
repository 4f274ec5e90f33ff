"""Helpers for the tests of the read paths in front of Flask (the lane, the response cache)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def _counted_app(built_store, **config) -> Iterator[tuple[object, list[str]]]:
    """An app of its own over ``built_store`` whose requests that reach Flask are counted
    (the hook goes in before the first request), and the list they are counted in."""
    from flask import request

    from enlargement_kg.web import create_app

    app = create_app({"store_path": built_store, "query_workers": 1, **config})
    seen: list[str] = []

    @app.before_request
    def count():
        seen.append(request.full_path)

    try:
        yield app, seen
    finally:
        app.extensions["enlargement_kg"].store.close()


@pytest.fixture(scope="session")
def counted_app():
    """:func:`_counted_app`, for module fixtures: ``with counted_app(built_store) as ...``."""
    return _counted_app
