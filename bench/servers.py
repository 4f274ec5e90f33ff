"""The HTTP servers under test, each started on a free loopback port and stopped by its own
process id: our endpoint (``enlargement-kg serve --store DIR``), the bare Flask baseline,
and Virtuoso 7 (when ``virtuoso-t`` is installed) with a temporary database folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from enlargement_kg.core.oxigraph_store import META_FILE

BENCH = Path(__file__).resolve().parent
ASK = "ASK { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(
    url: str, *, data: bytes | None = None, headers: dict | None = None, timeout: float = 30.0
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sparql(endpoint: str, query: str, *, timeout: float = 60.0) -> tuple[int, bytes]:
    """POST a query form-encoded (SPARQL 1.1 Protocol §2.1.2), answer as SPARQL JSON."""
    body = urllib.parse.urlencode({"query": query}).encode()
    return http(
        endpoint,
        data=body,
        timeout=timeout,
        headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def wait_answer(endpoint: str, proc: subprocess.Popen | None, *, timeout: float) -> float:
    """Seconds until ``endpoint`` answers ASK with 200."""
    url = endpoint + "?" + urllib.parse.urlencode({"query": ASK})
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            status, _ = http(url, headers={"Accept": "application/sparql-results+json"}, timeout=2)
            if status == 200:
                return time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{endpoint} did not answer within {timeout:g} s")


@dataclass
class Server:
    """A running server: ``endpoint`` is its SPARQL URL."""

    name: str
    endpoint: str
    proc: subprocess.Popen
    startup: float = 0.0
    workdir: Path | None = None
    log: Path | None = None
    notes: list[str] = field(default_factory=list)
    load_seconds: float | None = None  #: Virtuoso: ld_dir + rdf_loader_run + checkpoint

    def pids(self) -> list[int]:
        """The server's process and every process below it now (gunicorn's workers, their
        query processes)."""
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo.extend(int(k) for k in (task / "children").read_text().split())
            except (OSError, ValueError):
                continue
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and every process below it so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
        return total

    def stop(self) -> None:
        """SIGTERM to the server's own process group (it was started in a new session),
        SIGKILL if it lingers."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _spawn(
    cmd: list[str], log: Path, env: dict | None = None, cwd: Path | None = None
) -> subprocess.Popen:
    with open(log, "wb") as fh:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            cmd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )


# -- our endpoint -------------------------------------------------------------------------------


def make_store(nquads: Path, out: Path, *, version: str) -> int:
    """An on-disk store ``enlargement-kg serve --store`` accepts, from an N-Quads file."""
    if out.exists():
        shutil.rmtree(out)
    store = ox.Store(str(out))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    quads = len(store)
    graphs = sorted(g.value for g in store.named_graphs())
    del store
    import gc

    gc.collect()
    meta = {
        "version": version,
        "package_version": "bench",
        "built_at": "bench",
        "quads": quads,
        "graphs": graphs,
        "warnings": 0,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return quads


def start_ours(
    store: Path | str,
    log: Path,
    *,
    timeout: float = 60.0,
    extra: tuple[str, ...] = (),
    env: dict | None = None,
) -> Server:
    """``store``: a store folder, or the URL of a remote SPARQL endpoint; ``env``: settings
    (``ENLARGEMENT_KG_*``) for the server's environment."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "enlargement_kg.cli",
        "serve",
        "--store",
        str(store),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]
    t0 = time.perf_counter()
    proc = _spawn(cmd, log, env)
    endpoint = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_answer(endpoint, proc, timeout=timeout)
    except Exception:
        Server("ours", endpoint, proc).stop()
        raise RuntimeError(
            f"enlargement-kg serve did not start: {log.read_text()[-2000:]}"
        ) from None
    return Server("ours", endpoint, proc, time.perf_counter() - t0, log=log)


def start_bare_flask(log: Path, *, timeout: float = 30.0) -> Server:
    port = free_port()
    t0 = time.perf_counter()
    proc = _spawn([sys.executable, str(BENCH / "bare_flask.py"), "--port", str(port)], log)
    endpoint = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_answer(endpoint, proc, timeout=timeout)
    except Exception:
        Server("bare-flask", endpoint, proc).stop()
        raise
    return Server("bare-flask", endpoint, proc, time.perf_counter() - t0, log=log)


# -- Virtuoso 7 -----------------------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 32
CheckpointInterval = 60
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
ServerThreads = 32
DirsAllowed = ., {d}
MaxQueryMem = 2G

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 32
ServerThreads = 32
MaxKeepAlives = 32
KeepAliveTimeout = 10
EnabledDavVSP = 0
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
DefaultQuery = ASK {{ ?s ?p ?o }}
DeferInferenceRulesInit = 0
"""


def virtuoso_installed() -> bool:
    return bool(shutil.which("virtuoso-t") and (shutil.which("isql-vt") or shutil.which("isql")))


def _isql(port: int, sql: str, *, timeout: float = 600.0) -> str:
    exe = shutil.which("isql-vt") or shutil.which("isql")
    r = subprocess.run(
        [exe, f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if r.returncode != 0 or "*** Error" in r.stdout + r.stderr:
        raise RuntimeError(f"isql failed on {sql!r}: {(r.stdout + r.stderr)[-1500:]}")
    return r.stdout


def virtuoso_ini(d: Path, sql: int, http: int, settings: dict | None = None) -> str:
    """:data:`VIRTUOSO_INI` for database folder ``d`` and its ports, with ``settings``
    (``{"NumberOfBuffers": 340000}``) replacing the values of those keys."""
    text = VIRTUOSO_INI.format(d=d, sql=sql, http=http)
    for key, value in (settings or {}).items():
        text, n = re.subn(rf"^{re.escape(key)} = .*$", f"{key} = {value}", text, flags=re.M)
        if n != 1:
            raise ValueError(f"{key} is not one setting of the Virtuoso template")
    return text


def start_virtuoso(
    nquads: Path,
    log: Path,
    *,
    timeout: float = 120.0,
    settings: dict | None = None,
    load_timeout: float = 600.0,
) -> Server:
    """Virtuoso 7 on 127.0.0.1 with a temporary database folder, loaded with ``nquads``
    (the bulk loader keeps each quad's named graph; queries see the union by default);
    ``settings`` replace values of :data:`VIRTUOSO_INI` (:func:`virtuoso_ini`)."""
    d = Path(tempfile.mkdtemp(prefix="enlargement-kg-virtuoso-"))
    sql, port = free_port(), free_port()
    (d / "virtuoso.ini").write_text(virtuoso_ini(d, sql, port, settings))
    shutil.copy(nquads, d / "data.nq")
    t0 = time.perf_counter()
    proc = _spawn(["virtuoso-t", "+configfile", str(d / "virtuoso.ini"), "+foreground"], log, cwd=d)
    endpoint = f"http://127.0.0.1:{port}/sparql"
    server = Server("virtuoso", endpoint, proc, workdir=d, log=log)
    try:
        wait_answer(endpoint, proc, timeout=timeout)
        server.startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        _isql(sql, f"ld_dir('{d}', 'data.nq', 'urn:enlargement-kg:bench:default');")
        _isql(sql, "rdf_loader_run();", timeout=load_timeout)
        _isql(sql, "checkpoint;", timeout=load_timeout)
        out = _isql(
            sql,
            "SELECT 'ERRORS=' || CAST(COUNT(*) AS VARCHAR) FROM DB.DBA.LOAD_LIST "
            "WHERE ll_error IS NOT NULL;",
        )
        server.load_seconds = time.perf_counter() - t1
        server.notes.append(f"loaded in {server.load_seconds:.1f} s")
        m = re.search(r"ERRORS=(\d+)", out)
        if m is None or m.group(1) != "0":
            server.notes.append("the bulk loader reported errors: " + out[-300:])
    except Exception:
        server.stop()
        raise
    return server


def count_triples(server: Server, prefix: str) -> int:
    """Quads in graphs under ``prefix`` (Virtuoso's own system graphs excluded)."""
    q = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER (STRSTARTS(STR(?g), "{prefix}")) }}'
    )
    status, body = sparql(server.endpoint, q, timeout=300)
    if status != 200:
        return -1
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
