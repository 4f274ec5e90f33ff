"""``enlargement-kg build``, ``validate`` and ``query``: the graph itself."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import CLIError


def _report_out(report, fmt: str) -> str:
    return {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[fmt]()


def cmd_build(args) -> int:
    from ..core.build import BuildError, build_to_dir

    try:
        res = build_to_dir(
            Path(args.out), kg_dir=args.kg, ontology_dir=args.ontology, shapes_dir=args.shapes
        )
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        if exc.report is not None:
            print(exc.report.to_text(), file=sys.stderr)
        print(f"the store at {args.out} was left untouched", file=sys.stderr)
        return 1
    info = res.store.info()
    print(
        f"built {args.out}: {info.details.get('quads')} quads in {info.graphs} named graphs, "
        f"version {res.version}, {len(res.report.warnings)} warning(s), "
        f"{res.seconds:.2f} s"
    )
    return 0


def cmd_validate(args) -> int:
    from rdflib import Graph

    from ..core.build import build_memory, union_graph
    from ..core.validation import load_graph, ontology_graph, shapes_graph, validate

    if args.files:
        data = Graph()
        for f in args.files:
            p = Path(f)
            if not p.is_file():
                raise CLIError(f"cannot read {f}: no such file", 2)
            try:
                data += load_graph([p])
            except Exception as exc:  # noqa: BLE001 - any parse error is unreadable input
                raise CLIError(f"cannot parse {f}: {exc}", 2) from None
        ont = ontology_graph()
        data += ont
        if not args.alone:
            data += union_graph(build_memory(validate_data=False).store)
        report = validate(data, shapes=shapes_graph(), ontology=ont)
    else:
        res = build_memory(validate_data=False, kg_dir=args.kg)
        report = validate(union_graph(res.store), shapes=shapes_graph(), ontology=ontology_graph())
    print(_report_out(report, args.format))
    return 0 if report.conforms else 1


def cmd_query(args) -> int:
    from ..core import formats
    from ..core.build import build_memory
    from ..core.oxigraph_store import OxigraphStore
    from ..core.service import QueryService
    from ..core.store import StoreError

    text = args.query
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        p = Path(text[1:])
        if not p.is_file():
            raise CLIError(f"cannot read {p}: no such file", 2)
        text = p.read_text(encoding="utf-8")
    try:
        fmt = formats.by_name(args.format)
    except KeyError as exc:
        raise CLIError(str(exc.args[0]), 2) from None
    store = (
        OxigraphStore.open(args.store) if args.store else build_memory(validate_data=False).store
    )
    svc = QueryService(store)
    rf = fmt if fmt.kind == "results" else formats.by_name("json")
    gf = fmt if fmt.kind == "rdf" else formats.by_name("turtle")
    try:
        res, _ = svc.run(text, result_format=rf, graph_format=gf, use_cache=False)
    except StoreError as exc:
        raise CLIError(f"query failed: {exc}") from None
    if res.format is not fmt:
        raise CLIError(
            f"a {res.kind} answer cannot be written as {fmt.name}; use "
            + (
                "json, xml, csv or tsv"
                if res.kind != "graph"
                else "turtle, ntriples, jsonld, rdfxml, trig or nquads"
            )
        )
    sys.stdout.buffer.write(res.body)
    if not res.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    return 0


def register(sub) -> None:
    b = sub.add_parser(
        "build",
        help="load, validate and write a persistent store",
        description="Load ontology/ and kg/ (one named graph per file), "
        "validate with the shapes, and write a pyoxigraph store. On a "
        "violation, exit 1 and leave the previous store untouched.",
    )
    b.add_argument("--out", default="store", help="store folder (default: ./store)")
    b.add_argument("--kg", type=Path, help="kg folder to build instead of the packaged one")
    b.add_argument("--ontology", type=Path, help=argparse.SUPPRESS)
    b.add_argument("--shapes", type=Path, help=argparse.SUPPRESS)
    b.set_defaults(func=cmd_build)

    v = sub.add_parser(
        "validate",
        help="validate the graph or the given files",
        description="Validate the project's graph, or FILES (Turtle, JSON-LD, "
        "N-Triples) together with the ontology and the project's graph. Exit "
        "0 if it conforms, 1 with the report if not, 2 on unreadable input.",
    )
    v.add_argument("files", nargs="*", metavar="FILES")
    v.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    v.add_argument(
        "--alone",
        action="store_true",
        help="validate FILES with the ontology only, not with the project's graph",
    )
    v.add_argument("--kg", type=Path, help="kg folder to validate instead of the packaged one")
    v.set_defaults(func=cmd_validate)

    q = sub.add_parser(
        "query",
        help="run a SPARQL query",
        description="Run QUERY (text, - for stdin, @FILE) on the packaged "
        "graph or --store and print the answer.",
    )
    q.add_argument("query", metavar="QUERY|-|@FILE")
    q.add_argument(
        "--format",
        default="json",
        help="json|csv|tsv|xml for SELECT/ASK; turtle|ntriples|jsonld|rdfxml|"
        "trig|nquads for CONSTRUCT/DESCRIBE",
    )
    q.add_argument("--store", help="a store folder written by `build`")
    q.set_defaults(func=cmd_query)
