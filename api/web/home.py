"""The entry page ``/``: the ten enlargement countries with their accession status and
chapter counts, the clusters and chapters, and where to go next (SPARQL, canned queries,
ontology, validation, downloads, catalogue). HTML only; no JavaScript."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, render_template, request

from ..core.negotiation_pages import home_view
from .fastpath.render_cache import Rendered
from .ld import last_modified
from .state import state

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    gs = state()

    def render() -> Rendered:
        body = render_template("home.html", v=home_view(gs.store)).encode("utf-8")
        return Rendered(
            200, body, "text/html; charset=utf-8", hashlib.sha256(body).hexdigest()[:32]
        )

    out = gs.pages.get_or_render(("home", gs.service.version), render)
    resp = Response(out.body, content_type=out.content_type)
    resp.headers["Cache-Control"] = "public, no-cache"
    resp.set_etag(out.etag or "")
    modified = last_modified()
    if modified is not None:
        resp.last_modified = modified
    return resp.make_conditional(request)
