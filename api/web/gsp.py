"""The SPARQL 1.1 Graph Store HTTP Protocol (W3C Recommendation 2013) at ``/store``.

Graphs are identified indirectly (§4.2): ``/store?graph=IRI`` names a named graph,
``/store?default`` the default graph, ``/store`` alone the graph store itself. (Direct
identification, §4.1, would need the graphs' own IRIs to resolve here; they live under
``https://w3id.org/eu-enlargement/graph/``.)

- §5.2 GET / §5.6 HEAD: the graph as Turtle, N-Triples, JSON-LD or RDF/XML (negotiated), 404
  if there is no such graph; GET ``/store`` is the whole dataset as TriG or N-Quads. Reads
  are public, like ``/sparql``, and carry CORS headers.
- §5.3 PUT: replace the graph (201 Created if it is new, else 204 No Content).
- §5.4 DELETE: remove the graph (204; 404 if there is none; the default graph is emptied).
- §5.5 POST: merge the payload into the graph (201 if new, else 204), ``multipart/form-data``
  parts merged together; POST to ``/store`` makes a new graph and answers 201 Created with
  its IRI in ``Location``.
- Payloads: Turtle, N-Triples, RDF/XML, JSON-LD; 415 for other media types, 400 for RDF
  that does not parse. Writes follow ``writes.py``: off by default (403), a bearer token
  (401), validated by the shapes (409 with the report), atomic, no CORS.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Blueprint, Response, abort, request

from ..core import formats, iris
from ..core.formats import Format
from ..core.guard import check_iri
from ..core.store import QueryRefused
from ..core.untrusted import parse_graph
from ..core.writes import (
    DeleteGraph,
    ParsedGraph,
    PostGraph,
    PutGraph,
    check_graph_iri,
)
from . import writes
from .bodies import payload_contexts, read_body
from .negotiate import representation
from .publish import base_url
from .respond import CORS, rdf_response
from .state import state

bp = Blueprint("gsp", __name__)

GRAPH_FORMATS: list[Format] = [
    formats.by_name(n) for n in ("turtle", "ntriples", "jsonld", "rdfxml")
]
DATASET_FORMATS: list[Format] = [formats.by_name(n) for n in ("trig", "nquads")]
READS = "GET, HEAD, OPTIONS"
ALL_METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


@dataclass(frozen=True)
class Target:
    """What a request addresses (§4.2): a named graph, the default graph (``graph`` None),
    or the graph store itself."""

    graph: str | None
    store: bool = False


def target() -> Target:
    args = request.args
    graphs = args.getlist("graph")
    if len(graphs) > 1:
        abort(400, f"exactly one 'graph' parameter is allowed, got {len(graphs)}")
    if graphs and "default" in args:
        abort(
            400,
            "a request names either ?graph=IRI or ?default, not both (Graph Store Protocol §4.2)",
        )
    if graphs:
        try:
            return Target(check_iri(check_graph_iri(graphs[0]), what="graph IRI"))
        except QueryRefused as exc:
            abort(400, str(exc))
    if "default" in args:
        return Target(None)
    return Target(None, store=True)


def _pick(offered: list[Format]) -> Format:
    """Negotiate as everywhere (:func:`.negotiate.representation`), leniently: an ``Accept``
    entry with parameters (``text/turtle; charset=latin1``) matches its media type."""
    return representation(offered, default=offered[0], lenient=True)


@bp.route("/store", methods=["GET", "HEAD"], provide_automatic_options=False)
def read():
    """§5.2 GET and §5.6 HEAD."""
    t = target()
    store = state().store
    if t.store:
        fmt = _pick(DATASET_FORMATS)
        body: bytes | None = store.dump(fmt)
    else:
        fmt = _pick(GRAPH_FORMATS)
        if not store.has("read_graph"):
            abort(501, "this backend cannot serve single graphs; use /sparql")
        body = store.read_graph(t.graph, fmt)
        if body is None:
            abort(404, f"there is no graph <{t.graph}> in the store")
    return rdf_response(fmt, body)


@bp.route("/store", methods=["PUT", "POST", "DELETE"], provide_automatic_options=False)
def write():
    """§5.3 PUT, §5.4 DELETE, §5.5 POST."""
    writer, denied = writes.authorize()
    if denied is not None:
        return denied
    t = target()
    if t.store and request.method != "POST":
        return _not_allowed(
            f"{request.method} on the graph store itself is not supported; "
            "name a graph with ?graph=IRI or ?default"
        )
    if request.method == "DELETE":
        result = writes.perform(writer, DeleteGraph(t.graph))
        return result if isinstance(result, Response) else writes.written(result)
    if t.store:  # §5.5: a new graph, named by the service
        graph = str(iris.graph_for(f"store/{uuid.uuid4()}"))
        result = writes.perform(writer, PutGraph(graph, payload(base_iri=graph)))
        if isinstance(result, Response):
            return result
        resp = writes.written(result, status=201)
        resp.headers["Location"] = graph
        return resp
    op_class = PutGraph if request.method == "PUT" else PostGraph
    result = writes.perform(
        writer, op_class(t.graph, payload(base_iri=t.graph or base_url() + "store"))
    )
    if isinstance(result, Response):
        return result
    return writes.written(result, status=201 if result.created else 204)


@bp.route("/store", methods=["OPTIONS"])
def options():
    """The methods of ``/store``; CORS preflight is answered for reads only."""
    resp = Response(status=204)
    resp.headers["Allow"] = ALL_METHODS
    resp.headers.update(CORS)
    resp.headers["Access-Control-Allow-Methods"] = READS
    resp.headers["Access-Control-Allow-Headers"] = "Accept"
    resp.headers["Access-Control-Max-Age"] = "86400"
    return resp


def _not_allowed(message: str) -> Response:
    from .errors import error_response

    return error_response(405, message, headers={"Allow": "GET, HEAD, POST, OPTIONS"})


def _format_of(media_type: str | None) -> Format:
    fmt = formats.by_media_type(media_type, "rdf") if media_type else None
    if fmt is None or fmt not in GRAPH_FORMATS:
        abort(
            415,
            f"a graph is sent as {', '.join(f.media_type for f in GRAPH_FORMATS)} "
            f"(or multipart/form-data of those); got {media_type or 'no Content-Type'}",
        )
    return fmt


def payload(*, base_iri: str) -> ParsedGraph:
    """The RDF payload of a PUT or POST, parsed (400 if it does not parse, 415 for a media
    type that is not a graph syntax). An empty body without a type is the empty graph."""
    mimetype = (request.mimetype or "").lower()
    data = read_body()  # all of it, or 413 before anything is parsed
    contexts = payload_contexts()
    if mimetype == "multipart/form-data":  # §5.5: each part is RDF, merged together
        if request.form:
            abort(
                400, "each part of a multipart/form-data graph is a file with its own Content-Type"
            )
        triples: tuple = ()
        for _, part in request.files.items(multi=True):
            fmt = _format_of(part.mimetype)
            parsed = parse_graph(part.read(), fmt, base_iri=base_iri, contexts=contexts)
            triples += parsed.triples
        return ParsedGraph(triples)
    if not mimetype and not data:
        return ParsedGraph(())
    return parse_graph(data, _format_of(mimetype), base_iri=base_iri, contexts=contexts)
