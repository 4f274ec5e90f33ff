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
from ...core.guard import scan_pattern
from ...core.service import QueryService
from ...core.store import Dataset
from ..negotiate import NotAcceptableFormat, by_accept, html_preferred
from ..sparql import RAISED, answer, answer_etag, answer_headers, request_client

PATH = "/sparql"
_NO_DATASET = Dataset()


#: the longest answer the front's loop writes itself (bytes): longer ones go to a thread
LOOP_MAX_ANSWER = 65_536
#: a scan without an IRI subject is answered in the loop only with a LIMIT of at most this
LOOP_MAX_ROWS = 1_000


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

    def respond(
        self, environ: dict, query: str | None = None
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The lane's answer to ``environ`` (its ``query`` when already read): the headers
        and the body, or None when the request is Flask's. Raises what answering raised."""
        query = self._query(environ) if query is None else query
        if query is None:
            return None
        accept = environ.get("HTTP_ACCEPT", "")
        if html_preferred(accept):  # a browser opening a query: the endpoint's editor page
            return None

        def choose(offered: list[Format], default: Format) -> Format | None:
            return by_accept(accept, tuple(offered), default)

        client = request_client(self.service, environ)
        try:
            result, hit = answer(self.service, query, _NO_DATASET, choose, client)
        except NotAcceptableFormat:
            return None  # the endpoint answers 406, or JSON for a browser
        body = result.body
        etag = answer_etag(self.service.version, query, _NO_DATASET, result)
        headers = answer_headers(result, hit, etag)  # installed only when writes are off
        return [*headers, ("Content-Length", str(len(body)))], body

    def in_loop(self, environ: dict) -> tuple[list[tuple[str, str]], bytes] | None:
        """The answer the front's loop may write itself (web/front.py): only for a point
        lookup bounded by construction (:func:`loop_bounded`) whose answer is at most
        :data:`LOOP_MAX_ANSWER` bytes, the very answer :meth:`respond` gives; None for
        anything else and on any error, and a request thread then answers as before."""
        query = self._query(environ)
        if query is None or not loop_bounded(query):
            return None
        try:
            done = self.respond(environ, query)
        except Exception:  # noqa: BLE001 - the thread's endpoint renders it
            return None
        return done if done is not None and len(done[1]) <= LOOP_MAX_ANSWER else None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            done = self.respond(environ)
        except Exception as exc:  # noqa: BLE001 - the endpoint raises it, its handlers answer
            environ[RAISED] = exc
            return self.app(environ, start_response)
        if done is None:
            return self.app(environ, start_response)
        start_response("200 OK", done[0])
        return [done[1]]


def loop_bounded(query: str) -> bool:
    """Whether the front's loop may answer ``query``: a one-pattern ``SELECT`` read from the
    index (:func:`..core.guard.scan_pattern`, a subset of ``bounded_query``) whose rows are
    few by construction: the subject is an IRI (one resource's triples), or a ``LIMIT`` of at
    most :data:`LOOP_MAX_ROWS`. A scan of ``?s <p> ?o`` may reach the row cap: a thread's.

    >>> loop_bounded("SELECT ?p ?o WHERE { <http://x/a> ?p ?o }")
    True
    >>> loop_bounded("SELECT ?s WHERE { ?s <http://x/p> ?o }"), loop_bounded("ASK { ?s ?p ?o }")
    (False, False)
    >>> loop_bounded("SELECT ?s WHERE { ?s <http://x/p> ?o } LIMIT 10")
    True
    """
    pattern = scan_pattern(query)
    if pattern is None:
        return False
    _, terms, limit = pattern
    return terms[0][0] == "iri" or (limit is not None and limit <= LOOP_MAX_ROWS)
