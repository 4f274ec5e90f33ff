"""``enlargement-kg build``, ``validate`` and ``query``: the graph itself."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import CLIError

if TYPE_CHECKING:
    from ..core.queries import CannedQuery

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
#: the date datatypes a table shows at their precision (core/dates.py)
DATE_TYPES = frozenset(XSD_NS + t for t in ("date", "gYearMonth", "gYear"))


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
    from ..core.untrusted import PayloadRefused
    from ..core.validation import ontology_graph, read_untrusted, shapes_graph, validate

    if args.files:
        data = Graph()
        for f in args.files:
            p = Path(f)
            if not p.is_file():
                raise CLIError(f"cannot read {f}: no such file", 2)
            try:
                data += read_untrusted(p)
            except PayloadRefused as exc:  # hostile, or over the parser's limits
                raise CLIError(f"refused {f}: {exc}") from None
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


def _query_text(arg: str) -> tuple[str, CannedQuery | None]:
    """QUERY (text), ``-`` (stdin), ``@FILE``, or a canned query's NAME (queries/NAME.rq)."""
    from ..core.queries import catalogue, parse

    if arg == "-":
        return sys.stdin.read(), None
    if arg.startswith("@"):
        p = Path(arg[1:])
        if not p.is_file():
            raise CLIError(f"cannot read {p}: no such file", 2)
        text = p.read_text(encoding="utf-8")
        if re.search(r"^#\s*param:", text, re.M):  # a canned query's file: its parameters
            try:
                return text, parse(p.stem, text)
            except ValueError as exc:
                raise CLIError(str(exc)) from None
        return text, None
    canned = catalogue()
    if arg in canned:
        return canned[arg].text, canned[arg]
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", arg):
        raise CLIError(f"no canned query named {arg!r}; the names are: {', '.join(canned)}")
    return arg, None


def _bound(text: str, q: CannedQuery | None, pairs: list[str], store) -> str:
    """The query with the canned query's parameters bound as ``/queries/NAME`` binds them
    (core/queries.py); a missing required or unknown parameter is an error naming it."""
    from ..core.queries import COUNTRY_CODES, ParameterError, bind, parse_params, substitute

    try:
        args = parse_params(pairs)
        if q is None:
            if args:
                raise ParameterError("--param binds the parameters of a canned query NAME only")
            return text
        codes = {str(r["code"]) for r in store.select(COUNTRY_CODES)}
        return substitute(q.text, bind(q, args, countries=codes))
    except ParameterError as exc:
        raise CLIError(f"{q.name + ': ' if q else ''}{exc}") from None


def cmd_query(args) -> int:
    from ..core import formats
    from ..core.build import build_memory
    from ..core.oxigraph_store import OxigraphStore
    from ..core.queries import sorted_lists
    from ..core.service import QueryService
    from ..core.store import StoreError

    text, canned = _query_text(args.query)
    table = args.format == "table"
    try:
        fmt = formats.by_name("json" if table else args.format)
    except KeyError as exc:
        raise CLIError(str(exc.args[0]) + " or table", 2) from None
    store = (
        OxigraphStore.open(args.store) if args.store else build_memory(validate_data=False).store
    )
    text = _bound(text, canned, args.param or [], store)
    svc = QueryService(store)
    json_ = formats.by_name("json")
    sort = canned is not None and fmt.name in ("json", "csv", "tsv")  # as /queries/NAME does
    rf = json_ if sort or fmt.kind != "results" else fmt
    gf = fmt if fmt.kind == "rdf" else formats.by_name("turtle")
    try:
        res, _ = svc.run(text, result_format=rf, graph_format=gf, use_cache=False)
    except StoreError as exc:
        raise CLIError(f"query failed: {exc}") from None
    if sort and res.kind == "bindings":
        res = sorted_lists(res, fmt)  # the same bytes as /queries/NAME
    if res.format is not fmt:
        raise CLIError(
            f"a {res.kind} answer cannot be written as {args.format}; use "
            + (
                "table, json, xml, csv or tsv"
                if res.kind != "graph"
                else "turtle, ntriples, jsonld, rdfxml, trig or nquads"
            )
        )
    body = text_table(res.body).encode("utf-8") if table else res.body
    sys.stdout.buffer.write(body)
    if not body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    return 0


def short_iri(iri: str) -> str:
    """An IRI shortened with the project's prefixes (namespaces.PREFIXES), a minted one as
    ``id:country/MNE``; any other IRI whole."""
    from ..core.namespaces import ID, PREFIXES

    for prefix, ns in (("id", str(ID)), *PREFIXES.items()):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def text_table(body: bytes) -> str:
    """SPARQL JSON results as an aligned text table for a terminal: IRIs shortened, dates at
    their precision (an ``xsd:gYearMonth`` as ``2013-04``), numbers right-aligned."""
    import json

    from ..core import dates
    from ..core.store import json_term

    doc = json.loads(body)
    if "boolean" in doc:
        return "true\n" if doc["boolean"] else "false\n"
    cols = doc["head"]["vars"]
    numeric = dict.fromkeys(cols, True)
    rows = []
    for b in doc["results"]["bindings"]:
        row = []
        for c in cols:
            t = json_term(b[c]) if c in b else None
            if t is None:
                cell = ""
            elif b[c]["type"] == "uri":
                cell = short_iri(str(t))
            elif b[c].get("datatype") in DATE_TYPES:
                cell = dates.iso(t)
            else:
                cell = str(t)
            numeric[c] = numeric[c] and (cell == "" or re.fullmatch(r"-?[\d.]+", cell) is not None)
            row.append(" ".join(cell.split()))
        rows.append(row)
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if numeric[c] else cell.ljust(w)
            for cell, w, c in zip(cells, widths, cols, strict=True)
        ).rstrip()

    out = [line(cols), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


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
        help="run a SPARQL query or a canned query",
        description="Run QUERY (text, - for stdin, @FILE) or the canned query NAME "
        "(queries/NAME.rq, listed at /queries) on the packaged graph or --store and print "
        "the answer. A canned query's parameters are given with --param NAME=VALUE and "
        "checked as /queries/NAME checks them: a missing required one, an unknown one or a "
        "bad value exits 1 naming it.",
    )
    q.add_argument("query", metavar="NAME|QUERY|-|@FILE")
    q.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="a canned query's parameter (repeatable), e.g. --param country=MNE",
    )
    q.add_argument(
        "--format",
        default="json",
        help="table (aligned, for a terminal)|json|csv|tsv|xml for SELECT/ASK; "
        "turtle|ntriples|jsonld|rdfxml|trig|nquads for CONSTRUCT/DESCRIBE (default: json)",
    )
    q.add_argument("--store", help="a store folder written by `build`")
    q.set_defaults(func=cmd_query)
