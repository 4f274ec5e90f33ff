"""``enlargement-kg push`` into real SPARQL 1.1 stores on loopback: Virtuoso (Debian's
virtuoso-opensource-7-bin, started with a temporary database by the fixture) and this
service's own Graph Store Protocol with writes on. After each push, a SPARQL count at the
store matches the source graph by graph."""

from __future__ import annotations

import importlib.util
import json

import pytest
from support import cli, free_port, start_server
from support.publish import Virtuoso, source_counts

from enlargement_kg.core.push import load_release

PARTNER = "http://example.org/partner/enlargement-kg"


@pytest.fixture(scope="module")
def release(built_store, tmp_path_factory):
    """A release of the served graph, the thing a partner loads."""
    root = tmp_path_factory.mktemp("push-releases")
    res = cli(
        "release",
        "1.0.0",
        "--store",
        str(built_store),
        "--releases",
        str(root),
        "--date",
        "2026-11-26",
    )
    assert res.returncode == 0, res.stderr
    return root / "1.0.0"


@pytest.fixture(scope="module")
def expected(release) -> dict[str, int]:
    counts = source_counts(load_release(release))
    assert len(counts) >= 15 and sum(counts.values()) > 5000
    return counts


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    reason = Virtuoso.missing()
    if reason:
        pytest.skip(reason)
    server = Virtuoso(
        tmp_path_factory.mktemp("virtuoso"), sql_port=free_port(), http_port=free_port()
    )
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


def push(*args: str, **kwargs):
    return cli("push", *args, timeout=600, **kwargs)


@pytest.mark.live
@pytest.mark.slow
def test_push_release_to_virtuoso_by_graph_store_protocol(virtuoso, release, expected):
    res = push("--endpoint", virtuoso.gsp, "--release", str(release))
    assert res.returncode == 0, res.stderr
    assert "by Graph Store Protocol PUT" in res.stdout
    assert virtuoso.counts(list(expected)) == expected
    # a second push replaces the graphs, it does not add to them
    assert push("--endpoint", virtuoso.gsp, "--release", str(release)).returncode == 0
    assert virtuoso.counts(list(expected)) == expected


@pytest.mark.live
@pytest.mark.slow
def test_push_release_to_virtuoso_by_sparql_update(virtuoso, release, expected):
    """The SPARQL endpoint has no Graph Store Protocol: auto-detection falls back to Update,
    staging big graphs in chunks and swapping them in with MOVE."""
    res = push("--endpoint", virtuoso.sparql, "--release", str(release))
    assert res.returncode == 0, res.stderr
    assert "by SPARQL Update" in res.stdout
    assert virtuoso.counts(list(expected)) == expected
    staging = [g for g in virtuoso.counts() if g.startswith("urn:uuid:")]
    assert staging == [], "no staging graph is left behind"


@pytest.mark.live
@pytest.mark.slow
def test_push_everything_into_one_graph(virtuoso, release, built_store):
    from enlargement_kg.core.oxigraph_store import OxigraphStore

    union = OxigraphStore.open(built_store).select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    )[0]["n"]
    for endpoint in (virtuoso.gsp, virtuoso.sparql):
        res = push("--endpoint", endpoint, "--release", str(release), "--graph", PARTNER)
        assert res.returncode == 0, res.stderr
        assert virtuoso.counts([PARTNER]) == {PARTNER: int(union)}


@pytest.mark.live
def test_push_refusals_exit_1_with_the_reason(virtuoso, release, live):
    nowhere = push("--endpoint", f"{virtuoso.url}/no-such-service", "--release", str(release))
    assert nowhere.returncode == 1 and "the store refused PUT" in nowhere.stderr
    assert "HTTP 501" in nowhere.stderr and "is the URL a Graph Store" in nowhere.stderr
    closed = push("--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "--release", str(release))
    assert closed.returncode == 1 and "cannot reach" in closed.stderr
    # this service, read-only: its SPARQL endpoint refuses updates
    readonly = push("--endpoint", live.sparql, "--release", str(release), "--protocol", "update")
    assert readonly.returncode == 1 and "403" in readonly.stderr
    empty = push("--endpoint", virtuoso.gsp, "--release", str(release.parent / "missing"))
    assert empty.returncode == 1 and "no N-Quads or TriG dump" in empty.stderr
    for res in (nowhere, closed, readonly, empty):
        assert "Traceback" not in res.stderr


# -- this service's own Graph Store Protocol ----------------------------------------------------

HAS_GSP = importlib.util.find_spec("enlargement_kg.web.gsp") is not None


@pytest.mark.live
@pytest.mark.slow
@pytest.mark.skipif(
    not HAS_GSP,
    reason="the service's own Graph Store Protocol "
    "(api/web/gsp.py, `serve --writable`) is not in this build",
)
def test_push_to_the_services_own_graph_store(release, built_store, tmp_path):
    import shutil

    import requests

    store = tmp_path / "store"  # a copy: the writes go to it, not to the shared store
    shutil.copytree(built_store, store)
    token = "push-test-token"
    # the whole dataset in one PUT is ~2 MB: above the default 1 MB body limit, which the
    # refusal below shows; a partner running the service as a store raises it
    small = start_server(
        "--store", str(store), "--writable", env={"ENLARGEMENT_KG_TOKEN": token}, timeout=60
    )
    try:
        too_big = push(
            "--endpoint",
            f"{small.url}/store",
            "--release",
            str(release),
            "--graph",
            PARTNER,
            "--token",
            token,
        )
        assert too_big.returncode == 1 and "HTTP 413" in too_big.stderr
    finally:
        small.stop()
    server = start_server(
        "--store",
        str(store),
        "--writable",
        "--timeout",
        "120",
        env={"ENLARGEMENT_KG_TOKEN": token, "ENLARGEMENT_KG_MAX_BODY": "20000000"},
        timeout=60,
    )
    try:
        endpoint = f"{server.url}/store"
        wrong = push(
            "--endpoint",
            endpoint,
            "--release",
            str(release),
            "--graph",
            PARTNER,
            "--token",
            "not-the-token",
        )
        assert wrong.returncode == 1 and "401" in wrong.stderr
        res = push(
            "--endpoint",
            endpoint,
            "--release",
            str(release),
            "--graph",
            PARTNER,
            env={"ENLARGEMENT_KG_TOKEN": token},
        )
        assert res.returncode == 0, res.stderr
        assert "by Graph Store Protocol PUT" in res.stdout
        r = requests.get(
            server.sparql,
            params={
                "query": (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PARTNER}> {{ ?s ?p ?o }} }}")
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        n = int(r.json()["results"]["bindings"][0]["n"]["value"])
        union = source_counts(load_release(release))
        assert n == len({ln for ln in _union_lines(release)}) and n <= sum(union.values())
        # the write made a new graph version: the dumps follow it
        listing = requests.get(f"{server.url}/export.json", timeout=60).json()
        assert (
            listing["graph_version"]
            != json.loads((release / "release.json").read_text())["graph_version"]
        )
        nq = requests.get(f"{server.url}/export/enlargement-kg.nq", timeout=120)
        assert f"<{PARTNER}>".encode() in nq.content
    finally:
        server.stop()


def _union_lines(release) -> set[bytes]:
    from enlargement_kg.core.push import graph_payloads

    payload = graph_payloads(load_release(release), graph=PARTNER)[0]
    return set(payload.ntriples.splitlines())
