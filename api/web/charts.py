"""Charts of a country, server-rendered SVG (``core/charts.py``), each with its data one
click away.

- ``/charts/<chart>/<CODE>.svg``: the chart (``cfsp``, ``chapters``, ``preparation``,
  ``timeline``) of one of the ten countries, ``image/svg+xml``; works without JavaScript.
- ``/charts/<chart>/<CODE>.csv`` and ``.json``: exactly the rows the chart draws, one per mark.
- ``/charts``: every chart of the ten countries.
- :func:`country_charts`, also a template global: a country's charts to embed in its page
  (``templates/_charts.html``).

The rows come from the canned queries, run through the query service as ``/queries/<name>``
runs them (same cache entries), so a chart agrees with its query. A rendered chart is kept per
graph version in the page cache (``web/fastpath/render_cache.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..core import formats
from ..core.charts import (
    COLUMNS,
    TITLES,
    Chart,
    cfsp_chart,
    chapters_chart,
    preparation_chart,
    timeline_chart,
)
from ..core.coverage import REPORT_YEARS, has_report
from ..core.negotiation import negotiating_structure
from ..core.queries import bind, catalogue, sorted_lists, substitute
from ..core.store import parse_json_bindings
from .fastpath.render_cache import Rendered
from .queries import country_codes
from .state import state

bp = Blueprint("charts", __name__)

CHARTS = tuple(TITLES)
JSON = formats.by_name("json")
TURTLE = formats.by_name("turtle")
SUFFIXES = {
    "svg": "image/svg+xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
ENL = "https://w3id.org/eu-enlargement/ontology#"


def canned(name: str, **args: str) -> list[dict[str, str]]:
    """The rows of the canned query ``name`` with ``args``, as ``/queries/<name>.json``
    answers them (the same cache entry), each value as its text."""
    q = catalogue()[name]
    bindings = bind(q, args, countries=set(country_codes()))
    result, _ = state().service.run(
        substitute(q.text, bindings),
        result_format=JSON,
        graph_format=TURTLE,
        transform=("sorted-lists:json", lambda r: sorted_lists(r, JSON)),
    )
    return [{k: str(v) for k, v in row.items()} for row in parse_json_bindings(result.body)]


def _names() -> dict[str, dict[Any, Any]]:
    """Labels the charts show, once per graph version: countries, measuring bodies, chapters
    (name and cluster)."""
    gs = state()

    def make() -> dict[str, dict[Any, Any]]:
        countries = gs.store.select(
            f"SELECT ?code ?label WHERE {{ ?c a <{ENL}EnlargementCountry> ; "
            f"<{ENL}iso3166Alpha3> ?code ; <http://www.w3.org/2004/02/skos/core#prefLabel> "
            "?label }"
        )
        bodies = gs.store.select(
            f"SELECT DISTINCT ?o ?label WHERE {{ ?r a <{ENL}CFSPAlignmentRate> ; "
            f"<{ENL}measuredBy> ?o . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
        )
        items = [i for i in negotiating_structure(gs.store) if i.number is not None]
        return {
            "countries": {str(r["code"]): str(r["label"]) for r in countries},
            "bodies": {str(r["o"]).rsplit("/", 1)[-1]: str(r["label"]) for r in bodies},
            "chapters": {i.number: i.label for i in items},
            "clusters": {i.number: i.cluster_number for i in items if i.cluster_number},
        }

    return gs.service.memo.get("chart-names", make)


def build(name: str, code: str) -> Chart:
    """The chart ``name`` of the country ``code`` (both checked by the caller)."""
    names = _names()
    country = names["countries"].get(code, code)
    if name == "cfsp":
        rows = canned("cfsp-alignment", country=code)
        return cfsp_chart(rows, code=code, country=country, bodies=names["bodies"])
    if name == "chapters":
        return chapters_chart(
            canned("country-timeline", country=code),
            names["clusters"],
            code=code,
            country=country,
            until=dt.date.today().isoformat(),
        )
    if name == "preparation":
        return preparation_chart(
            canned("preparation-levels", country=code),
            code=code,
            country=country,
            names=names["chapters"],
            years=REPORT_YEARS,
            has_report=lambda year: has_report(code, year),
        )
    return timeline_chart(
        canned("country-timeline", country=code),
        canned("nato-pfp"),
        canned("sdp-signatories"),
        canned("safe-participants"),
        code=code,
        country=country,
    )


def rendered(name: str, code: str, suffix: str) -> Rendered:
    """The chart as SVG, or its rows as CSV or JSON, made once per graph version."""
    gs = state()

    def render() -> Rendered:
        chart = build(name, code)
        if suffix == "svg":
            body = chart.svg.encode("utf-8")
        elif suffix == "csv":
            body = rows_csv(chart)
        else:
            body = json.dumps(
                {"chart": name, "country": code, "title": chart.title, "rows": chart.rows},
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8")
        etag = hashlib.sha256(body).hexdigest()[:32]
        return Rendered(200, body, SUFFIXES[suffix], etag)

    return gs.pages.get_or_render(("chart", gs.service.version, name, code, suffix), render)


def rows_csv(chart: Chart) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(chart.columns), lineterminator="\r\n")
    w.writeheader()
    w.writerows(chart.rows)
    return buf.getvalue().encode("utf-8")


def country_charts(code: str) -> list[tuple[str, Markup, str]]:
    """``code``'s charts to embed in a page: (title, the SVG, the URL of its rows as CSV)."""
    code = code.upper()
    if code not in country_codes():
        return []
    out = []
    for name in CHARTS:
        svg = rendered(name, code, "svg").body.decode("utf-8")
        title = f"{TITLES[name]}: {_names()['countries'].get(code, code)}"
        out.append((title, Markup(svg), url_for("charts.chart", name=name, file=f"{code}.csv")))
    return out


def _checked(name: str, file: str) -> tuple[str, str]:
    stem, _, suffix = file.rpartition(".")
    if name not in CHARTS:
        abort(404, f"no chart named {name!r}; the charts are {', '.join(CHARTS)}")
    if suffix not in SUFFIXES or not stem:
        abort(404, f"{file!r}: ask for CODE.svg, CODE.csv or CODE.json")
    codes = country_codes()
    if stem.upper() not in codes:
        abort(404, f"no country {stem!r}; the countries are {', '.join(sorted(codes))}")
    return stem.upper(), suffix


@bp.get("/charts/<name>/<file>")
def chart(name: str, file: str) -> ResponseReturnValue:
    code, suffix = _checked(name, file)
    out = rendered(name, code, suffix)
    resp = Response(out.body, content_type=out.content_type)
    resp.headers["Cache-Control"] = "public, no-cache"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    if suffix == "csv":
        resp.headers["Content-Disposition"] = f'inline; filename="{name}-{code}.csv"'
    resp.set_etag(out.etag or "")
    return resp.make_conditional(request)


@bp.get("/charts")
def index() -> ResponseReturnValue:
    gs = state()

    def render() -> Rendered:
        countries = sorted(_names()["countries"].items(), key=lambda kv: kv[1])
        body = render_template(
            "charts.html", charts=[(n, TITLES[n]) for n in CHARTS], countries=countries
        ).encode("utf-8")
        etag = hashlib.sha256(body).hexdigest()[:32]
        return Rendered(200, body, "text/html; charset=utf-8", etag)

    out = gs.pages.get_or_render(("charts", gs.service.version), render)
    resp = Response(out.body, content_type=out.content_type)
    resp.headers["Cache-Control"] = "public, no-cache"
    resp.set_etag(out.etag or "")
    return resp.make_conditional(request)


def init_app(app: Flask) -> None:
    """Templates may call ``country_charts(code)`` (``_charts.html``)."""
    app.jinja_env.globals["country_charts"] = country_charts


__all__ = ["COLUMNS", "CHARTS", "bp", "country_charts", "init_app"]
