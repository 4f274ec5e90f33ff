"""Helpers of the write tests: copies of the built store (a write must never touch the
session's shared store), writable live servers with a bearer token. Their fixtures are in
tests/writes/conftest.py."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import requests

from support import LiveServer, start_server

ENL = "https://w3id.org/eu-enlargement/ontology#"
UPDATE = "application/sparql-update"


def copy_store(src: Path, dst: Path) -> Path:
    """A private copy of a built store (its write state left behind)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("writes"))
    return dst


@dataclass
class Writable:
    """A live ``--writable`` server, its store folder and its token."""

    server: LiveServer
    store: Path | None
    token: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sparql(self) -> str:
        return self.server.sparql

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def update(self, text: str, **kwargs) -> requests.Response:
        headers = {"Content-Type": UPDATE, **self.auth, **kwargs.pop("headers", {})}
        return requests.post(
            self.sparql, data=text.encode("utf-8"), headers=headers, timeout=120, **kwargs
        )

    def ask(self, query: str) -> bool:
        r = requests.get(
            self.sparql,
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return r.json()["boolean"]

    def stop(self) -> None:
        self.server.stop()


def start_writable(store: Path | None, token: str, *args: str) -> Writable:
    store_args = ("--store", str(store)) if store is not None else ()
    server = start_server(
        *store_args, "--writable", *args, env={"ENLARGEMENT_KG_TOKEN": token}, timeout=90
    )
    return Writable(server, store, token)
