"""``/openapi.json``: the OpenAPI 3.1 description of the HTTP API (``openapi.json`` beside
this module: every route, its parameters, request bodies and responses), for partners' tools
and for the tests' fuzzer. ``tests/security/test_fuzz.py`` holds it to ``app.url_map``: a
route added without its description fails there."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, request

from .respond import CORS, digest

bp = Blueprint("openapi", __name__)

PATH = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def document() -> bytes:
    """The description's bytes (read once per process)."""
    return PATH.read_bytes()


@bp.get("/openapi.json")
def openapi():
    body = document()
    resp = Response(body, content_type="application/json")
    resp.headers.update(CORS)
    resp.headers["Cache-Control"] = "public, no-cache"
    resp.set_etag(digest(body))
    return resp.make_conditional(request)
