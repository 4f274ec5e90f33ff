"""The served graph: built or opened once per app, kept in ``app.extensions``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from ..core.build import REPORT_FILE, build_memory
from ..core.config import Settings
from ..core.oxigraph_store import OxigraphStore
from ..core.pool import PooledStore
from ..core.service import Limits, QueryService
from ..core.store import Store
from ..core.validation import ValidationReport

if TYPE_CHECKING:
    from ..core.writes import GraphStore


@dataclass
class GraphState:
    settings: Settings
    store: Store
    service: QueryService
    report: ValidationReport | None
    writer: GraphStore | None = None  #: the write side, when writes are switched on


def open_state(settings: Settings, store: Store | None = None) -> GraphState:
    report = writer = None
    if store is None and settings.writable:
        # writes on: readers open snapshots of the store, never the store a write changes
        # (docs/writes.md), in at least one killable worker so that they can be recycled
        from ..core.writes import GraphStore

        writer, report = GraphStore.open(settings.store_path, query_timeout=settings.query_timeout)
        store = PooledStore(
            writer.open_reader, size=max(1, settings.query_workers), timeout=settings.query_timeout
        )
    if store is None:
        if settings.store_path is not None:
            path = settings.store_path
            OxigraphStore.check(path)  # fail early, with a clear message; not opened here
            if (path / REPORT_FILE).is_file():
                report = ValidationReport.from_json((path / REPORT_FILE).read_text("utf-8"))

            def opener(path=path):
                return OxigraphStore.open(path)
        else:
            kg_dir = settings.extra.get("kg_dir") or os.environ.get("ENLARGEMENT_KG_KG")
            built = build_memory(validate_data="cached", kg_dir=Path(kg_dir) if kg_dir else None)
            report = built.report

            def opener(s=built.store):
                return s

        # read-only: point lookups (bounded by construction) skip the worker round trip;
        # with no workers everything runs in the serving process (without a time limit).
        # Either way each process opens its own handle: never gunicorn's master, before it
        # forks (OxigraphStore.check says why)
        store = PooledStore(
            opener, size=settings.query_workers, timeout=settings.query_timeout, local_reads=True
        )
    limits = Limits(
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        max_body=settings.max_body,
        service_allow=settings.service_allow,
    )
    return GraphState(
        settings,
        store,
        QueryService(store, limits=limits, cache_size=settings.cache_size),
        report,
        writer,
    )


def state() -> GraphState:
    return state_of(current_app)


def state_of(app: Flask) -> GraphState:
    return app.extensions["enlargement_kg"]


def init_app(app: Flask, gs: GraphState) -> None:
    app.extensions["enlargement_kg"] = gs
