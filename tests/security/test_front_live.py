"""The front (api/web/front.py): slow, idle and greedy clients cannot starve the service
(issue 17, finding 2). A real ``enlargement-kg serve`` with short deadlines, raw sockets.

Every test here failed on the plain gthread front it replaced: a client dripping its
headers pinned a request thread, idle and slow sockets were never closed, one client could
open as many connections as it liked, and ``/-/health`` queued behind user requests.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from support import start_server

pytestmark = pytest.mark.slow

HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 1.5
PER_CLIENT = 150
MAX_BODY = 2000
ASK = "ASK { ?s ?p ?o }"
RUNAWAY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def server(built_store):
    env = {
        "ENLARGEMENT_KG_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "ENLARGEMENT_KG_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "ENLARGEMENT_KG_IDLE_TIMEOUT": "1",
        "ENLARGEMENT_KG_CLIENT_CONNECTIONS": str(PER_CLIENT),
        "ENLARGEMENT_KG_MAX_BODY": str(MAX_BODY),
    }
    # one worker of 4 threads: every count below is that worker's
    s = start_server(
        "--store", str(built_store), "--timeout", "3", "--workers", "1", "--threads", "4", env=env
    )
    yield s
    s.stop()


class Crowd:
    """Slow-header, slow-body and idle sockets on one server; a thread drips a byte or a
    header line into the slow ones every 0.3 s and notes when the server closes each."""

    def __init__(self, port: int, *, headers: int = 0, bodies: int = 0, idle: int = 0):
        self.port = port
        self.socks: dict[socket.socket, str] = {}
        self.closed: dict[socket.socket, float] = {}
        self.answers: dict[socket.socket, bytes] = {}
        for kind, n in (("header", headers), ("body", bodies), ("idle", idle)):
            for _ in range(n):
                self.socks[socket.create_connection(("127.0.0.1", port))] = kind
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        for s, kind in self.socks.items():
            self._send(s, self._opening(kind))
        self._thread = threading.Thread(target=self._drip, daemon=True)
        self._thread.start()

    @staticmethod
    def _opening(kind: str) -> bytes:
        if kind == "header":
            return b"GET /sparql?query=ASK%7B%3Fs%3Fp%3Fo%7D HTTP/1.1\r\nHost: x\r\n"
        if kind == "body":
            return (
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
                b"x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nquery="
            )
        return b""

    def _send(self, s: socket.socket, data: bytes) -> None:
        if data and s not in self.closed:
            try:
                s.sendall(data)
            except OSError:
                self.closed.setdefault(s, time.perf_counter() - self.t0)

    def _drip(self) -> None:
        n = 0
        while not self._stop.wait(0.1):
            self._notice_closed()
            n += 1
            if n % 3 == 0:
                for s, kind in self.socks.items():
                    self._send(s, {"header": b"X-Drip: 1\r\n", "body": b"A"}.get(kind, b""))

    def _notice_closed(self) -> None:
        open_ = [s for s in self.socks if s not in self.closed]
        for chunk in range(0, len(open_), 500):
            readable, _, _ = select.select(open_[chunk : chunk + 500], [], [], 0)
            for s in readable:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                self.answers[s] = self.answers.get(s, b"") + data
                if not data:
                    self.closed[s] = time.perf_counter() - self.t0

    def closed_by(self, kind: str) -> list[float]:
        return [t for s, t in self.closed.items() if self.socks[s] == kind]

    def __enter__(self) -> Crowd:
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for s in self.socks:
            s.close()


def test_a_normal_request_is_answered_among_slow_and_idle_clients(server):
    with Crowd(server.port, headers=16, bodies=8, idle=100):
        time.sleep(0.3)  # every slow socket has sent its first bytes and is dripping
        t0 = time.perf_counter()
        r = requests.get(server.sparql, params={"query": ASK}, headers=JSON, timeout=5)
        elapsed = time.perf_counter() - t0
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert elapsed < 1.0, f"answered in {elapsed:.2f} s"


def test_slow_and_idle_clients_are_closed_at_their_deadline(server):
    with Crowd(server.port, headers=4, bodies=4, idle=4) as crowd:
        stop = time.perf_counter() + HEADER_TIMEOUT + BODY_TIMEOUT + 2
        while len(crowd.closed) < len(crowd.socks) and time.perf_counter() < stop:
            time.sleep(0.1)
    for kind in ("header", "body", "idle"):
        times = crowd.closed_by(kind)
        assert len(times) == 4, f"{kind}: {len(times)} of 4 closed"
        assert all(1.0 <= t <= HEADER_TIMEOUT + BODY_TIMEOUT + 1 for t in times), (kind, times)
    # a client cut off in the middle of a request is told why; an idle one is just closed
    slow = [a for s, a in crowd.answers.items() if crowd.socks[s] != "idle"]
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in slow), slow[:2]
    assert not any(a for s, a in crowd.answers.items() if crowd.socks[s] == "idle")


def test_one_client_cannot_hold_more_than_its_share(server):
    socks = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(PER_CLIENT + 20)]
    try:
        time.sleep(0.5)
        readable, _, _ = select.select(socks, [], [], 0)
        refused = [s.recv(4096) for s in readable]
        assert len(refused) >= 20, f"{len(refused)} connections refused"
        assert all(r.startswith(b"HTTP/1.1 429 ") for r in refused), refused[:2]
        assert b"Retry-After: " in refused[0]
    finally:
        for s in socks:
            s.close()
    time.sleep(0.2)
    r = requests.get(server.sparql, params={"query": ASK}, headers=JSON, timeout=5)
    assert r.status_code == 200


def test_health_is_answered_while_every_thread_is_busy(server):
    def runaway():
        try:
            requests.get(server.sparql, params={"query": RUNAWAY}, headers=JSON, timeout=15)
        except requests.RequestException:
            pass

    threads = [threading.Thread(target=runaway) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)  # the runaway queries hold the 4 threads (query timeout 3 s)
        t0 = time.perf_counter()
        r = requests.get(f"{server.url}/-/health", timeout=10)
        elapsed = time.perf_counter() - t0
    finally:
        for t in threads:
            t.join()
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["version"]
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["X-Content-Type-Options"] == "nosniff"  # the loop's answers carry it too
    assert elapsed < 0.5, f"answered in {elapsed:.2f} s"


def _raw(port: int, data: bytes, *, wait: float = 2.0) -> tuple[bytes, float]:
    """Send ``data`` (then nothing more); what comes back within ``wait`` s, and the
    seconds until its first byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        t0 = time.perf_counter()
        s.sendall(data)
        out, first = b"", wait
        while time.perf_counter() < t0 + wait:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            first = min(first, time.perf_counter() - t0)
            out += chunk
        return out, first


def test_a_body_over_the_limit_is_refused_before_it_arrives(server):
    head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
    form = b"Content-Type: application/x-www-form-urlencoded\r\n"
    out, first = _raw(server.port, head + form + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode())
    assert out.startswith(b"HTTP/1.1 413 ") and first < 1.0
    body = out.split(b"\r\n\r\n", 1)[1]
    assert json.loads(body)["error"]["status"] == 413  # in the negotiated format
    # chunked: counted decoded, refused at the chunk size line over the limit
    chunked = head + form + b"Transfer-Encoding: chunked\r\n\r\n"
    out, first = _raw(server.port, chunked + b"400\r\n" + b"q" * 1024 + b"\r\n" + b"800\r\nq")
    assert out.startswith(b"HTTP/1.1 413 ") and first < 1.0


def test_requests_split_and_pipelined_are_answered_in_order(server):
    q = urllib.parse.quote(ASK)
    get = f"GET /sparql?query={q} HTTP/1.1\r\nHost: x\r\nAccept: {JSON['Accept']}\r\n\r\n"
    body = f"query={q}".encode()
    post = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    health = b"GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n"
    last = f"GET /sparql?query={q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(get.encode() + post[:20])
        time.sleep(0.1)
        s.sendall(post[20:] + body[:5])
        time.sleep(0.1)
        s.sendall(body[5:] + health + last.encode())
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    assert out.count(b"HTTP/1.1 200 OK\r\n") == 4, out[:600]
    assert len(re.findall(rb'"boolean": ?true', out)) == 3
    assert re.search(rb'"status": ?"ok"', out)


POINT = "SELECT ?p ?o WHERE { <https://w3id.org/eu-enlargement/id/country/MNE> ?p ?o }"


def _get(target: str, fields: str = "") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: x\r\n{fields}\r\n".encode()


def _answers(out: bytes) -> list[bytes]:
    """The HTTP answers in ``out``, each without its ``Date`` line (the one field that
    differs between two answers to the same request)."""
    found = []
    while out:
        head, _, rest = out.partition(b"\r\n\r\n")
        length = int(re.search(rb"\r\nContent-Length: (\d+)", head).group(1))
        found.append(re.sub(rb"\r\nDate: [^\r]*", b"", head) + b"\r\n\r\n" + rest[:length])
        out = rest[length:]
    return found


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "Accept: application/sparql-results+json\r\n",
        "Accept: text/csv\r\n",
        "Accept: application/xml\r\n",
    ],
)
def test_a_point_lookup_answered_in_the_loop_is_the_threads_answer(server, accept):
    """The loop answers a bounded point lookup (web/front.py, ``Front._fast``) byte for
    byte as a request thread does; a ``Content-Length: 0`` field, which gunicorn reads the
    same, sends the same request to a thread."""
    target = "/sparql?" + urllib.parse.urlencode({"query": f"#{accept}\n{POINT}"})
    loop, _ = _raw(server.port, _get(target, accept + "Connection: close\r\n"))
    thread, _ = _raw(
        server.port, _get(target, accept + "Content-Length: 0\r\nConnection: close\r\n")
    )
    assert loop.startswith(b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: ")
    assert b"\r\nConnection: close\r\n" in loop and b"\r\nX-Cache: " in loop
    # the second answer comes from the answer cache: the same but for its X-Cache
    assert _answers(loop) == [
        a.replace(b"X-Cache: hit", b"X-Cache: miss") for a in _answers(thread)
    ]


def test_point_lookups_are_answered_while_every_thread_is_busy(server):
    """4 clients that ask for a large answer and do not read it hold the worker's 4
    threads (each blocked writing); a bounded point lookup is answered by the loop all the
    same. Before the loop answered them, it waited for a thread (here: for ever)."""
    big = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 20000")
    readers = []
    try:
        for n in range(4):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.bind((f"127.0.0.{n + 2}", 0))  # 4 clients: each within its share of queries
            s.connect(("127.0.0.1", server.port))
            # several answers in a row: more than the kernel buffers between the two
            s.sendall(b"".join(_get(f"/sparql?query=%23{n}%0A{big}") for _ in range(8)))
            readers.append(s)
        time.sleep(0.5)  # every thread is writing an answer nobody reads
        for n in range(5):
            t0 = time.perf_counter()
            r = requests.get(
                server.sparql, params={"query": f"#{n}\n{POINT}"}, headers=JSON, timeout=3
            )
            assert r.status_code == 200 and r.json()["results"]["bindings"]
            assert time.perf_counter() - t0 < 0.5
    finally:
        for s in readers:
            s.close()


def test_a_client_that_does_not_read_cannot_block_the_loop(server):
    """200 pipelined point lookups from a client that reads nothing for a while: the loop
    keeps what the socket will not take and writes it as the client reads; meanwhile
    others are answered; then every answer arrives, in order."""
    q = urllib.parse.quote(POINT)
    reqs = b"".join(_get(f"/sparql?query=%23{n}%0A{q}", "Accept: text/csv\r\n") for n in range(200))
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        s.sendall(reqs + _get("/-/health", "Connection: close\r\n"))
        time.sleep(0.5)
        t0 = time.perf_counter()
        r = requests.get(server.sparql, params={"query": POINT}, headers=JSON, timeout=5)
        assert r.status_code == 200 and time.perf_counter() - t0 < 0.5
        s.settimeout(5)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    answers = _answers(out)
    assert len(answers) == 201 and re.search(rb'"status": ?"ok"', answers[-1])
    bodies = {a.split(b"\r\n\r\n", 1)[1] for a in answers[:200]}
    assert len(bodies) == 1 and next(iter(bodies)).startswith(b"p,o\r\n")


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task").iterdir()
    return [int(k) for t in tasks for k in (t / "children").read_text().split()]


def test_query_processes_yield_the_cpu_to_the_serving_ones(server):
    """Runaway queries run in the query processes, at a lower CPU priority than the
    serving process (core/pool.py, ``QUERY_NICE``): on a busy machine, point lookups and
    cached answers come first (docs/performance.md, the mixed load)."""
    master = server.proc.pid
    (worker,) = _children(master)
    queries = _children(worker)
    assert queries and _nice(worker) == _nice(master)
    assert max(_nice(q) for q in queries) == min(19, _nice(master) + 10)
