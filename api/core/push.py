"""Push the graph (or a release) into a partner's SPARQL 1.1 store.

Two protocols, each replacing one named graph per request, so a partner's copy of a graph is
never half old and half new where the store runs a request as one transaction:

* SPARQL 1.1 Graph Store HTTP Protocol §5.3 "HTTP PUT": ``PUT {endpoint}?graph={IRI}`` with
  the graph as Turtle (N-Triples, which every Turtle parser reads) replaces the graph.
* SPARQL 1.1 Update (SPARQL 1.1 Protocol §2.2 "update operation"), for stores without the
  Graph Store Protocol: ``DROP SILENT GRAPH`` + ``INSERT DATA`` in one request for a small
  graph; a larger one is staged in chunks into a fresh graph and swapped in with one
  ``MOVE`` (Update §3.2.5).

``--protocol auto`` (the default) probes the endpoint with a Graph Store Protocol ``GET
?graph=IRI`` (§5.2): an RDF answer or a 404 means a graph store; anything else (a SPARQL
endpoint answers 400, "no query") means SPARQL Update. A store that refuses a write (401,
403, 4xx, 5xx) stops the push with its status and message (exit 1).

Without ``--graph`` each named graph of the source keeps its name; with ``--graph IRI`` the
whole dataset (the union of its graphs) goes into that one graph.

Last, once every graph is in, the graph :data:`META_GRAPH` says what was pushed: the graph
version (``enl:graphVersion``) and each graph pushed (``enl:servedGraph``), which a service
serving the store (``serve --store URL``, :mod:`.remote_store`) reads for its caches' version
and its default graph (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import gzip
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef

from . import formats
from .store import Dataset, Store

NTRIPLES = formats.by_name("ntriples")
NQUADS = formats.by_name("nquads")
RDF_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "text/plain",
    "application/trig",
    "application/n-quads",
)
#: The Graph Store Protocol payload: N-Triples bytes are Turtle.
PAYLOAD_TYPE = "text/turtle; charset=utf-8"
UPDATE_TYPE = "application/sparql-update; charset=utf-8"
USER_AGENT = "enlargement-kg-push"
#: Triples per SPARQL Update request (stores cap the size of a request: Virtuoso compiles
#: INSERT DATA to SQL and refuses more than 10,000 lines of it).
UPDATE_CHUNK = 500

Q_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
Q_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
Q_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

#: The graph that says what ``push`` wrote: the version and the graphs of the pushed graph.
META_GRAPH = "https://w3id.org/eu-enlargement/graph/meta"
GRAPH_VERSION = "https://w3id.org/eu-enlargement/ontology#graphVersion"
SERVED_GRAPH = "https://w3id.org/eu-enlargement/ontology#servedGraph"
MODIFIED = "http://purl.org/dc/terms/modified"


class PushError(Exception):
    """The store refused the push or could not be reached; ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class GraphPayload:
    """One graph to push: its IRI and its triples as N-Triples."""

    graph: str
    ntriples: bytes
    triples: int


@dataclass(frozen=True)
class GraphPushed:
    graph: str
    triples: int
    status: int


@dataclass(frozen=True)
class PushResult:
    endpoint: str
    protocol: str  #: gsp or update
    graphs: tuple[GraphPushed, ...]

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)


# -- what to push ---------------------------------------------------------------------------


def load_release(folder: Path) -> Store:
    """A release folder (or a dump file) loaded into an embedded store, named graphs kept."""
    from .oxigraph_store import OxigraphStore

    folder = Path(folder)
    candidates = (
        [folder]
        if folder.is_file()
        else [
            folder / n
            for n in (
                "enlargement-kg.nq",
                "enlargement-kg.nq.gz",
                "enlargement-kg.trig",
                "enlargement-kg.trig.gz",
            )
        ]
    )
    for path in candidates:
        if path.is_file():
            break
    else:
        raise PushError(
            f"{folder} holds no N-Quads or TriG dump (enlargement-kg.nq[.gz]); "
            "is it a release folder?"
        )
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    suffix = Path(name).suffix
    fmt = formats.by_suffix(suffix)
    if fmt is None or fmt.name == "rdfxml":  # the dump formats
        raise PushError(f"cannot push {path}: unknown dump type {suffix}")
    try:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        store = OxigraphStore.memory()
        store.load_bytes(
            data, fmt, graph=None if fmt.name in ("nquads", "trig") else "urn:x-enlargement-kg:push"
        )
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise PushError(f"cannot read {path}: {exc}") from None
    return store


def graph_payloads(store: Store, *, graph: str | None = None) -> list[GraphPayload]:
    """The graphs to push: each named graph of ``store``, or everything in ``graph``."""
    if graph is not None:
        res = store.execute(Q_ALL, result_format=formats.by_name("json"), graph_format=NTRIPLES)
        return [_payload(graph, res.body)]
    out = []
    for row in store.select(Q_GRAPHS):
        g = row.get("g")
        if not isinstance(g, URIRef):
            continue
        res = store.execute(
            Q_GRAPH,
            result_format=formats.by_name("json"),
            graph_format=NTRIPLES,
            dataset=Dataset(default_graphs=(str(g),)),
        )
        out.append(_payload(str(g), res.body))
    if not out:
        raise PushError("the source has no named graphs to push; name one with --graph IRI")
    return out


def source_version(store: Store, payloads: list[GraphPayload]) -> str:
    """The version of what is pushed: the source's own (a build's content version), else a
    digest of the payloads (a release loaded from its dump carries none)."""
    import hashlib

    version = store.info().version
    if version and version != "unversioned":
        return version
    digest = hashlib.sha256()
    for p in sorted(payloads, key=lambda p: p.graph):
        digest.update(p.graph.encode() + b"\n" + p.ntriples)
    return "sha256-" + digest.hexdigest()[:24]


def meta_payload(version: str, graphs: list[str], *, now: str | None = None) -> GraphPayload:
    """The :data:`META_GRAPH`: ``<meta> enl:graphVersion "version"``, one ``enl:servedGraph``
    per graph pushed and ``dcterms:modified``.

    >>> p = meta_payload("v1", ["https://example.org/g"], now="2026-12-03T10:00:00Z")
    >>> p.graph == META_GRAPH, p.triples
    (True, 3)
    """
    if now is None:
        import time

        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    s = f"<{META_GRAPH}>"
    lines = [f"{s} <{GRAPH_VERSION}> {Literal(version).n3()} ."]
    lines += [f"{s} <{SERVED_GRAPH}> <{_checked_iri(g)}> ." for g in graphs]
    lines.append(f'{s} <{MODIFIED}> "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .')
    return _payload(META_GRAPH, "\n".join(lines).encode())


def _payload(graph: str, ntriples: bytes) -> GraphPayload:
    """One triple per line, each once (the union of graphs repeats shared triples)."""
    lines = sorted({ln for ln in ntriples.splitlines() if ln.strip()})
    return GraphPayload(graph, b"\n".join(lines) + b"\n", len(lines))


# -- HTTP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def _request(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict | None = None,
    token: str | None = None,
    timeout: float = 120.0,
) -> Reply:
    h = {"User-Agent": USER_AGENT, **(headers or {})}
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - a URL the user gave
            return Reply(resp.status, resp.headers.get("Content-Type", ""), resp.read())
    except urllib.error.HTTPError as exc:
        body = exc.read() if exc.fp is not None else b""
        return Reply(exc.code, exc.headers.get("Content-Type", "") if exc.headers else "", body)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PushError(f"cannot reach {url}: {reason}") from None


def with_graph(endpoint: str, graph: str) -> str:
    """``endpoint?graph=IRI`` (Graph Store Protocol §4.2 indirect identification)."""
    parts = urllib.parse.urlsplit(endpoint)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k != "graph"] + [("graph", graph)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _refused(action: str, reply: Reply) -> PushError:
    text = reply.body.decode("utf-8", "replace").strip().replace("\n", " ")
    if len(text) > 400:
        text = text[:400] + " ..."
    hint = {
        401: " (the store wants credentials: pass --token or set ENLARGEMENT_KG_TOKEN)",
        403: " (the store does not allow this write)",
        404: " (no graph store or endpoint at this URL)",
        405: " (the URL does not accept this method)",
        413: " (the payload is larger than the store accepts)",
        501: " (the server does not implement this here: is the URL a Graph Store "
        "Protocol or SPARQL Update endpoint?)",
    }.get(reply.status, "")
    return PushError(
        f"the store refused {action}: HTTP {reply.status}{hint}" + (f": {text}" if text else ""),
        reply.status,
    )


def detect_protocol(
    endpoint: str, *, probe_graph: str, token: str | None = None, timeout: float = 30.0
) -> str:
    """``gsp`` if ``endpoint`` answers a Graph Store Protocol GET (§5.2), else ``update``."""
    reply = _request(
        "GET",
        with_graph(endpoint, probe_graph),
        token=token,
        timeout=timeout,
        headers={"Accept": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"},
    )
    mt = reply.content_type.split(";")[0].strip().lower()
    if reply.status == 404 or (200 <= reply.status < 300 and mt in RDF_MEDIA_TYPES):
        return "gsp"
    if reply.status in (401, 403) and mt in RDF_MEDIA_TYPES:
        return "gsp"
    return "update"


def put_graph(
    endpoint: str, payload: GraphPayload, *, token: str | None = None, timeout: float = 120.0
) -> int:
    """Graph Store Protocol §5.3: replace the graph with the payload."""
    url = with_graph(endpoint, payload.graph)
    reply = _request(
        "PUT",
        url,
        data=payload.ntriples,
        token=token,
        timeout=timeout,
        headers={"Content-Type": PAYLOAD_TYPE},
    )
    if not 200 <= reply.status < 300:
        raise _refused(f"PUT <{payload.graph}>", reply)
    return reply.status


def _insert(graph: str, lines: list[bytes]) -> bytes:
    """One insert operation: ``INSERT DATA`` for ground triples (§3.1.1); ``INSERT { ... }
    WHERE {}`` (§3.1.3, one empty solution) when blank nodes occur, which some stores refuse
    in ``INSERT DATA``. Each blank node label is one new node within the operation."""
    data = b"\n".join(lines)
    if any(ln.startswith(b"_:") or b" _:" in ln for ln in lines):
        return f"INSERT {{ GRAPH <{graph}> {{\n".encode() + data + b"\n} } WHERE {}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n".encode() + data + b"\n} }"


def _update(endpoint: str, body: bytes, *, action: str, token: str | None, timeout: float) -> int:
    reply = _request(
        "POST",
        endpoint,
        data=body,
        token=token,
        timeout=timeout,
        headers={"Content-Type": UPDATE_TYPE},
    )
    if not 200 <= reply.status < 300:
        raise _refused(action, reply)
    return reply.status


def replace_by_update(
    endpoint: str,
    payload: GraphPayload,
    *,
    token: str | None = None,
    timeout: float = 120.0,
    chunk: int = UPDATE_CHUNK,
) -> int:
    """Replace a graph with SPARQL 1.1 Update (§3), atomically where the store runs one
    request as one transaction.

    A small graph goes in one request: ``DROP SILENT GRAPH <g> ; INSERT DATA { ... }``. A
    larger one is staged in chunks (stores cap the size of a request) into a fresh staging
    graph, then swapped in with one ``MOVE SILENT GRAPH <staging> TO GRAPH <g>`` (§3.2.5),
    so readers never see a half-written graph. Triples with blank nodes travel together in
    the first chunk, so a blank node stays one node. The graph IRI is checked and the data
    is N-Triples, whose terms are valid SPARQL terms; nothing else reaches the request.
    """
    g = _checked_iri(payload.graph)
    lines = [ln for ln in payload.ntriples.splitlines() if ln.strip()]
    blank = [ln for ln in lines if ln.startswith(b"_:") or b" _:" in ln]
    ground = [ln for ln in lines if not (ln.startswith(b"_:") or b" _:" in ln)]
    if len(lines) <= chunk:
        body = f"DROP SILENT GRAPH <{g}> ;\n".encode() + _insert(g, blank + ground)
        return _update(endpoint, body, action=f"the update of <{g}>", token=token, timeout=timeout)
    staging = f"urn:uuid:{uuid.uuid4()}"
    chunks = ([blank] if blank else []) + [
        ground[i : i + chunk] for i in range(0, len(ground), chunk)
    ]
    try:
        for part in chunks:
            _update(
                endpoint,
                _insert(staging, part),
                action=f"staging <{g}>",
                token=token,
                timeout=timeout,
            )
        return _update(
            endpoint,
            f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{g}>".encode(),
            action=f"the swap into <{g}>",
            token=token,
            timeout=timeout,
        )
    except PushError:
        with contextlib.suppress(PushError):
            _update(
                endpoint,
                f"DROP SILENT GRAPH <{staging}>".encode(),
                action="the clean-up",
                token=token,
                timeout=timeout,
            )
        raise


def _checked_iri(iri: str) -> str:
    bad = set(' <>"{}|^`\\\n\r\t')
    if not iri or any(c in bad for c in iri) or ":" not in iri:
        raise PushError(f"not a usable graph IRI: {iri!r}")
    return iri


def push(
    *,
    endpoint: str,
    payloads: list[GraphPayload],
    protocol: str = "auto",
    token: str | None = None,
    timeout: float = 120.0,
    version: str | None = None,
) -> PushResult:
    """Replace each payload's graph at ``endpoint``, one request per graph; with
    ``version``, then the :data:`META_GRAPH` (:func:`meta_payload`), once the graphs are in."""
    if protocol not in ("auto", "gsp", "update"):
        raise PushError(f"unknown protocol {protocol!r}: use auto, gsp or update")
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise PushError(f"the endpoint must be an http(s) URL, got {endpoint!r}")
    for p in payloads:
        _checked_iri(p.graph)
    if protocol == "auto":
        protocol = detect_protocol(
            endpoint, probe_graph=payloads[0].graph, token=token, timeout=min(timeout, 30.0)
        )
    send = put_graph if protocol == "gsp" else replace_by_update
    done = []
    if version is not None:
        payloads = [*payloads, meta_payload(version, [p.graph for p in payloads])]
    for p in payloads:
        status = send(endpoint, p, token=token, timeout=timeout)
        done.append(GraphPushed(p.graph, p.triples, status))
    return PushResult(endpoint, protocol, tuple(done))


# -- command line ---------------------------------------------------------------------------


__all__ = [
    "GraphPayload",
    "PushError",
    "PushResult",
    "detect_protocol",
    "graph_payloads",
    "load_release",
    "meta_payload",
    "push",
    "put_graph",
    "replace_by_update",
    "source_version",
]
