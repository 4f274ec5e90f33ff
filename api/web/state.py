"""The served graph: built or opened once per app, kept in ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from ..core.build import REPORT_FILE, build_memory
from ..core.config import Settings
from ..core.oxigraph_store import OxigraphStore
from ..core.pool import PooledStore
from ..core.service import Limits, LRUCache, QueryService
from ..core.store import Store
from ..core.validation import ValidationReport
from . import fastpath
from .fastpath.render_cache import RenderCache

if TYPE_CHECKING:
    from ..core.writes import GraphStore


@dataclass
class GraphState:
    settings: Settings
    store: Store
    service: QueryService
    report: ValidationReport | None
    writer: GraphStore | None = None  #: the write side, when writes are switched on
    #: rendered pages and representations, per graph version (web/fastpath/render_cache.py)
    pages: RenderCache = field(default_factory=RenderCache)
    #: the last few resource descriptions, so that one resource's formats share one query
    described: LRUCache = field(default_factory=lambda: LRUCache(16))


def open_state(settings: Settings, store: Store | None = None) -> GraphState:
    report = writer = None
    triples: int | None = None  #: the graph's size, for the answer budget
    if store is None and settings.writable:
        # writes on: readers open snapshots of the store, never the store a write changes
        # (docs/writes.md), in at least one killable worker so that they can be recycled
        from ..core.writes import GraphStore

        writer, report = GraphStore.open(settings.store_path, query_timeout=settings.query_timeout)
        store = PooledStore(
            writer.open_reader, size=max(1, settings.query_workers), timeout=settings.query_timeout
        )
        triples = OxigraphStore.size_hint(settings.store_path) if settings.store_path else 0
    if store is None:
        fast = settings.fast_paths
        if settings.store_path is not None:
            path = settings.store_path
            OxigraphStore.check(path)  # fail early, with a clear message; not opened here
            triples = OxigraphStore.size_hint(path)
            if (path / REPORT_FILE).is_file():
                report = ValidationReport.from_json((path / REPORT_FILE).read_text("utf-8"))

            def opener(path: Path = path) -> Store:
                s = OxigraphStore.open(path)
                s.fast_paths = fast
                return s
        else:
            built = build_memory(validate_data="cached", kg_dir=settings.kg_dir)
            report = built.report
            built.store.fast_paths = fast
            triples = built.store.info().triples

            def opener(s: Store = built.store) -> Store:
                return s

        # read-only: point lookups (bounded by construction) skip the worker round trip;
        # with no workers everything runs in the serving process (without a time limit).
        # Either way each process opens its own handle: never gunicorn's master, before it
        # forks (OxigraphStore.check says why)
        store = PooledStore(
            opener, size=settings.query_workers, timeout=settings.query_timeout, local_reads=fast
        )
    limits = Limits(
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        max_body=settings.max_body,
        service_allow=settings.service_allow,
    )
    if triples is None:  # a store given by the caller (tests, benchmarks): ask it
        triples = store.info().triples
    service_bytes, _ = fastpath.cache_bytes(settings, triples)
    service = QueryService(
        store,
        limits=limits,
        cache_size=settings.cache_size if settings.fast_paths else 0,
        cache_total_bytes=service_bytes,
    )
    # rendered pages: a fast path too, with a share of the budget of its own (32 MB at most)
    page_bytes = min(32_000_000, service_bytes // 4) if settings.fast_paths else 0
    return GraphState(settings, store, service, report, writer, RenderCache(page_bytes))


def state() -> GraphState:
    return state_of(current_app)


def state_of(app: Flask) -> GraphState:
    return app.extensions["enlargement_kg"]


def init_app(app: Flask, gs: GraphState) -> None:
    app.extensions["enlargement_kg"] = gs
