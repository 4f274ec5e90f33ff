"""Dereferencing over real HTTP (gunicorn on a loopback port): a JSON-LD client that fetches
the published context itself, revalidation with requests, and strong ETags that hold across
worker processes and server restarts (the same bytes, whatever the process's hash seed)."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from support import start_server

pytestmark = pytest.mark.live

MNE = "https://w3id.org/eu-enlargement/id/country/MNE"
PATHS = ("/id/country/MNE", "/id/chapter/31", "/graph/ontology/enlargement")
SUFFIXES = (".ttl", ".jsonld", ".nt", ".rdf", ".html")


def test_linked_data_over_http(live):
    # rdflib dereferences the JSON-LD and fetches its @context from the same server
    jl = Graph().parse(f"{live.url}/id/country/MNE.jsonld", format="json-ld")
    nt = Graph().parse(data=requests.get(f"{live.url}/id/country/MNE.nt").text, format="nt")
    assert (URIRef(MNE), None, None) in jl and isomorphic(jl, nt)
    r = requests.get(f"{live.url}/id/country/MNE", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Vary"] == "Accept"
    again = requests.get(
        f"{live.url}/id/country/MNE",
        headers={"Accept": "text/turtle", "If-None-Match": r.headers["ETag"]},
    )
    assert again.status_code == 304 and again.content == b""
    since = requests.get(
        f"{live.url}/id/country/MNE",
        headers={"Accept": "text/turtle", "If-Modified-Since": r.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    missing = requests.get(f"{live.url}/id/country/QQQ", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "text/html" in missing.headers["Content-Type"]
    refused = requests.get(f"{live.url}/id/country/MNE", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "application/ld+json" in refused.text


def test_strong_etags_hold_across_processes(built_store, live):
    """Two workers of one server, and a second server started with another hash seed, give
    every representation the same ETag."""
    tags = {}
    for path in PATHS:
        for suffix in SUFFIXES:
            seen = {requests.get(live.url + path + suffix).headers["ETag"] for _ in range(4)}
            assert len(seen) == 1, (path, suffix, seen)
            tags[path + suffix] = seen.pop()
    other = start_server("--store", str(built_store), env={"PYTHONHASHSEED": "12345"})
    try:
        for key, tag in tags.items():
            if key.endswith(".jsonld"):
                continue  # its @context names the host and port, which differ
            r = requests.get(other.url + key)
            assert r.headers["ETag"] == tag, key
    finally:
        other.stop()
