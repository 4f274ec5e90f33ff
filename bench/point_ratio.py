"""Uncached point lookups, side by side in one run (issue 17): our endpoint against a bare
Flask handler under the same front (api/web/front.py), and pyoxigraph called directly.

Both servers are started once; then, in each of ``--rounds`` interleaved rounds, wrk (16
keep-alive clients, every request unique: a ``#bust-n`` first line as in bench/load.py)
drives in turn: ours; ours through a request thread (the same requests with
``Content-Length: 0``, which the front's loop leaves to a thread: what every point lookup
cost before the loop answered them); and bare Flask. Each run reports req/s, p50/p99 and the
server's CPU per request (every process of the server, from /proc), after both servers
have gone idle. pyoxigraph: the same query texts through ``Store.query`` in this process
(results materialised), one core, the median of three passes. Prints the load average at
start and end, and a Markdown table.

    python bench/point_ratio.py                    # 10k triples, 5 rounds of 8 s each
    python bench/point_ratio.py --rounds 3 --seconds 5 --json /tmp/ratio.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from generate import generate  # noqa: E402
from load import Request, run_wrk  # noqa: E402
from servers import make_store, start_bare_flask, start_ours  # noqa: E402
from workload import point_lookup  # noqa: E402

#: the contenders over HTTP: (name, server, extra request headers)
THREAD = {"Content-Length": "0"}


def settle(servers: list, timeout: float = 10.0) -> None:
    """Wait until the servers are idle (under 5% of a CPU over 0.3 s; at most ``timeout``
    s): on a shared machine waiting for the whole machine, as run.py does, never ends."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        c0 = [s.cpu_seconds() for s in servers]
        time.sleep(0.3)
        if all(s.cpu_seconds() - c < 0.015 for s, c in zip(servers, c0, strict=True)):
            return


def oxigraph_direct(store_dir: Path, texts: list[str]) -> float:
    """µs per point lookup through pyoxigraph's ``Store.query`` (rows materialised)."""
    store = ox.Store.read_only(str(store_dir))
    passes = []
    for _ in range(3):
        t0 = time.perf_counter()
        for n, t in enumerate(texts):
            list(store.query(f"#bust-{n}\n{t}", use_default_graph_as_union=True))
        passes.append((time.perf_counter() - t0) / len(texts) * 1e6)
    return statistics.median(passes)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="10k")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=8.0, help="of load per server and round")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)
    load0 = os.getloadavg()
    print(f"load average at start: {load0}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="enlargement-kg-ratio-"))
    g = generate(size=a.size, out=work / "data.nq", seed=20261126)
    make_store(g.path, work / "store", version=g.digest)
    texts = [point_lookup(s).text for s in g.sample_subjects]
    reqs = [Request(t, bust=True, label="point-lookup") for t in texts]
    ox_us = oxigraph_direct(work / "store", texts)
    ours = start_ours(work / "store", work / "ours.log")
    flask = start_bare_flask(work / "flask.log")
    plan = [("ours", ours, None), ("ours, thread", ours, THREAD), ("bare Flask", flask, None)]
    rows: dict[str, list[dict]] = {name: [] for name, _, _ in plan}
    try:
        for rnd in range(a.rounds):
            for name, server, headers in plan:
                settle([ours, flask])
                cpu0 = server.cpu_seconds()
                r = run_wrk(
                    server.endpoint,
                    reqs,
                    clients=a.clients,
                    duration=a.seconds,
                    max_requests=10**7,
                    headers=headers,
                )
                cpu = (server.cpu_seconds() - cpu0) * 1000 / max(1, r.requests)
                row = {"rps": r.rps, "p50": r.p50_ms, "p99": r.p99_ms, "cpu_ms": cpu}
                rows[name].append(row | {"errors": r.errors})
                print(
                    f"round {rnd + 1} {name:13} {r.rps:7,.0f} req/s  p50 {r.p50_ms:5.1f} ms  "
                    f"p99 {r.p99_ms:6.1f} ms  CPU {cpu:.3f} ms/req  errors {r.errors}",
                    flush=True,
                )
    finally:
        ours.stop()
        flask.stop()
        shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()
    out = report(rows, ox_us, load0, load1, a)
    print("\n".join(out))
    if a.json:
        a.json.write_text(json.dumps({"rounds": rows, "pyoxigraph_us": ox_us, "report": out}))
    return 0


def report(rows: dict, ox_us: float, load0, load1, a) -> list[str]:
    med = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in rows.items()}
    bare = rows["bare Flask"]
    out = [
        "",
        f"{a.size}, {a.clients} clients, {a.rounds} interleaved rounds of {a.seconds:g} s; "
        f"load average {load0[0]:.2f} at start, {load1[0]:.2f} at end",
        "",
        "| server | req/s (median; rounds) | p99 ms | CPU ms/req | / bare Flask, req/s "
        "(rounds) | / bare Flask, by CPU |",
        "|---|---|---:|---:|---|---:|",
    ]
    for name, rs in rows.items():
        m = med[name]
        per = [r["rps"] / b["rps"] for r, b in zip(rs, bare, strict=True)]
        each = ", ".join(f"{r['rps']:,.0f}" for r in rs)
        out.append(
            f"| {name} | {m['rps']:,.0f} ({each}) "
            f"| {m['p99']:.1f} | {m['cpu_ms']:.3f} | **{m['rps'] / med['bare Flask']['rps']:.2f}**"
            f" ({', '.join(f'{x:.2f}' for x in per)}) "
            f"| {med['bare Flask']['cpu_ms'] / m['cpu_ms']:.2f} |"
        )
    out.append(
        f"| pyoxigraph `Store.query`, in process | {1e6 / ox_us:,.0f} per core "
        f"({ox_us:.0f} µs a query) | | | | |"
    )
    return out


if __name__ == "__main__":
    sys.exit(main())
