"""The query workers (core/pool.py) are forked from a serving process that holds sockets:
its listening socket and its clients' connections. A worker must not keep them open (a
listener kept by a worker whose server died takes a share of new connections that nobody
accepts), and must not outlive the process that forked it, even in the middle of a query."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import HAS_PROC, running

from enlargement_kg.core import formats
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.pool import PooledStore

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")


def _small_store() -> OxigraphStore:
    store = OxigraphStore.memory()
    data = "".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(200)).encode()
    store.load_bytes(data, formats.by_name("ntriples"), "urn:g")
    return store


def test_a_query_worker_does_not_keep_the_servers_listening_socket():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    pool = PooledStore(_small_store, size=2, timeout=5)
    try:
        pool.execute("ASK { ?s ?p ?o }", result_format=JSON, graph_format=TTL)
        listener.close()  # the server is gone: nobody listens on the port any more
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except ConnectionRefusedError:
                break  # no process holds the listener
            assert time.monotonic() < deadline, "a query worker still holds the listener"
            time.sleep(0.1)
    finally:
        pool.close()


HOLDER = """
import sys, threading, time
sys.path[:0] = [{here!r}, {tests!r}]
from test_pool_workers import _small_store, JSON, TTL
from enlargement_kg.core.pool import PooledStore
pool = PooledStore(_small_store, size=2, timeout=600)
pool.execute("ASK {{ ?s ?p ?o }}", result_format=JSON, graph_format=TTL)
pids = [w.process.pid for w in list(pool._idle.queue)]
if {busy}:  # one worker in a query that would run for hours
    q = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }}"
    threading.Thread(target=pool.execute, args=(q,),
                     kwargs=dict(result_format=JSON, graph_format=TTL), daemon=True).start()
    time.sleep(0.5)
print(*pids, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not HAS_PROC, reason="reads process states from /proc")
@pytest.mark.parametrize("busy", [False, True], ids=["idle", "in-a-query"])
def test_query_workers_do_not_outlive_their_server(busy):
    here = Path(__file__).parent
    script = HOLDER.format(here=str(here), tests=str(here.parent), busy=busy)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in holder.stdout.readline().split()]
        assert len(pids) == 2 and all(running(p) for p in pids)
        holder.kill()  # as the OOM killer or gunicorn's worker timeout would
        holder.wait()
        deadline = time.monotonic() + 5
        while any(running(p) for p in pids):
            assert time.monotonic() < deadline, f"orphaned query workers still run: {pids}"
            time.sleep(0.1)
    finally:
        holder.kill()
        holder.stdout.close()


def test_warm_starts_the_workers_before_any_query():
    import multiprocessing as mp

    before = set(mp.active_children())
    pool = PooledStore(_small_store, size=2, timeout=5, local_reads=True)
    try:
        pool.warm()
        assert len(set(mp.active_children()) - before) == 2
        assert pool.info().triples == 200  # read by warm(), from a worker
        assert pool.local_queries == 0
    finally:
        pool.close()


def test_without_workers_everything_runs_here_opened_on_first_use():
    import multiprocessing as mp

    before = set(mp.active_children())
    opened = []
    pool = PooledStore(lambda: opened.append(1) or _small_store(), size=0, timeout=5)
    assert opened == []  # nothing opened before the first call (a preloading master forks)
    res = pool.execute(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", result_format=JSON, graph_format=TTL
    )
    assert b"200" in res.body and pool.info().triples == 200
    assert opened == [1] and set(mp.active_children()) == before
    pool.close()
