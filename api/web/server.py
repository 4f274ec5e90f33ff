"""Serve the app with gunicorn (a production WSGI server, never Flask's dev server).

The app is built once in the master (``preload_app``): the graph is loaded and validated
before any worker starts (the on-disk store is not opened there: see
``OxigraphStore.check``); each worker starts its query processes and opens the store before
it takes connections. A read-only service with more than one worker shares its costly
answers between them (:mod:`..core.shared_cache`); answers ready in full go out in one TCP
segment (:func:`.fastpath.segment.one_segment`). Requests are read in each worker's main loop
under deadlines and per-client caps, and ``/-/health`` is answered there
(:mod:`.front`): slow or idle clients cannot take the request threads.
"""

from __future__ import annotations

import math
import sys
import threading
from dataclasses import replace

from ..core.config import Settings


def serve(settings: Settings, *, host: str, port: int, workers: int = 2, threads: int = 4) -> int:
    from gunicorn.app.base import BaseApplication

    from ..core.build import BuildError
    from ..core.store import StoreError
    from . import create_app, fastpath, front
    from .state import state_of

    taken = port_taken(host, port)
    if taken:
        print(f"cannot serve on {host}:{port}: {taken}", file=sys.stderr)
        return 1
    settings = replace(settings, workers=workers)  # the answer caches are sized for them
    if not settings.base_url and host not in ("0.0.0.0", "::", ""):
        # absolute URLs name the address served, not a client's Host header (issue 17)
        name = f"[{host}]" if ":" in host else host
        settings = replace(settings, base_url=f"http://{name}:{port}/")
    try:
        app = create_app(settings)
    except BuildError as exc:
        print(f"refusing to serve: {exc}", file=sys.stderr)
        if exc.report is not None:
            print(exc.report.to_text(), file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"cannot serve: {exc}", file=sys.stderr)
        return 1

    def post_worker_init(worker) -> None:
        # in each worker, before it accepts: the first queries do not wait for the store
        try:
            state_of(app).store.warm()
        except Exception as exc:  # noqa: BLE001 - the first query reports it instead
            worker.log.warning("could not warm the store up: %s", exc)
        writer = state_of(app).writer
        if writer is not None:  # the write process reads the store meanwhile

            def warm_writes() -> None:
                try:
                    writer.warm()
                except Exception as exc:  # noqa: BLE001 - the first write reports it instead
                    worker.log.warning("could not start the write process: %s", exc)

            threading.Thread(target=warm_writes, name="enlargement-kg-warm", daemon=True).start()

    class Server(BaseApplication):
        def load_config(self):
            opts = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                # gthread, with each request read in full in the main loop (web/front.py)
                "worker_class": front.front_class(front.limits_of(settings), *front.answers(app)),
                "worker_connections": settings.max_connections,
                "preload_app": True,
                "timeout": 120,
                "graceful_timeout": 5,
                "keepalive": max(1, math.ceil(settings.idle_timeout)),  # the front's is exact
                "accesslog": None,
                "loglevel": "warning",
                # a listening socket per worker: the kernel spreads new connections
                # over them (one shared socket let one worker take all of a client's
                # 16 connections: half the throughput, docs/performance.md)
                "reuse_port": True,
                "post_worker_init": post_worker_init,
            }
            for k, v in opts.items():
                self.cfg.set(k, v)

        def load(self):
            return fastpath.wrap_server(app, settings)

    print(
        f"enlargement-kg serving on http://{host}:{port}/ (SPARQL at /sparql)",
        file=sys.stderr,
        flush=True,
    )
    Server().run()
    return 0


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served, or None. The workers listen with
    ``SO_REUSEPORT`` (a socket each), which would let a second server share the port of a
    running one without a word, the kernel splitting connections between two graphs: a
    probe without it fails where any server already listens."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None
