"""The write process: one long-lived child per serving process that validates and commits
writes one at a time, keeping what it read for the next (:class:`.write_cache.WriteCache`).

It is forked from a clean fork server (``writes.START_METHOD``) the first time the serving
process writes, receives each operation over a pipe, and answers through the protocol of
:class:`.child.Child`: the phases of the write as progress messages, then
``("reply", ...)`` (also a progress message, since the process lives on). Each phase has its
own deadline (:meth:`Writer.run`); a process that overruns one is killed, like a runaway
query, and the next write starts a new one (which reads the store again). A write
therefore keeps every guarantee of docs/writes.md: it is whole or absent, and nothing is
visible before its snapshot is published.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from .child import Child, ChildDied, ChildTimeout, error_from, error_reply
from .store import StoreError, StoreUnavailable
from .validation import ValidationReport, ValidationResult
from .write_cache import WriteCache
from .write_ops import Operation, WriteBusy, WriteRefused, WriteTimeout, violations_graph

if TYPE_CHECKING:
    from .writes import GraphStore, WriteResult

#: How long a write waits for another write (in any process) to finish.
LOCK_WAIT = 60.0
#: The least time the shapes get to validate a staged write (grows with the query limit).
VALIDATION_WAIT = 120.0
#: A commit is never interrupted; past this the writing process is presumed lost.
COMMIT_WAIT = 600.0


#: what :meth:`Writer.warm` sends instead of an operation
WARM = "warm"


class Writer:
    """The serving process's handle on its write process."""

    def __init__(self, store: GraphStore, *, context: str, preload: list[str]):
        import multiprocessing as mp

        inbox, self._outbox = mp.get_context(context).Pipe(duplex=False)
        try:
            self.child = Child(
                serve_writes,
                store,
                inbox,
                what="the write",
                context=context,
                preload=preload,
                progress=True,
            )
        finally:
            inbox.close()
        self.query_timeout = store.query_timeout
        self.alive = True

    def close(self) -> None:
        self.alive = False
        try:
            self._outbox.close()
        finally:
            self.child.close()

    def warm(self) -> None:
        """Have the process read the store now (its mirror and the shapes' graph), rather
        than at the first write."""
        self.run(WARM)  # type: ignore[arg-type]

    def run(self, op: Operation) -> WriteResult:
        """Hand ``op`` to the process and follow it, each phase with its own deadline: the
        lock :data:`LOCK_WAIT`, the operation the query time limit, the validation
        :data:`VALIDATION_WAIT` (or ten query limits), the commit :data:`COMMIT_WAIT`."""
        waits = {
            "sent": LOCK_WAIT,
            "locked": self.query_timeout,
            "applied": max(VALIDATION_WAIT, 10 * self.query_timeout),
            "validated": COMMIT_WAIT,
            "committing": COMMIT_WAIT,
        }
        phase = "sent"
        try:
            self._outbox.send(op)
            while True:
                kind, value = self.child.next(waits[phase])
                if kind == "ok":  # the loop ended: it should not
                    raise ChildDied("the write process ended")
                if not isinstance(value, str):
                    break
                phase = value
        except ChildTimeout:
            self.close()  # killed: the next write starts a new process
            raise _stalled(phase, self.query_timeout) from None
        except (ChildDied, OSError, StoreError):
            self.close()
            raise StoreUnavailable(
                "the write process died"
                + (
                    "; the store is unchanged"
                    if phase != "committing"
                    else "; its transaction was committed whole or not at all"
                )
            ) from None
        return _answer(value[1])


def _answer(reply: tuple) -> WriteResult:
    if reply[0] == "error":
        raise error_from(reply)  # type: ignore[arg-type]
    if reply[0] == "refused":
        _, message, results, report_nt = reply
        graph = Graph()
        graph.parse(data=report_nt, format="nt")
        raise WriteRefused(message, ValidationReport(False, list(results), graph))
    result: WriteResult = reply[1]
    return result


def _stalled(phase: str, query_timeout: float) -> StoreUnavailable | WriteBusy | WriteTimeout:
    """The error of a write process killed for overrunning ``phase``."""
    if phase == "sent":
        return WriteBusy("another write is in progress; try again")
    if phase == "locked":
        return WriteTimeout(
            f"the update ran past the time limit of {query_timeout:g} s and was "
            "stopped; nothing was written"
        )
    if phase == "applied":
        return WriteTimeout("validating the write took too long; nothing was written")
    if phase == "validated":
        return StoreUnavailable("the write stalled before its commit; nothing was written")
    return StoreUnavailable("the commit did not finish; check the store")


def serve_writes(store: GraphStore, inbox: Connection, progress: Callable[[Any], None]) -> None:
    """The body of the write process: each operation from ``inbox``, until the serving
    process closes it. A refusal's report does not pickle: it travels as N-Triples."""
    cache = WriteCache(enabled=store.incremental)
    while True:
        try:
            op = inbox.recv()
        except (EOFError, OSError):
            return
        reply: tuple
        try:
            if op == WARM:
                store._warm(cache)
                reply = ("done", None)
            else:
                reply = ("done", store._transact(op, progress, cache))
        except WriteRefused as exc:
            violations: list[ValidationResult] = exc.report.violations
            nt = violations_graph(exc.report).serialize(format="nt")
            reply = ("refused", str(exc), violations, nt)
        except Exception as exc:  # noqa: BLE001 - reported to the serving process
            cache.drop()
            reply = error_reply(exc)
        progress(("reply", reply))
        store._clean()  # snapshots no reader holds: after the answer, not before
