"""The ``enlargement-kg`` command: the parser and the entry point. The commands live in
:mod:`enlargement_kg.commands`, one module per group.

Exit codes: 0 success; 1 the data or the request is wrong (a violation, a bad query, a bad
row), with the reason on stderr; 2 unreadable input or bad usage.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .commands import CLIError, register_all

__all__ = ["CLIError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="enlargement-kg",
        description=(
            "EU enlargement and defence-alignment knowledge graph: build, validate, query and "
            "serve it."
        ),
    )
    p.add_argument("--version", action="version", version=f"enlargement-kg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_all(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"enlargement-kg {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - never a traceback for a user error
        from .core.store import StoreError

        if isinstance(exc, (StoreError, OSError)):
            print(f"enlargement-kg {args.command}: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
