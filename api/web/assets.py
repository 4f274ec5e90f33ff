"""Static files (``web/static``: the editor's script, vendored YASGUI) served with an
``ETag``, a year's caching when the URL names the file's digest (:func:`asset_url`), and gzip
for clients that accept it, instead of Flask's default handler (no caching, no
compression)."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, Flask, Response, abort, request, url_for
from werkzeug.security import safe_join

bp = Blueprint("assets", __name__)  # no routes of its own: it replaces the ``static`` view

#: Compressible static files, gzipped for clients that accept it.
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
#: A versioned asset URL (``?v=`` its digest) never changes; any other is revalidated.
ASSET_CACHING = "public, max-age=31536000, immutable"
UNVERSIONED_CACHING = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    digest: str
    mimetype: str


@lru_cache(maxsize=64)
def load_asset(path: str, mtime_ns: int) -> Asset:
    """A static file read once (per modification time), its digest and its gzip form."""
    with open(path, "rb") as f:
        body = f.read()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    packed = gzip.compress(body, 6, mtime=0) if mimetype.startswith(_TEXT_TYPES) else None
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(body, packed if packed and len(packed) < len(body) else None, digest, mimetype)


def _asset(filename: str) -> Asset | None:
    from flask import current_app

    path = safe_join(current_app.static_folder or "", filename)
    if path is None or not os.path.isfile(path):
        return None
    return load_asset(path, os.stat(path).st_mtime_ns)


def asset_url(filename: str) -> str:
    """The URL of a static file, versioned by its digest (cached for a year)."""
    found = _asset(filename)
    return url_for("static", filename=filename, v=found.digest if found else None)


def static_asset(filename: str) -> Response:
    """A static file with an ``ETag``, cached a year when its URL names its digest (else
    five minutes), gzipped when the client accepts it."""
    found = _asset(filename)
    if found is None:
        abort(404, f"no static file {filename!r}")
    zipped = found.gzipped is not None and request.accept_encodings["gzip"] > 0
    resp = Response(found.gzipped if zipped else found.body, mimetype=found.mimetype)
    resp.set_etag(found.digest + ("-gz" if zipped else ""))
    if zipped:
        resp.headers["Content-Encoding"] = "gzip"
    versioned = request.args.get("v") == found.digest
    resp.headers["Cache-Control"] = ASSET_CACHING if versioned else UNVERSIONED_CACHING
    resp.headers["Vary"] = "Accept-Encoding"
    return resp.make_conditional(request)


def init_app(app: Flask) -> None:
    """Static files (``web/static``: the editor's script, vendored YASGUI) served by
    :func:`static_asset` rather than Flask's default (no caching, no compression)."""
    if "static" in app.view_functions:
        app.view_functions["static"] = static_asset
