"""A real server on a loopback port, queried by real clients: SPARQLWrapper, rdflib's
SPARQLStore and requests."""

import os
import signal
import socket
import struct
import subprocess
import sys
import time

import pytest
import requests
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from support import HAS_PROC, children, client_at, start_server

pytestmark = pytest.mark.live

ENL = "https://w3id.org/eu-enlargement/ontology#"


def test_readme_tour(live):
    r = requests.get(
        live.sparql,
        params={"query": "ASK{?s ?p ?o}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.json() == {"head": {}, "boolean": True}
    r = requests.get(f"{live.url}/id/country/MNE", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef("https://w3id.org/eu-enlargement/id/country/MNE"), None, None) in g


def test_sparqlwrapper_select_every_format(live):
    q = f"SELECT ?code WHERE {{ ?c a <{ENL}EnlargementCountry> ; <{ENL}iso3166Alpha3> ?code }}"
    sw = SPARQLWrapper(live.sparql)
    sw.setQuery(q)
    sw.setReturnFormat(JSON)
    codes = {b["code"]["value"] for b in sw.query().convert()["results"]["bindings"]}
    assert "MNE" in codes and len(codes) == 10
    sw.setReturnFormat(XML)
    assert len(sw.query().convert().getElementsByTagName("result")) == 10
    for fmt in (CSV, TSV):
        sw.setReturnFormat(fmt)
        assert b"MNE" in sw.query().convert()


def test_sparqlwrapper_ask_construct_describe(live):
    sw = SPARQLWrapper(live.sparql)
    sw.setQuery("ASK { ?s ?p ?o }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery("CONSTRUCT WHERE { <https://w3id.org/eu-enlargement/id/chapter/31> ?p ?o }")
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) >= 5
    sw.setQuery("DESCRIBE <https://w3id.org/eu-enlargement/id/country/MNE>")
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert (URIRef("https://w3id.org/eu-enlargement/id/country/MNE"), None, None) in g


def test_sparqlwrapper_post(live):
    sw = SPARQLWrapper(live.sparql)
    sw.setMethod("POST")
    sw.setQuery("ASK { ?s ?p ?o }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(live):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    for fmt in ("json", "xml", "csv"):
        g = Graph(store=SPARQLStore(live.sparql, returnFormat=fmt))
        rows = list(g.query(f"SELECT ?n WHERE {{ ?c <{ENL}chapterNumber> ?n }}"))
        assert len(rows) == 35, fmt
    g = Graph(store=SPARQLStore(live.sparql))  # rdflib's default: XML results, RDF/XML graphs
    assert g.query("ASK { ?s ?p ?o }").askAnswer is True
    cg = g.query(f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ ?c <{ENL}clusterNumber> 6 ; ?p ?o }}").graph
    assert len(cg) >= 5
    assert (URIRef("https://w3id.org/eu-enlargement/id/cluster/6"), None, None) in g


def test_malformed_and_unknown(live):
    r = requests.get(live.sparql, params={"query": "SELEC"}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    assert requests.get(f"{live.url}/id/country/QQQ").status_code == 404


def test_runaway_query_is_stopped_while_others_are_served(live):
    """A query that would run for minutes gets 503 at the 3 s limit, and a second client
    keeps getting answers meanwhile."""
    import threading

    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result = {}

    def slow():
        t0 = time.perf_counter()
        r = requests.get(
            live.sparql,
            params={"query": runaway},
            headers={"Accept": "application/json"},
            timeout=30,
        )
        result["status"], result["seconds"] = r.status_code, time.perf_counter() - t0
        result["body"] = r.text

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)
    answered = 0
    with client_at("127.0.0.2") as other:  # another client: the runaway holds this one's share
        while t.is_alive():
            r = other.get(live.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=5)
            assert r.status_code == 200
            answered += 1
            time.sleep(0.05)
    t.join()
    assert result["status"] == 503, result
    assert result["seconds"] < 6
    assert "time limit" in result["body"]
    assert answered >= 5
    # the worker was replaced: the service still answers
    r = requests.get(live.sparql, params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200


def test_a_costly_answer_is_made_once_for_both_workers(live):
    """The two gunicorn workers share costly answers (core/shared_cache.py): asked on new
    connections, which gunicorn spreads over its workers, the query is made once; every
    other request, in either worker, is a cache hit."""
    q = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o ?p2 ?o2 } "  # ~16 ms in process
        f"# {time.time_ns()}"
    )
    seen = []
    for _ in range(16):
        with requests.Session() as s:  # a connection of its own
            r = s.get(
                live.url + "/sparql",
                params={"query": q},
                headers={"Accept": "application/sparql-results+json"},
                timeout=30,
            )
        assert r.status_code == 200
        seen.append((r.headers["X-Cache"], r.text))
    assert [c for c, _ in seen].count("miss") == 1, seen
    assert len({body for _, body in seen}) == 1


@pytest.mark.parametrize("query_workers", ["2", "0"])
def test_a_stopped_server_exits_cleanly(built_store, query_workers):
    """SIGTERM after serving both kinds of query (point lookups in the gunicorn workers,
    the rest in their query workers): exit code 0 and no worker killed by a signal. The
    store must not be opened in gunicorn's master before it forks: the storage engine's
    background threads do not survive a fork, and each worker then crashed at exit
    (SIGSEGV or SIGABRT, "std::system_error: Invalid argument"), with query workers or
    without (ENLARGEMENT_KG_QUERY_WORKERS=0: every query in the gunicorn workers)."""
    server = start_server(
        "--store", str(built_store), env={"ENLARGEMENT_KG_QUERY_WORKERS": query_workers}
    )
    for q in (
        "SELECT ?p ?o WHERE { <https://w3id.org/eu-enlargement/id/country/MNE> ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    ):
        for _ in range(8):
            with requests.Session() as s:  # new connections reach both workers
                assert s.get(server.sparql, params={"query": q}).status_code == 200
    output = server.stop()
    assert server.proc.returncode == 0, output
    assert "was sent" not in output and "terminate called" not in output, output


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_a_killed_worker_leaves_no_connection_unanswered(built_store):
    """A gunicorn worker killed outright (its own timeout, the OOM killer) is replaced, and
    every new connection is answered: its query workers let go of its listening socket
    (each worker has its own, SO_REUSEPORT) and exit. When they kept it, the kernel went
    on handing them about half of the new connections, which nobody accepted."""
    server = start_server("--store", str(built_store))
    try:
        q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # not a point lookup: query workers
        for k in range(8):
            with requests.Session() as s:
                assert s.get(server.sparql, params={"query": f"{q} # {k}"}).status_code == 200
        workers = children(server.proc.pid)
        assert len(workers) == 2 and all(children(w) for w in workers)
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while len(children(server.proc.pid)) < 2 or workers[0] in children(server.proc.pid):
            assert time.monotonic() < deadline, "gunicorn did not replace the worker"
            time.sleep(0.1)
        for _ in range(20):
            with requests.Session() as s:  # a new connection each
                assert s.get(server.sparql, params={"query": "ASK {}"}, timeout=5).ok
    finally:
        server.stop()


@pytest.mark.skipif(not hasattr(socket, "TCP_CORK"), reason="TCP_CORK is Linux's")
def test_an_answer_comes_in_one_segment(live):
    """gunicorn writes a response's headers and body apart on a TCP_NODELAY socket: two
    segments, two wake-ups of the client per answer. web/server.py corks the socket around
    a ready response. Counted by the client's kernel (TCP_INFO tcpi_segs_in) over 40
    answers on one connection."""

    def segments_in(sock: socket.socket) -> int:
        return struct.unpack_from(
            "I", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256), 140
        )[0]

    query = f"/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D%23{time.time_ns()}"
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")

        def ask() -> None:
            sock.sendall(f"GET {query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            length = None
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert length and b"true" in reader.read(length)

        ask()  # made and cached
        before = segments_in(sock)
        for _ in range(40):
            ask()
        per_answer = (segments_in(sock) - before) / 40
    assert per_answer < 1.3, per_answer


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_every_worker_is_warm_before_its_first_query(built_store):
    """Each gunicorn worker starts its query workers (and opens the store) before it takes
    connections, so no client's first query waits for that: both workers have their query
    workers while no query has been sent."""
    server = start_server("--store", str(built_store))
    try:
        deadline = time.monotonic() + 15
        while True:
            workers = children(server.proc.pid)
            if len(workers) == 2 and all(len(children(w)) == 2 for w in workers):
                break
            assert time.monotonic() < deadline, [(w, children(w)) for w in workers]
            time.sleep(0.1)
    finally:
        server.stop()


def test_a_second_server_on_a_taken_port_is_refused(live):
    """The workers listen with SO_REUSEPORT; without a check a second server would share a
    running one's port and the kernel would split the connections between two graphs."""
    started = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "enlargement_kg.cli", "serve", "--port", str(live.port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1, r.stderr
    assert f"cannot serve on 127.0.0.1:{live.port}" in r.stderr
    assert time.perf_counter() - started < 20  # refused before the graph is built
