"""HTTP: /export/, /export/<file>, /.well-known/void and /catalog, through the Flask test
client and over real HTTP against a live gunicorn server on loopback."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, VOID
from support import cli, start_server
from support.publish import KG_V1, jsonld_with_context

from enlargement_kg.core.publishing import CATALOG, DATASET, release_iri


@pytest.fixture(scope="module")
def papp(built_store, tmp_path_factory):
    from enlargement_kg.web import create_app

    tmp = tmp_path_factory.mktemp("publish-http")
    application = create_app(
        {
            "store_path": built_store,
            "query_workers": 1,
            "dumps_dir": tmp / "dumps",
            "releases_dir": tmp / "releases",
        }
    )
    yield application
    application.extensions["enlargement_kg"].store.close()


@pytest.fixture()
def client(papp):
    return papp.test_client()


def test_export_listing_json(client):
    for kwargs in (
        {"headers": {"Accept": "application/json"}},
        {"query_string": {"format": "json"}},
    ):
        r = client.get("/export/", **kwargs)
        assert r.status_code == 200 and r.mimetype == "application/json", kwargs
        assert r.headers["Vary"] == "Accept"
    doc = client.get("/export.json").get_json()
    assert len(doc["files"]) == 10 and doc["graph_version"]
    nq = next(f for f in doc["files"] if f["name"] == "enlargement-kg.nq.gz")
    assert nq["media_type"] == "application/gzip"
    assert nq["content_media_type"] == "application/n-quads" and nq["named_graphs"] is True
    assert re.fullmatch(r"[0-9a-f]{64}", nq["sha256"]) and nq["size"] > 10_000


def test_export_listing_html_shows_size_and_digest(client):
    r = client.get("/export/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    for f in client.get("/export.json").get_json()["files"]:
        row = re.search(
            rf'<tr class="dump" data-name="{re.escape(f["name"])}">(.*?)</tr>', page, re.S
        )
        assert row, f["name"]
        assert f'href="/export/{f["name"]}"' in row.group(1)
        assert f">{f['size']}<" in row.group(1) and f["sha256"] in row.group(1)
    assert client.get("/export").status_code in (301, 308)


def test_dump_file_headers_revalidation_and_ranges(client):
    files = {f["name"]: f for f in client.get("/export.json").get_json()["files"]}
    f = files["enlargement-kg.ttl"]
    with client.get("/export/enlargement-kg.ttl") as r:
        assert r.status_code == 200 and r.mimetype == "text/turtle"
        body = r.get_data()
        etag = r.headers["ETag"]
        assert etag == f'"{f["sha256"]}"'
        assert r.headers["Last-Modified"] and r.headers["Accept-Ranges"] == "bytes"
        assert r.headers["Content-Disposition"].startswith("attachment")
        assert "enlargement-kg.ttl" in r.headers["Content-Disposition"]
        assert r.headers["Repr-Digest"].startswith("sha-256=:")
    assert hashlib.sha256(body).hexdigest() == f["sha256"]
    with client.get("/export/enlargement-kg.ttl", headers={"If-None-Match": etag}) as r:
        assert r.status_code == 304
    with client.get("/export/enlargement-kg.ttl", headers={"Range": "bytes=0-99"}) as r:
        assert r.status_code == 206 and r.get_data() == body[:100]
    with client.get("/export/enlargement-kg.ttl.gz") as r:
        assert r.mimetype == "application/gzip" and gzip.decompress(r.get_data()) == body


def test_unknown_files_are_404_with_the_list(client):
    r = client.get("/export/enlargement-kg.csv", headers={"Accept": "text/plain"})
    assert r.status_code == 404 and b"enlargement-kg.nq" in r.data
    r = client.get("/export/releases/0.0.0/enlargement-kg.nq", headers={"Accept": "text/plain"})
    assert r.status_code == 404 and b"no release" in r.data
    r = client.get("/export/../pyproject.toml")
    assert r.status_code == 404


def test_void_is_at_the_well_known_location(client):
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    assert (DATASET, None, VOID.Dataset) in g or (DATASET, None, None) in g
    assert client.get("/.well-known/void.ttl").data == r.data


# -- a live server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_publish(built_store, tmp_path_factory):
    """gunicorn (2 workers) over the built store, with its own dump cache and releases."""
    tmp = tmp_path_factory.mktemp("publish-live")
    releases = tmp / "releases"
    res = cli(
        "release", "1.0.0", "--kg", str(KG_V1), "--releases", str(releases), "--date", "2026-11-20"
    )
    assert res.returncode == 0, res.stderr
    server = start_server(
        "--store",
        str(built_store),
        env={"ENLARGEMENT_KG_DUMPS": str(tmp / "dumps"), "ENLARGEMENT_KG_RELEASES": str(releases)},
    )
    server.dumps = tmp / "dumps"
    yield server
    server.stop()


@pytest.mark.live
def test_live_downloads_match_their_digests(live_publish):
    import requests

    listing = requests.get(
        live_publish.url + "/export/", headers={"Accept": "application/json"}, timeout=60
    ).json()
    assert [r["version"] for r in listing["releases"]] == ["1.0.0"]
    for f in listing["files"]:
        r = requests.get(f"{live_publish.url}/export/{f['name']}", timeout=60)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(f["media_type"])
        assert hashlib.sha256(r.content).hexdigest() == f["sha256"] == r.headers["ETag"].strip('"')
        assert len(r.content) == f["size"]
    # two workers, one graph version: the dumps were written once, into one folder
    folders = [p for p in live_publish.dumps.iterdir() if p.is_dir()]
    assert len(folders) == 1 and not folders[0].name.startswith(".")


@pytest.mark.live
def test_live_catalogue_and_void(live_publish):
    import requests

    r = requests.get(
        live_publish.url + "/catalog", headers={"Accept": "application/ld+json"}, timeout=60
    )
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")
    assert r.headers["Vary"] == "Accept"
    g = jsonld_with_context(r.content)
    ttl = requests.get(live_publish.url + "/catalog.ttl", timeout=60)
    assert isomorphic(g, Graph().parse(data=ttl.content, format="turtle"))
    assert set(g.objects(CATALOG, DCAT.dataset)) == {DATASET, release_iri("1.0.0")}
    rel_url = str(
        g.value(next(iter(g.objects(release_iri("1.0.0"), DCAT.distribution))), DCAT.downloadURL)
    )
    # `serve` without a base URL names the address it serves at (docs/api.md)
    assert rel_url.startswith(live_publish.url + "/"), rel_url
    assert requests.get(rel_url, timeout=60).status_code == 200
    html = requests.get(
        live_publish.url + "/catalog",
        timeout=60,
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert html.headers["Content-Type"].startswith("text/html") and "Release 1.0.0" in html.text
    void = requests.get(
        live_publish.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60
    )
    vg = Graph().parse(data=void.content, format="turtle")
    assert int(vg.value(DATASET, VOID.triples)) > 5000
    assert str(vg.value(DATASET, VOID.sparqlEndpoint)).endswith("/sparql")
    nope = requests.get(
        live_publish.url + "/.well-known/void", headers={"Accept": "image/png"}, timeout=60
    )
    assert nope.status_code == 406
    assert URIRef(str(DATASET)) in set(vg.subjects())
