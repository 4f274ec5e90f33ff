"""``OxigraphStore.check``: the fail-early test ``serve --store`` runs in gunicorn's master
before it forks. It must report what :meth:`OxigraphStore.open` would, and leave no storage
engine threads behind in the checking process (tests/live/test_live.py has the end-to-end
consequence: workers that crashed at exit)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from enlargement_kg.core.oxigraph_store import META_FILE, OxigraphStore
from enlargement_kg.core.store import StoreUnavailable

THREADS = """
import os, sys
from enlargement_kg.core.oxigraph_store import OxigraphStore
getattr(OxigraphStore, sys.argv[1])(sys.argv[2])
print(len(os.listdir(f"/proc/{os.getpid()}/task")))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_good_store_is_checked_without_opening_it_here(built_store):
    """In a fresh interpreter (this one has opened stores already): ``check`` leaves the
    thread count as it was; ``open``, the control, adds the engine's threads."""

    def threads_after(method: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", THREADS, method, str(built_store)],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout)

    assert threads_after("check") == 1
    assert threads_after("open") > 1


def test_a_folder_that_is_no_store_is_reported(tmp_path):
    with pytest.raises(StoreUnavailable, match="not an enlargement-kg store"):
        OxigraphStore.check(tmp_path)


def test_a_store_without_its_database_is_reported(tmp_path):
    (tmp_path / META_FILE).write_text(json.dumps({}), encoding="utf-8")
    with pytest.raises(StoreUnavailable, match=f"cannot open the store at {tmp_path}"):
        OxigraphStore.check(tmp_path)
