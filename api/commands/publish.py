"""``enlargement-kg export``, ``release`` and ``diff``: dumps, release folders and the
changes between two graphs."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from ..core.namespaces import BASE
from ..core.publishing import (
    DUMP_FORMATS,
    FORMAT_TITLE,
    PublishError,
    ReleaseIndex,
    default_releases_dir,
    make_release,
    serialize_dump,
)
from ..core.publishing.dumps import write_atomic
from ..core.store import Store
from . import CLIError


def open_store(args) -> Store:
    from ..core.build import BuildError, build_memory
    from ..core.oxigraph_store import OxigraphStore

    if getattr(args, "store", None):
        return OxigraphStore.open(args.store)
    try:
        return build_memory(validate_data="cached", kg_dir=getattr(args, "kg", None)).store
    except BuildError as exc:
        raise CLIError(f"the graph does not build: {exc}") from None


def cmd_export(args) -> int:
    out = None if args.out == "-" else Path(args.out)
    if out is not None and out.is_dir():
        raise CLIError(f"--out {out} is a folder; give a file name", 2)
    store = open_store(args)
    data = serialize_dump(store, args.format, compressed=args.gzip)
    digest = hashlib.sha256(data).hexdigest()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, data)
    print(
        f"wrote {out}: {FORMAT_TITLE[args.format]}{' (gzip)' if args.gzip else ''}, "
        f"{len(data)} bytes, sha256 {digest}"
    )
    return 0


def cmd_release(args) -> int:
    root = Path(args.releases) if args.releases else default_releases_dir()
    index = ReleaseIndex.load(Path(args.index) if args.index else root / "index.json")
    out = Path(args.out) if args.out else root / args.version
    store = open_store(args)
    try:
        res = make_release(
            store=store,
            version=args.version,
            out=out,
            index=index,
            previous=Path(args.previous) if args.previous else None,
            issued=args.date,
            base_url=args.base_url,
        )
    except PublishError as exc:
        raise CLIError(str(exc)) from None
    c = res.manifest.changes
    print(
        f"released {res.manifest.version} in {res.folder}: "
        f"{len(res.manifest.files)} dump files, {c.get('added', 0)} facts added, "
        f"{c.get('changed', 0)} changed, {c.get('retracted', 0)} retracted "
        f"(recorded in {index.path})"
    )
    return 0


def cmd_diff(args) -> int:
    from ..core.changelog import ChangelogError, changes_between, load_graph_source

    try:
        old = load_graph_source(Path(args.old))
        new = load_graph_source(Path(args.new))
    except ChangelogError as exc:
        raise CLIError(str(exc), exc.code) from None
    changes = changes_between(old, new)
    if args.format == "json":
        print(
            json.dumps(
                changes.to_json(old_label=args.old, new_label=args.new),
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(changes.to_markdown(title="Changes", old_label=args.old, new_label=args.new), end="")
    return 0


def _export_parser(sub) -> None:
    e = sub.add_parser(
        "export",
        help="write a dump of the whole dataset",
        description="Write the whole dataset as N-Quads or TriG (named graphs "
        "kept), Turtle, N-Triples or JSON-LD (the union of the named graphs), "
        "optionally gzipped.",
    )
    e.add_argument("--format", required=True, choices=DUMP_FORMATS)
    e.add_argument("--gzip", action="store_true", help="gzip the dump (RFC 1952)")
    e.add_argument("--out", required=True, metavar="FILE", help="output file, - for stdout")
    e.add_argument(
        "--store",
        help="a store folder written by `build` (default: build the packaged graph in memory)",
    )
    e.add_argument("--kg", type=Path, help=argparse.SUPPRESS)
    e.set_defaults(func=cmd_export)


def _release_parser(sub) -> None:
    r = sub.add_parser(
        "release",
        help="write a release folder and record it",
        description="Write a release folder (every dump plain and gzipped, "
        "void.ttl, catalog.ttl, CHANGES.md against the previous release, "
        "release.json) and record it in the release index, so /catalog lists "
        "it. The graph is built and validated first; a violation exits 1.",
    )
    r.add_argument("version", metavar="VERSION", help="the release version, e.g. 1.0.0")
    r.add_argument("--out", metavar="DIR", help="release folder (default: RELEASES/VERSION)")
    r.add_argument(
        "--releases",
        metavar="DIR",
        help="releases folder holding index.json (default: $ENLARGEMENT_KG_RELEASES or ./releases)",
    )
    r.add_argument(
        "--index", metavar="FILE", help="the release index (default: RELEASES/index.json)"
    )
    r.add_argument(
        "--previous",
        metavar="DIR",
        help="compare with this release folder or dump (default: the latest recorded release)",
    )
    r.add_argument("--date", metavar="YYYY-MM-DD", help="issue date (default: today, UTC)")
    r.add_argument("--base-url", help=f"public base of the service (default: {BASE})")
    r.add_argument("--store", help="a store folder written by `build`")
    r.add_argument("--kg", type=Path, help="kg folder to release instead of the packaged one")
    r.set_defaults(func=cmd_release)


def _diff_parser(sub) -> None:
    d = sub.add_parser(
        "diff",
        help="the changelog of facts between two graphs",
        description="Print the facts added, changed and retracted between OLD "
        "and NEW, per country, with their sources. OLD and NEW are dump files "
        "(.nq .trig .ttl .nt .jsonld .rdf, optionally .gz), release folders, "
        "store folders or kg folders.",
    )
    d.add_argument("old", metavar="OLD")
    d.add_argument("new", metavar="NEW")
    d.add_argument("--format", choices=("markdown", "json"), default="markdown")
    d.set_defaults(func=cmd_diff)


def register(sub) -> None:
    """``export``, ``release`` and ``diff``."""
    _export_parser(sub)
    _release_parser(sub)
    _diff_parser(sub)
