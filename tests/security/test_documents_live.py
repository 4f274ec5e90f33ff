"""Hostile documents against live servers (issue 17, findings 1, 5 and 7): requests whose
JSON-LD context points at a server that never answers are refused at once and the service
stays healthy; billion laughs and JSON-LD nested 20,000 levels on ``PUT /store`` (with the
token) are refused with 400 and the reason, fast, in little memory, and the worker lives."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from support import children
from support.hostile import context_forms, laughs, nested_jsonld, silent_server

G = "http://example.org/graph/hostile"


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def server_pids(server) -> list[int]:
    return [server.proc.pid, *children(server.proc.pid)]


def test_contexts_that_never_answer_pin_no_thread(live):
    answers: list = []

    def post(body: bytes) -> None:
        r = requests.post(
            f"{live.url}/validate",
            data=body,
            headers={"Content-Type": "application/ld+json", "Accept": "application/json"},
            timeout=30,
        )
        answers.append(r.status_code)

    with silent_server() as url:
        bodies = list(context_forms(url).values()) * 3
        t0 = time.monotonic()
        threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join(35)
        assert answers == [400] * len(bodies)
        assert time.monotonic() - t0 < 10
        assert requests.get(f"{live.url}/-/health", timeout=5).status_code == 200


@pytest.mark.parametrize("levels", [5, 9], ids=["hundred-thousand-laughs", "billion-laughs"])
def test_entities_on_put_store_are_refused(writable, levels):
    before = rss_kib(server_pids(writable.server))
    t0 = time.monotonic()
    r = requests.put(
        f"{writable.url}/store",
        params={"graph": G},
        data=laughs(levels),
        headers={"Content-Type": "application/rdf+xml", **writable.auth},
        timeout=60,
    )
    assert r.status_code == 400, r.text
    assert "DOCTYPE" in r.json()["error"]["message"]
    assert time.monotonic() - t0 < 3
    assert rss_kib(server_pids(writable.server)) - before < 100_000
    assert requests.get(f"{writable.url}/store", params={"graph": G}, timeout=10).status_code == 404


def test_jsonld_nested_20000_levels_on_put_store(writable):
    pids = server_pids(writable.server)
    r = requests.put(
        f"{writable.url}/store",
        params={"graph": G},
        data=nested_jsonld(20_000),
        headers={"Content-Type": "application/ld+json", **writable.auth},
        timeout=60,
    )
    assert r.status_code == 400, r.text
    assert "nested" in r.json()["error"]["message"]
    assert server_pids(writable.server) == pids  # no worker died
    assert requests.get(f"{writable.url}/-/health", timeout=5).status_code == 200
    assert requests.get(f"{writable.url}/store", params={"graph": G}, timeout=10).status_code == 404
