"""Validation time (issue 5): the real graph and synthetic graphs of 10k, 100k and 1M triples,
with the same shapes, with and without the SPARQL-based shapes.

"Without" drops every ``sh:sparql`` constraint, every SPARQL-based target and every
``sh:rule`` (SHACL-AF) from the shapes graph and keeps the SHACL Core constraints. Each
validation runs in a forked child with a time limit: one that overruns is stopped and
reported as "over N s", never as a figure.

    python bench/validate.py [--sizes 10k,100k,1m] [--timeout 300] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyshacl  # noqa: F401 - imported once here, not in every timed child (0.4 s)
from rdflib import Graph
from rdflib.namespace import RDF

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from enlargement_kg.core.build import build_memory, union_graph  # noqa: E402
from enlargement_kg.core.validation import SH, ontology_graph, shapes_graph, validate  # noqa: E402

SPARQL_TARGETS = (SH.SPARQLTarget, SH.SPARQLTargetType)


@dataclass
class Timing:
    """One validation: ``seconds`` is None when it ran past ``timeout``."""

    graph: str
    triples: int
    shapes: str  #: "all" or "core" (without the SPARQL-based shapes)
    seconds: float | None
    timeout: float
    conforms: bool | None = None
    violations: int | None = None
    warnings: int | None = None
    load_seconds: float = 0.0

    def shown(self) -> str:
        return f"{self.seconds:.2f} s" if self.seconds is not None else f"over {self.timeout:g} s"


def core_shapes(shapes: Graph) -> tuple[Graph, int]:
    """A copy of ``shapes`` without the SPARQL-based parts; returns it and how many links
    (``sh:sparql``, SPARQL targets, ``sh:rule``) were dropped."""
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns)
    out += shapes
    dropped = 0
    for s, o in list(out.subject_objects(SH.sparql)):
        out.remove((s, SH.sparql, o))
        dropped += 1
    for s, o in list(out.subject_objects(SH.target)):
        if (
            any(t in SPARQL_TARGETS for t in out.objects(o, RDF.type))
            or (o, SH.select, None) in out
        ):
            out.remove((s, SH.target, o))
            dropped += 1
    for s, o in list(out.subject_objects(SH.rule)):
        out.remove((s, SH.rule, o))
        dropped += 1
    return out, dropped


def _child(conn, data: Graph, shapes: Graph, ontology: Graph) -> None:
    t0 = time.perf_counter()
    report = validate(data, shapes=shapes, ontology=ontology)
    conn.send(
        (time.perf_counter() - t0, report.conforms, len(report.violations), len(report.warnings))
    )
    conn.close()


def timed_validation(
    data: Graph, *, shapes: Graph, ontology: Graph, timeout: float
) -> tuple[float | None, bool | None, int | None, int | None]:
    """Validate in a forked child; (seconds, conforms, violations, warnings), or Nones
    when the child ran past ``timeout`` (it is killed)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(child, data, shapes, ontology), daemon=True)
    p.start()
    child.close()
    try:
        if parent.poll(timeout):
            return parent.recv()
        return None, None, None, None
    except EOFError:  # the child died (out of memory ...): report it as not finished
        return None, None, None, None
    finally:
        if p.is_alive():
            p.kill()
        p.join(5)
        parent.close()


def nquads_union(path: Path) -> Graph:
    """The union of an N-Quads file's graphs as one rdflib Graph (what the shapes see)."""
    import pyoxigraph as ox

    from enlargement_kg.core.oxigraph_store import OxigraphStore

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return union_graph(OxigraphStore(store))


def run(
    *, sizes: list[str], timeout: float, workdir: Path, real: bool = True, echo=print
) -> list[Timing]:
    shapes = shapes_graph()
    core, dropped = core_shapes(shapes)
    ontology = ontology_graph()
    echo(
        f"shapes: {len(shapes)} triples; without the SPARQL-based parts: {len(core)} "
        f"({dropped} sh:sparql / SPARQL target / sh:rule links dropped)"
    )
    graphs: list[tuple[str, callable]] = []
    if real:
        graphs.append(("real", lambda: union_graph(build_memory(validate_data=False).store)))
    for size in sizes:

        def load(size=size):
            g = generate(size=size, out=workdir / f"synthetic-{size}.nq")
            return nquads_union(g.path)

        graphs.append((f"synthetic {size}", load))
    out: list[Timing] = []
    for name, load in graphs:
        t0 = time.perf_counter()
        data = load()
        loaded = time.perf_counter() - t0
        for label, sg in (("all", shapes), ("core", core)):
            secs, conforms, v, w = timed_validation(
                data, shapes=sg, ontology=ontology, timeout=timeout
            )
            t = Timing(name, len(data), label, secs, timeout, conforms, v, w, loaded)
            out.append(t)
            echo(
                f"  {name:16} {len(data):>9,} triples  shapes={label:4}  {t.shown():>12}"
                + (f"  conforms={conforms} violations={v} warnings={w}" if secs is not None else "")
            )
        del data
    return out


def table(timings: list[Timing]) -> str:
    """Markdown: one row per graph, all shapes vs core shapes, and how each grows from the
    previous synthetic size."""
    rows: dict = {}
    for t in timings:
        rows.setdefault((t.graph, t.triples), {})[t.shapes] = t
    lines = [
        "| graph | triples | all shapes | without SPARQL-based | SPARQL share | "
        "growth, all shapes | growth, without SPARQL |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    prev = None

    def growth(now, before, factor):
        if now and before and now.seconds and before.seconds:
            return f"{now.seconds / before.seconds:.1f}x for {factor:.0f}x triples"
        if now and before and now.seconds is None and before.seconds:
            return f"over {now.timeout / before.seconds:.1f}x for {factor:.0f}x triples"
        return ""

    for (graph, triples), by in rows.items():
        a, c = by.get("all"), by.get("core")
        share = (
            f"{(a.seconds - c.seconds) / a.seconds:.0%}"
            if a and c and a.seconds and c.seconds is not None
            else ""
        )
        ga = gc = ""
        if prev and graph.startswith("synthetic") and prev[0].startswith("synthetic"):
            ga = growth(a, prev[1].get("all"), triples / prev[2])
            gc = growth(c, prev[1].get("core"), triples / prev[2])
        lines.append(
            f"| {graph} | {triples:,} | {a.shown() if a else ''} | "
            f"{c.shown() if c else ''} | {share} | {ga} | {gc} |"
        )
        prev = (graph, by, triples)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10k,100k,1m", help="synthetic sizes, comma-separated")
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds per validation before it is stopped (default 300)",
    )
    p.add_argument("--no-real", action="store_true", help="skip the real graph")
    p.add_argument(
        "--json",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "validate-last-run.json",
        help="where the timings go as JSON (default bench/results/validate-last-run.json)",
    )
    p.add_argument("--report", type=Path, help="print the table of a saved --json and stop")
    a = p.parse_args(argv)
    if a.report:
        print(table([Timing(**t) for t in json.loads(a.report.read_text())]))
        return 0
    sizes = [s for s in a.sizes.split(",") if s]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="enlargement-kg-validate-") as tmp:
        timings = run(sizes=sizes, timeout=a.timeout, workdir=Path(tmp), real=not a.no_real)
    print()
    print(table(timings))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps([asdict(t) for t in timings], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
