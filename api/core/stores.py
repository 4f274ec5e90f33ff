"""Choosing and opening the served store: the one place that knows which backend serves what.

The web layer asks :func:`open_store` for a :class:`.Store` and depends on that interface
only (its capabilities: :meth:`.Store.has`). What is chosen:

- writes on (``settings.writable``): the write side (:class:`.writes.GraphStore`, on
  ``settings.store_path`` or a temporary store built from the package) and, for reading,
  its snapshots served by at least one killable query worker, so that they can be recycled
  after a write (docs/writes.md);
- else, read-only: the on-disk store at ``settings.store_path`` (checked in a throw-away
  child, never opened here: :meth:`.OxigraphStore.check` says why), or without a path the
  graph built in memory from the package; served by ``settings.query_workers`` workers,
  point lookups in the serving process when the fast paths are on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .build import REPORT_FILE, build_memory
from .config import Settings, client_queries, query_memory
from .oxigraph_store import OxigraphStore
from .pool import PooledStore
from .store import Store
from .validation import ValidationReport

if TYPE_CHECKING:
    from .writes import GraphStore


class OpenedStore(NamedTuple):
    """A store to serve, with what is known of it without asking it."""

    store: Store
    report: ValidationReport | None  #: the graph's validation report, if there is one
    triples: int  #: the graph's size (for the answer budget), 0 where unknown
    writer: GraphStore | None = None  #: the write side, when writes are on


def open_store(settings: Settings) -> OpenedStore:
    """The store ``settings`` ask for: :func:`open_remote_store` for a store URL,
    :func:`open_writable_store` with writes on, else :func:`open_read_store`."""
    if settings.store_url:
        return open_remote_store(settings)
    return open_writable_store(settings) if settings.writable else open_read_store(settings)


def open_remote_store(settings: Settings) -> OpenedStore:
    """A remote SPARQL 1.1 store (:mod:`.remote_store`), read-only, asked once now for its
    version and size so that a store that cannot be reached stops ``serve`` with the reason.
    No validation report: ``/-/validation`` says so (docs/deploy.md)."""
    from .remote_store import RemoteStore
    from .store import NotSupported

    if settings.writable:
        raise NotSupported("writes are served by the embedded store only, not over a remote one")
    store = RemoteStore(
        str(settings.store_url),
        gsp=settings.store_gsp_url,
        user=settings.store_user,
        password=settings.store_password,
        token=settings.store_token,
        timeout=settings.query_timeout,
        version_ttl=settings.store_version_ttl,
    )
    return OpenedStore(store, None, store.info().triples)


def open_writable_store(settings: Settings) -> OpenedStore:
    """Writes on: readers open snapshots of the store, never the store a write changes
    (docs/writes.md), in at least one killable worker so that they can be recycled."""
    from .writes import GraphStore

    writer, report = GraphStore.open(settings.store_path, query_timeout=settings.query_timeout)
    triples = OxigraphStore.size_hint(settings.store_path) if settings.store_path else 0
    store = PooledStore(
        writer.open_reader,
        size=max(1, settings.query_workers),
        timeout=settings.query_timeout,
        **admission(settings, triples),
    )
    return OpenedStore(store, report, triples, writer)


def open_read_store(settings: Settings) -> OpenedStore:
    """Read-only: the store at ``settings.store_path``, or the graph built in memory."""
    fast = settings.fast_paths
    report = None
    opener: Callable[[], Store]
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

    # point lookups (bounded by construction) skip the worker round trip; with no workers
    # everything runs in the serving process (without a time limit). Either way each
    # process opens its own handle: never gunicorn's master, before it forks
    store = PooledStore(
        opener,
        size=settings.query_workers,
        timeout=settings.query_timeout,
        local_reads=fast,
        **admission(settings, triples),
    )
    return OpenedStore(store, report, triples)


def admission(settings: Settings, triples: int) -> dict[str, Any]:
    """The pool's admission and memory limit from ``settings``, for a graph of ``triples``
    (:class:`.PooledStore`, docs/api.md)."""
    return {
        "wait": settings.query_wait,
        "per_client": client_queries(settings),
        "memory": query_memory(settings, triples),
    }
