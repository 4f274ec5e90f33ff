"""``enlargement-kg serve``: the HTTP service (gunicorn)."""

from __future__ import annotations

from pathlib import Path

from . import CLIError


def cmd_serve(args) -> int:
    from ..core.config import Settings
    from ..web.server import serve

    settings = Settings.from_env(
        store_path=Path(args.store) if args.store else None,
        query_timeout=(
            args.timeout if args.timeout is not None else Settings.from_env().query_timeout
        ),
        writable=args.writable,
    )
    if args.writable and not settings.token:
        raise CLIError("--writable needs a token in ENLARGEMENT_KG_TOKEN", 2)
    return serve(
        settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )


def register(sub) -> None:
    s = sub.add_parser(
        "serve",
        help="serve the graph over HTTP (gunicorn)",
        description="Serve /sparql, /id/..., /queries ... with gunicorn. "
        "Without --store, the graph is built in memory from the packaged "
        "files.",
    )
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--store", help="a store folder written by `build`")
    s.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    s.add_argument("--threads", type=int, default=4, help="threads per worker")
    s.add_argument("--timeout", type=float, help="query time limit in seconds (default 10)")
    s.add_argument(
        "--writable",
        action="store_true",
        help="accept SPARQL Update and Graph Store writes (needs ENLARGEMENT_KG_TOKEN)",
    )
    s.set_defaults(func=cmd_serve)
