"""Work in a child process, with a deadline: the one way the service forks for one job.

Three jobs run in a child of their own: checking that an on-disk store opens (the storage
engine's threads must never start in gunicorn's master: ``OxigraphStore.check``), deriving
the rules while the parent validates (``build.derive_and_validate``), and a write
(``writes.GraphStore.write``, from a fork server). :func:`run_in_child` runs a function in a
forked child and returns its value; :class:`Child` is the same with the parent free
meanwhile, and with progress messages from the child. The query workers of ``core/pool.py``
live on (a pool, not a job) but speak the same replies (:func:`error_reply`,
:func:`error_from`).

The protocol, over a one-way pipe from the child: ``("progress", value)`` any number of
times, then ``("ok", value)`` or ``("error", class, type name, message)``, where ``class``
is ``module:qualname`` of a :class:`.StoreError` (re-raised in the parent as that class,
with its message) or empty for any other exception (raised as :class:`ChildError`). A child
that overruns is killed and :class:`ChildTimeout` raised; one that ends without an answer
(killed, ``os._exit``, a crash) gives :class:`ChildDied`.

>>> run_in_child(divmod, 7, 2, timeout=30, what="a division")
(3, 1)
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import signal
import time
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, TypeVar, cast

from .store import QueryTimeout, StoreError, StoreUnavailable

T = TypeVar("T")

#: ``("error", class, type name, message)``: see the module's docstring
ErrorReply = tuple[str, str, str, str]


class ChildError(StoreError):
    """The child raised an exception that is not a :class:`.StoreError`; ``type_name`` and
    ``message`` are its class's name and its message, ``str()`` is ``"TypeName: message"``."""

    def __init__(self, type_name: str, message: str):
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message


class ChildTimeout(QueryTimeout):
    """The child ran past its deadline; it has been killed."""


class ChildDied(StoreUnavailable):
    """The child ended without an answer; ``exitcode`` is its exit status (minus the signal
    that killed it, as :attr:`multiprocessing.Process.exitcode`)."""

    def __init__(self, message: str, exitcode: int | None = None):
        super().__init__(message)
        self.exitcode = exitcode


def error_reply(exc: BaseException) -> ErrorReply:
    """The reply that carries ``exc`` to the parent (:func:`error_from` turns it back)."""
    if isinstance(exc, StoreError):
        cls = type(exc)
        return ("error", f"{cls.__module__}:{cls.__qualname__}", cls.__name__, str(exc))
    return ("error", "", type(exc).__name__, str(exc))


def error_from(reply: ErrorReply) -> StoreError:
    """The exception an error reply carries: the child's :class:`.StoreError` subclass with
    its message (a plain StoreError if that class cannot be had or made from a message
    alone), else :class:`ChildError`."""
    _, ref, type_name, message = reply
    if not ref:
        return ChildError(type_name, message)
    module, _, qualname = ref.partition(":")
    try:
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        return StoreError(message)
    if isinstance(cls, type) and issubclass(cls, StoreError):
        try:
            return cls(message)
        except TypeError:  # a constructor that wants more than the message
            pass
    return StoreError(message)


def child_signals() -> None:
    """Signals as a child wants them: SIGINT ignored (the parent owns the terminal's
    interrupt and stops its children), SIGTERM the default (end; never the handler a
    serving parent installed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def can_fork() -> bool:
    """Whether this platform has the ``fork`` start method."""
    return "fork" in mp.get_all_start_methods()


def limit_memory(extra: int) -> None:
    """Cap this process's address space (``RLIMIT_AS``) at what it maps now plus ``extra``
    bytes: an allocation past it fails (``MemoryError``, or the process dies). Linux only
    (the size is read from /proc); elsewhere nothing is capped."""
    import os
    import resource

    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra if hard == resource.RLIM_INFINITY else min(hard, mapped + extra)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(
    conn: Connection,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    progress: bool,
    memory: int | None = None,
) -> None:
    """The body of every child: run ``fn``, send its value or its error, end."""
    child_signals()
    if memory is not None:
        limit_memory(memory)
    reply: tuple[Any, ...]
    try:
        kwargs = {"progress": lambda v: conn.send(("progress", v))} if progress else {}
        reply = ("ok", fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, never a traceback
        reply = error_reply(exc)
    try:
        conn.send(reply)
    except Exception as exc:  # noqa: BLE001 - a value that does not pickle
        conn.send(error_reply(exc))
    finally:
        conn.close()


class Child:
    """``fn(*args)`` running in a child process; the parent is free until it asks for the
    result. Use it as a context manager: on leaving, a child still running is killed and
    every child is joined.

    ``context`` is the :mod:`multiprocessing` start method (``fork``, or ``forkserver``
    with modules to ``preload``; then ``fn`` and ``args`` must pickle). With
    ``progress=True`` ``fn`` is called with a keyword argument ``progress``, a function
    that sends a value to the parent (:meth:`next` returns it). ``memory``: the bytes of
    address space the child may add to what it inherits (:func:`limit_memory`).
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        what: str,
        context: str = "fork",
        preload: Iterable[str] = (),
        progress: bool = False,
        memory: int | None = None,
    ):
        ctx: Any = mp.get_context(context)
        preload = list(preload)
        if preload:
            ctx.set_forkserver_preload(preload)
        self.what = what
        self._conn, child_end = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_child_main, args=(child_end, fn, args, progress, memory), daemon=True
        )
        try:
            self.process.start()
        except BaseException:
            self._conn.close()
            raise
        finally:
            child_end.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def next(self, timeout: float | None) -> tuple[str, Any]:
        """The child's next message within ``timeout`` seconds (None: however long it
        takes): ``("progress", value)`` or ``("ok", value)``. An error the child reports is
        raised (:func:`error_from`); past the deadline the child is killed and
        :class:`ChildTimeout` raised; a child that ends without a word gives
        :class:`ChildDied`."""
        return self._receive(timeout, timeout)

    def result(self, timeout: float | None) -> Any:
        """The child's value, waiting at most ``timeout`` seconds in all (progress messages
        are passed over); raises as :meth:`next` does."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            kind, value = self._receive(wait, timeout)
            if kind == "ok":
                return value

    def _receive(self, wait: float | None, limit: float | None) -> tuple[str, Any]:
        if not self._conn.poll(wait):
            self.stop()
            raise ChildTimeout(
                f"{self.what} ran past its time limit of {limit:g} s and was stopped"
            )
        try:
            message = self._conn.recv()
        except (EOFError, OSError):
            self.process.join(timeout=5)
            code = self.process.exitcode
            self.stop()
            raise ChildDied(f"the process of {self.what} died ({_how(code)})", code) from None
        if message[0] == "error":
            raise error_from(message)
        return message[0], message[1]

    def stop(self) -> None:
        """Kill the child if it still runs, and join it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)

    def close(self) -> None:
        """:meth:`stop`, and let go of the pipe."""
        try:
            self.stop()
        finally:
            self._conn.close()


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return "it did not end"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def run_in_child(
    fn: Callable[..., T],
    *args: Any,
    timeout: float | None,
    what: str,
    context: str = "fork",
    memory: int | None = None,
) -> T:
    """``fn(*args)`` run in a forked child, its value returned (it must pickle), waiting at
    most ``timeout`` seconds (None: however long it takes). A :class:`.StoreError` in the
    child is raised here as the same class with the same message, any other exception as
    :class:`ChildError`; an overrunning child is killed (:class:`ChildTimeout`), one that
    dies gives :class:`ChildDied`. ``what`` names the work in those messages; ``memory``
    caps what the child may allocate (:func:`limit_memory`)."""
    with Child(fn, *args, what=what, context=context, memory=memory) as child:
        return cast(T, child.result(timeout))
