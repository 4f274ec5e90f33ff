"""Fixtures of the security tests: a store that holds the ontology and no facts (so that
a write is validated in a fraction of a second), a writable app over a copy of it (Flask
test client) and a live writable server (gunicorn, 2 workers) over another copy."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from support.writes import copy_store, start_writable

TOKEN = "security-token"


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory) -> Path:
    from enlargement_kg.core.build import build_to_dir

    root = tmp_path_factory.mktemp("security")
    (root / "kg").mkdir()
    build_to_dir(root / "store", kg_dir=root / "kg")
    return root / "store"


@pytest.fixture(scope="module")
def writable_app(empty_store, tmp_path_factory):
    from enlargement_kg.web import create_app

    store = copy_store(empty_store, tmp_path_factory.mktemp("app") / "store")
    application = create_app(
        {"store_path": store, "writable": True, "token": TOKEN, "query_workers": 1}
    )
    yield application
    application.extensions["enlargement_kg"].store.close()


@pytest.fixture(scope="module")
def writable(empty_store, tmp_path_factory):
    store = copy_store(empty_store, tmp_path_factory.mktemp("writable") / "store")
    w = start_writable(store, secrets.token_urlsafe(24), "--timeout", "3")
    yield w
    w.stop()
