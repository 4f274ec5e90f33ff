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

Admission (issue 17): a client's query waits at most ``wait`` seconds for a free worker,
then gets :class:`PoolBusy` (503 with ``Retry-After``) instead of holding the caller's
request thread until a worker frees; the service's own queries (pages and charts: a bounded
set, each made once per graph version) wait up to their time limit. One client
(:data:`CLIENT`, set by the query service for the request it answers) runs at most
``per_client`` queries at once in a serving process; beyond that :class:`ClientBusy` (429
with ``Retry-After``: that client is over its share, the service is not full). A worker's
address space is capped at what it maps after opening the store plus ``memory`` bytes
(``RLIMIT_AS``, :func:`.child.limit_memory`; the serving process is never capped): a query
that needs more fails its allocation, the engine aborts the worker, and the caller gets
:class:`QueryMemoryExceeded` (503) while the worker is replaced.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import queue
import re
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import IO, Any, cast

from rdflib.term import Node

from .child import ErrorReply, child_signals, error_from, error_reply, limit_memory
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

#: the client a query is run for (an IP address), or None (the service's own queries): the
#: query service sets it around the store call (``QueryService.run(client=...)``)
CLIENT: ContextVar[str | None] = ContextVar("enlargement_kg_client", default=None)
MB = 1 << 20


class PoolBusy(StoreUnavailable):
    """Every query worker stayed busy for the admission wait (503); ``retry_after`` is the
    seconds until the first of them is stopped at the latest."""

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


class ClientBusy(StoreError):
    """The client already runs as many queries as one client may (429 Too Many Requests)."""

    status = 429

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


class QueryMemoryExceeded(StoreUnavailable):
    """The query needed more memory than a worker may have; the worker was replaced (503)."""


class EngineFailure(StoreError):
    """The engine panicked on a query (a fault of the engine; 500 with the engine's reason);
    the worker was replaced."""

    status = 500


#: a Rust panic's message, as the engine prints it before the worker aborts
_PANIC = re.compile(r"panicked at [^\n]*:\n([^\n]+)")
#: what the engine prints when an allocation fails (at the memory limit), before it aborts
_ALLOC = re.compile(r"memory allocation of \d+ bytes failed")
log = logging.getLogger(__name__)


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


#: how much lower a query process's CPU priority is than its serving process's: on a busy
#: machine, runaway queries take what the serving processes leave (docs/performance.md)
QUERY_NICE = 10


def _worker_loop(
    conn: Connection, opener: Callable[[], Store], memory: int | None, stderr: int | None = None
) -> None:
    child_signals()
    os.nice(QUERY_NICE)  # the serving processes (point lookups, cached answers) come first
    if stderr is not None:  # what the engine prints before it aborts: the parent reads it
        os.dup2(stderr, 2)
    _drop_inherited_sockets(keep=conn.fileno())
    _exit_with_parent()
    store: Store | None = None
    open_error: Exception | None = None
    try:
        store = opener()
    except Exception as exc:  # reported on the first request
        open_error = exc
    if memory is not None:  # what the store and the interpreter map now, plus the budget
        limit_memory(memory)
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
    #: the worker's standard error (an unlinked file), read when it dies: why it died
    stderr: IO[bytes] | None = None

    def last_words(self, limit: int = 65536) -> str:
        """The end of what the worker wrote to its standard error."""
        if self.stderr is None:
            return ""
        fd = self.stderr.fileno()
        size = os.fstat(fd).st_size
        return os.pread(fd, limit, max(0, size - limit)).decode("utf-8", "replace")

    def close(self) -> None:
        self.conn.close()
        if self.stderr is not None:
            self.stderr.close()


class PooledStore(Store):
    """Run ``opener()``'s store in ``size`` forked workers with a per-query time limit;
    with ``size=0``, in the calling process (opened there on first use), without one.

    ``wait``: the seconds a call waits for a free worker (None: its whole time limit);
    ``per_client``: the calls one :data:`CLIENT` may have in the pool at once (0: no cap);
    ``memory``: the bytes of address space a worker may add to what it maps once the store
    is open (None: no cap). The module's docstring says why."""

    capabilities = frozenset({"dump", "read_graph", "recycle", "warm"})

    def __init__(
        self,
        opener: Callable[[], Store],
        *,
        size: int = 2,
        timeout: float = 10.0,
        local_reads: bool = False,
        wait: float | None = None,
        per_client: int = 0,
        memory: int | None = None,
    ):
        self._opener = opener
        self._wait, self._per_client, self.memory = wait, per_client, memory
        self._admission = threading.RLock()
        self._clients: dict[str, int] = {}  #: calls in the pool per client
        #: id(worker) -> (the deadline of its call, the client it runs for)
        self._running: dict[int, tuple[float, str | None]] = {}
        self.refused = 0  #: calls that found every worker busy (PoolBusy)
        self.client_refusals = 0  #: calls over a client's share (ClientBusy)
        self.memory_kills = 0  #: queries stopped at the memory limit
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
        self._recycling: list[threading.Thread] = []  #: threads starting replacements
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
        # lives as long as the worker (closed by _Worker.close)
        stderr = tempfile.TemporaryFile(prefix="enlargement-kg-worker-")  # noqa: SIM115
        args = (child, self._opener, self.memory, stderr.fileno())
        p = _CTX.Process(target=_worker_loop, args=args, daemon=True)
        p.start()
        child.close()
        return _Worker(p, parent, self._generation, stderr)

    def _here(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``method`` of this process's own handle on the store, its errors reported as a
        worker reports them."""
        try:
            return getattr(self._local_store(), method)(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - as a worker reports it
            raise StoreError(f"{type(exc).__name__}: {exc}") from None

    def _call(
        self, method: str, *args: Any, timeout: float | None = None, admit: bool = True, **kw: Any
    ) -> Any:
        """``method`` run by a free worker within the time limit; with ``admit``, waiting at
        most the admission wait for the worker, and counted against the :data:`CLIENT`."""
        if self._size == 0:  # no workers: everything here, without a time limit
            return self._here(method, *args, **kw)
        self._ensure()
        limit = self._timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        client = CLIENT.get() if admit else None
        self._enter(client)
        try:
            # a client's query waits the admission wait; the service's own (pages and charts:
            # a bounded set, each made once per version) may wait its whole time limit
            short = self._wait is not None and client is not None
            wait = min(self._wait, limit) if short and self._wait is not None else limit
            worker = self._acquire(wait)
            reply = self._ask(worker, (method, args, kw), deadline, limit, client)
        finally:
            self._leave(client)
        if reply[0] == "ok":
            return reply[1]
        raise error_from(cast(ErrorReply, reply))

    def _enter(self, client: str | None) -> None:
        """Count a call of ``client``; :class:`ClientBusy` if it has its share running."""
        if client is None or self._per_client <= 0:
            return
        with self._admission:
            running = self._clients.get(client, 0)
            if running >= self._per_client:
                self.client_refusals += 1
                raise ClientBusy(
                    f"this client already runs {running} costly "
                    f"quer{'y' if running == 1 else 'ies'} at once, the most one client may; "
                    "try again when one has finished",
                    retry_after=self._retry_after(client),
                )
            self._clients[client] = running + 1

    def _leave(self, client: str | None) -> None:
        if client is None or self._per_client <= 0:
            return
        with self._admission:
            left = self._clients.get(client, 1) - 1
            if left > 0:
                self._clients[client] = left
            else:
                self._clients.pop(client, None)

    def _acquire(self, wait: float) -> _Worker:
        try:
            return self._idle.get(timeout=wait)
        except queue.Empty:
            self.refused += 1
            raise PoolBusy(
                f"every query worker stayed busy for {wait:g} s; the service is busy, "
                "try again later",
                retry_after=self._retry_after(None),
            ) from None

    def _retry_after(self, client: str | None) -> int:
        """Whole seconds until the first running call (of ``client``, or any) is over at
        the latest: its deadline. At least 1."""
        now = time.monotonic()
        with self._admission:
            ends = [end for end, c in self._running.values() if client in (None, c)]
        return max(1, math.ceil(min(ends) - now)) if ends else 1

    def _ask(
        self,
        worker: _Worker,
        call: tuple[Any, ...],
        deadline: float,
        limit: float,
        client: str | None,
    ) -> Any:
        """Send ``call`` to ``worker`` and return its reply by ``deadline``; the worker goes
        back to the idle ones, or is replaced if it overran, died or ran out of memory."""
        with self._admission:
            self._running[id(worker)] = (deadline, client)
        healthy = True
        try:
            worker.conn.send(call)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                healthy = False
                self.timeouts += 1
                raise QueryTimeout(
                    f"the query ran past the time limit of {limit:g} s and "
                    "was stopped; narrow it or add a LIMIT"
                )
            reply = worker.conn.recv()
            if reply[0] == "error" and reply[2] == "MemoryError":
                healthy = False
                raise self._out_of_memory()
            return reply
        except (EOFError, OSError):
            healthy = False
            raise self._died(worker) from None
        finally:
            with self._admission:
                self._running.pop(id(worker), None)
            if healthy and worker.generation == self._generation:
                self._idle.put(worker)
            else:
                self._replace(worker, restart=not healthy)

    def _died(self, worker: _Worker) -> StoreError:
        """The error of a worker that ended in a call, from what it wrote last: aborted at
        the memory limit (the engine aborts when an allocation fails), failed in the engine
        (a panic), or died otherwise. What it wrote goes to the log."""
        worker.process.join(timeout=1)
        words = worker.last_words()
        if words:  # the engine's reason, without the backtrace that may follow it
            reason = _PANIC.search(words) or _ALLOC.search(words)
            said = reason.group(0) if reason else words[-500:]
            log.warning("a query worker died (exit %s): %s", worker.process.exitcode, said)
        if _ALLOC.search(words) or (
            self.memory is not None and worker.process.exitcode == -signal.SIGABRT and not words
        ):
            return self._out_of_memory()
        panic = _PANIC.search(words)
        if panic:
            return EngineFailure(
                f"the query engine failed on this query ({panic.group(1).strip()}); its "
                "worker has been replaced. This is a fault of the engine, not of the query: "
                "rephrasing it (another ORDER BY, a FILTER) may avoid it"
            )
        return StoreUnavailable("a query worker died; it has been replaced")

    def _out_of_memory(self) -> QueryMemoryExceeded:
        self.memory_kills += 1
        limit = (self.memory or 0) // MB
        return QueryMemoryExceeded(
            f"the query needed more memory than the limit of {limit} MB and was stopped "
            "(its worker has been replaced); narrow it or add a LIMIT"
        )

    def _replace(self, worker: _Worker, *, restart: bool = True) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.close()
        if restart:
            self.restarts += 1
        else:
            self.recycles += 1
        self._idle.put(self._spawn())

    def recycle(self) -> None:
        """Replace every worker so that each opens the store anew (after a committed write):
        idle workers now, busy ones when their query returns. Cached store info is dropped.

        The idle ones leave the pool at once, so no query reaches an old snapshot; their
        replacements are started by a thread, so that the write that called this answers
        without waiting for them (they took 20 to 60 ms a write); a query meanwhile waits for
        the first of them, within its admission wait."""
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
        if stale:
            t = threading.Thread(
                target=self._replace_all, args=(stale,), name="enlargement-kg-recycle", daemon=True
            )
            self._recycling = [r for r in self._recycling if r.is_alive()] + [t]
            t.start()

    def _replace_all(self, workers: list[_Worker]) -> None:
        for worker in workers:
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
            self._info = self._call("info", admit=False)
        return self._info

    def close(self) -> None:
        if self._pid != os.getpid():
            return
        for t in self._recycling:  # their workers go with the others
            t.join(timeout=10)
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            w.close()
            w.process.kill()
            w.process.join(timeout=5)
