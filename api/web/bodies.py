"""Request bodies: the one way a view reads one, whole or not at all.

The cap is ``app.config["MAX_CONTENT_LENGTH"]`` (``Settings.max_body``). Werkzeug refuses a
``Content-Length`` over it, but a body sent with ``Transfer-Encoding: chunked`` (no length,
``wsgi.input_terminated``) it cuts silently at the cap, and the view would process the
first megabyte of a larger write. :func:`read_body` counts such a body as it arrives and
refuses it with 413 before anything is processed; a body it returns is all of the body.
"""

from __future__ import annotations

import io
from typing import IO, Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.untrusted import own_contexts

CHUNK = 64 * 1024


def read_body() -> bytes:
    """The whole request body (cached: ``request.form`` and ``request.files`` read it
    again), or 413 Content Too Large if it is over the cap, however it was sent."""
    environ = request.environ
    if request.content_length is None and environ.get("wsgi.input_terminated"):
        limit = request.max_content_length
        if limit is not None and "stream" not in request.__dict__:
            data = _read_at_most(environ["wsgi.input"], limit)
            # from now on the body is this one, with its length (the same as a proxy would)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
    return request.get_data(cache=True)


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """All of ``stream``, or RequestEntityTooLarge as soon as it is over ``limit`` bytes."""
    out = bytearray()
    while True:
        part = stream.read(min(CHUNK, limit + 1 - len(out)))
        if not part:
            return bytes(out)
        out += part
        if len(out) > limit:
            raise RequestEntityTooLarge()


def payload_contexts() -> dict[str, Any]:
    """The JSON-LD contexts a payload may name by URL (:func:`.untrusted.own_contexts`):
    the service's own, at its IRI and where this service publishes it (its base URL, never
    the request's ``Host``)."""
    from ..core.jsonld import CONTEXT_PATH
    from .publish import base_url, context_url

    return own_contexts(context_url(), base_url() + CONTEXT_PATH)
