"""Hostile documents (issue 17, findings 1, 5 and 7): no JSON-LD context is ever fetched
(plain, array and ``@import`` forms; ``http:`` and ``file:``), the service's own context is
read from the package, no DTD entity is expanded in RDF/XML, JSON-LD nested too deep is
refused with the reason; on ``POST /validate`` (Flask test client) and on
``enlargement-kg validate FILE``. The live server's cases are in test_documents_live.py."""

from __future__ import annotations

import json
import resource
import threading
import time

import pytest
from support import cli
from support.hostile import (
    BILLION_LAUGHS,
    XXE,
    context_forms,
    laughs,
    nested_jsonld,
    silent_server,
    with_context,
)

from enlargement_kg.core import formats
from enlargement_kg.core.jsonld import CONTEXT_IRI

JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"


def post_within(client, body: bytes, ctype: str, seconds: float = 5.0):
    """POST /validate from a thread: the answer, which must come within ``seconds``."""
    box: dict = {}

    def run():
        box["r"] = client.post(
            "/validate", data=body, headers={"Content-Type": ctype, "Accept": "application/json"}
        )

    t0 = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"no answer within {seconds} s"
    return box["r"], time.monotonic() - t0


def message(r) -> str:
    return r.get_json()["error"]["message"]


@pytest.mark.parametrize("form", ["plain", "array", "import"])
def test_a_remote_context_is_refused_at_once(client, form):
    with silent_server() as url:
        r, seconds = post_within(client, context_forms(url)[form], JSONLD)
    assert r.status_code == 400, r.data
    assert "context" in message(r) and "not fetched" in message(r)
    assert seconds < 2.0


def test_a_file_context_gives_no_hint_about_the_file(client):
    answers = set()
    for url in (
        "file:///etc/passwd",
        "file:///etc/",
        "file:///no/such/file.jsonld",
        "file:///proc/self/environ",
        "/etc/hostname",
    ):
        for form, body in context_forms(url).items():
            r, _ = post_within(client, body, JSONLD)
            assert r.status_code == 400, (url, form)
            answers.add(message(r))
    assert len(answers) == 1, answers  # the same words whatever the file is
    text = answers.pop()
    for hint in ("/etc", "Errno", "No such", "directory", "Expecting", "root", "passwd"):
        assert hint not in text, text


@pytest.mark.slow
def test_the_services_own_context_is_read_from_the_package(client, make_app):
    for ref in (CONTEXT_IRI, [CONTEXT_IRI]):
        r, _ = post_within(client, with_context(ref), JSONLD, seconds=60)
        assert r.status_code == 200, r.data
        assert r.get_json()["conforms"] is True
    r, _ = post_within(client, with_context({"@import": CONTEXT_IRI}), JSONLD, seconds=60)
    assert r.status_code == 200, r.data
    # where the service publishes it: its base URL, never the request's Host
    served = make_app(base_url="http://kg.example.org/").test_client()
    r, _ = post_within(served, with_context("http://kg.example.org/context.jsonld"), JSONLD, 60)
    assert r.status_code == 200, r.data
    r, _ = post_within(served, with_context("http://localhost/context.jsonld"), JSONLD, 60)
    assert r.status_code == 400, r.data


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, laughs(3)], ids=["billion", "xxe", "small"])
def test_entities_are_refused_before_they_cost_anything(client, body):
    assert len(BILLION_LAUGHS) < 1200  # 1 KB that expands to 3 GB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r, seconds = post_within(client, body, RDFXML, seconds=10)
    assert r.status_code == 400, r.data
    assert "DOCTYPE" in message(r) and "root" not in message(r)
    assert seconds < 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_an_entity_in_utf16_is_refused_too(client):
    body = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    r, _ = post_within(client, body.encode("utf-16"), RDFXML)
    assert r.status_code == 400
    assert "DOCTYPE" in message(r) or "UTF-8" in message(r)


def test_jsonld_nested_too_deep_is_refused_with_the_reason(client):
    r, seconds = post_within(client, nested_jsonld(20_000), JSONLD)
    assert r.status_code == 400, r.data
    assert "nested" in message(r) and "100" in message(r)
    assert seconds < 2.0
    shallow = nested_jsonld(40)  # deep, but within the limit: parsed
    r, _ = post_within(client, shallow, JSONLD, seconds=60)
    assert r.status_code == 200, r.data


def test_the_depth_check_is_not_fooled_by_strings():
    from enlargement_kg.core.untrusted import PayloadRefused, parse_rdflib

    fmt = formats.by_name("jsonld")
    brackets = json.dumps({"@id": "http://example.org/s", "http://example.org/p": "[{" * 5000})
    assert len(parse_rdflib(brackets.encode(), fmt)) == 1
    escaped = json.dumps({"@id": "http://example.org/s", "http://example.org/p": '\\"{' * 500})
    assert len(parse_rdflib(escaped.encode(), fmt)) == 1
    with pytest.raises(PayloadRefused, match="nested"):
        parse_rdflib(b'{"a": "\\"", "b": ' + b"[" * 200 + b"]" * 200 + b"}", fmt)


@pytest.mark.slow
def test_cli_validate_refuses_hostile_files(tmp_path):
    files = {
        "laughs.rdf": (BILLION_LAUGHS, "DOCTYPE"),
        "deep.jsonld": (nested_jsonld(20_000), "nested"),
        "remote.jsonld": (context_forms("http://127.0.0.1:9/c.jsonld")["import"], "not fetched"),
        "local.jsonld": (with_context("file:///etc/passwd"), "not fetched"),
    }
    for name, (body, reason) in files.items():
        (tmp_path / name).write_bytes(body)
        t0 = time.monotonic()
        res = cli("validate", str(tmp_path / name), "--alone", timeout=60)
        assert res.returncode == 1, (name, res.stderr)
        assert reason in res.stderr and "Traceback" not in res.stderr, res.stderr
        assert "root:" not in res.stderr + res.stdout
        assert time.monotonic() - t0 < 30
