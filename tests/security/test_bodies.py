"""Chunked request bodies in the app (issue 17, finding 6): a body without a length
(``Transfer-Encoding: chunked``: the server terminates the input, ``wsgi.input_terminated``)
counts against the same cap as one with a ``Content-Length``: over it, 413 before anything
is processed and nothing written; under it, all of it is processed. Werkzeug alone cuts
such a body at the cap. The same through gunicorn and real sockets: test_bodies_live.py."""

from __future__ import annotations

import io

import pytest
from conftest import TOKEN

G = "http://example.org/graph/chunked"
CAP = 1_000_000
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def triples(n: int) -> bytes:
    return b"".join(
        b'<http://example.org/s%d> <http://example.org/p> "value number %d" .\n' % (i, i)
        for i in range(n)
    )


def send_chunked(client, method: str, path: str, body: bytes, ctype: str):
    """``body`` with no length, the input terminated by the server (as gunicorn does for
    a chunked body)."""
    return client.open(
        path,
        method=method,
        input_stream=io.BytesIO(body),
        headers={"Content-Type": ctype, "Accept": "application/json", **AUTH},
        environ_overrides={"wsgi.input_terminated": True},
    )


def count(client) -> int:
    r = client.get(
        "/sparql",
        query_string={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(r.json["results"]["bindings"][0]["n"]["value"])


@pytest.fixture()
def client(writable_app):
    return writable_app.test_client()


def test_over_the_cap_is_refused_and_nothing_is_written(client):
    body = triples(15_000)
    assert len(body) > CAP
    r = send_chunked(client, "PUT", f"/store?graph={G}", body, "application/n-triples")
    assert r.status_code == 413, r.data
    assert (
        r.json["error"]["message"] == "the request body is larger than the limit of 1000000 bytes"
    )
    assert count(client) == 0


@pytest.mark.slow
def test_under_the_cap_all_of_it_is_written(client):
    body = triples(9_000)
    assert CAP // 2 < len(body) < CAP
    r = send_chunked(client, "PUT", f"/store?graph={G}", body, "application/n-triples")
    assert r.status_code == 201, r.data
    assert count(client) == 9_000


@pytest.mark.parametrize(
    "path, ctype",
    [
        ("/validate", "text/turtle"),
        ("/sparql", "application/sparql-update"),
        ("/sparql", "application/sparql-query"),
        ("/sparql", "application/x-www-form-urlencoded"),
        (f"/store?graph={G}", "text/turtle"),
        (f"/store?graph={G}", "multipart/form-data; boundary=x"),
    ],
)
def test_every_body_counts_against_the_cap(client, path, ctype):
    r = send_chunked(client, "POST", path, b"#" + b"x" * CAP + b"\n", ctype)
    assert r.status_code == 413, r.data


@pytest.mark.slow
def test_a_form_and_a_multipart_body_still_parse(client):
    form = b"query=ASK+%7B+%7D"
    r = send_chunked(client, "POST", "/sparql", form, "application/x-www-form-urlencoded")
    assert r.status_code == 200, r.data
    part = b'<http://example.org/m> <http://example.org/p> "multipart" .\n'
    body = (
        b'--x\r\nContent-Disposition: form-data; name="g"; filename="g.nt"\r\n'
        b"Content-Type: application/n-triples\r\n\r\n" + part + b"\r\n--x--\r\n"
    )
    r = send_chunked(client, "POST", f"/store?graph={G}-m", body, "multipart/form-data; boundary=x")
    assert r.status_code == 201, r.data
