"""Dumps: the full dataset as N-Quads and TriG (named graphs kept), Turtle, N-Triples and
JSON-LD (the union of the named graphs), each also gzipped (RFC 1952), with byte size and
SHA-256 in a ``dumps.json`` manifest.

They come from :meth:`Store.dump`, so any backend can be published. :class:`DumpCache`
writes them once per graph version into a folder shared by the serving processes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import formats
from ..config import Settings
from ..formats import Format
from ..store import Store

STEM = "enlargement-kg"
#: The dump formats, in the order they are listed.
DUMP_FORMATS: tuple[str, ...] = ("nquads", "trig", "turtle", "ntriples", "jsonld")
FORMAT_TITLE = {
    "nquads": "N-Quads",
    "trig": "TriG",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
}
GZIP_MEDIA_TYPE = "application/gzip"
MANIFEST = "dumps.json"


@dataclass(frozen=True)
class DumpFile:
    """One dump file: its name, the RDF format inside, whether it is gzipped, size, digest."""

    name: str
    format: str
    compressed: bool
    size: int
    sha256: str

    @property
    def rdf_format(self) -> Format:
        return formats.by_name(self.format)

    @property
    def media_type(self) -> str:
        """The media type of the bytes served (gzip for ``.gz``)."""
        return GZIP_MEDIA_TYPE if self.compressed else self.rdf_format.media_type

    @property
    def title(self) -> str:
        return FORMAT_TITLE[self.format] + (" (gzip)" if self.compressed else "")

    @property
    def keeps_graphs(self) -> bool:
        return self.format in ("nquads", "trig")


@dataclass(frozen=True)
class DumpSet:
    """The dumps of one graph version, in a folder."""

    version: str
    folder: Path
    files: tuple[DumpFile, ...]
    created: str = ""

    def get(self, name: str) -> DumpFile | None:
        for f in self.files:
            if f.name == name:
                return f
        return None

    def path(self, name: str) -> Path:
        return self.folder / name

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "created": self.created,
            "files": [asdict(f) for f in self.files],
        }


def dump_name(fmt: str, *, compressed: bool = False, stem: str = STEM) -> str:
    """``enlargement-kg.nq``, ``enlargement-kg.nq.gz`` ..."""
    return stem + formats.by_name(fmt).suffixes[0] + (".gz" if compressed else "")


def gzip_bytes(data: bytes) -> bytes:
    """RFC 1952 gzip with mtime 0, so the same dump always has the same digest."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def serialize_dump(store: Store, fmt: str, *, compressed: bool = False) -> bytes:
    """The whole dataset in ``fmt`` (named graphs kept for N-Quads and TriG)."""
    data = store.dump(formats.by_name(fmt))
    return gzip_bytes(data) if compressed else data


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def now() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def write_dumps(
    store: Store, *, out: Path, version: str, dump_formats: Sequence[str] = DUMP_FORMATS
) -> DumpSet:
    """Write every dump (plain and gzipped) into ``out`` with a ``dumps.json`` manifest."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for fmt in dump_formats:
        data = store.dump(formats.by_name(fmt))
        for compressed, body in ((False, data), (True, gzip_bytes(data))):
            name = dump_name(fmt, compressed=compressed)
            write_atomic(out / name, body)
            files.append(
                DumpFile(name, fmt, compressed, len(body), hashlib.sha256(body).hexdigest())
            )
    ds = DumpSet(version, out, tuple(files), now())
    write_atomic(out / MANIFEST, json.dumps(ds.to_json(), indent=2).encode())
    return ds


def read_dumps(folder: Path) -> DumpSet | None:
    """The dump set in ``folder`` (its manifest), or None when there is none."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    files = tuple(DumpFile(**f) for f in doc["files"])
    if not all((folder / f.name).is_file() for f in files):
        return None
    return DumpSet(doc["version"], folder, files, doc.get("created", ""))


def default_cache_dir(cache_home: Path | None = None) -> Path:
    """``{cache_home}/enlargement-kg/dumps``; the cache home defaults to the environment's
    (``$XDG_CACHE_HOME``, else ``~/.cache``)."""
    return (cache_home or Settings.from_env().cache_home) / "enlargement-kg" / "dumps"


class DumpCache:
    """Dumps generated once per graph version and kept in a cache folder.

    The folder is shared by every process serving the same graph (gunicorn workers): a file
    lock makes the first one write the dumps and the others wait and reuse them. Nothing is
    generated per request; a new graph version gets a new folder.
    """

    def __init__(self, root: Path | None = None, *, keep: int = 3):
        self.root = Path(root) if root else default_cache_dir()
        self.keep = keep  #: graph versions whose dumps stay on disk
        self._lock = threading.Lock()
        self._sets: dict[str, DumpSet] = {}

    def get(self, store: Store, version: str) -> DumpSet:
        ds = self._sets.get(version)
        if ds is not None:
            return ds
        with self._lock:
            ds = self._sets.get(version)
            if ds is None:
                ds = self._load_or_write(store, version)
                self._sets = {version: ds}
        return ds

    def _prune(self, current: Path) -> None:
        """Keep the dumps of the newest ``keep`` versions (a download in progress keeps its
        open file on POSIX even when the folder goes)."""
        folders = sorted(
            (
                p
                for p in self.root.iterdir()
                if p.is_dir()
                and not p.name.startswith(".")
                and p != current
                and (p / MANIFEST).is_file()
            ),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in folders[max(0, self.keep - 1) :]:
            shutil.rmtree(old, ignore_errors=True)
            with contextlib.suppress(OSError):
                (self.root / f"{old.name}.lock").unlink()

    def _load_or_write(self, store: Store, version: str) -> DumpSet:
        safe = re.sub(r"[^0-9A-Za-z._-]", "_", version)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            folder = self.root / safe
        except OSError:  # a read-only home: a private folder for this process
            self.root = Path(tempfile.mkdtemp(prefix="enlargement-kg-dumps-"))
            folder = self.root / safe
        ds = read_dumps(folder)
        if ds is not None and ds.version == version:
            return ds
        with _file_lock(self.root / f"{safe}.lock"):
            ds = read_dumps(folder)
            if ds is not None and ds.version == version:
                return ds
            tmp = Path(tempfile.mkdtemp(prefix=f".{safe}.", dir=self.root))
            try:
                write_dumps(store, out=tmp, version=version)
                if folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)
                os.chmod(tmp, 0o755)
                os.rename(tmp, folder)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            self._prune(folder)
            ds = read_dumps(folder)
            assert ds is not None
            return ds


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the thread lock is all there is
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
