"""The plain query read, answered without Flask's request machinery.

Most requests to ``/sparql`` are the simplest the Protocol allows: a GET whose only
parameter is ``query`` (SPARQL 1.1 Protocol §2.1.1), negotiated by ``Accept``. This WSGI
middleware answers those itself, through the endpoint's own :func:`.sparql.answer` and
:func:`.sparql.answer_headers`, so it decides nothing the endpoint does not: it only skips
building Flask's request and response objects, routing and Werkzeug's header handling, which
cost a point lookup more than the query did (bench/: about 0.2 ms of 0.7 ms in process).

Everything else goes to Flask unchanged: other methods and parameters (``format=``, the
dataset, updates), a query string it cannot read as Werkzeug would, an ``Accept`` that
selects no format (the endpoint answers 406, or JSON for a browser). An error met while
answering (a syntax error, a refused query, a time-out) is handed to the endpoint in the
WSGI environment, and the endpoint raises it, so that errors are rendered by the app's one
set of handlers and no query runs twice.

Installed for a read-only service only (with writes on, the endpoint first brings its
readers up to the last write: :mod:`.writes`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from ...core.formats import Format
from ...core.service import QueryService
from ...core.store import Dataset
from ..negotiate import by_accept, html_preferred
from ..sparql import RAISED, answer, answer_etag, answer_headers, request_client

PATH = "/sparql"
_NO_DATASET = Dataset()


class _Declined(Exception):
    """The lane leaves this request to Flask (nothing has run yet)."""


class QueryLane:
    """WSGI middleware: ``app`` with plain query reads of ``/sparql`` answered directly."""

    def __init__(self, app: Callable, *, service: QueryService):
        self.app = app
        self.service = service

    @staticmethod
    def _query(environ: dict) -> str | None:
        """The ``query`` parameter when it is the only one, read as Werkzeug reads
        ``request.args``; None when the request is not a plain query read."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return None
        if "HTTP_IF_NONE_MATCH" in environ:  # a conditional request: the endpoint's 304
            return None
        try:
            params = parse_qsl(
                environ.get("QUERY_STRING", "").encode("latin1").decode(),
                keep_blank_values=True,
                errors="werkzeug.url_quote",
            )
        except (UnicodeError, ValueError, LookupError):
            return None
        if len(params) != 1 or params[0][0] != "query":
            return None
        return params[0][1]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        query = self._query(environ)
        if query is None:
            return self.app(environ, start_response)
        accept = environ.get("HTTP_ACCEPT", "")
        if html_preferred(accept):  # a browser opening a query: the endpoint's editor page
            return self.app(environ, start_response)

        def choose(offered: list[Format], default: Format) -> Format:
            fmt = by_accept(accept, tuple(offered), default)
            if fmt is None:
                raise _Declined
            return fmt

        try:
            client = request_client(self.service, environ)
            result, hit = answer(self.service, query, _NO_DATASET, choose, client)
        except _Declined:
            return self.app(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - the endpoint raises it, its handlers answer
            environ[RAISED] = exc
            return self.app(environ, start_response)
        body = result.body
        etag = answer_etag(self.service.version, query, _NO_DATASET, result)
        headers = answer_headers(result, hit, etag)  # installed only when writes are off
        start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
        return [body]
