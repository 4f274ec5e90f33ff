"""Costly answers shared by the serving processes (core/shared_cache.py): an answer made in
one process is a hit in another (forked, as gunicorn's workers are); cheap answers stay
private; the cache keeps to its byte budget, oldest out first; a broken cache file makes
the service miss, never fail."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from enlargement_kg.core import formats
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.service import QueryService
from enlargement_kg.core.shared_cache import SharedCache
from enlargement_kg.core.store import QueryResult

JSON = formats.by_name("json")
TTL = formats.by_name("turtle")
Q = "SELECT ?s WHERE { VALUES ?s { 1 2 3 } }"


@pytest.fixture()
def shared(tmp_path):
    return SharedCache(tmp_path / "answers.sqlite", min_seconds=0.0)


def _answer_in_a_forked_process(shared: SharedCache, query: str) -> bool:
    """Run ``query`` in a forked child with a service of its own over ``shared``: whether
    the child's answer came from a cache."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()

    def work():
        svc = QueryService(OxigraphStore.memory(), shared=shared)
        child.send(svc.run(query, result_format=JSON, graph_format=TTL)[1])

    p = ctx.Process(target=work)
    p.start()
    try:
        assert parent.poll(30), "the child did not answer"
        return parent.recv()
    finally:
        p.join(10)


def test_an_answer_made_in_one_process_is_a_hit_in_another(shared):
    store = OxigraphStore.memory()
    first = QueryService(store, shared=shared)
    made, hit = first.run(Q, result_format=JSON, graph_format=TTL)
    assert hit is False and len(shared) == 1
    assert _answer_in_a_forked_process(shared, Q) is True
    second = QueryService(store, shared=shared)  # a fresh private cache, same shared one
    got, hit = second.run(Q, result_format=JSON, graph_format=TTL)
    assert hit is True and second.metrics.cache_hits == 1
    assert (got.kind, got.body, got.format, got.rows) == (
        made.kind,
        made.body,
        made.format,
        made.rows,
    )
    assert second.run(Q, result_format=JSON, graph_format=TTL)[1] is True  # now private too


def test_the_key_holds_the_format_and_the_version(shared):
    store = OxigraphStore.memory()
    QueryService(store, shared=shared).run(Q, result_format=JSON, graph_format=TTL)
    other = QueryService(store, shared=shared)
    assert other.run(Q, result_format=formats.by_name("csv"), graph_format=TTL)[1] is False
    other.advance("another build")
    assert other.run(Q, result_format=JSON, graph_format=TTL)[1] is False


def test_cheap_answers_stay_private(tmp_path):
    shared = SharedCache(tmp_path / "answers.sqlite", min_seconds=60.0)
    QueryService(OxigraphStore.memory(), shared=shared).run(Q, result_format=JSON, graph_format=TTL)
    assert len(shared) == 0
    assert _answer_in_a_forked_process(shared, Q) is False


def test_one_pattern_scans_stay_private(shared):
    """A point lookup is bounded by construction and cheap however long it waited for the
    interpreter under load: it is never written to the shared cache."""
    svc = QueryService(OxigraphStore.memory(), shared=shared)
    svc.run("SELECT ?p ?o WHERE { <urn:x> ?p ?o }", result_format=JSON, graph_format=TTL)
    assert len(shared) == 0
    svc.run(Q, result_format=JSON, graph_format=TTL)
    assert len(shared) == 1


def test_byte_budget_oldest_out_first(tmp_path):
    shared = SharedCache(tmp_path / "answers.sqlite", max_bytes=250, min_seconds=0.0)
    for i in range(5):
        shared.put(("k", i), QueryResult("bindings", b"x" * 100, JSON, 1), 1.0)
    assert len(shared) == 2
    assert shared.get(("k", 4)) is not None and shared.get(("k", 3)) is not None
    assert shared.get(("k", 0)) is None
    shared.put(("too big",), QueryResult("bindings", b"x" * 251, JSON, 1), 1.0)
    assert shared.get(("too big",)) is None and len(shared) == 2


def test_a_broken_cache_file_makes_the_service_miss_not_fail(tmp_path):
    shared = SharedCache(tmp_path / "answers.sqlite", min_seconds=0.0)
    svc = QueryService(OxigraphStore.memory(), shared=shared)
    (tmp_path / "answers.sqlite").write_bytes(b"not a database" * 100)
    shared._local.conn = None  # as a process that opens the file now
    result, hit = svc.run(Q, result_format=JSON, graph_format=TTL)
    assert hit is False and b'"s"' in result.body


def test_temporary_is_removed_by_the_process_that_made_it_only():
    """gunicorn's workers exit through ``sys.exit``, running the exit handler (``remove``)
    they inherited from the master: theirs must leave the folder to the master."""
    import os

    shared = SharedCache.temporary(min_seconds=0.0)
    assert shared.path.is_file()
    pid = os.fork()
    if pid == 0:  # a worker exiting
        try:
            shared.remove()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert shared.path.is_file(), "a forked process removed the master's cache"
    shared.remove()  # the master exiting
    assert not shared.path.parent.exists()
