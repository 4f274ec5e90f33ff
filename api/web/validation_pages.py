"""Validation as a service: ``/-/validation`` shows the served graph's report, and
``POST /validate`` checks a partner's data against the shapes, with the ontology and the
reference data, without touching the served graph."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, abort, render_template, request

from ..core import formats
from ..core.coverage import TIERS, facts_by_tier
from ..core.governance import country_of, matrix
from ..core.iris import ENLARGEMENT_COUNTRIES
from ..core.namespaces import sparql_prologue
from ..core.resources import data_dir
from ..core.untrusted import parse_rdflib
from ..core.validation import ValidationReport, load_graph, ontology_graph, validate
from .bodies import payload_contexts, read_body
from .fastpath.render_cache import Rendered
from .negotiate import best_media_type, wants_html
from .publish import base_url
from .state import state

bp = Blueprint("validation_pages", __name__)

TURTLE = formats.by_name("turtle")
#: the media types a payload may come in (each format's own, and Turtle's old alias)
PAYLOAD_FORMATS = {
    f.media_type: f for f in map(formats.by_name, ("turtle", "jsonld", "ntriples", "rdfxml"))
} | {alias: TURTLE for alias in TURTLE.aliases}
#: a report is offered as JSON (the default), Turtle or a page
REPORT_TYPES = ("application/json", TURTLE.media_type, formats.HTML.media_type)


def _respond(report: ValidationReport, *, html: str | None, suffix: str | None):
    if suffix == "ttl" or (suffix is None and best_media_type(REPORT_TYPES) == TURTLE.media_type):
        resp = Response(report.to_turtle(), content_type=TURTLE.content_type)
    elif suffix == "json" or html is None or not (suffix == "html" or wants_html()):
        resp = Response(report.to_json(), mimetype="application/json")
    else:
        resp = Response(html, mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    return resp


@bp.get("/-/validation")
@bp.get("/-/validation.<suffix>")
def current(suffix: str | None = None):
    if suffix not in (None, "json", "ttl", "html"):
        abort(404, "the validation report is offered as .html, .json and .ttl")
    gs = state()
    report = gs.report
    if report is None:
        abort(
            503, "this store carries no validation report; rebuild it with `enlargement-kg build`"
        )
    html = None
    if suffix in (None, "html"):  # rendered once per graph version (web/fastpath/render_cache)
        key = ("validation-page", gs.service.version)
        page = gs.pages.get_or_render(key, lambda: Rendered(200, _page(gs).encode(), HTML, None))
        html = page.body.decode("utf-8")
    return _respond(report, html=html, suffix=suffix)


HTML = formats.HTML.media_type


def _page(gs) -> str:
    """The report as a page: its results grouped by shape and country, the governance rules
    and the facts by reliability tier."""
    report = gs.report
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in report.results:
        shape = r.shape.rsplit("#", 1)[-1] if r.shape.startswith("http") else "(property)"
        grouped[shape][country_of(r.focus) or "other"].append(r)
    best, single = facts_by_tier(lambda q: gs.store.select(sparql_prologue() + q))
    return render_template(
        "validation.html",
        report=report,
        grouped=grouped,
        rules=matrix(report, gs.store),
        countries=ENLARGEMENT_COUNTRIES,
        tiers=TIERS,
        by_tier=best,
        single=single,
    )


@bp.post("/validate")
def validate_payload():
    """Validate the posted Turtle / JSON-LD / N-Triples / RDF-XML together with the ontology
    and the reference data (countries, chapters, code lists, governance); 400 on bad RDF
    (and on hostile RDF: core/untrusted.py), 413 over the size limit, 415 for other media
    types. Relative IRIs resolve against this endpoint's URL."""
    fmt = PAYLOAD_FORMATS.get((request.mimetype or "").lower())
    if fmt is None:
        abort(
            415,
            "POST the data as text/turtle, application/ld+json, application/n-triples "
            "or application/rdf+xml",
        )
    raw = read_body()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "the request body is not valid UTF-8")
    data = parse_rdflib(raw, fmt, base_iri=base_url() + "validate", contexts=payload_contexts())
    if len(data) == 0:
        abort(400, "the payload holds no triples")
    ref = sorted((data_dir("kg") / "reference").glob("*.ttl"))
    ref.append(data_dir("kg") / "sources" / "reference-documents.ttl")
    report = validate(data + load_graph(ref) + ontology_graph())
    return _respond(report, html=None, suffix=None)
