"""Maintainers' commands: ``enlargement-kg diagram`` (docs/ontology-diagram.svg) and
``enlargement-kg prebuilt`` (the packaged validation result). Tests fail when either
committed file is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from . import CLIError


def cmd_diagram(args) -> int:
    from ..core.diagram import render_svg

    svg = render_svg()
    if args.out == "-":
        sys.stdout.write(svg)
        return 0
    out = Path(args.out)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != svg:
            raise CLIError(f"{out} is stale: run enlargement-kg diagram --out {out}")
        print(f"{out} is up to date")
        return 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(svg, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {out}: {exc}", 2) from None
    print(f"wrote {out} ({len(svg)} bytes)")
    return 0


def cmd_prebuilt(args) -> int:
    from ..core.build import write_prebuilt

    print(f"wrote {write_prebuilt()}")
    return 0


def register(sub) -> None:
    d = sub.add_parser(
        "diagram",
        help="write the ontology diagram (SVG)",
        description="Write the diagram of the packaged ontology (docs/ontology-diagram.svg).",
    )
    d.add_argument("--out", required=True, help="the SVG file to write (- for stdout)")
    d.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if --out differs from a fresh generation",
    )
    d.set_defaults(func=cmd_diagram)
    b = sub.add_parser(
        "prebuilt",
        help="write the packaged validation result of the current graph",
        description="Validate the packaged graph and write the result the service starts "
        "from (api/core/prebuilt/); run after any change to kg/, shapes/ or ontology/.",
    )
    b.set_defaults(func=cmd_prebuilt)
