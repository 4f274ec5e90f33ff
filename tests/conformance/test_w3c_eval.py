"""The conformance guard: the W3C SPARQL 1.1 query and update evaluation suites through the
HTTP service, each answer compared with pyoxigraph's in this process over the same data
(how, and why: tests/conformance/w3c_eval.py).

Query tests run against two live read-only servers over one store of every data file: one
with the fast paths (the response cache, the plain-query lane; asked by GET, and by POST
which takes Flask's path) and one with ``ENLARGEMENT_KG_FAST_PATHS=0``. Each query is sent
twice to the fast server, so that the second answer comes from its caches. Syntax tests:
what pyoxigraph parses the service must run, what it refuses the service must answer with
400. Update tests run against a live ``--writable`` server: the test's dataset put with the
the update that resets the dataset to the test's and the test's own update in one request,
then every graph read back and compared with the
same update applied in process.
"""

from __future__ import annotations

import secrets
import shutil

import pyoxigraph as ox
import pytest
import requests
from rdflib.compare import isomorphic
from support import start_server
from support.writes import start_writable
from w3c_eval import (
    EMPTY_GRAPH,
    QUERY_MANIFEST,
    UPDATE_MANIFEST,
    EvalTest,
    data_files,
    graph_from,
    graph_name,
    has_order,
    normalise_select,
    read_suite,
)
from w3c_servers import build_store

from enlargement_kg.web.sparql import BASE_IRI

pytestmark = [pytest.mark.live, pytest.mark.slow]

QUERY_TESTS = read_suite(QUERY_MANIFEST)
UPDATE_TESTS = read_suite(UPDATE_MANIFEST)
SELECT_JSON = "application/sparql-results+json"
NT = "application/n-triples"


@pytest.fixture(scope="module")
def eval_store(tmp_path_factory):
    return build_store(
        out=tmp_path_factory.mktemp("w3c-eval") / "store",
        graphs={graph_name(f): f for f in data_files()},
    )


@pytest.fixture(scope="module")
def engine(eval_store, tmp_path_factory):
    """pyoxigraph in this process, over a copy of the servers' store (same blank nodes)."""
    copy = tmp_path_factory.mktemp("w3c-engine") / "store"
    shutil.copytree(eval_store, copy)
    return ox.Store(str(copy))


@pytest.fixture(scope="module")
def servers(eval_store, tmp_path_factory):
    started = {}
    for name, env in (("fast", {}), ("plain", {"ENLARGEMENT_KG_FAST_PATHS": "0"})):
        copy = tmp_path_factory.mktemp(f"w3c-{name}") / "store"
        shutil.copytree(eval_store, copy)
        started[name] = start_server("--store", str(copy), "--workers", "1", env=env)
    yield started
    for s in started.values():
        s.stop()


def _dataset(test: EvalTest) -> tuple[list[str], list[str]]:
    default = [graph_name(test.data)] if test.data else [EMPTY_GRAPH]
    return default, [name for name, _ in test.graph_data]


def _in_process(store: ox.Store, test: EvalTest):
    default, named = _dataset(test)
    return store.query(
        test.text,
        base_iri=BASE_IRI,
        default_graph=[ox.NamedNode(g) for g in default],
        named_graphs=[ox.NamedNode(g) for g in named],
    )


def _send(url: str, test: EvalTest, accept: str, method: str) -> requests.Response:
    default, named = _dataset(test)
    params = {"query": test.text, "default-graph-uri": default, "named-graph-uri": named}
    headers = {"Accept": accept}
    if method == "GET":
        return requests.get(url, params=params, headers=headers, timeout=30)
    return requests.post(url, data=params, headers=headers, timeout=30)


EVAL = [t for t in QUERY_TESTS if t.kind == "query"]


@pytest.mark.parametrize("test", EVAL, ids=[t.id for t in EVAL])
def test_query_answers_unchanged(test, servers, engine):
    try:
        expected = _in_process(engine, test)
    except (SyntaxError, OSError, ValueError) as exc:
        pytest.fail(f"the engine refuses a W3C evaluation test: {exc}")
    if isinstance(expected, ox.QueryTriples):
        accept = NT
        want = graph_from(expected.serialize(format=ox.RdfFormat.N_TRIPLES))
    else:
        accept = SELECT_JSON
        want = normalise_select(_json(expected), ordered=has_order(test.text))
    for label, url, method in (
        ("fast GET", servers["fast"].sparql, "GET"),
        ("fast GET again (cached)", servers["fast"].sparql, "GET"),
        ("fast POST", servers["fast"].sparql, "POST"),
        ("no fast paths", servers["plain"].sparql, "GET"),
    ):
        r = _send(url, test, accept, method)
        assert r.status_code == 200, f"{label}: {r.status_code} {r.text[:300]}"
        if accept == NT:
            assert isomorphic(graph_from(r.content), want), f"{label}: graphs differ"
        else:
            got = normalise_select(r.json(), ordered=has_order(test.text))
            assert got == want, f"{label}: answers differ"


def _json(result) -> dict:
    import json

    return json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))


SYNTAX = [t for t in QUERY_TESTS + UPDATE_TESTS if t.kind.startswith("query-syntax")]


@pytest.mark.parametrize("test", SYNTAX, ids=[t.id for t in SYNTAX])
def test_query_syntax_unchanged(test, servers):
    outcome = _outcome(lambda: ox.Store().query(test.text, base_iri=BASE_IRI))
    r = requests.get(
        servers["fast"].sparql,
        params={"query": test.text},
        headers={"Accept": SELECT_JSON + ", " + NT},
        timeout=30,
    )
    _assert_same_outcome(test, outcome, r)


def _outcome(run) -> str:
    """What the engine makes of an operation: "ok", "syntax" (it does not parse) or
    "error" (it parses, then fails: an unsupported custom function, say)."""
    try:
        run()
    except SyntaxError:
        return "syntax"
    except (OSError, ValueError, RuntimeError):
        return "error"
    return "ok"


def _assert_same_outcome(test: EvalTest, outcome: str, r: requests.Response) -> None:
    reason = test.refused_by_design()
    if reason:
        assert r.status_code == 400, f"{reason} not refused: {r.status_code} {r.text[:300]}"
    elif outcome == "ok":
        assert r.status_code in (200, 204), f"{r.status_code} {r.text[:300]}"
    elif outcome == "syntax":
        assert r.status_code == 400, f"{r.status_code} {r.text[:300]}"
    else:  # the engine's error: the client's, never the server's
        assert 400 <= r.status_code < 500, f"{r.status_code} {r.text[:300]}"


# -- updates -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    store = build_store(out=tmp_path_factory.mktemp("w3c-update") / "store", graphs={})
    w = start_writable(store, secrets.token_urlsafe(24), "--workers", "1")
    yield w
    w.stop()


def _initial(test: EvalTest) -> ox.Store:
    """The test's dataset, in process: its data in the default graph, each graph's files
    in the named graph their label names."""
    store = ox.Store()
    if test.data:
        store.load(path=str(test.data), base_iri=graph_name(test.data))
    for name, file in test.graph_data:
        store.load(path=str(file), base_iri=graph_name(file), to_graph=ox.NamedNode(name))
    return store


def _graphs(store: ox.Store) -> dict[str | None, bytes]:
    """Every graph of ``store`` as N-Triples, the default graph under None."""
    out: dict[str | None, bytes] = {}
    for g in [None, *sorted(str(n.value) for n in store.named_graphs())]:
        target = ox.DefaultGraph() if g is None else ox.NamedNode(g)
        quads = store.quads_for_pattern(None, None, None, target)
        out[g] = (
            ox.serialize(
                [ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                format=ox.RdfFormat.N_TRIPLES,
            )
            or b""
        )
    return out


def _reset(graphs: dict[str | None, bytes]) -> str:
    """The update that replaces a dataset with ``graphs`` (N-Triples lines are valid
    ``INSERT DATA`` content)."""
    parts = []
    for name, body in graphs.items():
        triples = body.decode("utf-8")
        parts.append(triples if name is None else f"GRAPH <{name}> {{\n{triples}}}\n")
    text = "DROP ALL"
    if any(parts):
        text += " ;\nINSERT DATA {\n" + "".join(parts) + "}"
    return text


def _read_dataset(w) -> dict[str | None, bytes]:
    r = requests.get(
        w.sparql,
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
        headers={"Accept": SELECT_JSON},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    names = sorted(b["g"]["value"] for b in r.json()["results"]["bindings"])
    out: dict[str | None, bytes] = {}
    for name in [None, *names]:
        params = {"default": ""} if name is None else {"graph": name}
        g = requests.get(f"{w.url}/store", params=params, headers={"Accept": NT}, timeout=30)
        assert g.status_code == 200, f"get {name}: {g.status_code}"
        out[name] = g.content
    return out


UPDATES = [t for t in UPDATE_TESTS if t.kind == "update"]


@pytest.mark.parametrize("test", UPDATES, ids=[t.id for t in UPDATES])
def test_update_effects_unchanged(test, writable):
    expected = _initial(test)
    reset = _reset(_graphs(expected))
    outcome = _outcome(lambda: expected.update(test.text, base_iri=BASE_IRI))
    # one write: the reset and the test's update in one request (a prologue may open any
    # operation of a request, SPARQL 1.1 Update §3); a refused update changes nothing
    r = writable.update(reset + " ;\n" + test.text)
    if r.status_code >= 400 and outcome == "ok":
        assert writable.update(reset).status_code in (200, 204)
        r = writable.update(test.text)  # the reset alone worked: the test's update did not
    _assert_same_outcome(test, outcome, r)
    if outcome != "ok" or test.refused_by_design():
        return
    want, got = _graphs(expected), _read_dataset(writable)
    want = {k: v for k, v in want.items() if k is None or v or k in got}
    assert set(got) == set(want), "the graphs differ"
    for name in want:
        assert isomorphic(graph_from(got[name]), graph_from(want[name])), f"graph {name} differs"


UPDATE_SYNTAX = [t for t in UPDATE_TESTS if t.kind.startswith("update-syntax")]


@pytest.mark.parametrize("test", UPDATE_SYNTAX, ids=[t.id for t in UPDATE_SYNTAX])
def test_update_syntax_unchanged(test, writable):
    outcome = _outcome(lambda: ox.Store().update(test.text, base_iri=BASE_IRI))
    # on an empty dataset, as the engine's: whether CLEAR GRAPH <graph> fails depends on
    # what the tests before it left (syntax-update-13 creates that graph)
    assert writable.update("DROP ALL").status_code in (200, 204)
    _assert_same_outcome(test, outcome, writable.update(test.text))
