"""Dumps: every format loads back into a fresh store isomorphic to the served graph, named
graph by named graph; gzip holds the same bytes; dumps are written once per graph version."""

from __future__ import annotations

import gzip
import hashlib
import time

import pytest
from rdflib.compare import isomorphic
from support import cli
from support.publish import assert_isomorphic_per_graph, fresh_store, graph_of

from enlargement_kg.core.publishing import DUMP_FORMATS, dump_name

DATASET_FORMATS = ("nquads", "trig")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


@pytest.fixture(scope="module")
def papp(built_store, tmp_path_factory):
    from enlargement_kg.web import create_app

    tmp = tmp_path_factory.mktemp("publish-dumps")
    application = create_app(
        {
            "store_path": built_store,
            "query_workers": 1,
            "dumps_dir": tmp / "dumps",
            "releases_dir": tmp / "releases",
        }
    )
    application.config["DUMPS_DIR"] = tmp / "dumps"
    yield application
    application.extensions["enlargement_kg"].store.close()


@pytest.fixture(scope="module")
def served(papp):
    return papp.extensions["enlargement_kg"].store


@pytest.fixture()
def client(papp):
    return papp.test_client()


def fetch(client, url: str, **kwargs) -> bytes:
    """GET a file and close the response (it streams from disk)."""
    with client.get(url, **kwargs) as r:
        assert r.status_code == 200, (url, r.status_code)
        return r.get_data()


def listing(client) -> dict:
    r = client.get("/export/", headers={"Accept": "application/json"})
    assert r.status_code == 200
    return {f["name"]: f for f in r.get_json()["files"]}


def test_every_format_is_offered_plain_and_gzipped(client):
    names = set(listing(client))
    expected = {dump_name(f, compressed=c) for f in DUMP_FORMATS for c in (False, True)}
    assert names == expected
    assert {"enlargement-kg.nq", "enlargement-kg.trig.gz", "enlargement-kg.jsonld"} <= names


@pytest.mark.parametrize("fmt", DATASET_FORMATS)
def test_dataset_dump_round_trips_per_named_graph(client, served, fmt):
    """N-Quads and TriG keep the named graphs: each one comes back isomorphic."""
    body = fetch(client, f"/export/{dump_name(fmt)}")
    loaded, _ = fresh_store(body, fmt)
    assert assert_isomorphic_per_graph(served, loaded) >= 15


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_graph_dump_round_trips_as_the_union(client, served, fmt):
    """Turtle, N-Triples and JSON-LD hold the union of the named graphs."""
    body = fetch(client, f"/export/{dump_name(fmt)}")
    loaded, graph = fresh_store(body, fmt)
    union, back = graph_of(served, None), graph_of(loaded, graph)
    assert len(union) > 5000
    assert len(back) == len(union) and isomorphic(union, back)


@pytest.mark.parametrize("fmt", DUMP_FORMATS)
def test_gzip_holds_the_same_dump_and_digests_match(client, fmt):
    files = listing(client)
    plain = fetch(client, f"/export/{dump_name(fmt)}")
    packed = fetch(client, f"/export/{dump_name(fmt, compressed=True)}")
    assert packed[:2] == b"\x1f\x8b" and gzip.decompress(packed) == plain
    for name, body in ((dump_name(fmt), plain), (dump_name(fmt, compressed=True), packed)):
        assert files[name]["size"] == len(body)
        assert files[name]["sha256"] == hashlib.sha256(body).hexdigest()


def test_dumps_are_written_once_per_graph_version(papp, client):
    """Requests read the cached files; nothing is serialised per request."""
    fetch(client, "/export/enlargement-kg.nq")
    folder = papp.config["DUMPS_DIR"]
    versions = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(versions) == 1
    version = versions[0]
    assert version.name == papp.extensions["enlargement_kg"].service.version
    before = {p.name: p.stat().st_mtime_ns for p in version.iterdir()}
    time.sleep(0.05)
    for name in before:
        if name != "dumps.json":
            fetch(client, f"/export/{name}")
    client.get("/catalog.ttl")
    client.get("/.well-known/void")
    assert {p.name: p.stat().st_mtime_ns for p in version.iterdir()} == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".") and p.is_dir()], (
        "no staging folder is left behind"
    )


def test_cli_export_round_trips(built_store, served, tmp_path):
    out = tmp_path / "kg.nq.gz"
    res = cli(
        "export", "--format", "nquads", "--gzip", "--out", str(out), "--store", str(built_store)
    )
    assert res.returncode == 0, res.stderr
    body = out.read_bytes()
    assert f"sha256 {hashlib.sha256(body).hexdigest()}" in res.stdout
    loaded, _ = fresh_store(body, "nquads.gz")
    assert assert_isomorphic_per_graph(served, loaded) >= 15


def test_cli_export_to_stdout_and_bad_usage(built_store, served, tmp_path):
    res = cli("export", "--format", "turtle", "--out", "-", "--store", str(built_store))
    assert res.returncode == 0
    loaded, graph = fresh_store(res.stdout.encode("utf-8"), "turtle")
    assert isomorphic(graph_of(served, None), graph_of(loaded, graph))
    bad = cli("export", "--format", "yaml", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    folder = cli(
        "export", "--format", "turtle", "--out", str(tmp_path), "--store", str(built_store)
    )
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    missing = cli(
        "export",
        "--format",
        "turtle",
        "--out",
        str(tmp_path / "y.ttl"),
        "--store",
        str(tmp_path / "no-store"),
    )
    assert missing.returncode == 1 and "not an enlargement-kg store" in missing.stderr
    assert "Traceback" not in missing.stderr + folder.stderr


def test_dump_cache_keeps_one_folder_per_version_and_prunes_old_ones(tmp_path):
    from enlargement_kg.core import formats
    from enlargement_kg.core.oxigraph_store import OxigraphStore
    from enlargement_kg.core.publishing import DumpCache

    store = OxigraphStore.memory()
    store.load_bytes(
        b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
        formats.by_name("ntriples"),
        graph="http://example.org/g",
    )
    cache = DumpCache(tmp_path, keep=2)
    first = cache.get(store, "v1")
    mtime = (first.folder / "enlargement-kg.nq").stat().st_mtime_ns
    assert DumpCache(tmp_path, keep=2).get(store, "v1").folder == first.folder
    assert (first.folder / "enlargement-kg.nq").stat().st_mtime_ns == mtime  # reused
    for v in ("v2", "v3"):
        cache.get(store, v)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["v2", "v3"]
    assert b"<http://example.org/g>" in (tmp_path / "v3" / "enlargement-kg.nq").read_bytes()
