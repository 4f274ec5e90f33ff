"""Writes over real HTTP against gunicorn (2 serving processes) on the real graph: read-only
by default, the token, refusal of a write that violates the shapes, atomicity (including a
runaway update that is killed), cache invalidation across processes, and durability across
a restart of the server."""

from __future__ import annotations

import json
import secrets
import threading
import time

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from support import cli, start_server
from support.writes import ENL, UPDATE, copy_store, start_writable

pytestmark = pytest.mark.live

MNE = "https://w3id.org/eu-enlargement/id/country/MNE"
NOTES = "https://w3id.org/eu-enlargement/graph/test/notes"


def test_read_only_by_default(live):
    """The shared server runs without --writable: every write is 403, reads work."""
    auth = {"Authorization": "Bearer anything"}
    r = requests.post(
        live.sparql,
        data=f"INSERT DATA {{ GRAPH <{NOTES}> {{ <{MNE}> <http://example.org/p> 1 }} }}",
        headers={**auth, "Content-Type": UPDATE},
    )
    assert r.status_code == 403 and "read-only" in r.text
    r = requests.post(live.sparql, data={"update": "CLEAR ALL"}, headers=auth)
    assert r.status_code == 403
    for method in ("PUT", "POST", "DELETE"):
        r = requests.request(
            method,
            f"{live.url}/store",
            params={"graph": NOTES},
            data=b"<http://a> <http://b> 1 .",
            headers={**auth, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 403, method
        assert "Access-Control-Allow-Origin" not in r.headers
    r = requests.get(
        live.sparql,
        params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.json()["boolean"] is True
    sd = requests.get(live.sparql, headers={"Accept": "text/turtle"}).text
    assert "SPARQL11Update" not in sd


def test_cli_refuses_writable_without_a_token():
    r = cli("serve", "--writable", "--port", "1", env={"ENLARGEMENT_KG_TOKEN": ""})
    assert r.returncode == 2 and "ENLARGEMENT_KG_TOKEN" in r.stderr


def test_token_none_wrong_right(writable):
    body = f"INSERT DATA {{ GRAPH <{NOTES}> {{ <{MNE}> <http://example.org/note> 'token' }} }}"
    ask = f"ASK {{ GRAPH <{NOTES}> {{ <{MNE}> <http://example.org/note> 'token' }} }}"
    r = requests.post(writable.sparql, data=body, headers={"Content-Type": UPDATE})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = writable.update(body, headers={"Authorization": "Bearer " + secrets.token_urlsafe(24)})
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert writable.ask(ask) is False
    r = writable.update(body)
    assert r.status_code == 204, r.text
    assert "Access-Control-Allow-Origin" not in r.headers
    assert writable.ask(ask) is True
    sd = requests.get(writable.sparql, headers={"Accept": "text/turtle"}).text
    assert "SPARQL11Update" in sd and "durable in the on-disk store" in sd


def test_violating_write_is_refused_and_changes_nothing(writable):
    """A CFSP alignment rate of 150 % for Montenegro, without source or year: the shapes
    refuse it; the harmless triple sent with it is not written either."""
    rate = "https://w3id.org/eu-enlargement/id/test/rate-150"
    body = f"""PREFIX enl: <{ENL}>
INSERT DATA {{ GRAPH <{NOTES}> {{
  <{MNE}> <http://example.org/note> "sent with a violation" .
  <{rate}> a enl:CFSPAlignmentRate ; enl:country <{MNE}> ; enl:rate 150.0 .
}} }}"""
    before = requests.get(f"{writable.url}/-/version").json()
    r = writable.update(body, headers={"Accept": "application/json"})
    assert r.status_code == 409, r.text
    doc = r.json()
    assert doc["conforms"] is False
    messages = {res["message"] for res in doc["results"] if res["focus"] == rate}
    assert "An alignment rate is one percentage in [0, 100]." in messages
    assert writable.ask(f"ASK {{ <{rate}> ?p ?o }}") is False
    assert writable.ask("ASK { ?s ?p 'sent with a violation' }") is False
    # a Graph Store Protocol PUT of the same facts: refused too, with the report as Turtle
    ttl = (
        f"@prefix enl: <{ENL}> .\n<{rate}> a enl:CFSPAlignmentRate ; "
        f"enl:country <{MNE}> ; enl:rate 150.0 ."
    )
    r = requests.put(
        f"{writable.url}/store",
        params={"graph": NOTES + "-refused"},
        data=ttl.encode(),
        headers={**writable.auth, "Content-Type": "text/turtle", "Accept": "text/turtle"},
    )
    assert r.status_code == 409
    report = Graph().parse(data=r.text, format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    assert (None, URIRef(sh + "focusNode"), URIRef(rate)) in report
    assert (None, URIRef(sh + "conforms"), Literal(False)) in report
    assert (
        requests.get(f"{writable.url}/store", params={"graph": NOTES + "-refused"}).status_code
        == 404
    )
    assert requests.get(f"{writable.url}/-/version").json() == before


def test_atomic_update_and_runaway_update(writable):
    # the last operation fails: the first is not applied
    r = writable.update(
        f"INSERT DATA {{ GRAPH <{NOTES}-atomic> {{ <{MNE}> "
        "<http://example.org/p> 1 } } ;"
        "\nDROP GRAPH <https://w3id.org/eu-enlargement/graph/no-such-graph>"
    )
    assert r.status_code == 400 and "does not exist" in r.text
    assert writable.ask(f"ASK {{ GRAPH <{NOTES}-atomic> {{ ?s ?p ?o }} }}") is False
    # a runaway WHERE (a cartesian product of the whole graph) is stopped at the 3 s limit
    # while another client keeps being answered; nothing is written
    runaway = (
        f"INSERT {{ GRAPH <{NOTES}-runaway> {{ ?a <http://example.org/p> ?b }} }} WHERE "
        "{ GRAPH ?g1 { ?a ?p1 ?o1 } GRAPH ?g2 { ?b ?p2 ?o2 } GRAPH ?g3 { ?c ?p3 ?o3 } }"
    )
    out = {}

    def slow():
        t0 = time.perf_counter()
        resp = writable.update(runaway)
        out.update(status=resp.status_code, text=resp.text, seconds=time.perf_counter() - t0)

    t = threading.Thread(target=slow)
    t.start()
    answered = 0
    while t.is_alive():
        assert writable.ask("ASK { GRAPH ?g { ?s ?p ?o } }") is True
        answered += 1
        time.sleep(0.1)
    t.join()
    assert out["status"] == 503, out
    assert "time limit" in out["text"] and out["seconds"] < 15
    assert answered >= 3
    assert writable.ask(f"ASK {{ GRAPH <{NOTES}-runaway> {{ ?s ?p ?o }} }}") is False
    # the next write goes through
    r = requests.put(
        f"{writable.url}/store",
        params={"graph": NOTES + "-after"},
        data=f"<{MNE}> <http://example.org/p> 2 .".encode(),
        headers={**writable.auth, "Content-Type": "text/turtle"},
    )
    assert r.status_code == 201, r.text


def test_cached_answers_are_not_served_after_a_write(writable):
    """Both serving processes cache the answer; after the write, neither serves it."""
    q = f"ASK {{ GRAPH <{NOTES}-cache> {{ <{MNE}> ?p ?o }} }}"
    hits = 0
    with requests.Session() as s:
        for _ in range(12):
            r = s.get(
                writable.sparql,
                params={"query": q},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert r.json()["boolean"] is False
            hits += r.headers["X-Cache"] == "hit"
    assert hits >= 1
    put = requests.put(
        f"{writable.url}/store",
        params={"graph": NOTES + "-cache"},
        data=f"<{MNE}> <http://example.org/p> 3 .".encode(),
        headers={**writable.auth, "Content-Type": "text/turtle"},
    )
    assert put.status_code == 201
    for _ in range(12):  # new connections: both gunicorn workers get some
        r = requests.get(
            writable.sparql,
            params={"query": q},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.json()["boolean"] is True, r.headers.get("X-Cache")
    # every serving process keys its cache on the new version
    versions = {requests.get(f"{writable.url}/-/health").json()["version"] for _ in range(8)}
    assert versions == {put.headers["X-Graph-Version"]}


def test_writes_survive_a_restart(built_store, tmp_path):
    store = copy_store(built_store, tmp_path / "store")
    token = secrets.token_urlsafe(24)
    w = start_writable(store, token)
    try:
        r = w.update(
            f"INSERT DATA {{ GRAPH <{NOTES}> {{ <{MNE}> <http://example.org/note> 'durable' }} }}"
        )
        assert r.status_code == 204, r.text
        version = r.headers["X-Graph-Version"]
    finally:
        w.stop()
    ask = f"ASK {{ GRAPH <{NOTES}> {{ <{MNE}> <http://example.org/note> 'durable' }} }}"
    # a read-only server over the same folder sees it: it is in the store itself
    ro = start_server("--store", str(store))
    try:
        r = requests.get(
            ro.sparql, params={"query": ask}, headers={"Accept": "application/sparql-results+json"}
        )
        assert r.json()["boolean"] is True
        assert requests.get(f"{ro.url}/-/version").json()["graph_version"] == version
    finally:
        ro.stop()
    meta = json.loads((store / "enlargement-kg.json").read_text())
    assert NOTES in meta["graphs"] and meta["writes"] == 1
    # and a writable one again, which keeps writing on top of it
    w = start_writable(store, token)
    try:
        assert w.ask(ask) is True
        r = requests.delete(f"{w.url}/store", params={"graph": NOTES}, headers=w.auth)
        assert r.status_code == 204
        assert w.ask(ask) is False
    finally:
        w.stop()


def test_without_store_writes_stay_in_memory(tmp_path):
    """Without --store the graph is built from the package into a temporary store: writes
    work, and are gone after a restart (the service description says so)."""
    ask = f"ASK {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}"
    token = secrets.token_urlsafe(24)
    w = start_writable(None, token)
    try:
        sd = requests.get(w.sparql, headers={"Accept": "text/turtle"}).text
        assert "SPARQL11Update" in sd and "lost when the service stops" in sd
        r = requests.put(
            f"{w.url}/store",
            params={"graph": NOTES},
            data=f"<{MNE}> <http://example.org/p> 1 .".encode(),
            headers={**w.auth, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 201, r.text
        assert w.ask(ask) is True
    finally:
        w.stop()
    w = start_writable(None, token)
    try:
        assert w.ask(ask) is False
    finally:
        w.stop()
