"""Fixtures of the write tests (helpers: support/writes.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from support.writes import copy_store, start_writable


@pytest.fixture(scope="module")
def writable(built_store, tmp_path_factory):
    """A writable server (gunicorn, 2 workers) over a private copy of the real graph, with a
    3 s query limit (so a runaway update is stopped quickly)."""
    store = copy_store(built_store, tmp_path_factory.mktemp("writable") / "store")
    w = start_writable(store, secrets.token_urlsafe(24), "--timeout", "3")
    yield w
    w.stop()


@pytest.fixture(scope="session")
def ontology_only_store(tmp_path_factory) -> Path:
    """A store holding the ontology and no facts: the shapes still apply, and validating a
    write takes a fraction of a second (for the W3C Graph Store Protocol run)."""
    from enlargement_kg.core.build import build_to_dir

    root = tmp_path_factory.mktemp("ontology-only")
    (root / "kg").mkdir()
    out = root / "store"
    build_to_dir(out, kg_dir=root / "kg")
    return out
