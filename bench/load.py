"""Load generation: N concurrent keep-alive clients on loopback, bounded in time and in count.

``wrk`` (Debian package ``wrk``) drives the load when installed, with a Lua script that
cycles through a request list (GET for short queries, POST form-encoded for long ones) and
can make every request unique with a cache-busting comment (``#bust-<n>`` as the query's
first line), so that no result cache can answer it. Without ``wrk`` a bounded asyncio load
generator runs in a separate process. Both report req/s and p50/p90/p99 latency.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import random
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

ACCEPT = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
MAX_GET = 1500  #: longer query strings are POSTed (gunicorn caps a request line at 4094 bytes)


@dataclass(frozen=True)
class Request:
    """One SPARQL request: its query text, and whether each send is made unique."""

    query: str
    bust: bool = False
    label: str = ""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int  #: connection errors, timeouts and non-2xx answers
    tool: str
    detail: dict = field(default_factory=dict)
    cpu_ms: float | None = None  #: the server's CPU time per request (all its processes)

    def as_dict(self) -> dict:
        return asdict(self)


def _lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(
    requests: list[Request],
    *,
    path: str,
    max_requests: int,
    nonce: str,
    headers: dict[str, str] | None = None,
) -> str:
    """A wrk script cycling through ``requests``; each thread starts at its own offset and
    stops once it has sent ``max_requests``; ``done`` prints one ``BENCH_JSON`` line.
    ``headers`` are sent with every request besides ``Accept``."""
    rows = []
    for r in requests:
        q = urllib.parse.quote(r.query, safe="")
        method = "GET" if len(q) <= MAX_GET else "POST"
        rows.append(
            "{" + f"m={_lua_str(method)}, q={_lua_str(q)}, bust={str(r.bust).lower()}" + "}"
        )
    extra = "".join(f", [{_lua_str(k)}] = {_lua_str(v)}" for k, v in (headers or {}).items())
    return f"""
local reqs = {{
{",".join(rows)}
}}
local path = {_lua_str(path)}
local nonce = {_lua_str(nonce)}
local max_requests = {max_requests}
local threads = {{}}
local tid = 0

function setup(thread)
  thread:set("tid", tid)
  tid = tid + 1
  table.insert(threads, thread)
end

function init(args)
  idx = (tid * 7919) % #reqs
  sent = 0
  cached = {{}}
end

local function build(r, q)
  if r.m == "GET" then
    return wrk.format("GET", path .. "?query=" .. q, {{["Accept"] = "{ACCEPT}"{extra}}})
  end
  return wrk.format("POST", path, {{["Accept"] = "{ACCEPT}", ["Content-Type"] = "{FORM}"}},
                    "query=" .. q)
end

function request()
  idx = idx % #reqs + 1
  sent = sent + 1
  if sent > max_requests then wrk.thread:stop() end
  local r = reqs[idx]
  if r.bust then
    return build(r, "%23bust-" .. nonce .. "-" .. tid .. "-" .. sent .. "%0A" .. r.q)
  end
  local c = cached[idx]
  if c == nil then
    c = build(r, r.q)
    cached[idx] = c
  end
  return c
end

-- no response() callback: with one, wrk copies every body into Lua, which on 2 cores
-- slowed the client itself on the large answers (2.4 MB at 100k) and so every request
-- in flight with them; wrk counts answers of status 400 and above in errors.status.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {{"requests":%d,"duration_us":%d,"p50":%.1f,"p90":%.1f,"p99":%.1f,' ..
    '"max":%.1f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def run_wrk(
    endpoint: str,
    requests: list[Request],
    *,
    clients: int,
    duration: float,
    max_requests: int,
    threads: int = 1,
    timeout: float = 5.0,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    url = urllib.parse.urlsplit(endpoint)
    nonce = f"{random.getrandbits(32):x}"
    per_thread = max(1, max_requests // threads)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(
            lua_script(
                requests, path=url.path, max_requests=per_thread, nonce=nonce, headers=headers
            )
        )
        script = fh.name
    try:
        cmd = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{duration:g}s",
            "--timeout",
            f"{timeout:g}s",
            "-s",
            script,
            f"{url.scheme}://{url.netloc}/",
        ]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    finally:
        Path(script).unlink(missing_ok=True)
    line = next((x for x in r.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {r.stdout[-1500:]} {r.stderr[-1500:]}")
    d = json.loads(line[len("BENCH_JSON ") :])
    secs = d["duration_us"] / 1e6
    errors = d["connect"] + d["read"] + d["write"] + d["timeout"] + d["status"]
    return LoadResult(
        d["requests"],
        secs,
        d["requests"] / secs if secs else 0.0,
        d["p50"] / 1000,
        d["p90"] / 1000,
        d["p99"] / 1000,
        d["max"] / 1000,
        errors,
        "wrk",
        d,
    )


# -- the fallback: an asyncio load generator in its own process ---------------------------


async def _client(
    host: str,
    port: int,
    path: str,
    requests: list[Request],
    start: int,
    stop_at: float,
    quota: int,
    lat: list[float],
    errs: list[int],
    nonce: str,
    cid: int,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i, n = start, 0
    try:
        while time.perf_counter() < stop_at and n < quota:
            r = requests[i % len(requests)]
            i += 1
            n += 1
            q = f"#bust-{nonce}-{cid}-{n}\n{r.query}" if r.bust else r.query
            body = urllib.parse.urlencode({"query": q}).encode()
            head = (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {ACCEPT}\r\n"
                f"Content-Type: {FORM}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            t0 = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b""):
                    break
                k, _, v = h.decode("latin-1").partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if not status_line.split(b" ")[1].startswith(b"2"):
                errs[0] += 1
    except (ConnectionError, asyncio.IncompleteReadError, IndexError):
        errs[0] += 1
    finally:
        writer.close()


def _py_load(
    conn, endpoint: str, requests: list[Request], clients: int, duration: float, max_requests: int
) -> None:
    url = urllib.parse.urlsplit(endpoint)
    lat: list[float] = []
    errs = [0]
    nonce = f"{random.getrandbits(32):x}"

    async def main():
        stop_at = time.perf_counter() + duration
        quota = max(1, max_requests // clients)
        await asyncio.gather(
            *(
                _client(
                    url.hostname,
                    url.port,
                    url.path,
                    requests,
                    c * 7919,
                    stop_at,
                    quota,
                    lat,
                    errs,
                    nonce,
                    c,
                )
                for c in range(clients)
            )
        )

    t0 = time.perf_counter()
    asyncio.run(main())
    conn.send((lat, errs[0], time.perf_counter() - t0))


def run_python(
    endpoint: str, requests: list[Request], *, clients: int, duration: float, max_requests: int
) -> LoadResult:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(
        target=_py_load, args=(child, endpoint, requests, clients, duration, max_requests)
    )
    p.start()
    lat, errors, secs = parent.recv()
    p.join()
    lat.sort()

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0

    return LoadResult(
        len(lat),
        secs,
        len(lat) / secs if secs else 0.0,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        (lat[-1] * 1000) if lat else 0.0,
        errors,
        "python-asyncio",
    )


def run_load(
    endpoint: str, requests: list[Request], *, clients: int, duration: float, max_requests: int
) -> LoadResult:
    """Drive ``clients`` concurrent connections for at most ``duration`` seconds and at most
    ``max_requests`` requests."""
    if shutil.which("wrk"):
        return run_wrk(
            endpoint, requests, clients=clients, duration=duration, max_requests=max_requests
        )
    return run_python(
        endpoint, requests, clients=clients, duration=duration, max_requests=max_requests
    )
