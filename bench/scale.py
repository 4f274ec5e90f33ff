"""Scale figures (issue 16): the synthetic graph at 1M and 10M triples on the embedded store
and on Virtuoso 7, in one command, on the same N-Quads file for both:

1. the embedded store (a pyoxigraph/RocksDB folder): bulk load (``make_store``), size on
   disk, ``enlargement-kg serve --store DIR`` to its first answer, memory of the whole
   serving tree (gunicorn's master, its workers and their query processes) as PSS summed
   from ``/proc/<pid>/smaps_rollup`` (and RSS, which counts the shared store mapping once
   per process), idle after the start and after the queries;
2. Virtuoso 7: bulk load (``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint``), database on
   disk, memory of ``virtuoso-t`` idle after the load and after the queries, its buffers;
3. every canned query with one argument set, each run made unique (a ``#bust-<n>`` line
   first, so that no answer cache replies), the first (cold) run and the median of the next
   ``--runs`` (fewer, at least one, once ``--budget`` seconds went to the query): (a) ours
   over the embedded store (``/sparql``, SPARQL JSON), (b) pyoxigraph alone, in a child
   process on the same folder opened read-only, (c) Virtuoso's own ``/sparql``, (d) ours
   over Virtuoso (``serve --store http://.../sparql``).

Every server gets ``--query-timeout`` as its time limit (``ENLARGEMENT_KG_QUERY_TIMEOUT``,
Virtuoso's ``MaxQueryExecutionTime``): the service's default 10 s does not cut a query, and
a query stopped at the limit does not run on into the next one; it is reported as over it.

    python bench/scale.py --sizes 1m,10m [--data FILE --data FILE] [--query-timeout 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import SYNTHETIC_GRAPH, generate, parse_size  # noqa: E402
from run import machine  # noqa: E402
from servers import Server, make_store, start_ours, start_virtuoso, virtuoso_installed  # noqa: E402
from workload import BenchQuery, canned, first_of_each  # noqa: E402

from enlargement_kg.core.config import GIB, Settings, query_memory  # noqa: E402
from enlargement_kg.core.remote_store import Q_COUNT  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ("ours", "engine", "virtuoso", "ours-virtuoso")
TITLES = {
    "ours": "(a) ours, embedded",
    "engine": "(b) pyoxigraph alone",
    "virtuoso": "(c) Virtuoso",
    "ours-virtuoso": "(d) ours over Virtuoso",
}
DCT_SOURCE = "<http://purl.org/dc/terms/source>"
_BUSTS = itertools.count()
_RUN = time.time_ns()


# -- memory -------------------------------------------------------------------------------------


def kb_fields(text: str, names: tuple[str, ...]) -> dict[str, int]:
    """The fields ``Name:   123 kB`` of ``/proc/<pid>/smaps_rollup`` or ``status``, in bytes."""
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if key.strip() in names and len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            out[key.strip()] = int(parts[0]) * 1024
    return out


def snapshot(pids: list[int]) -> dict[int, dict[str, int]]:
    """PSS, RSS and the address space (now, peak) and peak RSS of each process."""
    out = {}
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # gone meanwhile
        out[pid] = kb_fields(rollup, ("Pss", "Rss")) | kb_fields(
            status, ("VmSize", "VmPeak", "VmHWM")
        )
    return out


@dataclass
class Memory:
    pss: int = 0
    rss: int = 0
    processes: int = 0
    peak_rss: int = 0  #: the largest peak RSS (VmHWM) of one process
    growth: int | None = None  #: the largest VmPeak over the same process's idle VmSize


def summarise(now: dict[int, dict[str, int]], idle: dict | None = None) -> Memory:
    """A process tree's memory from :func:`snapshot`; with the ``idle`` snapshot, the most
    address space one process added (what ``ENLARGEMENT_KG_QUERY_MEMORY`` caps)."""
    m = Memory(
        pss=sum(p.get("Pss", 0) for p in now.values()),
        rss=sum(p.get("Rss", 0) for p in now.values()),
        processes=len(now),
        peak_rss=max((p.get("VmHWM", 0) for p in now.values()), default=0),
    )
    if idle is not None:
        grown = [
            now[pid]["VmPeak"] - idle[pid]["VmSize"]
            for pid in now.keys() & idle.keys()
            if "VmPeak" in now[pid] and "VmSize" in idle[pid]
        ]
        m.growth = max(grown, default=None)
    return m


def disk_usage(path: Path, pattern: str = "*") -> int:
    """Bytes on disk (allocated blocks) of the files under ``path`` matching ``pattern``."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob(pattern) if f.is_file())


# -- one query run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  #: ok | over | refused | error
    ms: float | None = None
    rows: int | None = None
    note: str = ""


def bust(text: str) -> str:
    """``text`` made unique: no answer cache has seen it."""
    return f"#bust-{_RUN}-{next(_BUSTS)}\n{text}"


def answer_rows(body: bytes) -> int:
    doc = json.loads(body)
    return len(doc["results"]["bindings"]) if "results" in doc else 1


def refused_by_estimate(note: str) -> bool:
    """Virtuoso's cost estimator refused the query before running it (directly, or as our
    service over Virtuoso reports it)."""
    return "estimated execution time" in note or "refused a costly query" in note


def refusal(code: int, body: bytes) -> Outcome:
    """An HTTP error answer: refused by Virtuoso's cost estimate, over the time limit, or an
    error with its reason."""
    text = " ".join(body.decode("utf-8", "replace").split())
    low = text.lower()
    if refused_by_estimate(text):
        return Outcome("refused", note=text[:160])
    if code == 504 or "time limit" in low or "S1T00" in text or "timeout" in low:
        return Outcome("over", note=text[:160])
    return Outcome("error", note=f"HTTP {code}: {text[:160]}")


def post_query(endpoint: str, text: str, *, timeout: float) -> Outcome:
    """One query POSTed form-encoded, the answer read whole as SPARQL JSON; Virtuoso's
    partial "anytime" answer (``X-SQL-State: S1TAT``) counts as over the limit."""
    body = urllib.parse.urlencode({"query": text}).encode()
    headers = {
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(endpoint, data=body, headers=headers), timeout=timeout
        ) as r:
            data, state = r.read(), r.headers.get("X-SQL-State", "")
    except urllib.error.HTTPError as e:
        return refusal(e.code, e.read())
    except (TimeoutError, urllib.error.URLError, OSError) as e:
        if isinstance(e, TimeoutError) or "timed out" in str(e):
            return Outcome("over", note="no answer within the client's timeout")
        return Outcome("error", note=str(e)[:160])
    ms = (time.perf_counter() - t0) * 1000
    if state in ("S1TAT", "S1T00"):
        return Outcome("over", note=f"a partial answer ({state})")
    try:
        return Outcome("ok", ms, answer_rows(data))
    except (ValueError, KeyError, TypeError):
        return Outcome("error", note="not SPARQL JSON: " + data[:120].decode("utf-8", "replace"))


def _engine_loop(conn, path: str) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(path)
    conn.send(("ready", 0.0, None))
    while (text := conn.recv()) is not None:
        t0 = time.perf_counter()
        try:
            res = store.query(text, use_default_graph_as_union=True)
            rows = 1 if isinstance(res, bool) else sum(1 for _ in res)
            conn.send(("ok", time.perf_counter() - t0, rows))
        except Exception as exc:  # noqa: BLE001 - reported as the engine's error
            conn.send(("error", 0.0, f"{type(exc).__name__}: {str(exc)[:160]}"))


class Engine:
    """pyoxigraph alone: a child process with the store folder opened read-only, results
    iterated; a query over the limit kills the child (the next query starts another)."""

    def __init__(self, store: Path):
        self.store, self.proc, self.conn = store, None, None

    def _start(self) -> None:
        ctx = mp.get_context("fork")  # this process never opened the store: nothing to inherit
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_engine_loop, args=(child, str(self.store)), daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(600):
            raise RuntimeError("pyoxigraph did not open the store within 600 s")
        self.conn.recv()

    def run(self, text: str, *, timeout: float) -> Outcome:
        if self.proc is None:
            self._start()
        self.conn.send(text)
        if not self.conn.poll(timeout):
            self.stop()
            return Outcome("over")
        try:
            status, seconds, extra = self.conn.recv()
        except EOFError:
            self.stop()
            return Outcome("error", note="the engine's process died")
        if status == "ok":
            return Outcome("ok", seconds * 1000, extra)
        return Outcome("error", note=extra)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
            self.conn.close()
            self.proc = self.conn = None


@dataclass
class Timing:
    status: str = "ok"  #: ok | over | refused | error (the first run that was not ok)
    cold_ms: float | None = None
    median_ms: float | None = None
    rows: int | None = None
    note: str = ""
    runs: int = 0  #: the warm runs made (fewer than ``wanted`` when the budget ran out)
    wanted: int = 0


def measure(run, text: str, *, runs: int, budget: float = 0.0) -> Timing:
    """The first (cold) run of ``text``, then the median of ``runs`` more, each unique;
    with a ``budget`` (seconds), no further run once it is spent (but at least one)."""
    t0 = time.perf_counter()
    first = run(bust(text))
    if first.status != "ok":
        return Timing(first.status, note=first.note, wanted=runs)
    warm: list[Outcome] = []
    while len(warm) < runs and not (warm and budget and time.perf_counter() - t0 > budget):
        w = run(bust(text))
        if w.status != "ok":
            return Timing(w.status, first.ms, None, first.rows, w.note, len(warm), runs)
        warm.append(w)
    median = statistics.median(w.ms for w in warm if w.ms is not None)
    return Timing("ok", first.ms, median, first.rows, runs=len(warm), wanted=runs)


# -- the report --------------------------------------------------------------------------------


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "n/a"
    return f"{n / GIB:.2f} GiB" if n >= GIB else f"{n / (1 << 20):,.0f} MiB"


def fmt_ms(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def cell(t: Timing | None, timeout: float) -> str:
    if t is None:
        return "n/a"
    if t.status == "over":
        return f"over {timeout:g} s"
    if t.status == "refused":
        return "refused (cost estimate)"
    if t.status != "ok":
        return "error"
    fewer = f"; {t.runs} run{'s' if t.runs > 1 else ''}" if t.runs < t.wanted else ""
    return f"{fmt_ms(t.median_ms)} (cold {fmt_ms(t.cold_ms)}{fewer})"


def ratio(a: Timing | None, b: Timing | None) -> str:
    if a is None or b is None or not a.median_ms or not b.median_ms:
        return "n/a"
    return f"{a.median_ms / b.median_ms:,.1f}x"


def rows_cell(timings: dict[str, Timing]) -> str:
    """The rows of the first column that answered; any column that differs, flagged."""
    got = {c: t.rows for c, t in timings.items() if t.rows is not None}
    if not got:
        return "n/a"
    ref = got.get("engine", next(iter(got.values())))
    odd = [f"{c}: {n:,}" for c, n in got.items() if n != ref]
    return f"{ref:,}" + (f" (**differs**, {', '.join(odd)})" if odd else "")


def latency_table(size: str, queries: list[dict], timeout: float) -> list[str]:
    """``queries``: ``{"name": ..., "timings": {column: Timing}}`` in order."""
    head = " | ".join(TITLES[c] for c in COLUMNS)
    lines = [
        f"| query ({size}) | rows | {head} | a / b | d / c |",
        "|---|---:|" + "---:|" * (len(COLUMNS) + 2),
    ]
    sums = {c: 0.0 for c in COLUMNS}
    every = 0
    for q in queries:
        t = q["timings"]
        cells = " | ".join(cell(t.get(c), timeout) for c in COLUMNS)
        lines.append(
            f"| {q['name']} | {rows_cell(t)} | {cells} | "
            f"{ratio(t.get('ours'), t.get('engine'))} | "
            f"{ratio(t.get('ours-virtuoso'), t.get('virtuoso'))} |"
        )
        if all(t.get(c) is not None and t[c].median_ms is not None for c in COLUMNS):
            every += 1
            for c in COLUMNS:
                sums[c] += t[c].median_ms
    if every:
        total = {c: Timing(median_ms=v) for c, v in sums.items()}
        lines.append(
            f"| sum of medians, the {every} queries all four answered | | "
            + " | ".join(fmt_ms(sums[c]) for c in COLUMNS)
            + f" | {ratio(total['ours'], total['engine'])} | "
            f"{ratio(total['ours-virtuoso'], total['virtuoso'])} |"
        )
    return lines


def memory_cell(m: Memory | None) -> str:
    if m is None:
        return "n/a"
    procs = f"{m.processes} process" + ("es" if m.processes != 1 else "")
    return f"PSS {fmt_bytes(m.pss)} (RSS {fmt_bytes(m.rss)}), {procs}"


def load_table(res: dict) -> list[str]:
    """Load, disk, start and memory per backend (``res``: one size's result, :class:`Side`
    under ``embedded``, ``virtuoso`` and ``remote``)."""
    sides = [res.get("embedded"), res.get("virtuoso"), res.get("remote")]

    def row(label: str, fn) -> str:
        return f"| {label} | " + " | ".join(fn(s) if s else "n/a" for s in sides) + " |"

    def secs(v: float | None) -> str:
        return "n/a" if v is None else f"{v:,.1f} s"

    def after(fn):
        return lambda s: fmt_bytes(fn(s.after)) if s.after is not None else "n/a"

    return [
        f"| {res['size']}: {res['triples']:,} triples | embedded (pyoxigraph, RocksDB) | "
        "Virtuoso 7 | ours over Virtuoso |",
        "|---|---:|---:|---:|",
        row("load", lambda s: secs(s.load_s)),
        row("on disk", lambda s: fmt_bytes(s.disk)),
        row("start to first answer", lambda s: secs(s.start_s)),
        row("memory idle after start", lambda s: memory_cell(s.idle)),
        row("memory after the queries", lambda s: memory_cell(s.after)),
        row("largest peak RSS of one process", after(lambda m: m.peak_rss)),
        row("most address space one process added", after(lambda m: m.growth)),
        row("settings", lambda s: s.settings),
    ]


# -- one size -----------------------------------------------------------------------------------


@dataclass
class Side:
    """One backend's figures: load, disk, start, memory."""

    load_s: float | None = None
    disk: int | None = None
    start_s: float | None = None
    idle: Memory | None = None
    after: Memory | None = None
    settings: str = ""
    idle_snapshot: dict = field(default_factory=dict, repr=False)


def facts_in(path: Path, n: int = 50) -> list[str]:
    """The first ``n`` synthetic fact IRIs with a source in an N-Quads file."""
    out: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if DCT_SOURCE in line and f"<{SYNTHETIC_GRAPH}" in line:
                s = line.split(" ", 1)[0].strip("<>")
                if "/id/fact/" in s and s not in out:
                    out.append(s)
                    if len(out) >= n:
                        break
    return out


def virtuoso_settings(memory: int, timeout: float) -> dict:
    """Virtuoso's buffers for ``memory`` bytes (its guidance: 8 KB buffers for 2/3 of the
    memory given to it, dirty ones at most 3/4 of them) and the time limit."""
    buffers = memory * 2 // 3 // 8192
    return {
        "NumberOfBuffers": buffers,
        "MaxDirtyBuffers": buffers * 3 // 4,
        "MaxQueryExecutionTime": max(1, round(timeout)),
    }


def virtuoso_memory(text: str, triples: int) -> int:
    """``--virtuoso-memory``: bytes, ``auto`` (2 GiB, or 400 bytes a triple if more)."""
    if text == "auto":
        return max(2 * GIB, triples * 400)
    from enlargement_kg.core.config import _bytes

    return _bytes(text)


def prepare(size: str, args, workdir: Path, k: int, echo) -> tuple[Path, list[str]]:
    """The N-Quads file of this size (``--data`` in the order of ``--sizes``, or
    generated) and fact IRIs for the queries that take one."""
    if args.data and k < len(args.data):
        path = args.data[k]
        echo(f"  data: {path} ({path.stat().st_size / 1e9:.2f} GB)")
        return path, facts_in(path)
    g = generate(size=size, out=workdir / f"synthetic-{size}.nq", seed=args.seed)
    echo(f"  generated {g.triples:,} triples in {g.graphs} named graphs, sha256 {g.digest}")
    return g.path, g.sample_subjects[:50]


def start_embedded(data: Path, workdir: Path, size: str, args, echo) -> tuple[Side, Server, int]:
    side = Side()
    store = workdir / f"store-{size}"
    t0 = time.perf_counter()
    triples = make_store(data, store, version=f"scale-{size}-{data.stat().st_size}")
    side.load_s = time.perf_counter() - t0
    side.disk = disk_usage(store)
    echo(f"  embedded: {triples:,} quads loaded in {side.load_s:.1f} s, {fmt_bytes(side.disk)}")
    env = {"ENLARGEMENT_KG_QUERY_TIMEOUT": str(args.query_timeout)}
    server = start_ours(store, workdir / f"ours-{size}.log", timeout=600, env=env)
    side.start_s = server.startup
    limit = query_memory(Settings(), triples)
    side.settings = (
        f"2 workers x 2 query processes, time limit {args.query_timeout:g} s, "
        f"memory limit {fmt_bytes(limit)} a process (default, sized to the graph)"
    )
    echo(f"  ours: first answer after {side.start_s:.1f} s")
    return side, server, triples


def start_virtuoso_side(data: Path, workdir: Path, size: str, args, triples: int, echo):
    side = Side()
    conf = virtuoso_settings(virtuoso_memory(args.virtuoso_memory, triples), args.query_timeout)
    server = start_virtuoso(
        data, workdir / f"virtuoso-{size}.log", settings=conf, load_timeout=3600
    )
    assert server.workdir is not None
    (server.workdir / "data.nq").unlink(missing_ok=True)  # the loader's copy, loaded now
    side.load_s, side.start_s = server.load_seconds, server.startup
    side.disk = disk_usage(server.workdir, "virtuoso*.db") + disk_usage(
        server.workdir, "virtuoso*.trx"
    )
    side.settings = ", ".join(f"{k} {v}" for k, v in conf.items()) + ", MaxQueryMem 2G"
    echo(f"  Virtuoso: {', '.join(server.notes)}, {fmt_bytes(side.disk)}; {side.settings}")
    return side, server


def idle_memory(sides: dict[str, tuple[Side, Server]]) -> None:
    time.sleep(3)  # the servers' start-up work done
    for side, server in sides.values():
        side.idle_snapshot = snapshot(server.pids())
        side.idle = summarise(side.idle_snapshot)


def after_memory(sides: dict[str, tuple[Side, Server]]) -> None:
    for side, server in sides.values():
        side.after = summarise(snapshot(server.pids()), side.idle_snapshot)


def query_pass(queries: list[BenchQuery], runners: dict, args, echo) -> list[dict]:
    out = []
    for q in queries:
        timings = {
            c: measure(runners[c], q.text, runs=args.runs, budget=args.budget)
            for c in COLUMNS
            if c in runners
        }
        out.append({"name": q.name, "label": q.label, "timings": timings})
        echo(
            f"    {q.name:32} rows {rows_cell(timings)}  "
            + "  ".join(f"{c} {cell(t, args.query_timeout)}" for c, t in timings.items())
        )
    return out


def run_size(size: str, k: int, *, workdir: Path, args, echo) -> dict:
    echo(f"\n== {size} == load average {os.getloadavg()[0]:.2f}")
    data, facts = prepare(size, args, workdir, k, echo)
    queries = first_of_each(canned(facts=facts, variants=1)[0])
    servers: dict[str, tuple[Side, Server]] = {}
    engine = None
    res: dict = {"size": size, "data": str(data), "notes": []}
    try:
        side, server, res["triples"] = start_embedded(data, workdir, size, args, echo)
        servers["embedded"] = (side, server)
        client = args.query_timeout + 10
        runners = {
            "ours": lambda t: post_query(server.endpoint, t, timeout=client),
        }
        engine = Engine(workdir / f"store-{size}")
        runners["engine"] = lambda t: engine.run(t, timeout=args.query_timeout)
        if virtuoso_installed() and not args.no_virtuoso:
            res["notes"] += add_virtuoso(
                servers, runners, data, workdir, size, args, res["triples"], echo
            )
        else:
            res["notes"].append("Virtuoso is not installed (or --no-virtuoso): no figures")
        idle_memory(servers)
        echo(f"  {len(queries)} canned queries, {args.runs + 1} runs each per column:")
        res["queries"] = query_pass(queries, runners, args, echo)
        after_memory(servers)
    finally:
        if engine is not None:
            engine.stop()
        for name, (_, srv) in servers.items():
            if args.keep and srv.workdir is not None:
                res["notes"].append(f"{name}: kept {srv.workdir}")
                srv.workdir = None
            srv.stop()
    for name in ("embedded", "virtuoso", "remote"):
        res[name] = servers[name][0] if name in servers else None
    res["load_average_end"] = os.getloadavg()[0]
    return res


def add_virtuoso(servers, runners, data, workdir, size, args, triples, echo) -> list[str]:
    """Virtuoso loaded with ``data``, and ours over it; their runners. The notes."""
    side, virt = start_virtuoso_side(data, workdir, size, args, triples, echo)
    servers["virtuoso"] = (side, virt)
    client = args.query_timeout + 10
    runners["virtuoso"] = lambda t: post_query(virt.endpoint, t, timeout=client)
    count = post_query(virt.endpoint, bust(Q_COUNT), timeout=client)
    env = {
        "ENLARGEMENT_KG_QUERY_TIMEOUT": str(args.query_timeout),
        "ENLARGEMENT_KG_STORE_VERSION_TTL": "86400",
    }
    remote = start_ours(virt.endpoint, workdir / f"remote-{size}.log", timeout=600, env=env)
    rside = Side(
        start_s=remote.startup,
        settings=f"time limit {args.query_timeout:g} s, "
        "version read once (ENLARGEMENT_KG_STORE_VERSION_TTL 86400)",
    )
    servers["remote"] = (rside, remote)
    runners["ours-virtuoso"] = lambda t: post_query(remote.endpoint, t, timeout=client)
    echo(f"  ours over Virtuoso: first answer after {remote.startup:.1f} s")
    return [
        f"ours over Virtuoso reads the graph's version (one COUNT of every triple) again every "
        f"ENLARGEMENT_KG_STORE_VERSION_TTL seconds (default 30; here once): on Virtuoso that "
        f"COUNT took {fmt_ms(count.ms)} ms ({count.status})"
    ]


# -- the command ---------------------------------------------------------------------------------


def report(results: list[dict], timeout: float) -> list[str]:
    out: list[str] = []
    for res in results:
        out += ["", f"### {res['size']}: {res['triples']:,} triples", ""]
        out += load_table(res) + [""]
        out += latency_table(res["size"], res.get("queries", []), timeout)
        for q in res.get("queries", []):
            for c, t in q["timings"].items():
                if t.status in ("error", "refused") or (t.status == "over" and t.note):
                    out.append(f"\n{q['name']}, {TITLES[c]}: {t.status}: {t.note}")
        out += [f"\nNote: {n}" for n in res["notes"]]
    return out


def as_json(results: list[dict]) -> list[dict]:
    def plain(v):
        if isinstance(v, Side | Memory | Timing):
            d = asdict(v)
            d.pop("idle_snapshot", None)
            return d
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    return [plain(r) for r in results]


def from_json(sizes: list[dict]) -> list[dict]:
    """A saved run's results (:func:`as_json`) as :func:`report` takes them; statuses follow
    this code's classification of the notes kept."""
    out = []
    for r in json.loads(json.dumps(sizes)):  # a copy: the saved document stays as it is
        for name in ("embedded", "virtuoso", "remote"):
            if r.get(name):
                side = dict(r[name])
                for k in ("idle", "after"):
                    side[k] = Memory(**side[k]) if side.get(k) else None
                r[name] = Side(**side)
        for q in r.get("queries", []):
            q["timings"] = {c: Timing(**t) for c, t in q["timings"].items()}
            for t in q["timings"].values():
                if t.status != "ok" and refused_by_estimate(t.note):
                    t.status = "refused"
        out.append(r)
    return out


def rerender(path: Path) -> int:
    """``--report FILE``: print a saved run's tables again, and refresh its report text."""
    doc = json.loads(path.read_text())
    out = report(from_json(doc["sizes"]), float(doc["args"]["query_timeout"]))
    ends = [r.get("load_average_end") for r in doc["sizes"]]
    out.append(
        f"\nload average at start {doc['load_average_start']:.2f}, at the end of each size "
        + ", ".join(f"{e:.2f}" for e in ends if e is not None)
        + (f"; the run took {doc['took_s']:.0f} s" if "took_s" in doc else "")
    )
    print("\n".join(out))
    doc["report"] = "\n".join(out)
    path.write_text(json.dumps(doc, indent=2, default=str))
    return 0


def arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1m,10m", help="synthetic sizes: 1m, 10m or a number")
    p.add_argument(
        "--data",
        type=Path,
        action="append",
        help="an N-Quads file to use instead of generating one, once per size, in the "
        "order of --sizes",
    )
    p.add_argument(
        "--query-timeout",
        type=float,
        default=60.0,
        help="seconds a query may take (every server's limit; over it is reported, not an error)",
    )
    p.add_argument("--runs", type=int, default=3, help="runs after the cold one (the median)")
    p.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds per query and column after which no further run starts (at least one "
        "after the cold one; the table says how many); 0: always --runs",
    )
    p.add_argument(
        "--virtuoso-memory",
        default="auto",
        help="memory Virtuoso's buffers are sized to (2/3 of it in 8 KB buffers): bytes, "
        "with K, M or G, or auto (2 GiB, or 400 bytes a triple if more)",
    )
    p.add_argument("--seed", type=int, default=20261126)
    p.add_argument("--no-virtuoso", action="store_true")
    p.add_argument("--json", type=Path, default=RESULTS / "scale-last-run.json")
    p.add_argument("--keep", type=Path, help="keep the data, stores and logs in this folder")
    p.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="print the tables of a saved run (its JSON) again and refresh its report text",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.report:
        return rerender(args.report)
    t_start = time.perf_counter()

    def echo(*a):
        print(*a, flush=True)

    load0 = os.getloadavg()[0]
    echo(f"enlargement-kg scale benchmark, {dt.datetime.now().isoformat(timespec='seconds')}")
    echo(f"machine: {machine()}; load average at start {load0:.2f}")
    if load0 > 1.0:
        echo("  WARNING: the machine is busy (load average > 1): figures are noisy")
    workdir = Path(tempfile.mkdtemp(prefix="enlargement-kg-scale-"))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
    results = []
    try:
        sizes = [s for s in args.sizes.split(",") if s]
        for k, size in enumerate(sizes):
            parse_size(size)  # a bad size stops here, not after an hour
            results.append(run_size(size, k, workdir=workdir, args=args, echo=echo))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    out = report(results, args.query_timeout)
    out.append(
        f"\nload average at start {load0:.2f}, at end {os.getloadavg()[0]:.2f}; "
        f"the run took {time.perf_counter() - t_start:.0f} s"
    )
    echo("\n".join(out))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "when": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": machine(),
            "args": {k: str(v) for k, v in vars(args).items()},
            "load_average_start": load0,
            "took_s": time.perf_counter() - t_start,
            "sizes": as_json(results),
            "report": "\n".join(out),
        }
        args.json.write_text(json.dumps(doc, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
