"""The negotiated-RDF response: one document offered in several formats, answered with the
headers every such route shares. :mod:`.negotiate` says which format; this module says how
the answer looks.

Every header is a parameter, because the routes differ in what they promise: the linked-data
pages and the ontology send ``Link`` alternates, ``Content-Location`` and ``Cache-Control``;
VoID and the catalogue know their entity tag before they build the document; the service
description and the Graph Store Protocol send neither tags nor links. Headers go out in one
order: ``Vary``, CORS, ``Link``, ``Content-Location``, ``Cache-Control``, ``ETag``,
``Last-Modified``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

from flask import Response, request

from ..core.formats import Format

CORS = {"Access-Control-Allow-Origin": "*"}


def digest(data: bytes) -> str:
    """A strong entity tag for ``data`` (unquoted): the first 32 hex digits of its SHA-256.

    >>> digest(b"")
    'e3b0c44298fc1c149afbf4c8996fb924'
    """
    return hashlib.sha256(data).hexdigest()[:32]


def alternates(path: str, offered: Sequence[Format], fmt: Format) -> str:
    """The ``Link`` header naming every other representation of ``path`` by its suffix
    (RFC 8288 ``rel="alternate"``).

    >>> from enlargement_kg.core.formats import HTML, by_name
    >>> alternates("/ontology", [by_name("turtle"), HTML], HTML)
    '</ontology.ttl>; rel="alternate"; type="text/turtle"'
    """
    return ", ".join(
        f'<{path}{f.suffixes[0]}>; rel="alternate"; type="{f.media_type}"'
        for f in offered
        if f is not fmt
    )


def rdf_response(
    fmt: Format,
    body: bytes | Callable[[], bytes],
    *,
    status: int = 200,
    path: str | None = None,
    alternates_of: Sequence[Format] = (),
    content_location: bool = False,
    cache_control: str | None = None,
    etag: str | None = None,
    last_modified: dt.datetime | None = None,
    cors: bool = True,
    vary: str | None = "Accept",
) -> Response:
    """``body`` in ``fmt`` (``Content-Type: fmt.content_type``) with the headers asked for.

    - ``path`` and ``alternates_of``: a ``Link`` to each other format at ``path`` + its
      suffix; ``content_location``: ``Content-Location: path`` + this format's suffix (for an
      answer chosen by ``Accept``, RFC 9110 §8.7).
    - ``cache_control``, ``etag`` (unquoted, strong), ``last_modified``: the validators; an
      answer that carries one of them answers ``304`` to ``If-None-Match`` /
      ``If-Modified-Since`` (RFC 9110 §13.1, Werkzeug's ``make_conditional``).
    - ``body`` may be a function making the bytes: then ``etag`` is known beforehand, and a
      request whose ``If-None-Match`` holds it (strong comparison) gets ``304`` without
      the body being made.
    - Only a ``200`` carries ``Content-Location`` and the validators.
    - ``cors``: ``Access-Control-Allow-Origin: *``; ``vary``: the ``Vary`` header.
    """
    lazy = callable(body)
    if lazy and etag is not None and request.if_none_match.contains(etag):
        resp = Response(status=304)  # the tag is known before the body: none is made
    else:
        data = body() if callable(body) else body
        resp = Response(data, status=status, content_type=fmt.content_type)
    if vary:
        resp.headers["Vary"] = vary
    if cors:
        resp.headers.update(CORS)
    if path is not None and alternates_of:
        resp.headers["Link"] = alternates(path, alternates_of, fmt)
    if status != 200:
        return resp
    if content_location and path is not None:
        resp.headers["Content-Location"] = path + fmt.suffixes[0]
    if cache_control:
        resp.headers["Cache-Control"] = cache_control
    if etag:
        resp.set_etag(etag)
    if last_modified is not None:
        resp.last_modified = last_modified
    if not lazy and (etag is not None or last_modified is not None):
        resp.make_conditional(request)  # 304 when the client's copy is current
    return resp
