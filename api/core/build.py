"""Build: load ``ontology/`` and ``kg/`` (one named graph per file), validate with the
shapes, and write a persistent store, atomically: a failed build never replaces the last
good store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .. import __version__
from . import child, iris
from .formats import by_name
from .namespaces import ONTOLOGY_IRI
from .oxigraph_store import META_FILE, OxigraphStore
from .resources import data_dir, rdf_files
from .store import StoreError
from .validation import (
    ShapesError,
    ValidationReport,
    derive,
    ontology_graph,
    rules_graph,
    shapes_graph,
    validate,
)


class BuildError(Exception):
    """The sources do not load, or they violate the shapes; ``report`` says why."""

    def __init__(self, message: str, report: ValidationReport | None = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Source:
    path: Path
    graph: str  #: named graph IRI


@dataclass
class BuildResult:
    store: OxigraphStore
    report: ValidationReport
    version: str
    seconds: float


def sources(*, ontology_dir: Path | None = None, kg_dir: Path | None = None) -> list[Source]:
    """The files of a build, each with its named graph ``graph/{folder}/{path}``."""
    out = []
    for kind, folder in (
        ("ontology", ontology_dir or data_dir("ontology")),
        ("kg", kg_dir or data_dir("kg")),
    ):
        for p in rdf_files(folder):
            rel = p.relative_to(folder).as_posix()
            out.append(Source(p, str(iris.graph_for(f"{kind}/{rel}"))))
    return out


def content_version(srcs: list[Source]) -> str:
    """A digest of the inputs: the graph's version, and the key of every cache."""
    h = hashlib.sha256()
    for s in srcs:
        h.update(s.graph.encode())
        h.update(b"\0")
        h.update(s.path.read_bytes())
    return h.hexdigest()[:16]


#: The clean validation of the packaged inputs (report and derived triples), shipped with the
#: package so that the first `serve` on a new machine need not derive and validate again.
#: Written by `enlargement-kg prebuilt`; a test fails when it is
#: stale, and any change to the inputs changes the key, so a local edit is validated anew.
PREBUILT_DIR = Path(__file__).resolve().parent / "prebuilt"


def write_prebuilt() -> Path:
    """Derive and validate the packaged inputs; write report and derived triples to
    PREBUILT_DIR (removing older ones). Refuses a graph with violations."""
    srcs = sources()
    key = _cache_file(content_version(srcs), None).name
    store = OxigraphStore.memory()
    load(store, srcs)
    derived, report = derive_and_validate(union_graph(store))
    if not report.conforms:
        raise BuildError("the packaged graph violates the shapes", report)
    PREBUILT_DIR.mkdir(exist_ok=True)
    for old in PREBUILT_DIR.glob("validated-*"):
        old.unlink()
    target = PREBUILT_DIR / key
    target.write_text(report.to_json(), encoding="utf-8")
    lines = sorted(derived.serialize(format="nt", encoding="utf-8").decode().splitlines())
    target.with_suffix(".nt").write_text(
        "\n".join(line for line in lines if line) + "\n", encoding="utf-8"
    )
    return target


def _cache_file(version: str, shapes_dir: Path | None) -> Path:
    """Where a clean validation of ``version`` with these shapes is remembered."""
    h = hashlib.sha256(version.encode() + __version__.encode())
    for p in rdf_files(shapes_dir or data_dir("shapes")):
        h.update(p.read_bytes())
    from .config import Settings

    return (
        Settings.from_env().cache_home / "enlargement-kg" / f"validated-{h.hexdigest()[:24]}.json"
    )


def ontology_version(ontology_dir: Path | None = None) -> str:
    from rdflib.namespace import OWL

    g = ontology_graph(ontology_dir)
    v = g.value(ONTOLOGY_IRI, OWL.versionInfo)
    return str(v) if v is not None else "unknown"


def load(store: OxigraphStore, srcs: list[Source]) -> None:
    for s in srcs:
        try:
            store.load_file(s.path, s.graph)
        except (SyntaxError, ValueError, OSError) as exc:
            raise BuildError(f"cannot load {s.path}: {exc}") from None


def union_graph(store: OxigraphStore) -> Graph:
    """The served data as one rdflib graph (what the shapes see)."""
    g = Graph()
    g.parse(data=store.dump(by_name("ntriples")).decode("utf-8"), format="nt")
    return g


REPORT_FILE = "validation.json"
DERIVED_CLASSES = ("ChapterNegotiation", "GovernanceAssessment", "Derived")


def derive_and_validate(
    curated: Graph, shapes_dir: Path | None = None
) -> tuple[Graph, ValidationReport]:
    """Run the rules and validate, on both cores: a forked child derives while this process
    validates the curated graph; the derived triples are then validated with the shapes
    that target derived classes. (No other shape reads a derived triple, so this equals
    validating curated and derived together; tests/kg/test_shapes.py checks it.)"""
    shapes = shapes_graph(shapes_dir)
    rules = rules_graph(shapes_dir)
    if not child.can_fork():  # pragma: no cover - no fork on this platform
        derived = derive(curated, rules=rules)
        return derived, validate(curated + derived, shapes=shapes)
    with child.Child(_derived_nt, curated, rules, what="deriving the rules") as deriving:
        report = validate(curated, shapes=shapes)
        try:
            payload = deriving.result(timeout=None)
        except StoreError as exc:  # the rules raised (ChildError), or the child died
            raise ShapesError(f"the rules failed: {exc}") from None
    derived = Graph()
    derived.parse(data=payload.decode("utf-8"), format="nt")
    derived_report = validate(curated + derived, shapes=_shapes_for(shapes, DERIVED_CLASSES))
    report.results.extend(derived_report.results)
    report.conforms = report.conforms and derived_report.conforms
    return derived, report


def _derived_nt(curated: Graph, rules: Graph) -> bytes:
    """:func:`derive_and_validate`'s child: the derived triples, as N-Triples."""
    return derive(curated, rules=rules).serialize(format="nt", encoding="utf-8")


def _shapes_for(shapes: Graph, class_names: tuple[str, ...]) -> Graph:
    """The node shapes (with everything they reference) that target the given classes."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import SH

    from .namespaces import ENL

    out = Graph()
    for p, o in shapes.predicate_objects(URIRef("https://w3id.org/eu-enlargement/shapes")):
        out.add((URIRef("https://w3id.org/eu-enlargement/shapes"), p, o))

    def copy(node):
        for p, o in shapes.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode):
                copy(o)

    for name in class_names:
        for shape in shapes.subjects(SH.targetClass, ENL[name]):
            copy(shape)
    for decl in shapes.objects(URIRef("https://w3id.org/eu-enlargement/shapes"), SH.declare):
        copy(decl)
    return out


def build_memory(
    *,
    ontology_dir: Path | None = None,
    kg_dir: Path | None = None,
    shapes_dir: Path | None = None,
    validate_data: bool | str = True,
    path: Path | None = None,
) -> BuildResult:
    """Load and validate into a new store (in memory, or on disk at ``path``).

    ``validate_data="cached"`` skips validation when these exact inputs (ontology, kg,
    shapes, package version) validated cleanly before on this machine: fast restarts.
    """
    t0 = time.perf_counter()
    srcs = sources(ontology_dir=ontology_dir, kg_dir=kg_dir)
    if path is None:
        store = OxigraphStore.memory()
    else:
        import pyoxigraph

        store = OxigraphStore(pyoxigraph.Store(str(path)), path=path)
    load(store, srcs)
    version = content_version(srcs)
    cache = _known_validation(version, shapes_dir) if validate_data == "cached" else None
    report = _derive(store, cache, shapes_dir, validate=bool(validate_data))
    if not report.conforms:
        raise BuildError(
            f"the graph violates the shapes ({len(report.violations)} "
            "violation(s)); nothing was published",
            report,
        )
    if cache is not None and not cache.is_file():
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(report.to_json(), encoding="utf-8")
        except OSError:
            pass  # a read-only home: validate again next time
    store.set_meta(
        {
            "version": version,
            "package_version": __version__,
            "ontology_version": ontology_version(ontology_dir),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "quads": len(store.raw),
            "graphs": [s.graph for s in srcs]
            + ([str(iris.DERIVED_GRAPH)] if validate_data else []),
            "warnings": len(report.warnings),
        }
    )
    return BuildResult(store, report, version, time.perf_counter() - t0)


def _known_validation(version: str, shapes_dir: Path | None) -> Path:
    """Where a clean validation of ``version`` is remembered: this machine's cache, or the
    packaged one (api/core/prebuilt/) for the packaged inputs."""
    cache = _cache_file(version, shapes_dir)
    if not cache.is_file():
        shipped = PREBUILT_DIR / cache.name
        if shipped.is_file() and shipped.with_suffix(".nt").is_file():
            return shipped  # the packaged inputs, validated when they were committed
    return cache


def _derive(
    store: OxigraphStore, cache: Path | None, shapes_dir: Path | None, *, validate: bool
) -> ValidationReport:
    """Load the derived graph into ``store`` and return the validation report: remembered
    (``cache``), made now (``validate``), or none (a clean report, nothing derived)."""
    derived_nt = cache.with_suffix(".nt") if cache is not None else None
    if cache is not None and derived_nt is not None and cache.is_file() and derived_nt.is_file():
        store.load_bytes(derived_nt.read_bytes(), by_name("ntriples"), str(iris.DERIVED_GRAPH))
        return ValidationReport.from_json(cache.read_text(encoding="utf-8"))
    if not validate:
        return ValidationReport(conforms=True)
    try:
        derived, report = derive_and_validate(union_graph(store), shapes_dir)
    except ShapesError as exc:
        raise BuildError(str(exc)) from None
    nt = derived.serialize(format="nt", encoding="utf-8")
    store.load_bytes(nt, by_name("ntriples"), str(iris.DERIVED_GRAPH))
    if derived_nt is not None and report.conforms:
        try:
            derived_nt.parent.mkdir(parents=True, exist_ok=True)
            derived_nt.write_bytes(nt)
        except OSError:
            pass
    return report


def build_to_dir(out: Path, **kwargs) -> BuildResult:
    """Build into a sibling temporary folder, then swap it in place of ``out``.

    On any failure the temporary folder is removed and ``out`` is left exactly as it was.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        result = build_memory(path=tmp / "store", **kwargs)
        result.store.raw.flush()
        meta = dict(result.store.info().details)
        report, seconds = result.report, result.seconds
        del result  # close the RocksDB handle before moving the folder
        import gc

        gc.collect()
        (tmp / "store" / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        (tmp / "store" / REPORT_FILE).write_text(report.to_json(), encoding="utf-8")
        staged = tmp / "store"
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
        os.rename(staged, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        store = OxigraphStore.open(out)
        return BuildResult(store, report, meta["version"], seconds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
