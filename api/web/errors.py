"""Errors in the negotiated format: JSON for API clients, HTML for browsers, plain text
otherwise. Never a traceback: unexpected errors are logged and answered with a short 500."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from ..core import formats
from ..core.store import StoreError
from .negotiate import best_media_type, quality

log = logging.getLogger(__name__)


def error_response(
    status: int, message: str, *, title: str | None = None, headers: dict | None = None
) -> Response:
    title = title or _TITLES.get(status, "Error")
    best = best_media_type(ERROR_TYPES)
    if request.path.endswith((".json", ".jsonld")) or request.args.get("format") == "json":
        best = "application/json"  # the suffix chose the format
    if best in JSON_TYPES:
        body = json.dumps({"error": {"status": status, "title": title, "message": message}})
        resp = Response(body, status=status, mimetype="application/json")
    elif best == HTML and quality(HTML) > quality(TEXT):
        resp = Response(
            render_template("error.html", status=status, title=title, message=message),
            status=status,
            mimetype="text/html",
        )
    else:
        resp = Response(f"{status} {title}: {message}\n", status=status, mimetype="text/plain")
    resp.headers["Vary"] = "Accept"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


HTML, TEXT = formats.HTML.media_type, "text/plain"
#: an error answers in JSON to anyone asking for JSON, SPARQL JSON results or JSON-LD
JSON_TYPES = (
    "application/json",
    formats.by_name("json").media_type,
    formats.by_name("jsonld").media_type,
)
#: the media types an error is offered in, in the order Werkzeug breaks ties
ERROR_TYPES = (JSON_TYPES[0], HTML, TEXT, *JSON_TYPES[1:])

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError):
        # a refusal that passes (every query worker busy, a client over its share) says when
        # to come back (RFC 9110 10.2.3)
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return error_response(exc.status, str(exc), headers=headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        headers = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        message = exc.description or exc.name
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the limit of {limit} bytes"
        return error_response(exc.code or 500, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "an unexpected error occurred; it has been logged")
