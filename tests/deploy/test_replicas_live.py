"""Replicas behind a balancer (issue 16, "Beyond one machine"; docs/deploy.md).

One release artifact, the store folder written once by ``build``, is opened read-only by
three ``enlargement-kg serve --store DIR`` replicas at once (RocksDB's read-only mode takes
no lock and writes nothing: the folder's bytes are the same afterwards). HAProxy (Debian's
package; .ci/run installs it, these tests skip without it) balances them with the settings
docs/deploy.md recommends: health checks on ``/-/health``, layer-7 retries of what can be
retried, ``X-Forwarded-For`` set to the client's address. Under load from a few threads, one
replica is killed with SIGKILL (its whole process group, as when a machine or a container
dies): every GET still answers 200, the other two answer the rest, the health check marks the
dead one down; the replicas answer alike (ETag, graph version, the balancer's base URL) and
the per-client cap counts the client the balancer saw, not the balancer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from support import LiveServer, client_at, start_server

HAPROXY = shutil.which("haproxy")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        HAPROXY is None, reason="haproxy is not installed (apt-get install -y haproxy; .ci/run)"
    ),
]

TIMEOUT = 3  #: the replicas' query time limit, seconds; the balancer waits longer
JSON = {"Accept": "application/sparql-results+json"}
COUNTRY = "https://w3id.org/eu-enlargement/id/country/"
POINT = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} #{nonce}"
CANNED = ("aligned-with-sdp",)

HAPROXY_CFG = """\
global
    maxconn 512
    stats socket {folder}/admin.sock mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server {server_timeout}s
    timeout http-request 10s
    timeout queue 5s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend all
    bind 127.0.0.1:{port}
    http-request set-header X-Forwarded-For %[src]
    http-request set-header X-Forwarded-Proto http
    default_backend replicas

frontend one
    bind 127.0.0.1:{one_port}
    http-request set-header X-Forwarded-For %[src]
    default_backend one

backend replicas
    balance roundrobin
    option httpchk GET /-/health
    http-check expect status 200
    http-request disable-l7-retry if !METH_GET !METH_HEAD !{{ path /sparql }}
    http-response set-header X-Replica %[srv_name]
    default-server check inter 300ms fall 2 rise 2 maxconn 32
{servers}

backend one
    option httpchk GET /-/health
    default-server check inter 300ms fall 2 rise 2 maxconn 32
    server r0 127.0.0.1:{first}
"""


def _digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (sub-folders too: other tests may have left a write
    state there) and its digest."""
    return {
        str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    replicas: list[LiveServer]
    url: str  #: the balancer, in front of all three
    one: str  #: the balancer, in front of the first replica only
    admin: Path  #: HAProxy's stats socket
    haproxy: subprocess.Popen
    killed: list[int] = field(default_factory=list)

    def servers(self) -> dict[str, str]:
        """HAProxy's view: server name -> status (UP, DOWN ...) in the backend "replicas"."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.admin))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        rows = [line.split(",") for line in data.decode().splitlines() if line.strip()]
        head = [h.lstrip("# ") for h in rows[0]]
        col = {name: i for i, name in enumerate(head)}
        return {
            r[col["svname"]]: r[col["status"]]
            for r in rows[1:]
            if r[col["pxname"]] == "replicas" and r[col["svname"]].startswith("r")
        }


def _start_haproxy(folder: Path, replicas: list[LiveServer], port: int) -> Cluster:
    one_port = _free_port()
    servers = "\n".join(f"    server r{i} 127.0.0.1:{r.port}" for i, r in enumerate(replicas))
    cfg = folder / "haproxy.cfg"
    cfg.write_text(
        HAPROXY_CFG.format(
            folder=folder,
            server_timeout=TIMEOUT + 7,  # longer than the service's deadline: never a retry
            port=port,
            one_port=one_port,
            servers=servers,
            first=replicas[0].port,
        )
    )
    check = subprocess.run([str(HAPROXY), "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with open(folder / "haproxy.log", "wb") as log:  # HAProxy holds its own descriptor
        proc = subprocess.Popen(
            [str(HAPROXY), "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT
        )
    url, one = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{one_port}"
    cluster = Cluster(replicas, url, one, folder / "admin.sock", proc)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if cluster.admin.exists() and set(cluster.servers().values()) == {"UP"}:
            return cluster
        assert proc.poll() is None, (folder / "haproxy.log").read_text()
        time.sleep(0.2)
    raise AssertionError(f"the replicas did not come up in HAProxy: {cluster.servers()}")


@pytest.fixture(scope="module")
def cluster(built_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("balancer")
    before = _digest(built_store)
    replicas: list[LiveServer] = []
    proc = None
    try:
        port = _free_port()  # the balancer's, named before the replicas start: their base URL
        base = f"http://127.0.0.1:{port}/"
        for _ in range(3):
            replicas.append(
                start_server(
                    "--store", str(built_store), "--workers", "1", "--timeout", str(TIMEOUT),
                    "--base-url", base, "--trusted-proxies", "1",
                    env={"ENLARGEMENT_KG_QUERY_WORKERS": "2"},
                    timeout=60,
                )
            )  # fmt: skip
        c = _start_haproxy(folder, replicas, port)
        proc = c.haproxy
        yield c
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        for r in replicas:
            r.stop()
    assert _digest(built_store) == before, "a replica wrote into the release artifact"


def test_the_replicas_answer_alike_and_name_the_balancer(cluster):
    """Same artifact, same answers: the graph version, the ETag of a /sparql answer and of a
    page (so a revalidation answered by another replica is a 304), VoID as a graph (its
    blank nodes come out in another order in each process) whose absolute URLs start with
    --base-url, the balancer's, not each replica's own address."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    query = {"query": POINT.format(iri=COUNTRY + "MNE")}
    seen, voids = [], []
    for r in cluster.replicas:
        version = requests.get(f"{r.url}/-/version", timeout=10).json()["graph_version"]
        etag = requests.get(r.sparql, params=query, headers=JSON, timeout=10).headers["ETag"]
        page = requests.get(f"{r.url}/id/country/MNE", timeout=10).headers["ETag"]
        void = requests.get(f"{r.url}/.well-known/void.ttl", timeout=10)
        assert void.status_code == 200
        seen.append((version, etag, page))
        voids.append(void.text)
    assert len(set(seen)) == 1, seen
    graphs = [Graph().parse(data=text, format="turtle") for text in voids]
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    assert f"<{cluster.url}/sparql>" in voids[0]
    assert not any(f":{r.port}/" in text for r in cluster.replicas for text in voids)
    answered = set()
    for _ in range(9):  # round robin: each replica revalidates what another one sent
        r = requests.get(
            f"{cluster.url}/id/country/MNE", headers={"If-None-Match": seen[0][2]}, timeout=10
        )
        assert r.status_code == 304, (r.status_code, r.headers.get("X-Replica"))
        answered.add(r.headers["X-Replica"])
    assert answered == {"r0", "r1", "r2"}


def test_the_per_client_cap_counts_the_client_the_balancer_saw(cluster):
    """--trusted-proxies 1 behind HAProxy (which sets X-Forwarded-For to the client's address):
    a client (127.0.0.2) with a runaway query running is refused a second one (429) even when
    it claims another address, while another client (127.0.0.3) is admitted. Counted by the
    peer address instead, both would be the balancer's 127.0.0.1."""
    out: dict[str, requests.Response] = {}

    def ask(name: str, source: str, headers: dict | None = None) -> None:
        params = {"query": RUNAWAY.format(nonce=f"{name}-{time.time()}")}
        with client_at(source) as session:  # closed: no socket left for the collector
            out[name] = session.get(
                f"{cluster.one}/sparql",
                params=params,
                headers={**JSON, **(headers or {})},
                timeout=30,
            )

    first = threading.Thread(target=ask, args=("a1", "127.0.0.2"))
    first.start()
    time.sleep(0.5)  # a1 holds one of the two query workers
    others = [
        threading.Thread(target=ask, args=("a2", "127.0.0.2", {"X-Forwarded-For": "192.0.2.7"})),
        threading.Thread(target=ask, args=("b1", "127.0.0.3")),
    ]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    got = {name: (r.status_code, r.text[:120]) for name, r in out.items()}
    assert out["a2"].status_code == 429 and "the most one client may" in out["a2"].text, got
    assert out["a1"].status_code == 503 and "time limit" in out["a1"].text, got
    assert out["b1"].status_code == 503 and "time limit" in out["b1"].text, got


def _mix(i: int) -> tuple[str, dict, dict]:
    """Request ``i`` of the load: an uncached point lookup, a canned query, a page, the
    graph version, in turn."""
    codes = ("MNE", "SRB", "ALB", "MKD", "BIH", "UKR", "MDA", "GEO", "TUR")
    kind = i % 4
    if kind == 0:
        iri = COUNTRY + codes[i % len(codes)]
        return "/sparql", {"query": POINT.format(iri=iri) + f"\n#{i}"}, JSON
    if kind == 1:
        return f"/queries/{CANNED[i % len(CANNED)]}", {}, JSON
    if kind == 2:
        return f"/id/country/{codes[i % len(codes)]}", {}, {"Accept": "text/html"}
    return "/-/version", {}, {}


def _load(url: str, seconds: float, threads: int) -> list[tuple[float, str, object, str | None]]:
    """GETs from ``threads`` clients for ``seconds``: (monotonic time, path, status or the
    error, the replica that answered)."""
    end = time.monotonic() + seconds
    results: list[tuple[float, str, object, str | None]] = []

    def client(k: int) -> None:
        with requests.Session() as session:
            i = k
            while time.monotonic() < end:
                path, params, headers = _mix(i)
                i += threads
                try:
                    r = session.get(url + path, params=params, headers=headers, timeout=20)
                    replica = r.headers.get("X-Replica")
                    results.append((time.monotonic(), path, r.status_code, replica))
                except requests.RequestException as exc:
                    results.append((time.monotonic(), path, repr(exc), None))

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return results


def test_a_replica_killed_under_load_loses_no_request(cluster):
    victim = cluster.replicas[2]
    killed_at: list[float] = []

    def kill() -> None:
        time.sleep(4)
        killed_at.append(time.monotonic())
        os.killpg(victim.proc.pid, signal.SIGKILL)  # the replica's session: master and workers
        victim.proc.wait(timeout=10)
        while not cluster.servers()["r2"].startswith("DOWN") and time.monotonic() < t0 + 9:
            time.sleep(0.05)
        killed_at.append(time.monotonic())  # when the health check had marked it down

    t0 = time.monotonic()
    killer = threading.Thread(target=kill)
    killer.start()
    results = _load(cluster.url, seconds=10, threads=4)
    killer.join()
    t_kill, t_down = killed_at
    failed = [(round(t - t_kill, 2), p, s) for t, p, s, _ in results if s != 200]
    assert not failed, f"{len(failed)} of {len(results)} requests failed: {failed[:10]}"
    after = [who for t, _, _, who in results if t > t_kill + 0.5]
    assert "r2" not in after
    assert after.count("r0") >= 10 and after.count("r1") >= 10, (
        after.count("r0"),
        after.count("r1"),
    )
    status = cluster.servers()
    assert status["r2"].startswith("DOWN") and status["r0"] == status["r1"] == "UP", status
    print(
        f"\n{len(results)} GETs in 10 s through HAProxy, {len(after)} after the kill, none lost; "
        f"marked down {t_down - t_kill:.2f} s after the kill; HAProxy: {status}"
    )
