"""Serve the app with gunicorn (a production WSGI server, never Flask's dev server).

The app is built once in the master (``preload_app``): the graph is loaded and validated
before any worker starts (the on-disk store is not opened there: see
``OxigraphStore.check``); each worker starts its query processes and opens the store before
it takes connections. A read-only service with more than one worker shares its costly
answers between them (:mod:`..core.shared_cache`); answers ready in full go out in one TCP
segment (:func:`one_segment`).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator

from ..core.config import Settings

#: TCP_CORK where the platform has it (Linux)
_CORK = getattr(socket, "TCP_CORK", None)


def one_segment(app: Callable) -> Callable:
    """Send a response that is ready in full (a list of bytes) in as few TCP segments as it
    needs, not headers and body apart. gunicorn writes the headers, then the body, on a
    TCP_NODELAY socket: two segments, and two wake-ups of the client, for every answer.
    The socket is corked once the app has returned the response, and uncorked when gunicorn
    closes it, after the last write. Streamed bodies and files are left as they are."""
    if _CORK is None:
        return app

    def corked(environ, start_response):
        result = app(environ, start_response)
        sock = environ.get("gunicorn.socket")
        if type(result) is not list or sock is None:
            return result
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _CORK, 1)
        except OSError:
            return result
        return _Uncork(result, sock)

    return corked


class _Uncork:
    __slots__ = ("_body", "_sock")

    def __init__(self, body: list[bytes], sock: socket.socket):
        self._body, self._sock = body, sock

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            self._sock.setsockopt(socket.IPPROTO_TCP, _CORK, 0)  # sends what is held back
        except OSError:
            pass  # the client has gone


def serve(settings: Settings, *, host: str, port: int, workers: int = 2, threads: int = 4) -> int:
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

    def post_worker_init(worker) -> None:
        # in each worker, before it accepts: the first queries do not wait for the store
        try:
            state_of(app).store.warm()
        except Exception as exc:  # noqa: BLE001 - the first query reports it instead
            worker.log.warning("could not warm the store up: %s", exc)

    class Server(BaseApplication):
        def load_config(self):
            opts = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "preload_app": True,
                "timeout": 120,
                "graceful_timeout": 5,
                "keepalive": 5,
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
            return one_segment(app)

    print(
        f"enlargement-kg serving on http://{host}:{port}/ (SPARQL at /sparql)",
        file=sys.stderr,
        flush=True,
    )
    Server().run()
    return 0
