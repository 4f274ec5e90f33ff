"""The served graph: built or opened once per app, kept in ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from ..core.build import build_memory
from ..core.config import Settings
from ..core.oxigraph_store import OxigraphStore
from ..core.pool import PooledStore
from ..core.service import Limits, QueryService
from ..core.store import Store
from ..core.validation import ValidationReport


@dataclass
class GraphState:
    settings: Settings
    store: Store
    service: QueryService
    report: ValidationReport | None


def open_state(settings: Settings, store: Store | None = None) -> GraphState:
    report = None
    if store is None:
        if settings.store_path is not None:
            path = settings.store_path
            OxigraphStore.open(path)  # fail early, with a clear message, if it is not a store

            def opener(path=path):
                return OxigraphStore.open(path)
        else:
            built = build_memory(validate_data="cached")
            report = built.report

            def opener(s=built.store):
                return s
        store = (PooledStore(opener, size=settings.query_workers, timeout=settings.query_timeout)
                 if settings.query_workers > 0 else opener())
    limits = Limits(timeout=settings.query_timeout, max_rows=settings.max_rows,
                    max_body=settings.max_body, service_allow=settings.service_allow)
    return GraphState(settings, store, QueryService(store, limits=limits,
                                                    cache_size=settings.cache_size), report)


def state() -> GraphState:
    return current_app.extensions["enlargement_kg"]


def init_app(app: Flask, gs: GraphState) -> None:
    app.extensions["enlargement_kg"] = gs
