"""Repeated reads of ``/sparql`` answered from memory, before Flask sees them.

The served graph does not change between builds, so the whole HTTP answer to a query request
is a function of the graph's version and the request's bytes that the answer depends on:
the method, the query string, the ``Accept`` header, and for a POST its ``Content-Type`` and
body. This WSGI middleware keeps the answers the endpoint marked as query results (its
``X-Cache`` header) under that key, and replays them without parsing, negotiating or routing
anything: on a warm cache a request costs the WSGI server's own work and a dictionary look-up
(bench/: the canned-query mix at about half the CPU per request of the full path).

It is installed only for a read-only service (with writes on, the version moves under the
readers). The query service's own cache (:mod:`..core.service`) still serves ``/queries/``,
the linked-data pages and first requests; this one sits in front of it for ``/sparql``.
Hits are counted in the service's metrics like the service's own.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable

from ...core.service import LRUCache, Metrics

PATH = "/sparql"
#: the endpoint's marker of a cacheable answer (a query result, 200)
MARKER = "X-Cache"


class ResponseCache:
    """WSGI middleware: ``app`` with the answers to repeated ``/sparql`` reads cached."""

    def __init__(
        self,
        app: Callable,
        *,
        version: Callable[[], str],
        metrics: Metrics,
        size: int = 4096,
        max_bytes: int = 256_000_000,
        max_answer: int = 32_000_000,
        max_body: int = 1_000_000,
    ):
        self.app = app
        self.version = version
        self.metrics = metrics
        self.cache = LRUCache(size, max_bytes=max_bytes)
        self.max_answer = max_answer
        self.max_body = max_body

    def _key(self, environ: dict) -> tuple | None:
        """The request's cache key, or None when it is not a cacheable read. A POST body is
        read here and put back for the app."""
        method = environ.get("REQUEST_METHOD")
        accept = environ.get("HTTP_ACCEPT", "")
        if method == "GET":
            return (self.version(), "GET", environ.get("QUERY_STRING", ""), accept)
        if method != "POST":
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return None
        if not 0 <= length <= self.max_body:
            return None  # no length (chunked) or too long: the endpoint decides
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return (
            self.version(),
            "POST",
            environ.get("QUERY_STRING", ""),
            accept,
            environ.get("CONTENT_TYPE", ""),
            body,
        )

    def in_loop(self, environ: dict) -> tuple[list[tuple[str, str]], bytes] | None:
        """For the front's loop (web/front.py): the answer kept for a ``GET`` of ``/sparql``
        (a dictionary look-up, bounded by construction), as :meth:`__call__` replays it;
        None on a miss and for anything else."""
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return None
        if "HTTP_IF_NONE_MATCH" in environ:
            return None
        t0 = time.perf_counter()
        hit = self.cache.get(self._key(environ))
        if hit is None:
            return None
        self.metrics.hit(time.perf_counter() - t0)
        return hit[1], hit[2]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or "HTTP_IF_NONE_MATCH" in environ:
            return self.app(environ, start_response)  # not ours, or the endpoint's 304
        t0 = time.perf_counter()
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        hit = self.cache.get(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            self.metrics.hit(time.perf_counter() - t0)
            return [body]

        captured: list = []

        def capture(status: str, headers: list, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = captured
        if (
            status.startswith("200 ")
            and len(body) <= self.max_answer
            and any(k == MARKER for k, _ in headers)
        ):
            replay = [(k, "hit" if k == MARKER else v) for k, v in headers]
            self.cache.put(key, (status, replay, body), len(body))
        return [body]
