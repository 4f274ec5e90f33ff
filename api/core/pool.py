"""Time limits that really stop the work: a store served from killable worker processes.

pyoxigraph's ``query()`` cannot be interrupted, so each query runs in a worker process
forked from the serving process. The caller waits at most ``timeout`` seconds; a worker that
overruns is killed and replaced, the caller gets :class:`QueryTimeout`, and the other
workers keep answering meanwhile.

The one exception, when the pool is made with ``local_reads=True`` (a read-only store): a
query that is *bounded by construction* (:func:`bounded_query`: one triple pattern with at
least one constant term, no operators, no modifiers but ``LIMIT``) runs in the calling
process. It is a single index scan whose answer the result cap cuts off, so it cannot run
away, and it skips the round trip to a worker (two process wake-ups, about 0.3 ms on a
2-vCPU virtual machine, as long as the whole query): point lookups, the bulk of linked-data
traffic, go about twice as fast uncached (bench/, docs/performance.md).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, cast

from rdflib.term import Node

from .child import ErrorReply, child_signals, error_from, error_reply
from .formats import Format
from .guard import bounded_query
from .store import (
    Dataset,
    QueryResult,
    QueryTimeout,
    Store,
    StoreError,
    StoreInfo,
    StoreUnavailable,
)

_CTX = mp.get_context("fork")


def _drop_inherited_sockets(keep: int) -> None:
    """Let go of every socket this worker inherited but ``keep`` (its own pipe): the
    server's listening socket, its clients' connections, the pipes of the other workers.
    Held here, a connection the server closes stays open, a listener outlives a server that
    died (the kernel goes on handing it a share of new connections, and nobody accepts
    them), and a sibling never sees its pipe's end. Each is replaced by /dev/null rather
    than closed, so that its descriptor number cannot be reused by a file this worker opens
    (the inherited socket objects would close that number if they were ever collected)."""
    null = os.open(os.devnull, os.O_RDWR)
    fds: list[int] | range
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: the descriptors a server of this size has
        fds = range(3, 1024)
    for fd in fds:
        if fd in (keep, null) or fd < 3:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd)
        except OSError:
            continue


def _exit_with_parent(every: float = 0.5) -> None:
    """End this worker (even in the middle of a query: the engine lets go of the
    interpreter while it works) once the process that forked it is gone, however it went:
    gunicorn's worker timeout and the OOM killer send SIGKILL, which leaves no time to
    stop the workers."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _worker_loop(conn: Connection, opener: Callable[[], Store]) -> None:
    child_signals()
    _drop_inherited_sockets(keep=conn.fileno())
    _exit_with_parent()
    store: Store | None = None
    open_error: Exception | None = None
    try:
        store = opener()
    except Exception as exc:  # reported on the first request
        open_error = exc
    while True:
        try:
            method, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        if open_error is not None:
            conn.send(error_reply(StoreUnavailable(str(open_error))))
            continue
        try:
            conn.send(("ok", getattr(store, method)(*args, **kwargs)))
        except Exception as exc:  # noqa: BLE001 - a worker must never die on a bad query
            conn.send(error_reply(exc))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    generation: int = 0  #: the pool generation it was spawned in (see ``recycle``)


class PooledStore(Store):
    """Run ``opener()``'s store in ``size`` forked workers with a per-query time limit;
    with ``size=0``, in the calling process (opened there on first use), without one."""

    capabilities = frozenset({"dump", "read_graph", "recycle", "warm"})

    def __init__(
        self,
        opener: Callable[[], Store],
        *,
        size: int = 2,
        timeout: float = 10.0,
        local_reads: bool = False,
    ):
        self._opener = opener
        #: answer :func:`bounded_query` queries in this process (read-only stores only: a
        #: store opened here stays open for the life of the process)
        self._local_reads = local_reads
        self._local: Store | None = None
        self._local_key: tuple[int, int] | None = None  # (pid, generation) it was opened in
        self.local_queries = 0
        self._timeout = timeout
        self._size = size
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._pid: int | None = None  # the process that owns the workers; spawned lazily
        self._lock = threading.Lock()
        self._info: StoreInfo | None = None
        self._generation = 0
        self.timeouts = 0
        self.restarts = 0
        self.recycles = 0

    def _ensure(self) -> None:
        """Start this process's workers on first use. A pool inherited through fork (gunicorn
        preloads the app in its master) is not ours: its handles are dropped, not used."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._idle = queue.LifoQueue()
            for _ in range(self._size):
                self._idle.put(self._spawn())
            self._pid = os.getpid()

    def _spawn(self) -> _Worker:
        parent, child = _CTX.Pipe()
        p = _CTX.Process(target=_worker_loop, args=(child, self._opener), daemon=True)
        p.start()
        child.close()
        return _Worker(p, parent, self._generation)

    def _here(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``method`` of this process's own handle on the store, its errors reported as a
        worker reports them."""
        try:
            return getattr(self._local_store(), method)(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - as a worker reports it
            raise StoreError(f"{type(exc).__name__}: {exc}") from None

    def _call(self, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        if self._size == 0:  # no workers: everything here, without a time limit
            return self._here(method, *args, **kwargs)
        self._ensure()
        limit = self._timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            self.timeouts += 1
            raise QueryTimeout(
                f"no query worker became free within {limit:g} s; the service is busy, try again"
            ) from None
        healthy = True
        try:
            worker.conn.send((method, args, kwargs))
            remaining = max(0.0, deadline - time.monotonic())
            if not worker.conn.poll(remaining):
                healthy = False
                self.timeouts += 1
                raise QueryTimeout(
                    f"the query ran past the time limit of {limit:g} s and "
                    "was stopped; narrow it or add a LIMIT"
                )
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            healthy = False
            raise StoreUnavailable("a query worker died; it has been replaced") from None
        finally:
            if healthy and worker.generation == self._generation:
                self._idle.put(worker)
            else:
                self._replace(worker, restart=not healthy)
        if reply[0] == "ok":
            return reply[1]
        raise error_from(cast(ErrorReply, reply))

    def _replace(self, worker: _Worker, *, restart: bool = True) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        if restart:
            self.restarts += 1
        else:
            self.recycles += 1
        self._idle.put(self._spawn())

    def recycle(self) -> None:
        """Replace every worker so that each opens the store anew (after a committed write):
        idle workers now, busy ones when their query returns. Cached store info is dropped."""
        with self._lock:
            self._generation += 1
            self._info = None
            if self._pid != os.getpid():
                return  # this process has no workers yet: they start fresh on first use
            stale = []
            while True:
                try:
                    stale.append(self._idle.get_nowait())
                except queue.Empty:
                    break
        for worker in stale:
            self._replace(worker, restart=False)

    def warm(self) -> None:
        """Start this process's workers, read the store's version and, for local reads,
        open this process's own handle on the store, now rather than on the first queries
        (on the 100k-triple store on disk, a first point lookup took 36-140 ms instead of
        3). The workers first: forked before this process opens the store, they inherit
        none of the storage engine's threads."""
        self._ensure()
        self.info()  # every request's cache key holds the graph's version
        if self._local_reads:
            self._local_store()

    def _local_store(self) -> Store:
        """This process's own handle on the store, opened on first use (and again after a
        fork or a :meth:`recycle`)."""
        key = (os.getpid(), self._generation)
        if self._local_key != key:
            with self._lock:
                if self._local_key != key:
                    self._local = self._opener()
                    self._local_key = key
        assert self._local is not None  # opened above, for this key
        return self._local

    def execute(
        self,
        query: str,
        *,
        result_format: Format,
        graph_format: Format,
        substitutions: Mapping[str, Node] | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        row_bound: int | None = None,
    ) -> QueryResult:
        kwargs: dict[str, Any] = {
            "result_format": result_format,
            "graph_format": graph_format,
            "substitutions": substitutions,
            "dataset": dataset,
            "max_rows": max_rows,
            "row_bound": row_bound,
        }
        if self._local_reads and bounded_query(query):
            self.local_queries += 1
            return cast(QueryResult, self._here("execute", query, **kwargs))
        return cast(QueryResult, self._call("execute", query, timeout=timeout, **kwargs))

    def dump(self, fmt: Format) -> bytes:
        return cast(bytes, self._call("dump", fmt, timeout=max(self._timeout, 120.0)))

    def read_graph(self, graph: str | None, fmt: Format) -> bytes | None:
        """One graph of the store (Graph Store Protocol GET), or None if there is none."""
        return cast(
            bytes | None, self._call("read_graph", graph, fmt, timeout=max(self._timeout, 120.0))
        )

    def info(self) -> StoreInfo:
        if self._info is None:
            self._info = self._call("info")
        return self._info

    def close(self) -> None:
        if self._pid != os.getpid():
            return
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            w.conn.close()
            w.process.kill()
            w.process.join(timeout=5)
