"""The analysts' API: the canned queries at ``/queries`` and ``/queries/<name>``.

Parameters come from the query string and are bound, never spliced. The answer is an HTML
table for browsers, or SPARQL JSON / CSV / TSV by suffix (``.json`` ``.csv`` ``.tsv``) or
``Accept``. A bad parameter gets 400 naming the valid values.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request, url_for

from ..core import formats
from ..core.queries import (
    COUNTRY_CODES,
    CannedQuery,
    ParameterError,
    bind,
    catalogue,
    sorted_lists,
    substitute,
)
from ..core.store import parse_json_bindings
from .negotiate import NotAcceptableFormat, first_choice, pick, wants_html
from .sparql import request_client
from .state import state

bp = Blueprint("queries", __name__)

TABLE_FORMATS = [formats.by_name(n) for n in ("json", "csv", "tsv")]
SUFFIX = {".json": "json", ".csv": "csv", ".tsv": "tsv", ".html": "html"}


def country_codes() -> frozenset[str]:
    """The enlargement countries' codes, once per graph version."""
    gs = state()

    def make() -> frozenset[str]:
        return frozenset(str(r["code"]) for r in gs.store.select(COUNTRY_CODES))

    return gs.service.memo.get("country-codes", make)


def _describe(q: CannedQuery) -> dict:
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "question": q.question,
        "columns": list(q.columns),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "example": p.example,
                "description": p.description,
            }
            for p in q.params
        ],
        "url": url_for("queries.run", name=q.name, _external=False),
        "example": url_for("queries.run", name=q.name, **q.example_args()),
    }


@bp.get("/queries")
@bp.get("/queries.json")
@bp.get("/queries.html")
def index():
    items = [_describe(q) for q in catalogue().values()]
    suffix = request.path.rsplit(".", 1)[-1] if "." in request.path else None
    if suffix == "json" or (
        suffix is None and not wants_html() and first_choice() == "application/json"
    ):
        resp = Response(json.dumps({"queries": items}, indent=2), mimetype="application/json")
    else:
        resp = Response(render_template("queries.html", queries=items), mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    return resp


@bp.get("/queries/<path:name>")
def run(name: str):
    suffix = None
    for s in SUFFIX:
        if name.endswith(s):
            name, suffix = name[: -len(s)], s
            break
    q = catalogue().get(name)
    if q is None:
        abort(404, f"no canned query named {name!r}; see /queries for the list")
    args = {k: v for k, v in request.args.items() if k != "format"}
    try:
        bindings = bind(q, args, countries=set(country_codes()))
    except ParameterError as exc:
        abort(400, str(exc))
    if suffix == ".html" or (suffix is None and wants_html()):
        fmt = None
    elif suffix:
        fmt = formats.by_name(SUFFIX[suffix])
    else:
        fmt = pick(TABLE_FORMATS, default=TABLE_FORMATS[0])
        if fmt is None:
            raise NotAcceptableFormat(TABLE_FORMATS)
    out = fmt or TABLE_FORMATS[0]
    service = state().service
    result, hit = service.run(
        substitute(q.text, bindings),
        result_format=TABLE_FORMATS[0],  # JSON, rewritten once per version and format:
        graph_format=formats.by_name("turtle"),
        transform=(f"sorted-lists:{out.name}", lambda r: sorted_lists(r, out)),
        client=request_client(service, request.environ),
    )
    if fmt is None:
        rows = parse_json_bindings(result.body)
        body = render_template(
            "query.html",
            q=_describe(q),
            params=q.params,
            args=args,
            rows=rows,
            columns=q.columns,
            downloads={
                s[1:]: url_for("queries.run", name=q.name + s, **args)
                for s in (".json", ".csv", ".tsv")
            },
        )
        resp = Response(body, mimetype="text/html")
    else:
        resp = Response(result.body, content_type=fmt.content_type)
        if fmt.name in ("csv", "tsv"):
            resp.headers["Content-Disposition"] = f'inline; filename="{q.name}.{fmt.name}"'
    resp.headers["Vary"] = "Accept"
    resp.headers["X-Cache"] = "hit" if hit else "miss"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
