"""Chunked request bodies (issue 17, finding 6): a body sent with ``Transfer-Encoding:
chunked`` counts against the same cap as one with a ``Content-Length``; over the cap it is
refused with 413 before anything is processed (nothing stored), under it all of it is
processed (every triple stored). Real sockets against a live writable server."""

from __future__ import annotations

import http.client
import json
import socket

import requests

G = "http://example.org/graph/chunked"
CAP = 1_000_000


def triples(n: int) -> bytes:
    return b"".join(
        b'<http://example.org/s%d> <http://example.org/p> "value number %d" .\n' % (i, i)
        for i in range(n)
    )


def chunked(server, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """Send ``body`` in 64 KiB chunks (no Content-Length) over a raw socket; the status and
    the body of the answer. The server may answer before it has read everything."""
    parts = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
        s.sendall(head.encode())
        try:
            for part in parts:
                s.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused early; its answer is waiting
        s.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(s)
        response.begin()
        return response.status, response.read()


def count(writable) -> int:
    r = requests.get(
        writable.sparql,
        params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_a_chunked_put_over_the_cap_is_refused_and_stores_nothing(writable):
    body = triples(15_000)
    assert len(body) > CAP
    status, answer = chunked(
        writable.server,
        "PUT",
        f"/store?graph={G}",
        body,
        {"Content-Type": "application/n-triples", **writable.auth},
    )
    assert status == 413, answer
    assert b"1000000" in answer
    assert count(writable) == 0


def test_a_chunked_put_under_the_cap_stores_all_of_it(writable):
    body = triples(9_000)
    assert CAP // 2 < len(body) < CAP
    status, answer = chunked(
        writable.server,
        "PUT",
        f"/store?graph={G}",
        body,
        {"Content-Type": "application/n-triples", **writable.auth},
    )
    assert status == 201, answer
    assert count(writable) == 9_000


def test_chunked_bodies_over_the_cap_everywhere(writable):
    big = b"# " + b"x" * (CAP + 10) + b"\n"
    for path, ctype in (
        ("/validate", "text/turtle"),
        ("/sparql", "application/sparql-update"),
        ("/sparql", "application/sparql-query"),
        ("/store", "text/turtle"),
    ):
        status, answer = chunked(
            writable.server, "POST", path, big, {"Content-Type": ctype, **writable.auth}
        )
        assert status == 413, (path, ctype, answer)
        assert json.loads(answer)["error"]["status"] == 413
