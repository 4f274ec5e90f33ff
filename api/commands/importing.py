"""``enlargement-kg import``: facts from a spreadsheet into kg/ (docs/importing.md)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..core.importer import ImportError_, import_files, refuse_installed
from ..core.resources import data_dir
from . import CLIError

#: how a checkout's pyproject.toml names the project
PROJECT_NAME = re.compile(r'^name\s*=\s*"enlargement-kg"', re.M)


def find_kg(kg: Path | None, *, cwd: Path, packaged: Path | None = None) -> Path:
    """The kg/ folder an import writes: ``kg`` when given; else the checkout the command runs
    in (from ``cwd`` upwards, a folder with a pyproject.toml naming enlargement-kg and a kg/
    folder); else the packaged kg/, unless it is inside an installed package: then refuse
    (ImportError_), as for a ``kg`` given there."""
    if kg is not None:
        refuse_installed(kg)
        return kg
    for folder in (cwd, *cwd.parents):
        meta = folder / "pyproject.toml"
        named = meta.is_file() and PROJECT_NAME.search(meta.read_text("utf-8"))
        if named and (folder / "kg").is_dir():
            return folder / "kg"
    found = packaged if packaged is not None else data_dir("kg")
    refuse_installed(found)
    return found


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        help="import facts from a CSV/TSV spreadsheet into kg/",
        description="Map the rows of FILE (CSV, or TSV by suffix; layout in "
        "docs/importing.md) to the ontology, validate them with the existing "
        "graph, and write Turtle into kg/. Nothing is written if any row is bad.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--kg",
        type=Path,
        help="kg folder to write (default: the kg/ of the checkout the command runs in; "
        "never the kg/ inside an installed package)",
    )
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
            kg = find_kg(args.kg, cwd=Path.cwd())
            res = import_files(args.files, kg_dir=kg, today=today)
        except ImportError_ as exc:
            lines = [str(exc)] + [str(e) for e in exc.errors[:200]]
            if exc.report is not None and not exc.errors:  # rows name what they broke
                lines.append(exc.report.to_text(limit=50))
            raise CLIError("\n".join(lines)) from None
        print(f"imported {res.facts} fact row(s) citing {res.sources} source document(s) into {kg}")
        for path, n in sorted(res.files.items()):
            print(f"  kg/{path}: {n} triples")
        return 0

    p.set_defaults(func=run)
