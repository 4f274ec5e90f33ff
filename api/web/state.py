"""The served graph: built or opened once per app, kept in ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

from ..core.config import Settings
from ..core.service import Limits, LRUCache, QueryService
from ..core.store import Store
from ..core.stores import open_store
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
    """The served graph for ``settings``: the store they ask for (``core/stores.py``
    chooses and opens it), or ``store`` as given (tests, benchmarks)."""
    report = writer = None
    triples: int | None = None  #: the graph's size, for the answer budget
    if store is None:
        store, report, triples, writer = open_store(settings)
    limits = Limits(
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        max_body=settings.max_body,
        service_allow=settings.service_allow,
        trusted_proxies=settings.trusted_proxies,
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
