"""Write latency (issue 16): one fact written over the Graph Store Protocol and over SPARQL
Update to a live ``serve --store DIR --writable`` on the real graph, N times each, with
incremental validation (the default) and with full validation (``ENLARGEMENT_KG_FAST_PATHS=0``);
then the phases of a write, timed inside the write process (``WriteResult.phases``).

    python bench/writes.py [--store DIR] [-n 20] [--modes incremental,full] [--json FILE]

The writes: GSP ``POST /store?graph=...`` of one triple (a note on a country), and an
Update that moves a real fact's ``enl:lastConfirmed`` date (the Fact shapes and the
24-month warning read it). The first write, sent as soon as the server answers, waits for
the write process to start and read the store (and, on a fresh build, validate it whole);
it is reported apart, as "first".
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import http, sparql, start_ours  # noqa: E402

NOTE_GRAPH = "https://w3id.org/eu-enlargement/graph/bench-notes"
COUNTRY = "https://w3id.org/eu-enlargement/id/country/MNE"
ENL = "https://w3id.org/eu-enlargement/ontology#"


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def a_fact(endpoint: str) -> tuple[str, str, str]:
    """A real fact's graph, IRI and last-confirmed date."""
    q = f"SELECT ?g ?f ?d WHERE {{ GRAPH ?g {{ ?f <{ENL}lastConfirmed> ?d }} }} ORDER BY ?f LIMIT 1"
    status, body = sparql(endpoint, q)
    row = json.loads(body)["results"]["bindings"][0]
    return row["g"]["value"], row["f"]["value"], row["d"]["value"]


def gsp_write(base: str, token: str, i: int) -> tuple[int, float]:
    body = f'<{COUNTRY}> <http://purl.org/dc/terms/description> "bench note {i}"@en .'
    url = f"{base}/store?" + urllib.parse.urlencode({"graph": NOTE_GRAPH})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    t0 = time.perf_counter()
    status, _ = http(url, data=body.encode(), headers=headers, timeout=120)
    return status, time.perf_counter() - t0


def update_write(base: str, token: str, fact: tuple[str, str, str], i: int) -> tuple[int, float]:
    graph, iri, _ = fact
    day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
    text = (
        f"DELETE {{ GRAPH <{graph}> {{ <{iri}> <{ENL}lastConfirmed> ?d }} }}\n"
        f'INSERT {{ GRAPH <{graph}> {{ <{iri}> <{ENL}lastConfirmed> "{day}"^^'
        "<http://www.w3.org/2001/XMLSchema#date> } }\n"
        f"WHERE {{ GRAPH <{graph}> {{ <{iri}> <{ENL}lastConfirmed> ?d }} }}"
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"}
    t0 = time.perf_counter()
    status, _ = http(f"{base}/sparql", data=text.encode(), headers=headers, timeout=120)
    return status, time.perf_counter() - t0


def over_http(store: Path, work: Path, mode: str, n: int) -> dict:
    """N writes of each kind against a live writable server in ``mode``."""
    copy = work / f"store-{mode}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy, ignore=shutil.ignore_patterns("writes"))
    token = secrets.token_urlsafe(24)
    os.environ["ENLARGEMENT_KG_TOKEN"] = token
    os.environ["ENLARGEMENT_KG_FAST_PATHS"] = "1" if mode == "incremental" else "0"
    server = start_ours(copy, work / f"serve-{mode}.log", timeout=180, extra=("--writable",))
    base = server.endpoint.rsplit("/sparql", 1)[0]
    try:
        fact = a_fact(server.endpoint)
        status, first = gsp_write(base, token, -1)
        assert status in (201, 204), status
        out: dict = {"mode": mode, "first": round(first, 3)}
        for kind in ("gsp", "update"):
            times = []
            for i in range(n):
                if kind == "gsp":
                    status, dt = gsp_write(base, token, i)
                else:
                    status, dt = update_write(base, token, fact, i)
                assert status in (201, 204), (kind, status)
                times.append(dt)
            out[kind] = {
                "p50": round(statistics.median(times), 3),
                "p95": round(percentile(times, 0.95), 3),
                "n": n,
            }
        return out
    finally:
        server.stop()


def phases(store: Path, work: Path, n: int) -> dict:
    """The phases of ``n`` Update writes, in process (``GraphStore.write``), median seconds
    from the start of the write process; ``total`` includes starting that process."""
    from enlargement_kg.core.writes import GraphStore, Update

    copy = work / "store-phases"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy, ignore=shutil.ignore_patterns("writes"))
    gs, _ = GraphStore.open(copy)
    gs.incremental = True  # whatever ENLARGEMENT_KG_FAST_PATHS the HTTP runs left set
    rows = []
    for i in range(n + 1):
        text = (
            f"INSERT DATA {{ GRAPH <{NOTE_GRAPH}> {{ <{COUNTRY}> "
            f'<http://purl.org/dc/terms/description> "phase note {i}"@en }} }}'
        )
        t0 = time.perf_counter()
        result = gs.write(Update(text))
        rows.append(dict(result.phases, total=round(time.perf_counter() - t0, 4)))
    rows = rows[1:]  # the first validates the whole graph
    keys = list(rows[0])
    return {k: round(statistics.median(r[k] for r in rows), 3) for k in keys}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="a built store (default: build the real graph)")
    ap.add_argument("-n", type=int, default=20, help="writes of each kind (default 20)")
    ap.add_argument("--modes", default="incremental,full")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-writes-") as tmp:
        work = Path(tmp)
        store = args.store
        if store is None:
            store = work / "built"
            subprocess.run(
                [sys.executable, "-m", "enlargement_kg.cli", "build", "--out", str(store)],
                check=True,
            )
        runs = [over_http(store, work, mode, args.n) for mode in args.modes.split(",")]
        inside = phases(store, work, max(3, args.n // 2))
    print("\n| validation | first write | GSP p50 | GSP p95 | Update p50 | Update p95 |")
    print("|---|---|---|---|---|---|")
    for r in runs:
        print(
            f"| {r['mode']} | {r['first']:.2f} s | {r['gsp']['p50']:.2f} s | "
            f"{r['gsp']['p95']:.2f} s | {r['update']['p50']:.2f} s | {r['update']['p95']:.2f} s |"
        )
    print("\nphases of an incremental write (median seconds from the write process's start):")
    print("  " + ", ".join(f"{k} {v:.3f}" for k, v in inside.items()))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"http": runs, "phases": inside}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
