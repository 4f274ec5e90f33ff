"""The SPARQL 1.1 endpoint at ``/sparql`` (SPARQL 1.1 Protocol, W3C Recommendation 2013).

- §2.1.1 query via GET, §2.1.2 via URL-encoded POST, §2.1.3 via POST directly;
- §2.1.4 the dataset: ``default-graph-uri`` / ``named-graph-uri``;
- §2.2 update (off unless the service runs with writes switched on);
- SPARQL 1.1 Service Description §3: ``GET /sparql`` without a query describes the service.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from ..core import formats
from ..core.formats import RDF_FORMATS, RESULT_FORMATS
from ..core.guard import query_form
from ..core.store import Dataset
from .negotiate import NotAcceptableFormat, pick, wants_html
from .state import state

bp = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
SD_FORMATS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML",
              "csv": "SPARQL_Results_CSV", "tsv": "SPARQL_Results_TSV", "turtle": "Turtle",
              "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF_XML",
              "trig": "TriG", "nquads": "N-Quads"}
CORS = {"Access-Control-Allow-Origin": "*"}


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, f"the {what} is not valid UTF-8")


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        abort(400, f"exactly one '{name}' parameter is allowed, got {len(values)}")
    return values[0] if values else None


def _read_operation() -> tuple[str | None, str | None, Dataset]:
    """(query, update, dataset) from the request, per SPARQL 1.1 Protocol §2.1 and §2.2."""
    if request.method == "GET":
        if request.args.getlist("update"):
            abort(400, "updates must be sent with POST (SPARQL 1.1 Protocol §2.2)")
        query = _single(request.args.getlist("query"), "query")
        update = None
        params = request.args
    else:
        ctype = (request.mimetype or "").lower()
        if ctype == "application/x-www-form-urlencoded":
            raw = request.get_data(cache=True)
            _text(raw, "request body")
            form = request.form
            query = _single(form.getlist("query"), "query")
            update = _single(form.getlist("update"), "update")
            if query is not None and update is not None:
                abort(400, "a request carries either 'query' or 'update', not both")
            params = form
            # §2.1.2: dataset parameters may also sit in the body
            merged = {k: form.getlist(k) + request.args.getlist(k)
                      for k in ("default-graph-uri", "named-graph-uri",
                                "using-graph-uri", "using-named-graph-uri")}
            return query, update, _dataset(merged)
        if ctype == "application/sparql-query":
            query, update, params = _text(request.get_data(), "query"), None, request.args
        elif ctype == "application/sparql-update":
            query, update, params = None, _text(request.get_data(), "update"), request.args
        else:
            abort(415, "POST a query as application/sparql-query or "
                       "application/x-www-form-urlencoded, an update as "
                       "application/sparql-update; got " + (ctype or "no Content-Type"))
    merged = {k: params.getlist(k) for k in ("default-graph-uri", "named-graph-uri",
                                             "using-graph-uri", "using-named-graph-uri")}
    return query, update, _dataset(merged)


def _dataset(params: dict[str, list[str]]) -> Dataset:
    return Dataset(tuple(params.get("default-graph-uri", []) + params.get("using-graph-uri", [])),
                   tuple(params.get("named-graph-uri", []) +
                         params.get("using-named-graph-uri", [])))


@bp.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint():
    query, update, dataset = _read_operation()
    if update is not None:
        from . import writes

        return writes.update(update, dataset)
    if query is None:
        if request.method == "GET":
            return service_description()
        abort(400, "no 'query' parameter in the request")
    form = query_form(query)
    graph_query = form in ("CONSTRUCT", "DESCRIBE")
    if graph_query:
        fmt = pick(RDF_FORMATS, default=formats.by_name("turtle"))
        if fmt is None:
            raise NotAcceptableFormat(list(RDF_FORMATS))
        result_fmt, graph_fmt = formats.by_name("json"), fmt
    else:
        fmt = pick(RESULT_FORMATS, default=formats.by_name("json"))
        if fmt is None:
            if wants_html():
                fmt = formats.by_name("json")
            else:
                raise NotAcceptableFormat(list(RESULT_FORMATS))
        result_fmt, graph_fmt = fmt, formats.by_name("turtle")
    result, hit = state().service.run(query, result_format=result_fmt, graph_format=graph_fmt,
                                      dataset=dataset)
    resp = Response(result.body, status=200, content_type=result.format.content_type)
    resp.headers["Vary"] = "Accept"
    resp.headers["X-Cache"] = "hit" if hit else "miss"
    resp.headers.update(CORS)
    return resp


@bp.route("/sparql", methods=["OPTIONS"])
def preflight():
    """CORS preflight: reads from any origin; writes carry no CORS headers."""
    resp = Response(status=204)
    resp.headers.update(CORS)
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    resp.headers["Access-Control-Max-Age"] = "86400"
    return resp


def description_graph() -> Graph:
    """SPARQL 1.1 Service Description §3 of this endpoint."""
    gs = state()
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS_NS)
    endpoint_iri = URIRef(url_for("sparql.endpoint", _external=True))
    svc = BNode("service")
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, endpoint_iri))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    if gs.settings.writable:
        g.add((svc, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    for f in RESULT_FORMATS + RDF_FORMATS:
        g.add((svc, SD.resultFormat, FORMATS_NS[SD_FORMATS[f.name]]))
    g.add((svc, RDFS.label, Literal("enlargement-kg SPARQL endpoint", lang="en")))
    g.add((svc, RDFS.comment, Literal(
        f"Read-only unless writes are switched on. Every query has a time limit of "
        f"{gs.settings.query_timeout:g} s and a result cap of {gs.settings.max_rows} rows; "
        f"request bodies are capped at {gs.settings.max_body} bytes. SERVICE, LOAD and "
        "file: IRIs are refused. The default graph is the union of the named graphs.",
        lang="en")))
    ds = BNode("dataset")
    g.add((svc, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    dg = BNode("defaultGraph")
    g.add((ds, SD.defaultGraph, dg))
    g.add((dg, RDF.type, SD.Graph))
    info = gs.store.info()
    g.add((dg, URIRef("http://rdfs.org/ns/void#triples"), Literal(info.triples, datatype=XSD.integer)))
    for name in info.details.get("graphs", []):
        ng = BNode()
        g.add((ds, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
    return g


def service_description():
    if wants_html():
        return render_template("sparql.html", endpoint=url_for("sparql.endpoint"))
    offered = [formats.by_name(n) for n in ("turtle", "rdfxml", "jsonld", "ntriples")]
    fmt = pick(offered, default=offered[0])
    if fmt is None:
        raise NotAcceptableFormat(offered)
    body = description_graph().serialize(format={"turtle": "turtle", "rdfxml": "xml",
                                                 "jsonld": "json-ld", "ntriples": "nt"}[fmt.name])
    resp = Response(body, content_type=fmt.content_type)
    resp.headers["Vary"] = "Accept"
    resp.headers.update(CORS)
    return resp
