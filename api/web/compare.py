"""``/compare``: the ten enlargement countries x the 35 chapters (and x the six clusters) on
a day, ``?date=YYYY-MM-DD`` (today by default), each cell linking to the facts behind it
(``core/compare.py``). The same cells as CSV (``/compare.csv``, one row per country and
chapter; ``?table=clusters`` for the clusters) and JSON (``/compare.json``), or by
``Accept``. Rendered once per graph version, day and format (``gs.pages``), with an
``ETag`` and revalidation like the other pages.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from ..core import compare, formats
from ..core.formats import HTML, Format
from .errors import error_response
from .fastpath.render_cache import Rendered
from .negotiate import NotAcceptableFormat, pick
from .respond import digest
from .state import state

bp = Blueprint("compare", __name__)

CSV = formats.by_name("csv")
JSON = Format("json", "application/json", "table", (".json",))
OFFERED: list[Format] = [HTML, CSV, JSON]
TABLES = ("chapters", "clusters")


def asked_day() -> str | Response:
    """The day of ``?date=`` (today, UTC, by default), or a 400 naming the expected form."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        return compare.day_asked(request.args.get("date"), today=today)
    except ValueError as exc:
        return error_response(400, str(exc))


@bp.get("/compare", defaults={"suffix": None})
@bp.get("/compare.<suffix>")
def matrix(suffix: str | None) -> ResponseReturnValue:
    fmt = pick(OFFERED, suffix="." + suffix if suffix else None, default=HTML)
    if fmt is None:
        if suffix:
            return error_response(404, f"no /compare.{suffix}: try .csv or .json")
        raise NotAcceptableFormat(OFFERED)
    on = asked_day()
    if isinstance(on, Response):
        return on
    table = request.args.get("table", "chapters")
    if table not in TABLES:
        return error_response(400, f"table={table!r}: use one of {', '.join(TABLES)}")
    gs = state()
    key = ("compare", gs.service.version, on, fmt.name, table if fmt is CSV else "")
    out = gs.pages.get_or_render(key, lambda: render(on, fmt, table))
    resp = Response(out.body, content_type=out.content_type)
    resp.headers["Cache-Control"] = "public, no-cache"
    resp.headers["Vary"] = "Accept"
    if fmt is not HTML:
        resp.headers["Access-Control-Allow-Origin"] = "*"
    if fmt is CSV:
        resp.headers["Content-Disposition"] = f'inline; filename="compare-{table}-{on}.csv"'
    resp.set_etag(out.etag or "")
    from .ld import last_modified  # ld imports this module

    modified = last_modified()
    if modified is not None:
        resp.last_modified = modified
    return resp.make_conditional(request)


def render(on: str, fmt: Format, table: str) -> Rendered:
    view = compare.compare_view(state().store, on=on)
    if fmt is CSV:
        if table == "clusters":
            text = compare.as_csv(compare.cluster_records(view), compare.CLUSTER_COLUMNS)
        else:
            text = compare.as_csv(compare.chapter_records(view), compare.CHAPTER_COLUMNS)
    elif fmt is JSON:
        text = json.dumps(compare.as_json(view), ensure_ascii=False, indent=1) + "\n"
    else:
        text = render_template("compare.html", v=view, rule=compare.RULE)
    body = text.encode("utf-8")
    return Rendered(200, body, fmt.content_type, digest(body))
