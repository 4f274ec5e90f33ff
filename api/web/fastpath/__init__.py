"""The fast paths: measured shortcuts in front of the store, each answering exactly what the
plain path would (docs/architecture.md lists them with their gains and invariants).

=============================  ===============================================  ==========
fast path                      where                                            on when
=============================  ===============================================  ==========
answer cache, per process      ``core.service.LRUCache`` (QueryService.cache)   always [1]
answer cache, shared           ``core.shared_cache.SharedCache`` (SQLite)        read-only,
                                                                                 workers > 1
whole-response cache           :mod:`.response_cache` (WSGI, ``/sparql``)       read-only
the plain-query lane           :mod:`.lane` (WSGI, ``GET /sparql?query=``)      read-only
bounded lookups in the loop    :mod:`..front` (``lane.QueryLane.in_loop``)      read-only
local bounded reads            ``core.pool.PooledStore(local_reads=True)``      read-only
index scan, one JSON write     ``core.oxigraph_store`` (``_scan``, bounded)     always [1]
one TCP segment per answer     :mod:`.segment` (TCP_CORK, gunicorn only)        always [1]
rendered pages, per version    :mod:`.render_cache` (``GraphState.pages``)      always [1]
=============================  ===============================================  ==========

[1] unless ``ENLARGEMENT_KG_FAST_PATHS=0`` (``Settings.fast_paths``), which turns every one
off: each request then takes the plain path through Flask, the query service and a worker,
which is what a fast path must never answer differently from (the tests run both ways).

Invariants they rely on:

- every cache key starts with the graph's version (``QueryService.version``), so an answer
  is never served for another graph; a write moves the version with
  ``QueryService.advance`` (the only way), before any reader sees the new data;
- the WSGI caches and the lane are installed only when writes are off (a write moves the
  version under the readers); the shared cache likewise, and only with several workers;
- the shared cache's folder is made before gunicorn forks (``create_app`` runs in the
  master), each process opens its own SQLite connection; the store itself is never opened
  in the master (``OxigraphStore.check``);
- one budget, :func:`..core.config.answer_budget` (``ENLARGEMENT_KG_CACHE_BYTES``, or sized
  to the graph), is split here between the caches of a process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...core.config import Settings, answer_budget

if TYPE_CHECKING:
    from flask import Flask

    from ..state import GraphState


def install(app: Flask, gs: GraphState) -> None:
    """Put the fast paths a service with ``gs.settings`` may use in front of ``app``."""
    settings = gs.settings
    if not settings.fast_paths or settings.writable:
        return
    from .lane import QueryLane

    app.wsgi_app = QueryLane(app.wsgi_app, service=gs.service)  # type: ignore[method-assign]
    if settings.cache_size <= 0:
        return
    from .response_cache import ResponseCache

    app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
        app.wsgi_app,
        version=lambda: gs.service.version,
        metrics=gs.service.metrics,
        size=settings.cache_size,
        max_bytes=gs.service.cache.max_bytes,
        max_answer=gs.service.cache_max_bytes,
        max_body=settings.max_body,
    )
    if settings.workers > 1:
        from ...core.shared_cache import SharedCache

        # made here, in gunicorn's master before it forks: the workers share costly answers
        try:
            gs.service.shared = SharedCache.temporary(max_bytes=2 * gs.service.cache.max_bytes)
        except OSError as exc:  # a cache: serve without it rather than not at all
            app.logger.warning("serving without the shared answer cache: %s", exc)


def loop_lane(app: Flask) -> Callable[[dict], tuple[list[tuple[str, str]], bytes] | None] | None:
    """What the front's loop answers itself (web/front.py), in the order the WSGI stack
    would: a whole answer the response cache keeps (``ResponseCache.in_loop``), else the
    lane's bounded point lookups (``QueryLane.in_loop``); None where there is no lane (fast
    paths off, writes on)."""
    from . import lane as lane_module
    from .lane import QueryLane
    from .response_cache import ResponseCache

    cache, wsgi = None, app.wsgi_app
    while wsgi is not None and not isinstance(wsgi, QueryLane):
        if isinstance(wsgi, ResponseCache):
            cache = wsgi
        wsgi = getattr(wsgi, "app", None)
    if wsgi is None:
        return None
    lane = wsgi
    if cache is None:
        return lane.in_loop

    def in_loop(environ: dict) -> tuple[list[tuple[str, str]], bytes] | None:
        kept = cache.in_loop(environ)
        if kept is None:
            return lane.in_loop(environ)
        return kept if len(kept[1]) <= lane_module.LOOP_MAX_ANSWER else None

    return in_loop


def cache_bytes(settings: Settings, triples: int) -> tuple[int, int]:
    """``(query service, response cache)`` bytes of one process: the budget split in two
    (the response cache exists only where the fast paths are on)."""
    budget = answer_budget(settings, triples)
    if not settings.fast_paths or settings.writable:
        return budget, 0
    return budget // 2, budget // 2


def wrap_server(app: Callable, settings: Settings) -> Callable:
    """The WSGI callable gunicorn serves: ``app``, corked into one segment per answer."""
    if not settings.fast_paths:
        return app
    from .segment import one_segment

    return one_segment(app)
