"""Remote SPARQL 1.1 stores on loopback for ``serve --store URL``: the Oxigraph server (the
``oxigraph`` PyPI package's CLI) and Virtuoso 7 (Debian's virtuoso-opensource-7-bin), each
with a temporary database, the real graph pushed into it with ``enlargement-kg push``, and one
service serving from each; plus the embedded service over the same built store."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_stores import OxigraphServer
from support import cli, free_port, start_server
from support.publish import Virtuoso


def push_into(endpoint: str, built_store: Path) -> None:
    res = cli("push", "--endpoint", endpoint, "--store", str(built_store), timeout=600)
    assert res.returncode == 0, res.stderr


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory, built_store):
    reason = OxigraphServer.missing()
    if reason:
        pytest.skip(reason)
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db", free_port())
    server.start()
    try:
        push_into(server.gsp, built_store)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_store(tmp_path_factory, built_store):
    reason = Virtuoso.missing()
    if reason:
        pytest.skip(reason)
    server = Virtuoso(
        tmp_path_factory.mktemp("virtuoso-remote"), sql_port=free_port(), http_port=free_port()
    )
    try:
        server.start()
        push_into(server.gsp, built_store)
        yield server
    finally:
        server.stop()


def _serve(*args: str, **env: str):
    return start_server(*args, "--workers", "1", env=env or None, timeout=60)


@pytest.fixture(scope="session")
def embedded(built_store):
    server = _serve("--store", str(built_store), "--timeout", "20")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def over_oxigraph(oxigraph_server):
    server = _serve("--store", oxigraph_server.query, "--timeout", "20")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def over_virtuoso(virtuoso_store):
    server = _serve("--store", virtuoso_store.sparql, "--timeout", "20")
    yield server
    server.stop()
