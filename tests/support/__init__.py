"""What the tests share besides fixtures: paths, running the command as a user would, live
servers on free loopback ports, process states from /proc. Imported by name
(``from support import cli``); fixtures live in the ``conftest.py`` of the folder that uses
them (``tests/conftest.py`` for the whole suite)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, *, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> float:
    """Poll ``url`` until it answers; return the seconds it took."""
    import requests

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {out}")
        try:
            requests.get(url, timeout=1)
            return time.perf_counter() - t0
        except requests.ConnectionError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def cli(
    *args: str,
    env: dict | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess:
    """Run ``enlargement-kg`` as a user would: a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "enlargement_kg.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        input=input,
        timeout=timeout,
    )


HAS_PROC = Path("/proc/self/stat").is_file()


def process_stat(pid: int) -> tuple[str, int] | None:
    """``(state, parent pid)`` of a process from Linux's /proc, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    """Running, not a zombie (a container's init may not reap orphans)."""
    st = process_stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The running children of ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = process_stat(int(entry.name))
            if st is not None and st[1] == pid and st[0] not in ("Z", "X"):
                out.append(int(entry.name))
    return out


class LiveServer:
    def __init__(self, proc: subprocess.Popen, port: int, startup: float):
        self.proc, self.port, self.startup = proc, port, startup
        self.url = f"http://127.0.0.1:{port}"
        self.sparql = f"{self.url}/sparql"

    def stop(self) -> str:
        """SIGTERM, as a service manager stops it; returns what the server wrote."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        output = ""
        if self.proc.stdout:
            # what is in the pipe now: a process the server left behind may hold it open
            os.set_blocking(self.proc.stdout.fileno(), False)
            output = (self.proc.stdout.read() or b"").decode("utf-8", "replace")
            self.proc.stdout.close()
        return output


def start_server(*args: str, env: dict | None = None, timeout: float = 30.0) -> LiveServer:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "enlargement_kg.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        startup = wait_for(f"http://127.0.0.1:{port}/-/health", timeout=timeout, proc=proc)
    except Exception:
        proc.kill()
        raise
    return LiveServer(proc, port, startup)


def client_at(address: str):
    """A ``requests`` session whose connections leave from ``address`` (any ``127.x.y.z``
    is this machine on loopback): another client, as the service's per-client limits see
    it."""
    import requests
    from requests.adapters import HTTPAdapter

    class _From(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", _From())
    return session
