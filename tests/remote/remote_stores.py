"""The Oxigraph server on loopback, for the remote-store tests (imported by name)."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class OxigraphServer:
    """``oxigraph serve`` with a temporary database and the union default graph."""

    folder: Path
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query(self) -> str:
        return f"{self.url}/query"

    @property
    def gsp(self) -> str:
        return f"{self.url}/store"

    @staticmethod
    def missing() -> str | None:
        if shutil.which("oxigraph") is None:
            return "the oxigraph server is not installed (pip install oxigraph: the test extra)"
        return None

    def start(self, timeout: float = 30.0) -> None:
        import requests

        self.proc = subprocess.Popen(
            [
                "oxigraph",
                "serve",
                "--location",
                str(self.folder),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            try:
                requests.get(self.query, params={"query": "ASK {}"}, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"the oxigraph server did not answer within {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
