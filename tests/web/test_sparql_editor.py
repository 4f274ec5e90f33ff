"""The query editor at ``/sparql`` for browsers (YASGUI, vendored under ``web/static``), its
static assets, and the protocol answers machine clients get as before."""

from __future__ import annotations

import gzip
import json
import re
from html import unescape
from pathlib import Path

import pytest

from enlargement_kg.core.namespaces import BASE
from enlargement_kg.core.queries import catalogue

STATIC = Path(__file__).resolve().parents[2] / "api" / "web" / "static"
#: What Chromium sends when it opens a page.
BROWSER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/eu-enlargement/ontology#Chapter> } LIMIT 3"
ASSETS = ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css", "sparql-editor.js")


def editor(client, **query_string):
    resp = client.get("/sparql", query_string=query_string, headers={"Accept": BROWSER})
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def config_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page, re.S)
    assert m, "no editor-config data block"
    return json.loads(m.group(1))


def test_a_browser_gets_the_editor_with_the_vendored_assets(client):
    page = editor(client)
    for name in ASSETS:
        assert re.search(rf'(src|href)="/static/{re.escape(name)}\?v=[0-9a-f]{{16}}"', page), name
    assert 'id="yasgui"' in page
    assert len(page.encode()) < 300_000


def test_the_page_runs_under_script_src_self(client):
    """No inline script (the data block is not run) and no inline event handler."""
    page = editor(client)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    inline = re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.S)
    assert len(inline) == 1 and json.loads(inline[0])  # the data block only
    assert not re.search(r"\son[a-z]+\s*=", page, re.I)


def test_nothing_is_loaded_from_another_host(client):
    page = editor(client)
    targets = re.findall(r'\b(?:src|href|action)="([^"]*)"', page)
    assert targets
    assert all(not re.match(r"(?i)([a-z][a-z0-9+.-]*:)?//", t) for t in targets), targets
    assert config_of(page)["endpoint"] == "/sparql"
    css = (STATIC / "vendor/yasgui/yasgui.min.css").read_text(encoding="utf-8")
    assert not re.search(r"https?://", css)
    assert "@import" not in css
    for url in re.findall(r"url\(([^)]*)\)", css):
        assert url.strip("'\"").startswith("data:"), url


def test_the_gallery_lists_every_canned_query(client):
    page = editor(client)
    examples = config_of(page)["examples"]
    names = set(catalogue())
    assert set(examples) == names
    assert set(re.findall(r'data-example="([^"]+)"', page)) == names
    for name in names:
        assert f'href="/queries/{name}' in page  # the canned page, without JavaScript
    text = examples["chapter-status"]
    assert "<https://w3id.org/eu-enlargement/id/country/MNE>" in text  # example bound
    assert "?country" not in text and "# param:" not in text


def test_every_example_runs(client):
    """The gallery's texts (example parameters bound) are queries the endpoint answers."""
    examples = config_of(editor(client))["examples"]
    for name, text in examples.items():
        resp = client.get(
            "/sparql",
            query_string={"query": text},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert resp.status_code == 200, (name, resp.get_data(as_text=True)[:300])


def test_the_editor_carries_the_prefixes_and_the_base(client):
    cfg = config_of(editor(client))
    assert cfg["base"] == BASE and cfg["root"] == ""
    assert cfg["prefixes"]["enl"] == BASE + "ontology#"
    assert "PREFIX enl: <https://w3id.org/eu-enlargement/ontology#>" in cfg["defaultQuery"]


def test_a_query_in_the_url_opens_the_editor(client):
    """``/sparql?query=...`` in a browser is the editor with that query (YASGUI reads it
    from the address and runs it), through the fast paths too: the lane used to answer
    Chromium's Accept with SPARQL XML results."""
    page = editor(client, query=SELECT)
    m = re.search(r'<textarea id="query" name="query"[^>]*>(.*?)</textarea>', page, re.S)
    assert m and unescape(m.group(1)) == SELECT


def test_a_query_in_the_url_opens_the_editor_without_fast_paths(make_app):
    slow = make_app(fast_paths=False).test_client()
    assert 'id="yasgui"' in editor(slow, query=SELECT)


def test_without_javascript_a_plain_form_works(client):
    page = editor(client)
    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.S)
    assert noscript
    form = noscript.group(1)
    assert '<form method="get" action="/sparql">' in form
    assert '<label for="query">' in form and 'name="query"' in form and 'name="format"' in form
    resp = client.get(
        "/sparql", query_string={"query": SELECT, "format": "json"}, headers={"Accept": BROWSER}
    )
    assert resp.status_code == 200
    assert resp.mimetype == "application/sparql-results+json"
    assert len(json.loads(resp.data)["results"]["bindings"]) == 3


def test_under_another_base_url(client):
    resp = client.get("/sparql", headers={"Accept": BROWSER}, base_url="http://example.org/kg/")
    page = resp.get_data(as_text=True)
    cfg = config_of(page)
    assert cfg["endpoint"] == "/kg/sparql" and cfg["root"] == "/kg"
    assert 'src="/kg/static/vendor/yasgui/yasgui.min.js?v=' in page


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/html;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_machine_clients_get_answers_as_before(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    resp = client.get("/sparql", query_string={"query": SELECT}, headers=headers)
    assert resp.status_code == 200 and resp.mimetype == media_type
    assert resp.headers["X-Cache"] in ("hit", "miss")
    post = client.post("/sparql", data={"query": SELECT}, headers={"Accept": BROWSER})
    assert post.status_code == 200 and post.mimetype != "text/html"  # a POST is answered


def test_the_service_description_is_unchanged_for_rdf_clients(client):
    resp = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    assert b"sd:Service" in resp.data or b"sparql-service-description#Service" in resp.data


@pytest.mark.parametrize("name", ASSETS)
def test_static_assets_are_cached_compressed_and_revalidated(client, name):
    body = (STATIC / name).read_bytes()
    url = re.search(rf'(?:src|href)="(/static/{re.escape(name)}\?v=[0-9a-f]+)"', editor(client))
    assert url
    plain = client.get(url.group(1))
    assert plain.status_code == 200 and plain.data == body
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain.headers["Vary"] == "Accept-Encoding" and "Content-Encoding" not in plain.headers
    etag = plain.headers["ETag"]
    zipped = client.get(url.group(1), headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == body and len(zipped.data) < len(body)
    assert zipped.headers["ETag"] != etag
    again = client.get(url.group(1), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    unversioned = client.get("/static/" + name)
    assert unversioned.headers["Cache-Control"] == "public, max-age=300"
    assert unversioned.headers["ETag"] == etag


def test_static_files_outside_the_folder_are_404(client):
    for path in ("/static/nothing.js", "/static/../sparql.py", "/static/%2e%2e/sparql.py"):
        assert client.get(path).status_code == 404, path


def test_the_vendored_files_name_their_source():
    folder = STATIC / "vendor" / "yasgui"
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert "@zazuko/yasgui" in source and "sha512-" in source
    assert "MIT" in (folder / "LICENSE").read_text(encoding="utf-8")
