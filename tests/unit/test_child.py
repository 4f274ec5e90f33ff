"""``core/child.py``: one job in a child process with a deadline (the store check, the
derivation of a build, a write). A value comes back; an error comes back typed, with its
message; a child that overruns is killed within the deadline; one that dies is reported."""

from __future__ import annotations

import operator
import os
import signal
import time

import pytest

from enlargement_kg.core.child import (
    Child,
    ChildDied,
    ChildError,
    ChildTimeout,
    error_from,
    error_reply,
    run_in_child,
)
from enlargement_kg.core.store import (
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)


class NeedsMore(StoreError):
    """A StoreError that cannot be made from its message alone."""

    def __init__(self, message: str, extra: int):
        super().__init__(message)
        self.extra = extra


def _raise(exc: BaseException) -> None:
    raise exc


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _exit(code: int) -> None:
    os._exit(code)


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _count(n: int, *, progress) -> int:
    for i in range(n):
        progress(i)
    return n * 10


def test_a_value_returns():
    assert run_in_child(divmod, 7, 2, timeout=30, what="a division") == (3, 1)
    assert run_in_child(dict, timeout=None, what="nothing") == {}


def test_the_child_runs_in_another_process():
    assert run_in_child(os.getpid, timeout=30, what="a pid") != os.getpid()


def test_a_store_error_comes_back_as_its_class_with_its_message():
    with pytest.raises(QuerySyntaxError, match="^bad query$") as caught:
        run_in_child(_raise, QuerySyntaxError("bad query"), timeout=30, what="a query")
    assert type(caught.value) is QuerySyntaxError


def test_any_other_error_comes_back_as_a_child_error_named_by_its_type():
    with pytest.raises(ChildError) as caught:
        run_in_child(_raise, ValueError("no such thing"), timeout=30, what="a lookup")
    assert caught.value.type_name == "ValueError"
    assert caught.value.message == "no such thing"
    assert str(caught.value) == "ValueError: no such thing"
    assert isinstance(caught.value, StoreError) and caught.value.status == 500


def test_an_error_that_needs_more_than_its_message_comes_back_as_a_store_error():
    with pytest.raises(StoreError, match="^refused$") as caught:
        run_in_child(_raise, NeedsMore("refused", 1), timeout=30, what="a write")
    assert type(caught.value) is StoreError


def test_a_value_that_does_not_pickle_is_an_error_not_a_hang():
    with pytest.raises(ChildError):
        run_in_child(lambda: lambda: None, timeout=30, what="a closure")


def test_a_child_that_overruns_is_killed_within_the_deadline():
    t0 = time.monotonic()
    with Child(_sleep, 60, what="a long nap") as child:
        with pytest.raises(ChildTimeout, match="a long nap ran past its time limit of 0.5 s"):
            child.result(timeout=0.5)
        assert not child.process.is_alive()
        assert child.process.exitcode is not None and child.process.exitcode < 0  # killed
    assert time.monotonic() - t0 < 10
    assert issubclass(ChildTimeout, QueryTimeout)


def test_run_in_child_kills_an_overrunning_child():
    t0 = time.monotonic()
    with pytest.raises(ChildTimeout):
        run_in_child(_sleep, 60, timeout=0.5, what="a long nap")
    assert time.monotonic() - t0 < 10


def test_a_child_that_dies_is_reported():
    with pytest.raises(ChildDied, match=r"the process of a crash died \(exit status 3\)") as c:
        run_in_child(_exit, 3, timeout=30, what="a crash")
    assert c.value.exitcode == 3
    assert isinstance(c.value, StoreUnavailable)


def test_a_child_killed_by_a_signal_is_reported_with_the_signal():
    with pytest.raises(ChildDied, match="killed by SIGKILL"):
        run_in_child(_kill_self, timeout=30, what="a kill")


def test_progress_comes_before_the_value():
    with Child(_count, 3, what="counting", progress=True) as child:
        seen = [child.next(timeout=30) for _ in range(4)]
    assert seen == [("progress", 0), ("progress", 1), ("progress", 2), ("ok", 30)]


def test_result_passes_over_progress():
    with Child(_count, 2, what="counting", progress=True) as child:
        assert child.result(timeout=30) == 20


def test_the_parent_works_while_the_child_does():
    with Child(_sleep, 0.3, what="a nap") as child:
        here = sum(range(1000))  # meanwhile, in the parent
        assert child.result(timeout=30) == "woke"
    assert here == 499500
    assert not child.process.is_alive()


def test_a_fork_server_child():
    """The write's start method: a fresh interpreter; the function must pickle."""
    assert run_in_child(operator.add, 2, 3, timeout=60, what="a sum", context="forkserver") == 5


def test_error_replies_round_trip():
    assert type(error_from(error_reply(QuerySyntaxError("x")))) is QuerySyntaxError
    assert str(error_from(error_reply(KeyError("k")))) == "KeyError: 'k'"
    unknown = ("error", "enlargement_kg.nowhere:Gone", "Gone", "lost")
    assert type(error_from(unknown)) is StoreError and str(error_from(unknown)) == "lost"
    not_a_store_error = ("error", "builtins:ValueError", "ValueError", "v")
    assert type(error_from(not_a_store_error)) is StoreError
