"""SPARQL 1.1 Update over the SPARQL 1.1 Protocol (§2.2), and what every write shares with the
Graph Store Protocol (``gsp.py``): the switch, the bearer token, the refusal that carries the
SHACL report, and keeping this process's reads in step with the latest write.

- Writes are off unless the service runs with ``--writable``: then every write gets 403.
- With writes on, a write needs ``Authorization: Bearer <ENLARGEMENT_KG_TOKEN>`` (RFC 6750
  §2.1), compared in constant time; without it or with another token: 401 and a
  ``WWW-Authenticate: Bearer`` challenge (RFC 6750 §3).
- A write that would leave a violation of the shapes is refused with 409 and the SHACL
  report (violations only) in the negotiated format: JSON, Turtle, JSON-LD, N-Triples, text.
- Write responses carry no CORS headers: a browser on another origin cannot read them.
"""

from __future__ import annotations

import hmac
import json
import threading

from flask import Blueprint, Flask, Response, current_app, request

from ..core import formats
from ..core.guard import check_update
from ..core.namespaces import BASE
from ..core.store import Dataset
from ..core.writes import (
    GraphStore,
    Operation,
    Update,
    WriteRefused,
    WriteResult,
    violations_graph,
    with_protocol_dataset,
)
from .errors import error_response
from .negotiate import best_media_type
from .state import GraphState, state

bp = Blueprint("writes", __name__)

REALM = "enlargement-kg"
#: Relative IRIs in an update resolve against the endpoint's IRI in the project's space, the
#: same service base as queries (SPARQL 1.1 Protocol: "MAY be the service endpoint").
UPDATE_BASE = BASE + "sparql"
_SYNC = "enlargement_kg.writes"
#: The report of a refused write: JSON (the default), RDF, or text.
REPORT_TYPES = (
    "application/json",
    *(formats.by_name(n).media_type for n in ("turtle", "jsonld", "ntriples")),
    "text/plain",
)


def authorize() -> tuple[GraphStore | None, Response | None]:
    """The writable store, or the response refusing the write: 403 when writes are off,
    401 without the right bearer token."""
    gs = state()
    settings = gs.settings
    if not settings.writable:
        return None, error_response(
            403,
            "this service is read-only: writes are refused (start it with --writable and "
            "a token in ENLARGEMENT_KG_TOKEN to accept them)",
        )
    if gs.writer is None or not settings.token:
        return None, error_response(
            403,
            "writes are switched on but this service has no token or no store of its "
            "own to write to: writes are refused",
        )
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not header or scheme.lower() != "bearer" or not given.strip():
        return None, error_response(
            401,
            "a write needs the header 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), settings.token.encode("utf-8")):
        return None, error_response(
            401,
            "the bearer token is not valid for this service",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'},
        )
    return gs.writer, None


def perform(writer: GraphStore, op: Operation) -> WriteResult | Response:
    """Run ``op``; the result, or the 409 response with the SHACL report if refused. Reads
    of this process move to the new generation before the caller answers."""
    try:
        result = writer.write(op)
    except WriteRefused as exc:
        return refusal(exc)
    if result.changed:
        sync(current_app)
    return result


def written(result: WriteResult, *, status: int = 204) -> Response:
    """The answer to a committed write: no body, the graph version in a header."""
    resp = Response(status=status)
    del resp.headers["Content-Type"]  # no body, no type
    if result.generation is not None:
        resp.headers["X-Graph-Version"] = result.generation.version
    return resp


def refusal(exc: WriteRefused) -> Response:
    """409 Conflict with the SHACL validation report (its violations) in the negotiated
    format; JSON by default."""
    best = best_media_type(REPORT_TYPES, default=REPORT_TYPES[0])
    report = exc.report
    if best == "application/json":
        body = json.dumps(
            {
                "error": {"status": 409, "title": "Conflict", "message": str(exc)},
                "conforms": False,
                "violations": len(report.violations),
                "results": [vars(r) for r in report.violations],
            },
            indent=2,
        )
    elif best == "text/plain":
        body = f"409 Conflict: {exc}\n{report.to_text()}\n"
    else:
        fmt = formats.by_media_type(best, "rdf")
        assert fmt is not None  # best is one of the RDF types offered above
        body = violations_graph(report).serialize(format=fmt.rdflib)
    resp = Response(body, status=409, content_type=f"{best}; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    return resp


def update(text: str, dataset: Dataset):
    """SPARQL 1.1 Protocol §2.2: the update operation (called by ``sparql.endpoint`` for
    ``application/sparql-update`` bodies and ``update=`` forms). The protocol dataset
    (``using-graph-uri``, ``using-named-graph-uri``, §2.2.3) becomes ``USING`` clauses;
    ``LOAD``, ``SERVICE`` and ``file:`` are refused. 204 No Content once committed."""
    writer, denied = authorize()
    if denied is not None:
        return denied
    text = with_protocol_dataset(text, dataset)
    check_update(text)
    result = perform(writer, Update(text, base_iri=UPDATE_BASE))
    return result if isinstance(result, Response) else written(result)


def service_note() -> str:
    """What the service description says about writes when they are switched on."""
    writer = state().writer
    kept = (
        "Committed writes are durable in the on-disk store. "
        if writer and writer.durable
        else "Writes are kept in a temporary store and are lost when the service stops. "
    )
    return (
        "Updates (SPARQL 1.1 Update here, the Graph Store Protocol at /store) need a "
        "bearer token; each is validated by the shapes first and refused with the SHACL "
        "report if it would introduce a violation. " + kept
    )


# -- keeping reads in step ------------------------------------------------------------------


class ReadSync:
    """Moves this serving process's reads to the store's current generation: its query
    workers are recycled (they reopen the new snapshot) and its result cache is keyed on the
    new graph version, so an answer cached before a write is never served after it."""

    def __init__(self, gs: GraphState):
        self.gs = gs
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def check(self) -> None:
        writer = self.gs.writer
        if writer is None or writer.stamp() == self._stamp:
            return
        with self._lock:
            stamp = writer.stamp()
            if stamp == self._stamp:
                return
            gen = writer.current()
            if self.gs.store.has("recycle"):
                self.gs.store.recycle()
            self.gs.service.advance(gen.version)  # every answer cache key starts with it
            self.gs.report = writer.report() or self.gs.report  # /-/validation follows too
            self._stamp = stamp


def sync(app: Flask) -> None:
    reads = app.extensions.get(_SYNC)
    if reads is not None:
        reads.check()


def init_app(app: Flask) -> None:
    gs: GraphState = app.extensions["enlargement_kg"]
    if gs.writer is None:
        return
    app.extensions[_SYNC] = ReadSync(gs)

    @app.before_request
    def _reads_follow_writes() -> None:
        sync(app)
