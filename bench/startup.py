"""Seconds from `enlargement-kg serve` to its first answer (``ASK {?s ?p ?o}`` over HTTP).

    python bench/startup.py [--store DIR]

Measures the in-memory default twice, with an empty cache folder (a new machine: the
packaged validation in api/core/prebuilt/ is used) and again (warm), and ``--store DIR``
when given. Loopback only; each server is stopped after its first answer.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_first_answer(args: list[str], env: dict[str, str], limit: float = 120) -> float:
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "enlargement_kg.cli", "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    try:
        while time.perf_counter() - t0 < limit:
            try:
                r = requests.get(
                    f"http://127.0.0.1:{port}/sparql",
                    params={"query": "ASK { ?s ?p ?o }"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=1,
                )
                if r.status_code == 200:
                    return time.perf_counter() - t0
            except requests.ConnectionError:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"no answer within {limit} s")
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", help="also time `serve --store DIR`")
    args = p.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as cache:
        env = {"XDG_CACHE_HOME": cache}
        print(f"in memory, empty cache: {time_to_first_answer([], env):.2f} s")
        print(f"in memory, warm cache:  {time_to_first_answer([], env):.2f} s")
    if args.store:
        print(f"--store {args.store}: {time_to_first_answer(['--store', args.store], {}):.2f} s")


if __name__ == "__main__":
    main()
