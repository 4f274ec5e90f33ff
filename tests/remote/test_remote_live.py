"""``enlargement-kg serve --store URL`` over real remote SPARQL 1.1 stores on loopback (the
Oxigraph server, Virtuoso 7), after ``enlargement-kg push``: every canned query with each
country's parameters gives the same rows as the embedded store; pages; the guard; a store
that is down (502) or never answers (504) within the deadline."""

from __future__ import annotations

import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from remote_stores import OxigraphServer
from support import free_port, start_server

from enlargement_kg.core.queries import COUNTRY_CODES, catalogue
from enlargement_kg.core.store import json_term

pytestmark = [pytest.mark.live, pytest.mark.slow]

JSON = {"Accept": "application/sparql-results+json"}
NUMERIC_OR_DATE = ("integer", "decimal", "double", "float", "int", "long", "date")


@pytest.fixture(scope="module")
def countries(built_store) -> list[str]:
    from enlargement_kg.core.oxigraph_store import OxigraphStore

    codes = sorted(str(r["code"]) for r in OxigraphStore.open(built_store).select(COUNTRY_CODES))
    assert len(codes) == 10
    return codes


def cases(countries: list[str]) -> list[tuple[str, dict[str, str]]]:
    """Every canned query: once per country where it takes a country, else once, with the
    examples of its other required parameters."""
    out = []
    for name, q in catalogue().items():
        args = q.example_args()
        country = next((p.name for p in q.params if p.type == "iso3"), None)
        if country is None:
            out.append((name, args))
        else:
            out += [(name, {**args, country: code}) for code in countries]
    return out


def term_key(t: dict) -> tuple:
    """A term compared as an RDF term: numbers and dates by value; anything else (booleans
    included: ``true``, never ``1``) as written, with its datatype and language tag."""
    term = json_term(t)
    if isinstance(term, Literal) and term.datatype and str(term.datatype).endswith(NUMERIC_OR_DATE):
        value = term.toPython()
        if isinstance(value, (int, float, Decimal)):
            value = Decimal(str(value)).normalize()
        return ("value", str(term.datatype).rsplit("#", 1)[-1], str(value))
    datatype = str(getattr(term, "datatype", "") or "")
    return (type(term).__name__, t["value"], datatype, t.get("xml:lang", ""))


def rows(session: requests.Session, base: str, name: str, args: dict) -> list:
    r = session.get(f"{base}/queries/{name}.json", params=args, timeout=60)
    assert r.status_code == 200, (base, name, args, r.text[:300])
    doc = r.json()
    return sorted(
        sorted((v, term_key(t)) for v, t in b.items()) for b in doc["results"]["bindings"]
    )


def test_every_canned_query_gives_the_same_rows(embedded, over_oxigraph, over_virtuoso, countries):
    with requests.Session() as session:  # closed: no socket left for the collector
        _same_rows(session, embedded, over_oxigraph, over_virtuoso, countries)


def _same_rows(session, embedded, over_oxigraph, over_virtuoso, countries) -> None:
    runs = cases(countries)
    assert len(runs) > 100
    differ: dict[str, set[str]] = {over_oxigraph.url: set(), over_virtuoso.url: set()}
    for name, args in runs:
        want = rows(session, embedded.url, name, args)
        for server in (over_oxigraph, over_virtuoso):
            if rows(session, server.url, name, args) != want:
                differ[server.url].add(name)
    assert differ == {over_oxigraph.url: set(), over_virtuoso.url: set()}


def nt(session: requests.Session, url: str) -> Graph:
    r = session.get(url, headers={"Accept": "application/n-triples"}, timeout=60)
    assert r.status_code == 200, (url, r.text[:300])
    return Graph().parse(data=r.text, format="nt")


def test_pages_show_the_same_facts(embedded, over_oxigraph, over_virtuoso):
    fact = "/id/fact/ALB/security-defence-partnership/2024-11-19"
    with requests.Session() as session:
        for path in ("/id/country/MNE", fact):
            want = nt(session, embedded.url + path)
            assert len(want) > 5
            for server in (over_oxigraph, over_virtuoso):
                page = session.get(server.url + path, headers={"Accept": "text/html"}, timeout=60)
                assert page.status_code == 200
                got = nt(session, server.url + path)
                assert isomorphic(got, want), (server.url, path, len(got), len(want))


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    ],
)
def test_the_guard_runs_in_front_of_a_remote_store(over_oxigraph, query):
    r = requests.get(over_oxigraph.sparql, params={"query": query}, headers=JSON, timeout=30)
    assert r.status_code == 400, r.text


def test_updates_and_load_are_refused(over_oxigraph):
    r = requests.post(
        over_oxigraph.sparql, data={"update": "LOAD <http://example.org/x>"}, timeout=30
    )
    assert r.status_code in (400, 403), r.text


def test_version_comes_from_the_store(over_oxigraph, over_virtuoso):
    for server in (over_oxigraph, over_virtuoso):
        info = requests.get(server.url + "/-/version", timeout=30).json()
        assert "remote" in info["backend"] and "+" in info["graph_version"]
        assert info["triples"] > 20000 and "@" not in str(info)


def test_a_stopped_store_gives_502_within_the_deadline(tmp_path):
    store = OxigraphServer(tmp_path / "db", free_port())
    store.start()
    server = start_server("--store", store.query, "--timeout", "3", "--workers", "1")
    try:
        ok = requests.get(server.sparql, params={"query": "ASK {}"}, headers=JSON, timeout=30)
        assert ok.status_code == 200
        store.stop()
        t0 = time.monotonic()
        r = requests.get(
            server.sparql, params={"query": "ASK { ?s ?p 1 }"}, headers=JSON, timeout=30
        )
        assert r.status_code == 502 and "cannot be reached" in r.text
        assert time.monotonic() - t0 < 3
    finally:
        server.stop()
        store.stop()


class Silent(BaseHTTPRequestHandler):
    """A store that answers the service's version queries and never answers any other."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if "graphVersion" in body or "COUNT" in body:
            doc = b'{"head":{"vars":["n"]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(doc)))
            self.end_headers()
            self.wfile.write(doc)
            return
        time.sleep(30)

    def log_message(self, *args) -> None:
        pass


def test_a_store_that_never_answers_gives_504_within_the_deadline():
    silent = ThreadingHTTPServer(("127.0.0.1", free_port()), Silent)
    silent.daemon_threads = True
    threading.Thread(target=silent.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{silent.server_address[1]}/sparql"
    server = start_server("--store", url, "--timeout", "2", "--workers", "1")
    try:
        t0 = time.monotonic()
        r = requests.get(server.sparql, params={"query": "ASK {}"}, headers=JSON, timeout=30)
        took = time.monotonic() - t0
        assert r.status_code == 504 and "time limit" in r.text
        assert took < 5, took
    finally:
        server.stop()
        silent.shutdown()


def test_a_store_that_cannot_be_reached_stops_serve():
    from support import cli

    port = free_port()
    with socket.socket():
        res = cli("serve", "--store", f"http://user:secret@127.0.0.1:{port}/sparql", timeout=60)
    assert res.returncode == 1 and "cannot be reached" in res.stderr
    assert "secret" not in res.stderr and "Traceback" not in res.stderr
