"""Costly answers shared by the serving processes.

``enlargement-kg serve`` runs two gunicorn worker processes, each with its own in-memory
cache (:class:`.service.LRUCache`). Without a shared layer a costly answer is made once per
worker: the second worker to be asked pays again (bench/: the 2.4 MB ``preparation-levels``
answer at 100k triples, 0.7 s, which put a 226-716 ms p99 on a "warm" mix whenever the
clients' connections had reached one worker only).

This cache is a SQLite file in a folder the serving process makes before it forks its
workers (in ``/dev/shm`` where there is one: memory, not disk), opened by each process and
thread on first use. It keeps only answers that took at least ``min_seconds`` to make: cheap
answers (a point lookup, 0.3 ms) cost less to make again than to share. Entries are keyed on
a digest of the service's cache key (the graph's version, the query, the formats, the
dataset, the bindings) and leave oldest first once ``max_bytes`` is passed.

It is a cache: any SQLite error makes it miss or skip a write, never fail a query.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

from . import formats
from .store import QueryResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key BLOB UNIQUE NOT NULL, kind TEXT NOT NULL, format TEXT NOT NULL, rows INTEGER,
    body BLOB NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS total (bytes INTEGER NOT NULL);
INSERT INTO total SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM total);
"""


class SharedCache:
    def __init__(self, path: Path, *, max_bytes: int = 256_000_000, min_seconds: float = 0.005):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.min_seconds = min_seconds
        self._local = threading.local()
        self._folder: Path | None = None  #: made by :meth:`temporary`, removed at exit
        self._owner = os.getpid()
        conn = self._connect()
        if conn is None:
            raise OSError(f"cannot open the shared answer cache at {self.path}")

    @classmethod
    def temporary(cls, **kwargs) -> SharedCache:
        """A cache in a new folder (in ``/dev/shm`` when it exists), removed when the process
        that made it exits (not when a forked worker does)."""
        shm = Path("/dev/shm")
        folder = Path(
            tempfile.mkdtemp(
                prefix="enlargement-kg-answers-",
                dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None,
            )
        )
        cache = cls(folder / "answers.sqlite", **kwargs)
        cache._folder, cache._owner = folder, os.getpid()
        atexit.register(cache.remove)
        return cache

    def remove(self) -> None:
        """Remove the folder :meth:`temporary` made, in the process that made it only:
        gunicorn's workers exit through ``sys.exit`` and run the handlers they inherited."""
        if self._folder is not None and os.getpid() == self._owner:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _connect(self) -> sqlite3.Connection | None:
        """This process's and thread's connection (a forked process opens its own)."""
        held = getattr(self._local, "conn", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        try:
            conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
        except sqlite3.Error:
            return None
        self._local.conn = (os.getpid(), conn)
        return conn

    @staticmethod
    def digest(key: tuple) -> bytes:
        return hashlib.sha256(repr(key).encode("utf-8")).digest()

    def get(self, key: tuple) -> QueryResult | None:
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT kind, format, rows, body FROM answers WHERE key = ?", (self.digest(key),)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        kind, fmt, rows, body = row
        try:
            return QueryResult(kind, bytes(body), formats.by_name(fmt), rows)
        except (KeyError, ValueError):
            return None

    def put(self, key: tuple, result: QueryResult, seconds: float) -> None:
        """Share ``result`` if it took at least ``min_seconds`` and fits the budget."""
        size = len(result.body)
        if seconds < self.min_seconds or size > self.max_bytes:
            return
        conn = self._connect()
        if conn is None:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                digest = self.digest(key)
                old = conn.execute("SELECT size FROM answers WHERE key = ?", (digest,)).fetchone()
                conn.execute(
                    "INSERT OR REPLACE INTO answers (key, kind, format, rows, body, "
                    "size) VALUES (?, ?, ?, ?, ?, ?)",
                    (digest, result.kind, result.format.name, result.rows, result.body, size),
                )
                total = conn.execute(
                    "UPDATE total SET bytes = bytes + ? RETURNING bytes",
                    (size - (old[0] if old else 0),),
                ).fetchone()[0]
                while total > self.max_bytes:
                    oldest = conn.execute(
                        "DELETE FROM answers WHERE rowid = (SELECT min(rowid) "
                        "FROM answers) RETURNING size"
                    ).fetchone()
                    total = conn.execute(
                        "UPDATE total SET bytes = bytes - ? RETURNING bytes", (oldest[0],)
                    ).fetchone()[0]
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            return

    def __len__(self) -> int:
        conn = self._connect()
        if conn is None:
            return 0
        return conn.execute("SELECT count(*) FROM answers").fetchone()[0]
