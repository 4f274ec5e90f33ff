"""The SPARQL 1.1 endpoint at ``/sparql`` (SPARQL 1.1 Protocol, W3C Recommendation 2013).

- §2.1.1 query via GET, §2.1.2 via URL-encoded POST, §2.1.3 via POST directly, each in
  UTF-8 only (a body declared in another charset is refused with 415);
- §2.1.4 the dataset: ``default-graph-uri`` / ``named-graph-uri``;
- §2.2 update (off unless the service runs with writes switched on);
- the service-defined base IRI (SPARQL 1.1 Query §4.1.1.1 via the Protocol): relative IRIs
  in a query resolve against :data:`BASE_IRI`, the endpoint's IRI in the project's space;
- SPARQL 1.1 Service Description §2/§3: ``GET /sparql`` without a query describes the
  service (Turtle, RDF/XML, JSON-LD, N-Triples; HTML for browsers).

The W3C Protocol and Service Description manifests run against this module over HTTP:
``tests/conformance/test_w3c_protocol.py``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from ..core import formats
from ..core.config import Settings
from ..core.formats import RDF_FORMATS, RESULT_FORMATS, Format
from ..core.guard import MAX_NESTING, check_iri, query_form
from ..core.namespaces import BASE, SD, W3C_FORMATS
from ..core.service import QueryService, client_of
from ..core.store import (
    Dataset,
    QueryResult,
    QuerySyntaxError,
    StoreError,
    parse_json_bindings,
)
from .bodies import read_body
from .editor import editor_page, wants_editor
from .negotiate import NotAcceptableFormat, pick, representation, wants_html
from .respond import CORS, rdf_response
from .state import state

bp = Blueprint("sparql", __name__)

ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
#: The service description's formats, the first by default.
DESCRIPTION_FORMATS: tuple[Format, ...] = tuple(
    formats.by_name(n) for n in ("turtle", "rdfxml", "jsonld", "ntriples")
)

#: The base IRI of every query (and the IRI of this endpoint in the project's IRI space):
#: ``<id/country/MNE>`` in a query means ``https://w3id.org/eu-enlargement/id/country/MNE``.
BASE_IRI = BASE + "sparql"
_IRIREF = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_BASE_DECL = f"BASE <{BASE_IRI}> "
_POSITION = re.compile(r"\berror at 1:(\d+)")

#: The named graphs and their sizes, and the size of the default graph (the union, with
#: each triple counted once), for the service description (§3.2.9-3.2.10, VoID §4.5).
GRAPH_SIZES = (
    "SELECT ?g (COUNT(?s) AS ?n) WHERE { { GRAPH ?g {} } UNION "
    "{ GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g"
)
DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


def _text(data: bytes, what: str) -> str:
    """The body as text: SPARQL 1.1 Protocol §2.1.2, §2.1.3, §2.2.1, §2.2.2 allow UTF-8 only."""
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() not in ("utf-8", "utf8"):
        abort(415, f"the {what} must be UTF-8 (SPARQL 1.1 Protocol §2.1); got charset={charset}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, f"the {what} is not valid UTF-8")


def with_base(query: str) -> str:
    """``query`` with :data:`BASE_IRI` declared when it holds a relative IRI reference.

    The declaration goes first, on the query's first line (:func:`unshift` takes it out of
    parser messages again); a ``BASE`` of the query's own still applies after it. A query
    without relative IRIs is returned unchanged.
    """
    if all(_ABSOLUTE.match(iri) for iri in _IRIREF.findall(query)):
        return query
    return _BASE_DECL + query


def unshift(message: str) -> str:
    """A parser message about a query :func:`with_base` extended, with the position on the
    first line counted in the query as the client sent it."""

    def fix(m: re.Match) -> str:
        return f"error at 1:{max(1, int(m.group(1)) - len(_BASE_DECL))}"

    return _POSITION.sub(fix, message, count=1)


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        abort(400, f"exactly one '{name}' parameter is allowed, got {len(values)}")
    return values[0] if values else None


def _read_operation() -> tuple[str | None, str | None, Dataset]:
    """(query, update, dataset) from the request, per SPARQL 1.1 Protocol §2.1 and §2.2."""
    if request.method in ("GET", "HEAD"):  # HEAD answers as GET does (RFC 9110 §9.3.2)
        if request.args.getlist("update"):
            abort(400, "updates must be sent with POST (SPARQL 1.1 Protocol §2.2)")
        query = _single(request.args.getlist("query"), "query")
        update = None
        params = request.args
    else:
        ctype = (request.mimetype or "").lower()
        if ctype == "application/x-www-form-urlencoded":
            raw = read_body()
            _text(raw, "request body")
            form = request.form
            query = _single(form.getlist("query"), "query")
            update = _single(form.getlist("update"), "update")
            if query is not None and update is not None:
                abort(400, "a request carries either 'query' or 'update', not both")
            params = form
            # §2.1.2: dataset parameters may also sit in the body
            merged = {
                k: form.getlist(k) + request.args.getlist(k)
                for k in (
                    "default-graph-uri",
                    "named-graph-uri",
                    "using-graph-uri",
                    "using-named-graph-uri",
                )
            }
            return query, update, _dataset(merged)
        if ctype == "application/sparql-query":
            query, update, params = _text(read_body(), "query"), None, request.args
        elif ctype == "application/sparql-update":
            query, update, params = None, _text(read_body(), "update"), request.args
        else:
            abort(
                415,
                "POST a query as application/sparql-query or "
                "application/x-www-form-urlencoded, an update as "
                "application/sparql-update; got " + (ctype or "no Content-Type"),
            )
    merged = {
        k: params.getlist(k)
        for k in (
            "default-graph-uri",
            "named-graph-uri",
            "using-graph-uri",
            "using-named-graph-uri",
        )
    }
    return query, update, _dataset(merged)


def _dataset(params: dict[str, list[str]]) -> Dataset:
    """The dataset the parameters name, each an absolute IRI (400 naming the parameter)."""
    for name, values in params.items():
        for value in values:
            check_iri(value, what=name)
    return Dataset(
        tuple(params.get("default-graph-uri", []) + params.get("using-graph-uri", [])),
        tuple(params.get("named-graph-uri", []) + params.get("using-named-graph-uri", [])),
    )


#: Where :mod:`.lane` leaves an error it met answering a request, for :func:`endpoint` to
#: raise, so that every error of the endpoint is rendered by one set of handlers.
RAISED = "enlargement_kg.sparql.raised"
JSON_RESULTS = formats.by_name("json")
TURTLE = formats.by_name("turtle")

Chooser = Callable[[list[Format], Format], "Format | None"]


def request_client(service: QueryService, environ: dict) -> str | None:
    """The client a request's queries count against (:func:`..core.service.client_of`)."""
    return client_of(
        environ.get("REMOTE_ADDR"),
        environ.get("HTTP_X_FORWARDED_FOR"),
        service.limits.trusted_proxies,
    )


def answer(
    service: QueryService,
    sent: str,
    dataset: Dataset,
    choose: Chooser,
    client: str | None = None,
) -> tuple[QueryResult, bool]:
    """The answer to the query text ``sent`` over ``dataset`` for ``client``, and whether it
    came from the cache: the query's form decides the formats on offer,
    ``choose(offered, default)`` picks one (None: :class:`NotAcceptableFormat`). Both
    :func:`endpoint` and the lane use it."""
    query = with_base(sent)
    if query_form(query) in ("CONSTRUCT", "DESCRIBE"):
        fmt = choose(RDF_FORMATS, TURTLE)
        if fmt is None:
            raise NotAcceptableFormat(list(RDF_FORMATS))
        result_fmt, graph_fmt = JSON_RESULTS, fmt
    else:
        fmt = choose(RESULT_FORMATS, JSON_RESULTS)
        if fmt is None:
            raise NotAcceptableFormat(list(RESULT_FORMATS))
        result_fmt, graph_fmt = fmt, TURTLE
    try:
        return service.run(
            query, result_format=result_fmt, graph_format=graph_fmt, dataset=dataset, client=client
        )
    except QuerySyntaxError as exc:
        if query is sent:
            raise
        raise QuerySyntaxError(unshift(str(exc))) from None


def answer_etag(version: str, sent: str, dataset: Dataset, result: QueryResult) -> str:
    """The entity tag of an answer: the answer is a function of the graph's version, the
    query text, the dataset and the format, so their digest names it (no need to hash the
    body; RFC 9110 8.8.3). A strong tag, quoted."""
    key = "\0".join((version, sent, result.format.name, repr(dataset)))
    return '"' + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + '"'


#: Every response says its Content-Type is meant (``web/__init__.py`` sets it on the rest).
NOSNIFF = ("X-Content-Type-Options", "nosniff")
#: Cache-Control of an answer. The graph of a read-only service changes only with a new
#: build, which restarts the service: clients and proxies may keep an answer five minutes
#: and then revalidate it (If-None-Match: 304). With writes on, every use revalidates.
READ_ONLY_CACHING = "public, max-age=300"
WRITABLE_CACHING = "no-cache"


def answer_headers(
    result: QueryResult, hit: bool, etag: str, *, writable: bool = False
) -> list[tuple[str, str]]:
    """The headers of a query answer (the lane sends them as they are; Flask adds
    ``Content-Length`` to the same)."""
    return [
        ("Content-Type", result.format.content_type),
        ("Vary", "Accept"),
        ("ETag", etag),
        ("Cache-Control", WRITABLE_CACHING if writable else READ_ONLY_CACHING),
        ("X-Cache", "hit" if hit else "miss"),
        *CORS.items(),
        NOSNIFF,  # the lane's answers do not pass the app's header hook
    ]


def _negotiated(offered: list[Format], default: Format) -> Format | None:
    fmt = pick(offered, default=default)
    if fmt is None and offered is RESULT_FORMATS and wants_html():
        return default  # a browser asking for a table gets JSON rather than a 406
    return fmt


@bp.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def endpoint():
    raised = request.environ.pop(RAISED, None)
    if raised is not None:
        raise raised
    query, update, dataset = _read_operation()
    if update is not None:
        from . import writes

        return writes.update(update, dataset)
    if query is None:
        if request.method in ("GET", "HEAD"):
            return service_description()
        abort(400, "no 'query' parameter in the request")
    if wants_editor():
        return editor_page(query)
    gs = state()
    client = request_client(gs.service, request.environ)
    result, hit = answer(gs.service, query, dataset, _negotiated, client)
    etag = answer_etag(gs.service.version, query, dataset, result)
    resp = Response(result.body, status=200)
    resp.headers.update(answer_headers(result, hit, etag, writable=gs.settings.writable))
    if request.method in ("GET", "HEAD") and request.if_none_match:
        resp.make_conditional(request)  # this tag: 304, no body (the lane leaves these here)
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


@dataclass(frozen=True)
class DatasetSizes:
    """Triples in the default graph (the union, each triple once) and in each named graph;
    ``None`` where the count could not be made within the query limits."""

    default_graph: int | None
    named_graphs: tuple[tuple[str, int | None], ...]


def dataset_sizes() -> DatasetSizes:
    """Count the served dataset through the query service (cached per graph version)."""
    gs = state()
    json_fmt, nt = formats.by_name("json"), formats.by_name("ntriples")
    try:
        res, _ = gs.service.run(GRAPH_SIZES, result_format=json_fmt, graph_format=nt)
        named = tuple(
            (str(row["g"]), int(row["n"]))
            for row in parse_json_bindings(res.body)
            if isinstance(row.get("g"), URIRef)
        )
    except StoreError:
        named = tuple((g, None) for g in gs.store.info().details.get("graphs", []))
    try:
        res, _ = gs.service.run(DEFAULT_GRAPH_SIZE, result_format=json_fmt, graph_format=nt)
        default = int(parse_json_bindings(res.body)[0]["n"])
    except StoreError:
        default = None
    return DatasetSizes(default, named)


def endpoint_iri() -> URIRef:
    """The URL clients reach this endpoint at: under the service's public base
    (:func:`.publish.base_url`, never the request's ``Host``)."""
    from .publish import base_url

    return URIRef(base_url().rstrip("/") + url_for("sparql.endpoint"))


def description_graph() -> Graph:
    """SPARQL 1.1 Service Description of this endpoint: the service (§3.2.1) with its
    endpoint (§3.4.1), languages (§3.4.10), features (§3.3.2), entailment regime (§3.4.3),
    result formats (§3.4.14) and default dataset (§3.2.9-3.2.10: the default graph and every
    named graph with its size, VoID §4.5); the limits are stated in ``rdfs:comment`` (the
    vocabulary has no terms for them)."""
    settings = state().settings
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", W3C_FORMATS)
    g.bind("void", VOID)
    svc = BNode("service")
    _describe_service(g, svc, settings)
    g.add((svc, RDFS.comment, Literal(limits_note(settings), lang="en")))
    _describe_dataset(g, svc, dataset_sizes())
    return g


def _describe_service(g: Graph, svc: BNode, settings: Settings) -> None:
    """The service: its endpoint, languages, features, entailment regime, result formats."""
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, endpoint_iri()))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.writable:
        g.add((svc, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allow:
        g.add((svc, SD.feature, SD.BasicFederatedQuery))
    g.add((svc, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for f in RESULT_FORMATS + RDF_FORMATS:
        g.add((svc, SD.resultFormat, W3C_FORMATS[f.w3c]))
    g.add((svc, RDFS.label, Literal("enlargement-kg SPARQL endpoint", lang="en")))
    from .publish import base_url

    g.add((svc, RDFS.seeAlso, URIRef(base_url() + "openapi.json")))  # the whole HTTP API


def limits_note(settings: Settings) -> str:
    """What the service description says in words: writes, time limit, caps, federation,
    the default graph and the base IRI (Service Description has no terms for them)."""
    federation = (
        "SERVICE is refused unless its endpoint is on the allow-list: "
        + ", ".join(sorted(settings.service_allow))
        if settings.service_allow
        else "SERVICE is refused"
    )
    from .writes import service_note

    return (
        ("Read-only unless writes are switched on. " if not settings.writable else service_note())
        + f"Every query has a time limit of {settings.query_timeout:g} s and a result cap "
        f"of {settings.max_rows} rows; request bodies are capped at {settings.max_body} "
        f"bytes. {federation}; LOAD and file: IRIs are refused, and so is nesting deeper "
        f"than {MAX_NESTING} brackets. The default graph is the "
        "union of the named graphs. Relative IRIs in queries resolve against "
        f"<{BASE_IRI}>."
    )


def _describe_dataset(g: Graph, svc: BNode, sizes: DatasetSizes) -> None:
    """The default dataset (§3.2.9-3.2.10): the default graph and each named graph, with
    their sizes where known (VoID §4.5)."""
    ds = BNode("dataset")
    g.add((svc, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    dg = BNode("defaultGraph")
    g.add((ds, SD.defaultGraph, dg))
    g.add((dg, RDF.type, SD.Graph))
    if sizes.default_graph is not None:
        g.add((dg, VOID.triples, Literal(sizes.default_graph, datatype=XSD.integer)))
    for i, (name, triples) in enumerate(sizes.named_graphs):
        ng, graph = BNode(f"namedGraph{i}"), BNode(f"graph{i}")
        g.add((ds, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
        g.add((ng, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        if triples is not None:
            g.add((graph, VOID.triples, Literal(triples, datatype=XSD.integer)))


def service_description():
    """§2: ``GET /sparql`` without a query. A browser gets the query form (a page about the
    endpoint, not a representation of the description: no CORS), anyone else the
    description in the negotiated RDF format."""
    if wants_html():
        return editor_page(None)
    fmt = representation(DESCRIPTION_FORMATS, default=DESCRIPTION_FORMATS[0])
    return rdf_response(fmt, description_graph().serialize(format=fmt.rdflib).encode("utf-8"))
