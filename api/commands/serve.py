"""``enlargement-kg serve``: the HTTP service (gunicorn)."""

from __future__ import annotations

from pathlib import Path

from . import CLIError

#: the front's settings an operator may set on the command line (docs/api.md: defaults)
FRONT = {
    "header_timeout": (float, "seconds a request head may take (default 10)"),
    "body_timeout": (float, "seconds a request body may take after its head (default 30)"),
    "idle_timeout": (float, "seconds a kept-alive connection may stay idle (default 5)"),
    "client_connections": (int, "connections per client IP and worker (default 64; 0: any)"),
    "max_connections": (int, "connections per worker (default 1000)"),
}


def cmd_serve(args) -> int:
    from ..core.config import Settings
    from ..web.server import serve

    given = {k: getattr(args, k) for k in FRONT if getattr(args, k) is not None}
    settings = Settings.from_env(
        **_store(args.store),
        query_timeout=(
            args.timeout if args.timeout is not None else Settings.from_env().query_timeout
        ),
        writable=args.writable,
        **given,
        **_proxy(args.base_url, args.trusted_proxies),
    )
    if args.writable and not settings.token:
        raise CLIError("--writable needs a token in ENLARGEMENT_KG_TOKEN", 2)
    return serve(
        settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )


def _store(location: str | None) -> dict:
    """``--store``: an http(s) URL is a remote SPARQL 1.1 store (docs/deploy.md), anything
    else a store folder; not given, ENLARGEMENT_KG_STORE_URL or the graph built in memory."""
    from ..core.remote_store import is_remote

    if not location:
        return {"store_path": None}
    if is_remote(location):
        return {"store_url": location, "store_path": None}
    return {"store_path": Path(location), "store_url": None}


def _proxy(base_url: str | None, trusted_proxies: int | None) -> dict:
    """``--base-url`` (absolute http(s), ending in ``/``: the base of minted IRIs and links
    behind a balancer) and ``--trusted-proxies``, as settings; exit 1 when wrong."""
    from urllib.parse import urlsplit

    out: dict = {}
    if base_url is not None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname or not base_url.endswith("/"):
            raise CLIError(
                f"--base-url {base_url!r}: give an absolute http(s) URL ending in '/', "
                "e.g. https://kg.example.org/"
            )
        if url.query or url.fragment:
            raise CLIError(f"--base-url {base_url!r}: no query or fragment in a base URL")
        out["base_url"] = base_url
    if trusted_proxies is not None:
        if trusted_proxies < 0:
            raise CLIError(f"--trusted-proxies {trusted_proxies}: a number of proxies, 0 or more")
        out["trusted_proxies"] = trusted_proxies
    return out


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
    s.add_argument(
        "--store",
        metavar="DIR|URL",
        help="a store folder written by `build`, or the http(s) URL of a remote SPARQL 1.1 "
        "query endpoint to serve from (docs/deploy.md)",
    )
    s.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    s.add_argument("--threads", type=int, default=4, help="threads per worker")
    s.add_argument("--timeout", type=float, help="query time limit in seconds (default 10)")
    for name, (kind, what) in FRONT.items():
        s.add_argument("--" + name.replace("_", "-"), type=kind, help=what)
    s.add_argument(
        "--base-url",
        metavar="URL",
        help="public base of the service behind a proxy, ending in / (absolute links and "
        "minted IRIs; default $ENLARGEMENT_KG_BASE_URL, else http://HOST:PORT/)",
    )
    s.add_argument(
        "--trusted-proxies",
        type=int,
        metavar="N",
        help="proxies in front whose X-Forwarded-For is believed for per-client limits "
        "(default $ENLARGEMENT_KG_TRUSTED_PROXIES, else 0)",
    )
    s.add_argument(
        "--writable",
        action="store_true",
        help="accept SPARQL Update and Graph Store writes (needs ENLARGEMENT_KG_TOKEN)",
    )
    s.set_defaults(func=cmd_serve)
