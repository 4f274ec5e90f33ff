"""Work that cannot starve the service (core/pool.py, issue 17): a query waits a short
while for a free worker, then is refused at once (503, ``Retry-After``) instead of holding
its caller; one client has at most its share of the workers (429); a query that needs more
memory than a worker may have is stopped with a clear message and its worker replaced,
while the serving process itself is never capped. On PooledStore directly, no server."""

from __future__ import annotations

import resource
import threading
import time

import pytest

from enlargement_kg.core import formats
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.pool import (
    CLIENT,
    ClientBusy,
    PoolBusy,
    PooledStore,
    QueryMemoryExceeded,
)
from enlargement_kg.core.store import QueryTimeout

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")
#: runs for hours on 200 triples (200^4 rows), in constant memory
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: sorts 200^4 rows: grows without end
MEMORY_BOMB = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
MB = 1 << 20


def _small_store() -> OxigraphStore:
    store = OxigraphStore.memory()
    data = "".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(200)).encode()
    store.load_bytes(data, formats.by_name("ntriples"), "urn:g")
    return store


def _run(pool: PooledStore, query: str, client: str | None = None):
    token = CLIENT.set(client)
    try:
        return pool.execute(query, result_format=JSON, graph_format=TTL)
    finally:
        CLIENT.reset(token)


def _in_background(pool: PooledStore, query: str, client: str | None = None) -> threading.Thread:
    """``query`` running in a thread (it ends at the pool's time limit), once a worker has
    taken it."""

    def work() -> None:
        try:
            _run(pool, query, client)
        except QueryTimeout:
            pass

    started = pool.restarts + pool.timeouts
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not pool._running and started == pool.restarts + pool.timeouts:
        assert time.monotonic() < deadline, "the query never reached a worker"
        time.sleep(0.01)
    return thread


def test_a_query_finding_every_worker_busy_is_refused_after_the_wait():
    pool = PooledStore(_small_store, size=1, timeout=1.5, wait=0.2)
    try:
        pool.warm()
        runaway = _in_background(pool, RUNAWAY)
        t0 = time.monotonic()
        with pytest.raises(PoolBusy) as refused:
            _run(pool, COUNT, "192.0.2.1")
        assert time.monotonic() - t0 < 1.0  # the wait, not the time limit
        assert refused.value.status == 503 and pool.refused == 1
        assert 1 <= refused.value.retry_after <= 2  # the runaway is stopped by then
        assert "busy" in str(refused.value)
        runaway.join(timeout=10)
        assert b'"200"' in _run(pool, COUNT).body  # the worker was replaced: answered again
    finally:
        pool.close()


def test_the_services_own_query_waits_for_a_worker():
    """A page's or chart's query (no client) is not refused after the admission wait: the
    service's own queries are a bounded set, each made once per graph version."""
    pool = PooledStore(_small_store, size=1, timeout=3, wait=0.2)
    try:
        pool.warm()
        runaway = _in_background(pool, RUNAWAY)  # holds the one worker for 3 s
        t0 = time.monotonic()
        try:
            _run(pool, COUNT)  # answered once the runaway's worker is replaced, or
        except PoolBusy:  # refused at its own time limit if the replacement is late
            pass
        assert time.monotonic() - t0 > 2.0  # not refused after the 0.2 s admission wait
        runaway.join(timeout=10)
    finally:
        pool.close()


def test_without_a_wait_a_query_waits_for_a_worker_as_before():
    pool = PooledStore(_small_store, size=1, timeout=5)
    try:
        pool.warm()
        threads = [threading.Thread(target=_run, args=(pool, COUNT)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert pool.refused == 0
    finally:
        pool.close()


def test_one_client_gets_its_share_of_the_workers_and_no_more():
    pool = PooledStore(_small_store, size=2, timeout=1.5, wait=0.2, per_client=1)
    try:
        pool.warm()
        runaway = _in_background(pool, RUNAWAY, client="192.0.2.1")
        t0 = time.monotonic()
        with pytest.raises(ClientBusy) as refused:
            _run(pool, COUNT, client="192.0.2.1")
        assert time.monotonic() - t0 < 0.1  # at once: it never waited for a worker
        assert refused.value.status == 429 and 1 <= refused.value.retry_after <= 2
        assert pool.client_refusals == 1
        # another client, and the service's own queries, still have the other worker
        assert b'"200"' in _run(pool, COUNT, client="192.0.2.2").body
        assert b'"200"' in _run(pool, COUNT).body
        runaway.join(timeout=10)
        assert b'"200"' in _run(pool, COUNT, client="192.0.2.1").body  # its share is free
        assert pool._clients == {}
    finally:
        pool.close()


def test_a_refused_client_does_not_keep_its_count():
    pool = PooledStore(_small_store, size=1, timeout=1.5, wait=0.1, per_client=2)
    try:
        pool.warm()
        runaway = _in_background(pool, RUNAWAY, client="192.0.2.1")
        with pytest.raises(PoolBusy):  # under its share, but no worker is free
            _run(pool, COUNT, client="192.0.2.1")
        assert pool._clients == {"192.0.2.1": 1}  # the runaway only
        runaway.join(timeout=10)
        assert pool._clients == {}
    finally:
        pool.close()


def test_a_query_over_the_memory_limit_is_stopped_and_its_worker_replaced():
    pool = PooledStore(_small_store, size=1, timeout=20, memory=256 * MB)
    try:
        pool.warm()
        t0 = time.monotonic()
        with pytest.raises(QueryMemoryExceeded) as stopped:
            _run(pool, MEMORY_BOMB)
        assert time.monotonic() - t0 < 15  # well within the time limit
        assert stopped.value.status == 503
        assert "more memory than the limit of 256 MB" in str(stopped.value)
        assert pool.memory_kills == 1 and pool.restarts == 1
        assert b'"200"' in _run(pool, COUNT).body  # the new worker answers
        # the serving process itself has no limit
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY
    finally:
        pool.close()


class _Aborting(OxigraphStore):
    """A store whose engine prints what pyoxigraph prints before it aborts, then aborts."""

    def execute(self, query, **kwargs):
        import os

        if "PANIC" in query:  # to the file descriptor, as the engine writes
            words = (
                b"thread '<unnamed>' (1) panicked at library/core/src/slice/sort.rs:854:5:\n"
                b"user-provided comparison function does not correctly implement a total order\n"
            )
        else:
            words = b"memory allocation of 4294967296 bytes failed\n"
        os.write(2, words)
        os.abort()


def _aborting() -> OxigraphStore:
    store = _small_store()
    store.__class__ = _Aborting
    return store


def test_why_a_worker_died_is_read_from_what_it_wrote():
    """An engine panic is a 500 naming the engine's reason; an allocation failure is the
    memory 503; either way the worker is replaced."""
    from enlargement_kg.core.pool import EngineFailure

    pool = PooledStore(_aborting, size=1, timeout=5, memory=512 * MB)
    try:
        with pytest.raises(EngineFailure) as failed:
            _run(pool, "SELECT * { ?s ?p ?o } # PANIC", "192.0.2.1")
        assert failed.value.status == 500 and "total order" in str(failed.value)
        with pytest.raises(QueryMemoryExceeded):
            _run(pool, COUNT, "192.0.2.1")
        assert pool.restarts == 2
    finally:
        pool.close()
