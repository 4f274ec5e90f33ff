"""``enlargement-kg coverage``: write docs/data-coverage.md (and the reconciliations of
docs/data-notes.md) from the graph."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.build import build_memory
from ..core.coverage import generate, reconciliations, with_reconciliations
from . import CLIError


def register(sub) -> None:
    p = sub.add_parser(
        "coverage",
        help="write the data-coverage report (docs/data-coverage.md)",
        description="Count facts per country and category, sources by kind, "
        "and list the known gaps; write Markdown to --out (default stdout).",
    )
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.add_argument(
        "--notes",
        type=Path,
        help="also rewrite the generated list of reconciliations in this file (docs/data-notes.md)",
    )

    def run(args) -> int:
        if args.notes:
            try:
                notes = with_reconciliations(
                    args.notes.read_text(encoding="utf-8"),
                    reconciliations(build_memory(validate_data=False).store),
                )
            except (OSError, ValueError) as exc:
                raise CLIError(f"cannot update {args.notes}: {exc}") from None
            args.notes.write_text(notes, encoding="utf-8")
            print(f"wrote {args.notes}")
        text = generate()
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"wrote {args.out}")
        else:
            sys.stdout.write(text)
        return 0

    p.set_defaults(func=run)
