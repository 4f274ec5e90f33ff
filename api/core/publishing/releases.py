"""Releases: ``enlargement-kg release VERSION`` writes a folder (dumps, ``void.ttl``,
``catalog.ttl``, ``CHANGES.md``, ``release.json``) and records it in the release index
(``index.json``), so ``/catalog`` lists every release. ``enlargement-kg diff OLD NEW`` prints
the changelog of facts for any two graphs, dumps or release folders (:mod:`..changelog`).

The current graph and each release become a :class:`~.dcat.DatasetVersion` for the
catalogue.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import URIRef

from ..config import Settings
from ..namespaces import BASE
from ..store import Store
from .dcat import DatasetVersion, catalog_graph, today
from .dumps import MANIFEST, DumpFile, DumpSet, dump_name, now, write_atomic, write_dumps
from .identity import DATASET
from .statistics import graph_stats, spatial_coverage
from .void import void_graph

if TYPE_CHECKING:
    from ..changelog import ChangeSet

RELEASE_MANIFEST = "release.json"
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")


class PublishError(Exception):
    """A publishing step cannot be done (bad version, existing release, unreadable input)."""


def release_iri(version: str) -> URIRef:
    return URIRef(f"{BASE}catalog#release-{version}")


# -- describing versions: current graph and releases --------------------------------------


def current_version(
    *,
    store: Store,
    dumps: DumpSet,
    releases: Sequence[ReleaseManifest],
    spatial: Sequence[URIRef] | None = None,
) -> DatasetVersion:
    """The current graph as a catalogue entry."""
    info = store.info()
    gv = info.version
    modified = str(info.details.get("built_at") or now())[:10]
    latest = releases[-1] if releases else None
    if latest is not None and latest.graph_version == gv:
        version = latest.version
    else:
        version = f"snapshot-{gv}"
    issued = releases[0].issued if releases else modified
    return DatasetVersion(
        iri=DATASET,
        version=version,
        graph_version=gv,
        issued=issued,
        modified=modified,
        files=dumps.files,
        download_prefix="export/",
        spatial=tuple(spatial if spatial is not None else spatial_coverage(store)),
        previous=release_iri(latest.version) if latest is not None else None,
    )


@dataclass(frozen=True)
class ReleaseManifest:
    """``release.json``: what a release folder holds."""

    version: str
    graph_version: str
    issued: str
    previous: str | None
    files: tuple[DumpFile, ...]
    spatial: tuple[str, ...]
    changes: dict
    package_version: str = ""
    ontology_version: str = ""
    built_at: str = ""
    folder: Path | None = None

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("folder")
        d["files"] = [asdict(f) for f in self.files]
        return d

    @classmethod
    def read(cls, folder: Path) -> ReleaseManifest:
        doc = json.loads((folder / RELEASE_MANIFEST).read_text(encoding="utf-8"))
        doc["files"] = tuple(DumpFile(**f) for f in doc["files"])
        doc["spatial"] = tuple(doc.get("spatial", ()))
        return cls(**doc, folder=folder)

    def as_version(self) -> DatasetVersion:
        notes = (
            f"{self.changes.get('added', 0)} facts added, "
            f"{self.changes.get('changed', 0)} changed, "
            f"{self.changes.get('retracted', 0)} retracted"
            + (f" since release {self.previous}." if self.previous else " (first release).")
        )
        return DatasetVersion(
            iri=release_iri(self.version),
            version=self.version,
            graph_version=self.graph_version,
            issued=self.issued,
            modified=self.issued,
            files=self.files,
            download_prefix=f"export/releases/{self.version}/",
            spatial=tuple(URIRef(s) for s in self.spatial),
            previous=release_iri(self.previous) if self.previous else None,
            notes=notes,
            is_release=True,
        )


# -- the release index --------------------------------------------------------------------


def default_releases_dir() -> Path:
    """``$ENLARGEMENT_KG_RELEASES``, else ``./releases``."""
    return Settings.from_env().releases_dir


@dataclass
class ReleaseIndex:
    """``index.json``: every recorded release, oldest first. Paths are stored relative to
    the index file when they lie below it."""

    path: Path
    entries: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> ReleaseIndex:
        path = Path(path)
        if not path.is_file():
            return cls(path, [])
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PublishError(f"cannot read the release index {path}: {exc}") from None
        return cls(path, list(doc.get("releases", [])))

    def folder(self, entry: dict) -> Path:
        p = Path(entry["path"])
        return p if p.is_absolute() else (self.path.parent / p)

    def manifests(self) -> list[ReleaseManifest]:
        """The releases whose folder is still readable, oldest first."""
        out = []
        for e in self.entries:
            folder = self.folder(e)
            try:
                out.append(ReleaseManifest.read(folder))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return out

    def find(self, version: str) -> ReleaseManifest | None:
        for e in self.entries:
            if e.get("version") == version:
                try:
                    return ReleaseManifest.read(self.folder(e))
                except (OSError, ValueError, KeyError, TypeError):
                    return None
        return None

    def add(self, manifest: ReleaseManifest, folder: Path) -> None:
        folder = folder.resolve()
        root = self.path.resolve().parent
        try:
            rel = folder.relative_to(root).as_posix()
        except ValueError:
            rel = str(folder)
        self.entries.append(
            {
                "version": manifest.version,
                "issued": manifest.issued,
                "graph_version": manifest.graph_version,
                "path": rel,
            }
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps({"releases": self.entries}, indent=2).encode())


# -- making a release ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseResult:
    manifest: ReleaseManifest
    folder: Path
    changelog: str


def make_release(
    *,
    store: Store,
    version: str,
    out: Path,
    index: ReleaseIndex,
    previous: Path | None = None,
    issued: str | None = None,
    base_url: str | None = None,
) -> ReleaseResult:
    """Write a release folder (dumps, VoID, DCAT, CHANGES.md, release.json) and record it.

    ``previous`` is the folder to compare with; by default the latest recorded release.
    """
    out = Path(out)
    issued = _check_release(version, out=out, index=index, issued=issued)
    previous, prev_manifest = _previous_release(index, previous)
    staging = Path(
        tempfile.mkdtemp(
            prefix=f".{out.name}.staging-", dir=out.parent if out.parent.exists() else None
        )
    )
    try:
        changelog = _write_release(
            store,
            staging,
            version=version,
            issued=issued,
            previous=previous,
            prev_manifest=prev_manifest,
            base_url=base_url,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.rmdir()
        os.chmod(staging, 0o755)
        os.rename(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = ReleaseManifest.read(out)
    index.add(manifest, out)
    return ReleaseResult(manifest, out, changelog)


def _check_release(version: str, *, out: Path, index: ReleaseIndex, issued: str | None) -> str:
    """Refuse a bad or already recorded version, a non-empty folder or a bad date; the issue
    date (default: today)."""
    if not VERSION_RE.match(version):
        raise PublishError(
            f"bad release version {version!r}: use letters, digits, '.', "
            "'+', '_' or '-' (e.g. 1.0.0)"
        )
    if any(e.get("version") == version for e in index.entries):
        raise PublishError(f"release {version} is already recorded in {index.path}")
    if out.exists() and any(out.iterdir()):
        raise PublishError(f"{out} exists and is not empty: a release folder is written once")
    issued = issued or today()
    try:
        date.fromisoformat(issued)
    except ValueError:
        raise PublishError(f"bad release date {issued!r}: use YYYY-MM-DD") from None
    return issued


def _previous_release(
    index: ReleaseIndex, previous: Path | None
) -> tuple[Path | None, ReleaseManifest | None]:
    """What to compare with (default: the latest recorded release) and its manifest, if it
    is a release folder."""
    if previous is None and index.entries:
        prev_folder = index.folder(index.entries[-1])
        if (prev_folder / RELEASE_MANIFEST).is_file():
            previous = prev_folder
    prev_manifest = None
    if previous is not None:
        if not Path(previous).exists():
            raise PublishError(f"the previous release {previous} does not exist")
        if (Path(previous) / RELEASE_MANIFEST).is_file():
            prev_manifest = ReleaseManifest.read(Path(previous))
    return previous, prev_manifest


def _write_release(
    store: Store,
    staging: Path,
    *,
    version: str,
    issued: str,
    previous: Path | None,
    prev_manifest: ReleaseManifest | None,
    base_url: str | None,
) -> str:
    """Write the files of a release into ``staging``; the changelog."""
    info = store.info()
    dumps = write_dumps(store, out=staging, version=info.version)
    os.remove(staging / MANIFEST)
    changes = _changes(staging, previous)
    prev_version = prev_manifest.version if prev_manifest else None
    changelog = changes.to_markdown(
        title=f"Release {version} ({issued})",
        old_label=(
            f"release {prev_version}" if prev_version else (str(previous) if previous else None)
        ),
        new_label=f"release {version}",
    )
    spatial = spatial_coverage(store)
    manifest = ReleaseManifest(
        version=version,
        graph_version=info.version,
        issued=issued,
        previous=prev_version,
        files=dumps.files,
        spatial=tuple(str(s) for s in spatial),
        changes=changes.counts(),
        package_version=str(info.details.get("package_version", "")),
        ontology_version=str(info.details.get("ontology_version", "")),
        built_at=str(info.details.get("built_at", "")),
    )
    rel = manifest.as_version()
    stats = graph_stats(store)
    (staging / "void.ttl").write_bytes(
        void_graph(
            stats=stats,
            dumps=dumps,
            base_url=base_url,
            modified=issued,
            version=version,
            download_prefix=rel.download_prefix,
        ).serialize(format="turtle", encoding="utf-8")
    )
    previous_versions = [prev_manifest.as_version()] if prev_manifest else []
    cat = catalog_graph(current=None, releases=previous_versions + [rel], base_url=base_url)
    (staging / "catalog.ttl").write_bytes(cat.serialize(format="turtle", encoding="utf-8"))
    (staging / "CHANGES.md").write_text(changelog, encoding="utf-8")
    (staging / RELEASE_MANIFEST).write_text(
        json.dumps(manifest.to_json(), indent=2), encoding="utf-8"
    )
    return changelog


def _changes(staging: Path, previous: Path | None) -> ChangeSet:
    """The changes of facts from ``previous`` (or from nothing) to the new N-Quads dump."""
    from ..changelog import changes_between, load_graph_source

    new_side = load_graph_source(staging / dump_name("nquads"))
    if previous is not None:
        old_side = load_graph_source(Path(previous))
        return changes_between(old_side, new_side)
    return changes_between(None, new_side)
