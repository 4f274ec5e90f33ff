"""Shared fixtures: the real graph built once per session, a Flask app over it, and a live
gunicorn server on a free loopback port (real HTTP, real clients)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The real graph, built (and validated) once into an on-disk store."""
    from enlargement_kg.core.build import build_to_dir

    out = tmp_path_factory.mktemp("store") / "store"
    build_to_dir(out)
    return out


@pytest.fixture(scope="session")
def app(built_store):
    from enlargement_kg.web import create_app

    application = create_app({"store_path": built_store, "query_workers": 1, "query_timeout": 10.0})
    yield application
    application.extensions["enlargement_kg"].store.close()


@pytest.fixture()
def client(app):
    return app.test_client()


@contextmanager
def _counted_app(built_store, **config):
    """An app of its own over ``built_store`` whose requests that reach Flask are counted
    (the hook goes in before the first request), and the list they are counted in: for the
    read paths in front of Flask (web/lane.py, web/response_cache.py)."""
    from flask import request

    from enlargement_kg.web import create_app

    application = create_app({"store_path": built_store, "query_workers": 1, **config})
    seen: list[str] = []

    @application.before_request
    def count():
        seen.append(request.full_path)

    try:
        yield application, seen
    finally:
        application.extensions["enlargement_kg"].store.close()


@pytest.fixture(scope="session")
def counted_app():
    """:func:`_counted_app`, for module fixtures: ``with counted_app(built_store) as ...``."""
    return _counted_app


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


@pytest.fixture(scope="session")
def live(built_store):
    """A real server (gunicorn, 2 workers) on a free loopback port, over the built store."""
    server = start_server("--store", str(built_store), "--timeout", "3")
    yield server
    server.stop()
