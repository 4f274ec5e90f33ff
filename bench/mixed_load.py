"""The mixed-load benchmark (issue 17): normal requests while slow and idle clients and
runaway queries are active, against ``enlargement-kg serve --store DIR`` on loopback.

Normal requests: ``--clients`` keep-alive clients, each sending one request at a time with
``--think`` ms between them, alternating an uncached point lookup (a cache-busting comment
makes every one unique) and a canned query (answered from the caches once warm). First a
quiet phase (``--baseline`` s), then the same load for ``--duration`` s with, all the time:
16 sockets sending a header line every 2 s, 8 sending a POST body a byte every 2 s, 100 idle
sockets (each reopened when the server closes it), and 8 clients each sending
``SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }`` again as soon as it is answered. Prints
p50/p99/max of the normal requests and their errors per phase, and what the attackers saw.

Normal clients and the attacker are different clients to the server, as on a network:
every socket is bound to its own loopback source address (loopback answers all of 127/8):
the attacker's slow and idle sockets and runaway queries leave from 127.0.0.2, normal
client ``n`` from 127.0.0.(3 + n); with ``--runaway-clients`` each runaway query has an
address of its own (127.0.1.1 ...), so that none of them meets the per-client cap on costly
queries (the worst case for the query pool). The per-client connection cap is lifted
(``ENLARGEMENT_KG_CLIENT_CONNECTIONS=0``): the attacker's 124 sockets all get in, the worst
case.

    python bench/mixed_load.py                     # 10k triples, 15 s quiet + 60 s mixed
    python bench/mixed_load.py --duration 20 --baseline 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402
from servers import make_store, start_ours  # noqa: E402
from workload import canned, point_lookup  # noqa: E402

RUNAWAY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACCEPT = "application/sparql-results+json"
#: where the attacker's sockets leave from (normal clients: 127.0.0.3 ...)
ATTACKER = ("127.0.0.2", 0)


def ask(
    conn: http.client.HTTPConnection, query: str, timeout: float, extra: dict | None = None
) -> int:
    q = urllib.parse.quote(query, safe="")
    conn.timeout = timeout
    if len(q) <= 1500:
        conn.request("GET", f"/sparql?query={q}", headers={"Accept": ACCEPT, **(extra or {})})
    else:
        body = f"query={q}"
        form = {"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/sparql", body=body, headers=form)
    r = conn.getresponse()
    r.read()
    return r.status


class Normal(threading.Thread):
    """One normal client; ``phase`` names where its latencies go."""

    #: extra fields of every request (``--thread-path``: ``Content-Length: 0``)
    extra: dict[str, str] = {}

    def __init__(self, port: int, queries: list[str], cid: int, think: float, out: dict):
        super().__init__(daemon=True)
        self.source = (f"127.0.0.{3 + cid}", 0)
        self.port, self.queries, self.cid, self.think, self.out = port, queries, cid, think, out
        self.phase: str | None = "warm-up"
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, source_address=self.source)
        n = self.cid * 7919
        while not self.stop.is_set():
            n += 1
            k = n % len(self.queries)
            q = self.queries[k]
            if k % 2 == 0:  # the point lookups (even places): uncached, every one
                q = f"#bust-{self.cid}-{n}-{time.time_ns()}\n{q}"
            t0 = time.perf_counter()
            try:
                status = ask(conn, q, 10.0, self.extra)
            except (OSError, http.client.HTTPException):
                status = -1
                conn.close()
                conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, source_address=self.source
                )
            phase = self.phase
            if phase is not None:
                took = time.perf_counter() - t0
                for key in (phase, f"{phase}, {'point lookups' if k % 2 == 0 else 'canned'}"):
                    lat, errs = self.out.setdefault(key, ([], Counter()))
                    lat.append(took)
                    if status != 200:
                        errs[status] += 1
            time.sleep(self.think)


class Attack(threading.Thread):
    """16 slow-header, 8 slow-body and 100 idle sockets (reopened when closed), and 8
    runaway queries sent again as soon as each is answered."""

    KINDS = {"header": 16, "body": 8, "idle": 100}

    def __init__(self, port: int, runaway: int = 8, distinct: bool = False):
        super().__init__(daemon=True)
        self.port, self.runaways, self.distinct = port, runaway, distinct
        self.stop = threading.Event()
        self.closed: Counter[str] = Counter()
        self.runaway: Counter[str] = Counter()
        self.socks: dict[socket.socket, str] = {}

    def _open(self, kind: str) -> None:
        s = socket.create_connection(("127.0.0.1", self.port), source_address=ATTACKER)
        s.setblocking(False)
        first = {
            "header": b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n",
            "body": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
            b"x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nquery=",
        }.get(kind, b"")
        if first:
            s.send(first)
        self.socks[s] = kind

    def _runaway(self, k: int) -> None:
        source = (f"127.0.1.{1 + k}", 0) if self.distinct else ATTACKER
        conn = http.client.HTTPConnection("127.0.0.1", self.port, source_address=source)
        while not self.stop.is_set():
            try:
                self.runaway[str(ask(conn, RUNAWAY, 60.0))] += 1
            except (OSError, http.client.HTTPException) as exc:
                self.runaway[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, source_address=source)
                time.sleep(0.1)

    def run(self) -> None:
        for kind, n in self.KINDS.items():
            for _ in range(n):
                self._open(kind)
        runaways = [
            threading.Thread(target=self._runaway, args=(k,), daemon=True)
            for k in range(self.runaways)
        ]
        for t in runaways:
            t.start()
        while not self.stop.wait(2.0):
            for s, kind in list(self.socks.items()):
                try:
                    if s.recv(65536) == b"":
                        raise ConnectionResetError
                except BlockingIOError:
                    pass
                except OSError:
                    self._reopen(s, kind)
                    continue
                try:
                    s.send({"header": b"X-Drip: 1\r\n", "body": b"A"}.get(kind, b""))
                except OSError:
                    self._reopen(s, kind)
        for s in self.socks:
            s.close()

    def _reopen(self, s: socket.socket, kind: str) -> None:
        s.close()
        del self.socks[s]
        self.closed[kind] += 1
        self._open(kind)


def pct(lat: list[float], q: float) -> float:
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="10k")
    p.add_argument("--duration", type=float, default=60.0, help="seconds under attack")
    p.add_argument("--baseline", type=float, default=15.0, help="quiet seconds first")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--think", type=float, default=10.0, help="ms between a client's requests")
    p.add_argument("--runaway", type=int, default=8, help="runaway queries at once")
    p.add_argument(
        "--runaway-clients",
        action="store_true",
        help="each runaway query from an address of its own (default: all from the attacker's)",
    )
    p.add_argument(
        "--thread-path",
        action="store_true",
        help="send normal requests with Content-Length: 0, which the front's loop leaves to a "
        "request thread: point lookups as they were answered before the loop answered them",
    )
    p.add_argument("--json", type=Path, help="also write the figures here")
    a = p.parse_args(argv)
    load0 = os.getloadavg()
    print(f"load average at start: {load0}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="enlargement-kg-mixed-"))
    g = generate(size=a.size, out=work / "data.nq", seed=1)
    make_store(g.path, work / "store", version=g.digest)
    queries, _ = canned(facts=g.sample_subjects[:50], variants=2)
    texts = []
    for k, q in enumerate(queries):
        # a point lookup (sent uncached) then a canned query (cached once warm), in turn
        texts += [point_lookup(g.sample_subjects[k % len(g.sample_subjects)]).text, q.text]
    os.environ["ENLARGEMENT_KG_CLIENT_CONNECTIONS"] = "0"  # every attack socket gets in
    server = start_ours(work / "store", work / "server.log")
    port = urllib.parse.urlsplit(server.endpoint).port
    out: dict = {}
    cpu: dict[str, float] = {}
    Normal.extra = {"Content-Length": "0"} if a.thread_path else {}
    clients = [Normal(port, texts, c, a.think / 1000, out) for c in range(a.clients)]
    attack = Attack(port, a.runaway, a.runaway_clients)
    try:
        for c in clients:
            c.start()
        time.sleep(5)  # warm-up: every canned answer made once
        for phase, secs in (("quiet", a.baseline), ("mixed", a.duration)):
            if phase == "mixed":
                attack.start()
            cpu0 = server.cpu_seconds()
            for c in clients:
                c.phase = phase
            time.sleep(secs)
            cpu[phase] = server.cpu_seconds() - cpu0
    finally:
        for c in clients:
            c.phase = None
            c.stop.set()
        attack.stop.set()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report = {}
    for phase in [
        f"{p}{k}" for p in ("quiet", "mixed") for k in ("", ", point lookups", ", canned")
    ]:
        lat, errs = out.get(phase, ([], Counter()))
        report[phase] = {
            "requests": len(lat),
            "p50_ms": round(pct(lat, 0.5), 1),
            "p99_ms": round(pct(lat, 0.99), 1),
            "max_ms": round(max(lat) * 1000, 1) if lat else None,
            "errors": dict(errs),
            "server_cpu_s": round(cpu[phase], 1) if phase in cpu else None,
        }
        r = report[phase]
        print(
            f"{phase:21} {r['requests']:6} normal requests  p50 {r['p50_ms']:7.1f} ms  "
            f"p99 {r['p99_ms']:7.1f} ms  max {r['max_ms']} ms  errors {r['errors']}"
            + (f"  server CPU {r['server_cpu_s']} s" if phase in cpu else "")
        )
    report["attack"] = {"closed_by_server": dict(attack.closed), "runaway": dict(attack.runaway)}
    print(
        f"attack: sockets closed by the server {dict(attack.closed)}; "
        f"runaway query outcomes {dict(attack.runaway)}"
    )
    report["load_average"] = {"start": load0, "end": os.getloadavg()}
    print(f"load average at end: {report['load_average']['end']}")
    if a.json:
        a.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
