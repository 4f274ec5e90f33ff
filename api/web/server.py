"""Serve the app with gunicorn (a production WSGI server, never Flask's dev server).

The app is built once in the master (``preload_app``): the graph is loaded and validated
before any worker starts; workers fork with it and start their own query processes. A
read-only service with more than one worker shares its costly answers between them
(:mod:`..core.shared_cache`).
"""

from __future__ import annotations

import sys

from ..core.config import Settings


def serve(settings: Settings, *, host: str, port: int, workers: int = 2,
          threads: int = 4) -> int:
    from gunicorn.app.base import BaseApplication

    from ..core.build import BuildError
    from ..core.shared_cache import SharedCache
    from ..core.store import StoreError
    from . import create_app
    from .state import state_of

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
    service = state_of(app).service
    if workers > 1 and not settings.writable and settings.cache_size > 0:
        # made here, before the fork: the workers share the costly answers (a write moves
        # the version under the readers, so a writable service keeps its caches apart)
        try:
            service.shared = SharedCache.temporary(max_bytes=service.cache.max_bytes)
        except OSError as exc:  # a cache: serve without it rather than not at all
            print(f"serving without the shared answer cache: {exc}", file=sys.stderr)

    class Server(BaseApplication):
        def load_config(self):
            opts = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                    "worker_class": "gthread", "preload_app": True, "timeout": 120,
                    "graceful_timeout": 5, "keepalive": 5, "accesslog": None,
                    "loglevel": "warning",
                    # a listening socket per worker: the kernel spreads new connections
                    # over them (one shared socket let one worker take all of a client's
                    # 16 connections: half the throughput, docs/performance.md)
                    "reuse_port": True}
            for k, v in opts.items():
                self.cfg.set(k, v)

        def load(self):
            return app

    print(f"enlargement-kg serving on http://{host}:{port}/ (SPARQL at /sparql)",
          file=sys.stderr, flush=True)
    Server().run()
    return 0
