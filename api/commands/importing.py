"""``enlargement-kg import``: facts from a spreadsheet into kg/ (docs/importing.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core.importer import ImportError_, import_files
from . import CLIError


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        help="import facts from a CSV/TSV spreadsheet into kg/",
        description="Map the rows of FILE (CSV, or TSV by suffix; layout in "
        "docs/importing.md) to the ontology, validate them with the existing "
        "graph, and write Turtle into kg/. Nothing is written if any row is bad.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--kg", type=Path, help="kg folder to write (default: the project's kg/)")
    p.add_argument("--today", help="the last-confirmed date to record (default: today)")

    def run(args) -> int:
        today = None
        if args.today:
            try:
                today = dt.date.fromisoformat(args.today)
            except ValueError:
                raise CLIError(f"--today {args.today!r} is not a date YYYY-MM-DD", 2) from None
        for f in args.files:
            if not f.is_file():
                raise CLIError(f"cannot read {f}: no such file", 2)
        try:
            res = import_files(args.files, kg_dir=args.kg, today=today)
        except ImportError_ as exc:
            lines = [str(exc)] + [str(e) for e in exc.errors[:200]]
            if exc.report is not None:
                lines.append(exc.report.to_text(limit=50))
            raise CLIError("\n".join(lines)) from None
        print(f"imported {res.facts} fact row(s) citing {res.sources} source document(s)")
        for path, n in sorted(res.files.items()):
            print(f"  kg/{path}: {n} triples")
        return 0

    p.set_defaults(func=run)
