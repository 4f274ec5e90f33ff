"""Writes: SPARQL 1.1 Update and the SPARQL 1.1 Graph Store HTTP Protocol, each validated by
the shapes first, atomic and durable. docs/writes.md explains the design; in short:

- The on-disk store ``DIR`` is the *primary*. Only a writer holding ``DIR/writes/lock`` opens
  it read-write, and only for the length of one write (so several serving processes, and even
  several services on one folder, take turns instead of corrupting it).
- Readers never open the primary, so no process ever reads a RocksDB folder that another
  process writes (pyoxigraph: "undefined behaviour"). They open *snapshots*: RocksDB
  checkpoints (hard links, cheap) under ``DIR/writes/snapshots/`` that nothing writes to.
  ``DIR/writes/CURRENT.json`` names the current snapshot and the graph version.
- A write runs in a forked process that can be killed: it copies the primary to a staging
  checkpoint, applies the operation there, validates the whole staged dataset (the union of
  its graphs, as it would be served) with the shapes, and only if no violation appears
  applies the difference to the primary in one transaction, flushes it, takes a new snapshot
  and moves ``CURRENT.json`` to it (write-then-rename). Until that rename nothing is visible.
- A serving process that sees ``CURRENT.json`` change recycles its query workers (they
  reopen the new snapshot) and keys its result cache on the new version
  (``web/writes.py`` does this before every request).
- Without ``--store`` (the graph built from the package) the same machinery runs over a
  temporary store that is deleted when the service stops: writes do not survive a restart.

The operations, the errors of a write, the SPARQL 1.1 Protocol (§2.2.3) dataset of an
update (``using-graph-uri`` and ``using-named-graph-uri``, :func:`with_protocol_dataset`) and
the report of a refusal are in :mod:`.write_ops`, and importable from here.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from . import incremental
from .build import REPORT_FILE, build_to_dir
from .config import Settings
from .incremental import Plan
from .oxigraph_store import META_FILE, OxigraphStore, ParsedGraph, parse_graph
from .store import StoreUnavailable
from .validation import (
    ValidationReport,
    ontology_graph,
    shapes_digest,
    shapes_graph,
    validate,
)
from .write_cache import UNCHANGED, Staged, UnionChanges, WriteCache, log_entry
from .write_ops import (
    DeleteGraph,
    GraphNotFound,
    Operation,
    PostGraph,
    PutGraph,
    Update,
    WriteBusy,
    WriteRefused,
    WriteTimeout,
    check_graph_iri,
    violations_graph,
    with_protocol_dataset,
)
from .write_process import LOCK_WAIT, Writer

__all__ = [
    "GraphStore",
    "Update",
    "PutGraph",
    "PostGraph",
    "DeleteGraph",
    "Operation",
    "ParsedGraph",
    "parse_graph",
    "WriteRefused",
    "GraphNotFound",
    "WriteBusy",
    "WriteTimeout",
    "WriteResult",
    "Generation",
    "with_protocol_dataset",
    "check_graph_iri",
    "violations_graph",
]

#: Write processes are forked from a fork server: a fresh interpreter that never opened an
#: on-disk store. A process forked from one that has (the serving process opened the store
#: to publish its first snapshot) inherits RocksDB's shared background thread pool without
#: its threads, and its first flush waits forever.
START_METHOD = "forkserver"

STATE_DIR = "writes"
LOCK_FILE = "lock"
CURRENT_FILE = "CURRENT.json"
SNAPSHOTS = "snapshots"
STAGING = "staging"  #: staging copies of earlier versions: removed at start
READER_LOCK = "reader.lock"
#: The last validation's results keyed by top-level shape, for incremental validation
#: (:mod:`.incremental`), with the graph version they describe.
RESULTS_FILE = "results.json"

#: Shared locks held by this process on the snapshots it reads (a query worker's life).
_READER_LOCKS: list[int] = []


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """One published state of the store: its number, graph version and reader snapshot."""

    number: int
    version: str
    snapshot: Path


@dataclass(frozen=True)
class WriteResult:
    """What a committed write did. ``generation`` is None when nothing changed."""

    created: bool
    added: int
    removed: int
    generation: Generation | None
    seconds: float
    phases: dict = field(default_factory=dict, compare=False)  #: seconds to each phase

    @property
    def changed(self) -> bool:
        return self.generation is not None


# -- file helpers -------------------------------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _write_json(path: Path, data: dict) -> None:
    _write_text(path, json.dumps(data, indent=2))


@contextlib.contextmanager
def _exclusive(path: Path, *, deadline: float) -> Iterator[None]:
    """Hold an exclusive POSIX record lock on ``path`` (never inherited by forked children,
    released by the kernel when the holder dies)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise WriteBusy("another write is in progress; try again") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def _remove_tree(path: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(path, ignore_errors=True)


def _temporary_root() -> Path | None:
    """Memory-backed ``/dev/shm`` when it is writable and roomy, else the default temp dir."""
    shm = Path("/dev/shm")
    try:
        st = os.statvfs(shm)
        if os.access(shm, os.W_OK) and st.f_bavail * st.f_frsize > 1 << 30:
            return shm
    except OSError:
        pass
    return None


# -- the writable store ---------------------------------------------------------------------


class GraphStore:
    """The write side of one on-disk store: snapshots for readers, validated atomic writes.

    Build one with :meth:`open` in the serving process before it forks its workers; give
    :meth:`open_reader` to the query worker pool as its opener.
    """

    def __init__(self, path: Path, *, durable: bool, query_timeout: float = 10.0):
        self.path = Path(path).resolve()
        self.durable = durable
        self.query_timeout = query_timeout
        self.state_dir = self.path / STATE_DIR
        #: validate only what a write can affect (docs/writes.md); off with
        #: ENLARGEMENT_KG_FAST_PATHS=0: every write then validates the whole graph
        self.incremental = Settings.from_env().fast_paths
        self._thread_lock = threading.Lock()
        self._rules: tuple[Graph, Graph] | None = None
        self._plan: list[Plan | None] = []
        self._writer: Writer | None = None

    def __getstate__(self) -> dict:
        """What a write process receives: the paths and limits, the shapes and their plan
        when this process has them (so their blank nodes are the plan's), not the locks."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_thread_lock", "_writer")}

    def __setstate__(self, data: dict) -> None:
        self.__dict__.update(data)
        self._thread_lock = threading.Lock()
        self._writer = None

    def rules(self) -> tuple[Graph, Graph]:
        """The shapes and the ontology every write is validated with (loaded once)."""
        if self._rules is None:
            self._rules = (shapes_graph(), ontology_graph())
        return self._rules

    def plan(self) -> Plan | None:
        """The incremental plan of :meth:`rules`' shapes (None: validate everything)."""
        if not self._plan:
            self._plan.append(incremental.plan(self.rules()[0]) if self.incremental else None)
        return self._plan[0]

    def _results_key(self) -> str:
        """What stored results must match: the current graph version and the shapes."""
        return f"{self.current().version}/{shapes_digest()}"

    def _validate(
        self, data: Graph, union: UnionChanges, previous: tuple[list, str] | None, day: str
    ) -> tuple[ValidationReport, list | None]:
        """Validate ``data`` (the union after the write, the ontology included): only what
        the ``union`` changes can affect when the last validation's results are at hand
        (:mod:`.incremental`), else all of it. Returns the report and its results keyed for
        the next write (None when they cannot be)."""
        shapes, _ = self.rules()
        plan = self.plan()
        if plan is not None and previous is not None and not union.has_blank_nodes:
            report = incremental.validate_delta(
                data,
                union.triples,
                previous[0],
                shapes=shapes,
                plan=plan,
                new_day=previous[1] != day,
            )
        else:
            report = validate(data, shapes=shapes)
        return report, (incremental.keyed(report, plan) if plan is not None else None)

    @classmethod
    def open(
        cls, path: Path | None, *, query_timeout: float = 10.0
    ) -> tuple[GraphStore, ValidationReport | None]:
        """The writable store at ``path``; with None, a temporary store built from the
        packaged graph (not durable: it is deleted when this process exits). Returns the
        store and, for a fresh build, its validation report."""
        report = None
        if path is None:
            tmp = Path(tempfile.mkdtemp(prefix="enlargement-kg-writable-", dir=_temporary_root()))
            atexit.register(_remove_tree, tmp, os.getpid())
            built = build_to_dir(tmp / "store", validate_data="cached")
            report = built.report
            del built
            gc.collect()  # close the read-only handle the build returns
            path, durable = tmp / "store", False
        else:
            durable = True
            if not (Path(path) / META_FILE).is_file():
                raise StoreUnavailable(
                    f"{path} is not an enlargement-kg store (no {META_FILE});"
                    " run `enlargement-kg build --out DIR` first"
                )
        store = cls(Path(path), durable=durable, query_timeout=query_timeout)
        try:
            store._start()
        except OSError as exc:
            raise StoreUnavailable(f"cannot prepare {path} for writes: {exc}") from None
        return store, report or store.report()

    def report(self) -> ValidationReport | None:
        """The validation report of the current graph (written by the build, then by every
        write, which validates the whole graph anyway), if the store carries one."""
        try:
            return ValidationReport.from_json((self.path / REPORT_FILE).read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    # -- reading ----------------------------------------------------------------------------

    def current(self) -> Generation:
        """The generation readers must see (from ``CURRENT.json``)."""
        try:
            data = json.loads((self.state_dir / CURRENT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreUnavailable(
                f"the store at {self.path} has no readable {STATE_DIR}/{CURRENT_FILE}: {exc}"
            ) from None
        return Generation(
            int(data["generation"]), str(data["version"]), self.state_dir / data["snapshot"]
        )

    def stamp(self) -> tuple[int, int, int]:
        """A cheap fingerprint of ``CURRENT.json``: it changes whenever a write publishes."""
        st = os.stat(self.state_dir / CURRENT_FILE)
        return st.st_ino, st.st_mtime_ns, st.st_size

    def open_reader(self) -> OxigraphStore:
        """Open the current snapshot read-only (in a query worker), holding a shared lock on
        it for the life of the process so that no writer removes it underneath."""
        for _ in range(50):
            gen = self.current()
            lock = gen.snapshot / READER_LOCK
            try:
                fd = os.open(lock, os.O_RDONLY)
            except FileNotFoundError:  # replaced and removed meanwhile: read CURRENT again
                time.sleep(0.01)
                continue
            fcntl.lockf(fd, fcntl.LOCK_SH)
            if not lock.exists():
                os.close(fd)
                continue
            _READER_LOCKS.append(fd)
            return OxigraphStore.open(gen.snapshot)
        raise StoreUnavailable(f"no snapshot of the store at {self.path} could be opened")

    # -- writing ----------------------------------------------------------------------------

    def write(self, op: Operation) -> WriteResult:
        """Validate and commit ``op``, or raise and leave the store exactly as it was.

        The work runs in this process's write process (:mod:`.write_process`), forked from
        a clean fork server the first time and kept for the next writes; each phase has
        its deadline there, and a process that overruns one is killed.
        """
        if not self._thread_lock.acquire(timeout=LOCK_WAIT):
            raise WriteBusy("another write is in progress; try again")
        try:
            self.plan()  # loaded here once, handed to the write process
            if self._writer is None or not self._writer.alive:
                self._writer = Writer(
                    self, context=START_METHOD, preload=["__main__", __name__, "pyshacl"]
                )
            return self._writer.run(op)
        finally:
            self._thread_lock.release()

    def warm(self) -> None:
        """Start the write process and have it read the store, so that the first write
        does not wait for either (about 3 s; each serving process has its own)."""
        if not self.incremental or not self._thread_lock.acquire(timeout=LOCK_WAIT):
            return
        try:
            self.plan()
            if self._writer is None or not self._writer.alive:
                self._writer = Writer(
                    self, context=START_METHOD, preload=["__main__", __name__, "pyshacl"]
                )
            self._writer.warm()
        finally:
            self._thread_lock.release()

    def _warm(self, cache: WriteCache) -> None:
        """In the write process: bring ``cache`` to the current version and, when no
        validation results describe it (a fresh build), validate the whole graph now, so
        that the first write is incremental too."""
        with _exclusive(self.state_dir / LOCK_FILE, deadline=time.monotonic() + LOCK_WAIT):
            primary = OxigraphStore.open(self.path, writable=True)
            try:
                cache.at(self.state_dir, self.current().version, primary, self.rules()[1])
                results = self.state_dir / RESULTS_FILE
                if incremental.load_results(results, self._results_key()) is None:
                    assert cache.data is not None
                    day = incremental.today()
                    report, keyed = self._validate(cache.data, UnionChanges(), None, day)
                    if keyed is not None and report.conforms:
                        incremental.save_results(results, self._results_key(), keyed, day)
            finally:
                primary = None
                gc.collect()  # close the RocksDB handle before the lock goes
                cache.settle()

    def close(self) -> None:
        """Stop the write process (the next write starts another)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _start(self) -> None:
        """Prepare ``writes/`` and publish a fresh snapshot of the primary (it may have
        been changed by a write that was interrupted before it could publish)."""
        (self.state_dir / SNAPSHOTS).mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.state_dir / STAGING, ignore_errors=True)
        with _exclusive(self.state_dir / LOCK_FILE, deadline=time.monotonic() + LOCK_WAIT):
            primary = OxigraphStore.open(self.path, writable=True)
            try:
                meta = self._meta()
                self._publish(primary, version=meta.get("version", "unversioned"), meta=meta)
            finally:
                del primary
                gc.collect()
            self._clean()

    def _meta(self) -> dict:
        return json.loads((self.path / META_FILE).read_text(encoding="utf-8"))

    def _transact(
        self, op: Operation, progress: Callable[[str], None], cache: WriteCache | None = None
    ) -> WriteResult:
        """In the write process: apply, validate, commit, publish. ``cache``: what the
        process kept from its last write (:mod:`.write_cache`); none: read the store."""
        t0 = time.perf_counter()
        phases: dict[str, float] = {}
        cache = cache if cache is not None and self.incremental else WriteCache(enabled=False)

        def reached(phase: str) -> None:
            phases[phase] = round(time.perf_counter() - t0, 4)
            if phase in ("locked", "applied", "validated", "committing"):
                progress(phase)

        with _exclusive(self.state_dir / LOCK_FILE, deadline=time.monotonic() + LOCK_WAIT):
            reached("locked")
            primary = None
            try:
                primary = OxigraphStore.open(self.path, writable=True)
                previous = incremental.load_results(
                    self.state_dir / RESULTS_FILE, self._results_key()
                )
                if previous is None:  # a commit may have stopped before it published
                    cache.drop()
                version, ontology = self.current().version, self.rules()[1]
                staged = cache.stage(op, self.state_dir, primary, version, ontology)
                reached("applied")
                if staged.changes.empty:
                    return WriteResult(staged.created, 0, 0, None, time.perf_counter() - t0, phases)
                day = incremental.today()
                assert cache.data is not None
                report, keyed = self._validate(cache.data, staged.union, previous, day)
                if not report.conforms:
                    cache.revert(staged)
                    raise WriteRefused(
                        f"the write would violate the shapes ({len(report.violations)} "
                        "violation(s)); nothing was written",
                        report,
                    )
                reached("validated")
                gen = self._commit(primary, staged, report, reached)
                if keyed is not None:
                    incremental.save_results(
                        self.state_dir / RESULTS_FILE, self._results_key(), keyed, day
                    )
                cache.version = gen.version
                reached("published")
                n_added, n_removed = len(staged.changes.added), len(staged.changes.removed)
                return WriteResult(
                    staged.created, n_added, n_removed, gen, time.perf_counter() - t0, phases
                )
            except (WriteRefused, *UNCHANGED):
                raise  # the cache took the write back, or nothing was changed
            except BaseException:
                cache.drop()
                raise
            finally:
                primary = None
                gc.collect()  # close the RocksDB handle before the lock goes
                cache.settle()

    def _commit(
        self,
        primary: OxigraphStore,
        staged: Staged,
        report: ValidationReport,
        reached: Callable[[str], None],
    ) -> Generation:
        """Apply the staged changes to the primary in one transaction and publish them."""
        changes = staged.changes
        reached("committing")
        _forget(self.state_dir / RESULTS_FILE)  # stale from here on
        primary.apply_changes(changes)
        primary.flush()
        reached("committed")
        meta = self._meta()
        graphs = [g for g in meta.get("graphs", []) if g not in set(changes.graph_names_removed)]
        graphs += [g for g in changes.graph_names_added if g not in graphs]
        prev = self.current()
        version = hashlib.sha256(
            f"{prev.version}\0{prev.number}\0{time.time_ns()}".encode()
        ).hexdigest()[:16]
        meta.update(
            graphs=graphs,
            writes=int(meta.get("writes", 0)) + 1,
            written_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        log_entry(self.state_dir, version, prev.version, staged)
        return self._publish(primary, version=version, meta=meta, report=report.to_json())

    def _publish(
        self, primary: OxigraphStore, *, version: str, meta: dict, report: str | None = None
    ) -> Generation:
        """Snapshot the primary for readers, then record the new state: the primary's
        metadata and validation report first, ``CURRENT.json`` last (the switch readers
        follow)."""
        try:
            number = self.current().number + 1
        except StoreUnavailable:
            number = 1
        name = f"{number:08d}"
        snapshot = self.state_dir / SNAPSHOTS / name
        if snapshot.exists():  # a publish interrupted before it moved CURRENT
            shutil.rmtree(snapshot)
        primary.backup(snapshot)
        meta = dict(meta, version=version, quads=primary.info().triples)
        _write_json(snapshot / META_FILE, meta)
        (snapshot / READER_LOCK).touch()
        _write_json(self.path / META_FILE, meta)
        if report is not None:
            _write_text(self.path / REPORT_FILE, report)
        _write_json(
            self.state_dir / CURRENT_FILE,
            {"generation": number, "version": version, "snapshot": f"{SNAPSHOTS}/{name}"},
        )
        return Generation(number, version, snapshot)

    def _clean(self) -> None:
        """Remove the snapshots no query worker holds any more (but never the current)."""
        try:
            keep = self.current().snapshot.name
        except StoreUnavailable:
            return
        for snap in (self.state_dir / SNAPSHOTS).iterdir():
            if snap.name == keep:
                continue
            lock = snap / READER_LOCK
            try:
                fd = os.open(lock, os.O_RDWR)
            except FileNotFoundError:
                shutil.rmtree(snap, ignore_errors=True)
                continue
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)  # still read by some worker: next time
                continue
            try:
                shutil.rmtree(snap, ignore_errors=True)
            finally:
                os.close(fd)


def _forget(path: Path) -> None:
    """Remove ``path`` durably (the folder synced), before the commit that outdates it."""
    path.unlink(missing_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
