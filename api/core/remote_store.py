"""A remote SPARQL 1.1 store as the backend: any query endpoint over HTTP(S), through
SPARQLWrapper (docs/deploy.md: Virtuoso, the Oxigraph server, Fuseki ...).

What a query sees. The project's queries expect the default graph to be the union of the
named graphs. Where ``enlargement-kg push`` wrote its :data:`.push.META_GRAPH`, every query
without a dataset of its own gets the graphs listed there as its dataset (``default-graph-uri``
and ``named-graph-uri``, SPARQL 1.1 Protocol §2.1.4): the store's other graphs (Virtuoso's
system graphs, a partner's unrelated data) stay out, and so does the meta graph. Without it
the store's own default graph is used (Virtuoso: every graph; the Oxigraph server: started
with ``--union-default-graph``).

Answers. SELECT and ASK are asked for as SPARQL JSON and written again in the format the
service needs with the shared writers of :mod:`.store` (Virtuoso's ``typed-literal``,
explicit ``xsd:string`` and ``1``/``0`` booleans are normalised on the way); CONSTRUCT and
DESCRIBE as N-Triples (or Turtle), parsed and written in the graph format asked for.
Bindings are substituted into the query's WHERE clause (:func:`bind`), as constants, and kept
with a ``VALUES`` row so that projected and grouped variables stay bound.

Time. Every request has a client-side deadline (the socket timeout, and the whole answer
read within it): past it :class:`.GatewayTimeout` (504). Virtuoso also gets its ``timeout``
parameter (ms); its partial "anytime" answers (``X-SQL-State: S1TAT``) are refused as
timeouts, never served. A refused connection or an error of the store is
:class:`.BadGateway` (502), with the store's message.

The graph version (:meth:`RemoteStore.info`) is the pushed ``enl:graphVersion`` (or
``remote``) and the number of triples served, read again at most every ``version_ttl``
seconds: the query service's caches follow the store.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from typing import Any

from rdflib import Dataset as RdfDataset
from rdflib import Graph, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .formats import Format
from .guard import _TOKEN, has_dataset_clause, query_form
from .push import GRAPH_VERSION, META_GRAPH, SERVED_GRAPH
from .store import (
    BadGateway,
    Dataset,
    GatewayTimeout,
    QueryResult,
    QuerySyntaxError,
    ResultTooLarge,
    Store,
    StoreInfo,
    Term,
    serialize_boolean,
    serialize_rows,
)

USER_AGENT = "enlargement-kg (remote store)"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: an ``xsd:boolean``'s lexical forms -> the canonical one
BOOLEAN_LEXICAL = {"1": "true", "0": "false"}
RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: media type of a graph answer -> rdflib's parser
GRAPH_PARSERS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/ntriples": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "application/rdf+xml": "xml",
}
#: at most this many triples are read from the store for a dump or one graph
MAX_GRAPH_TRIPLES = 5_000_000
#: bytes of one answer read at most (a runaway answer is refused, 413)
MAX_ANSWER_BYTES = 1 << 30

Q_META = (
    f"SELECT ?v ?g WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{GRAPH_VERSION}> ?v . "
    f"OPTIONAL {{ <{META_GRAPH}> <{SERVED_GRAPH}> ?g }} }} }}"
)
Q_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
Q_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
Q_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def redact(url: str) -> str:
    """``url`` without its user and password, as logs and ``/-/version`` show it.

    >>> redact("https://user:secret@example.org:8890/sparql?x=1")
    'https://example.org:8890/sparql?x=1'
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def is_remote(location: str | None) -> bool:
    """Whether ``serve --store`` names a remote store (an http(s) URL), not a folder."""
    return bool(location) and str(location).lower().startswith(("http://", "https://"))


def bind(query: str, bindings: Mapping[str, Node]) -> str:
    """``query`` with ``bindings`` applied as the embedded store's substitutions are: each
    bound variable is replaced by its term inside the WHERE clause (constants the remote
    planner can use) and bound by a ``VALUES`` row at its start, so that a projected,
    grouped or ordered variable keeps its value. Only variable tokens are replaced, by the
    term's N-Triples form; strings, IRIs and comments are left alone.

    >>> from rdflib import URIRef
    >>> bind("SELECT ?s ?n WHERE { ?s <p> ?n } ORDER BY ?s", {"s": URIRef("http://x/a")})
    'SELECT ?s ?n WHERE { VALUES (?s) { (<http://x/a>) } <http://x/a> <p> ?n } ORDER BY ?s'
    """
    if not bindings:
        return query
    names = list(bindings)
    values = (
        f" VALUES ({' '.join('?' + n for n in names)}) "
        f"{{ ({' '.join(bindings[n].n3() for n in names)}) }}"
    )
    out: list[str] = []
    form, depth, opened, closed, template = None, 0, False, False, False
    prev_word = ""
    for m in _TOKEN.finditer(query):
        kind, tok = m.lastgroup, m.group()
        if kind == "word" and depth == 0 and form is None and tok.upper() in _FORMS:
            form = tok.upper()
            template = form == "CONSTRUCT"
        if kind == "other" and tok == "{":
            if depth == 0 and form is not None and not opened:
                if template and prev_word != "WHERE":
                    template = False  # the CONSTRUCT template: left as it is
                else:
                    opened = True
                    out.append(tok + ("" if template else values))
                    depth += 1
                    continue
            depth += 1
        elif kind == "other" and tok == "}":
            depth -= 1
            if opened and depth == 0:
                closed = True
        elif kind == "var" and tok[1:] in bindings and opened and not closed:
            if "".join(out).rstrip().upper().endswith(" AS"):
                raise QuerySyntaxError(f"?{tok[1:]} is bound and assigned with AS in the query")
            tok = bindings[tok[1:]].n3()
        if kind == "word":
            prev_word = tok.upper()
        out.append(tok)
    if not opened:  # no WHERE clause (DESCRIBE <x>, DESCRIBE ?x): substitute everywhere
        from .queries import substitute

        return substitute(query, dict(bindings))
    return "".join(out)


_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})


def normalise_term(t: Mapping[str, str]) -> Term:
    """A SPARQL JSON term -> ``(kind, value, datatype, lang)``: Virtuoso's ``typed-literal``
    is a literal, an explicit ``xsd:string`` is the plain literal it is (RDF 1.1), and an
    ``xsd:boolean`` is written ``true``/``false`` (Virtuoso 7 writes every one ``1``/``0``).

    >>> normalise_term({"type": "typed-literal", "datatype": XSD_BOOLEAN, "value": "0"})
    ('literal', 'false', 'http://www.w3.org/2001/XMLSchema#boolean', None)
    """
    kind = t["type"]
    if kind == "typed-literal":
        kind = "literal"
    dt, value = t.get("datatype"), t["value"]
    if dt == XSD_STRING:
        dt = None
    elif dt == XSD_BOOLEAN:
        value = BOOLEAN_LEXICAL.get(value, value)
    return (kind, value, dt, t.get("xml:lang"))


class RemoteStore(Store):
    """A SPARQL 1.1 query endpoint (``endpoint``), read-only. ``gsp`` is its Graph Store
    Protocol endpoint, if any (whole graphs are then read with ``GET ?graph=``, else with a
    CONSTRUCT); ``user``/``password`` (HTTP basic) or ``token`` (bearer) authenticate every
    request; ``timeout`` is the deadline of a request without one of its own."""

    capabilities = frozenset({"dump", "read_graph"})

    def __init__(
        self,
        endpoint: str,
        *,
        gsp: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        version_ttl: float = 30.0,
    ):
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadGateway(f"the store must be an http(s) URL, got {redact(endpoint)!r}")
        if parts.username and not (user or token):  # credentials in the URL: used, not shown
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
        self.endpoint = redact(endpoint)
        self.gsp = redact(gsp) if gsp else None
        self._auth = _authorization(user, password, token)
        self.timeout = timeout
        self.version_ttl = version_ttl
        self.dialect = "sparql"  #: "virtuoso" once the store's Server header says so
        self._lock = threading.Lock()
        self._info: StoreInfo | None = None
        self._read_at = 0.0
        self._graphs: tuple[str, ...] = ()  #: the served graphs (the meta graph's list)

    # -- the HTTP exchange -------------------------------------------------------------------

    def _request(
        self, query: str, accept: str, dataset: Dataset | None, timeout: float | None
    ) -> tuple[bytes, str]:
        """POST ``query`` (SPARQL 1.1 Protocol §2.1.2); the body and its media type."""
        deadline = timeout if timeout is not None else self.timeout
        sw = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        sw.setMethod(POST)
        sw.setOnlyConneg(True)
        sw.setReturnFormat(JSON if accept == RESULTS_JSON else TURTLE)  # Accept: below
        sw.setQuery(query)
        sw.timeout = deadline  # type: ignore[assignment]  # a float: setTimeout rounds down
        sw.addCustomHttpHeader("Accept", accept)
        if self._auth:
            sw.addCustomHttpHeader("Authorization", self._auth)
        for g in dataset.default_graphs if dataset else ():
            sw.addParameter("default-graph-uri", g)
        for g in dataset.named_graphs if dataset else ():
            sw.addParameter("named-graph-uri", g)
        if self.dialect == "virtuoso" and deadline:
            sw.addParameter("timeout", str(max(1, int(deadline * 1000))))
        t0 = time.monotonic()
        try:
            response = sw.query().response
            self._note_server(response.headers.get("Server", ""))
            if response.headers.get("X-SQL-State", "") in ("S1TAT", "S1T00"):
                raise GatewayTimeout(self._late(deadline, "answered only in part"))
            body = _read_within(response, t0 + deadline + 0.5, self._late(deadline))
            return body, response.headers.get("Content-Type", "")
        except SPARQLWrapperException as exc:
            raise self._refusal(exc, deadline) from None
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc.code, exc.read() if exc.fp else b"", deadline) from None
        except TimeoutError:
            raise GatewayTimeout(self._late(deadline)) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise GatewayTimeout(self._late(deadline)) from None
            raise BadGateway(
                f"the store at {self.endpoint} cannot be reached: {exc.reason}"
            ) from None
        except (ConnectionError, OSError) as exc:
            raise BadGateway(f"the store at {self.endpoint} cannot be reached: {exc}") from None

    def _note_server(self, server: str) -> None:
        if "virtuoso" in server.lower():
            self.dialect = "virtuoso"

    def _late(self, deadline: float, what: str = "did not answer") -> str:
        return f"the store at {self.endpoint} {what} within the time limit of {deadline:g} s"

    def _refusal(self, exc: SPARQLWrapperException, deadline: float) -> Exception:
        """SPARQLWrapper's errors (400, 401, 404, 414, 500) as the store's errors."""
        text = str(exc)
        code = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404}.get(
            type(exc).__name__, 414 if "URITooLong" in type(exc).__name__ else 500
        )
        return self._http_error(code, text.encode(), deadline)

    def _http_error(self, code: int, body: bytes, deadline: float) -> Exception:
        text = " ".join(body.decode("utf-8", "replace").split())[:400]
        if code == 400:
            return QuerySyntaxError(f"the store refused the query: {text}")
        if code == 504 or "S1T00" in text or "S1TAT" in text or "timeout" in text.lower():
            return GatewayTimeout(self._late(deadline))
        if "estimated execution time" in text:  # Virtuoso's estimator refused it beforehand
            return GatewayTimeout(f"the store at {self.endpoint} refused a costly query: {text}")
        hint = {401: " (credentials: ENLARGEMENT_KG_STORE_USER/PASSWORD or _TOKEN)"}.get(code, "")
        return BadGateway(f"the store at {self.endpoint} answered HTTP {code}{hint}: {text}")

    # -- queries ------------------------------------------------------------------------------

    def execute(
        self,
        query: str,
        *,
        result_format: Format,
        graph_format: Format,
        substitutions: Mapping[str, Node] | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        row_bound: int | None = None,
    ) -> QueryResult:
        """:meth:`.Store.execute` at the remote store (``row_bound`` is not needed)."""
        text = bind(query, substitutions) if substitutions else query
        form = query_form(query)
        if dataset is None or not (dataset.default_graphs or dataset.named_graphs):
            dataset = None if has_dataset_clause(query) else self._served()
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, media_type = self._request(text, GRAPH_ACCEPT, dataset, timeout)
            g = _parse_graph(body, media_type)
            if max_rows and len(g) > max_rows:
                raise ResultTooLarge(f"the answer has more than {max_rows} triples")
            return QueryResult("graph", _serialize_graph(g, graph_format), graph_format, len(g))
        body, _ = self._request(text, RESULTS_JSON, dataset, timeout)
        try:
            doc = json.loads(body)
        except ValueError:
            raise BadGateway(f"the store at {self.endpoint} sent no SPARQL JSON") from None
        if "boolean" in doc:
            value = bool(doc["boolean"])
            return QueryResult("boolean", serialize_boolean(value, result_format), result_format)
        variables = list(doc.get("head", {}).get("vars", []))
        bindings = doc.get("results", {}).get("bindings", [])
        if max_rows and len(bindings) > max_rows:
            raise ResultTooLarge(f"the answer has more than {max_rows} rows")
        rows = [{k: normalise_term(v) for k, v in b.items()} for b in bindings]
        body = serialize_rows(variables, rows, result_format)
        return QueryResult("bindings", body, result_format, len(rows))

    def _served(self) -> Dataset | None:
        """The dataset of a query without one: the graphs ``push`` listed, if any. Not with
        Virtuoso, whose cost estimator refuses some of the canned queries over a dataset of
        many graphs ("estimated execution time exceeds the limit"): its default graph,
        every graph of the store, is used instead (docs/deploy.md)."""
        self.info()  # read at most every version_ttl seconds
        if self.dialect == "virtuoso" or not self._graphs:
            return None
        return Dataset(self._graphs, self._graphs)

    # -- the graph version ----------------------------------------------------------------------

    def info(self) -> StoreInfo:
        """Version, triples and graphs as the store holds them now, read again at most every
        ``version_ttl`` seconds (one query for the meta graph, one COUNT)."""
        with self._lock:
            ttl = self.version_ttl or 0.0
            if self._info is not None and time.monotonic() - self._read_at < ttl:
                return self._info
            self._info = self._read_info()
            self._read_at = time.monotonic()
            return self._info

    def _read_info(self) -> StoreInfo:
        rows = self._select(Q_META, None)
        pushed = next((r["v"][1] for r in rows if "v" in r), None)
        graphs = tuple(sorted({r["g"][1] for r in rows if "g" in r and r["g"][0] == "uri"}))
        self._graphs = graphs
        served = Dataset(graphs, graphs) if graphs else None
        count = self._select(Q_COUNT, served)
        triples = int(count[0]["n"][1]) if count and "n" in count[0] else 0
        if pushed is None:  # no version of push's: a digest of what the store holds
            version = "remote-" + hashlib.sha256(str(triples).encode()).hexdigest()[:12]
        else:
            version = f"{pushed}+{triples}"
        return StoreInfo(
            version=version,
            triples=triples,
            graphs=len(graphs),
            backend=f"remote SPARQL 1.1 store ({self.dialect})",
            details={
                "endpoint": self.endpoint,
                "pushed_version": pushed,
                "graphs": list(graphs),
            },
        )

    def _select(self, query: str, dataset: Dataset | None) -> list[dict[str, Term]]:
        body, _ = self._request(query, RESULTS_JSON, dataset, None)
        try:
            doc = json.loads(body)
            return [
                {k: normalise_term(v) for k, v in b.items()} for b in doc["results"]["bindings"]
            ]
        except (ValueError, KeyError, TypeError):
            raise BadGateway(f"the store at {self.endpoint} sent no SPARQL JSON") from None

    # -- whole graphs ----------------------------------------------------------------------------

    def read_graph(self, graph: str | None, fmt: Format) -> bytes | None:
        """One graph (None: the default graph, the union of the served graphs), bounded by
        :data:`MAX_GRAPH_TRIPLES`; None when it holds no triples."""
        g = self._graph(graph)
        if graph is not None and len(g) == 0:
            return None
        return _serialize_graph(g, fmt)

    def _graph(self, graph: str | None) -> Graph:
        dataset = self._served() if graph is None else Dataset((graph,), ())
        body, media_type = self._request(Q_GRAPH, GRAPH_ACCEPT, dataset, max(self.timeout, 60.0))
        g = _parse_graph(body, media_type)
        if len(g) > MAX_GRAPH_TRIPLES:
            raise ResultTooLarge(f"the graph has more than {MAX_GRAPH_TRIPLES} triples")
        return g

    def dump(self, fmt: Format) -> bytes:
        """The served graphs, each read with a CONSTRUCT (bounded: :data:`MAX_GRAPH_TRIPLES`
        in all), written in ``fmt`` with their names for TriG/N-Quads; statements sorted."""
        self.info()
        names = self._graphs or tuple(
            r["g"][1] for r in self._select(Q_GRAPHS, None) if r["g"][0] == "uri"
        )
        ds = RdfDataset()
        total = 0
        for name in sorted(names):
            g = self._graph(name)
            total += len(g)
            if total > MAX_GRAPH_TRIPLES:
                raise ResultTooLarge(f"the store holds more than {MAX_GRAPH_TRIPLES} triples")
            target = ds.graph(URIRef(name))
            for t in g:
                target.add(t)
        if fmt.name in ("nquads", "trig"):
            data = ds.serialize(format="nquads", encoding="utf-8")
            lines = sorted({ln for ln in data.splitlines() if ln.strip()})
            nq = b"\n".join(lines) + b"\n"
            if fmt.name == "nquads":
                return nq
            out = RdfDataset()
            out.parse(data=nq.decode("utf-8"), format="nquads")
            return out.serialize(format="trig", encoding="utf-8")
        union = Graph()
        for q in ds.quads((None, None, None, None)):
            union.add(q[:3])
        return _serialize_graph(union, fmt)


def _authorization(user: str | None, password: str | None, token: str | None) -> str | None:
    if token:
        return f"Bearer {token}"
    if user:
        raw = f"{user}:{password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")
    return None


def _read_within(response: Any, deadline: float, late: str) -> bytes:
    """The whole body, read by chunks until the monotonic ``deadline`` (a store that sends
    slowly is as late as one that does not send)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise GatewayTimeout(late)
        chunk = response.read(1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ResultTooLarge(f"the store's answer is larger than {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)


def _parse_graph(body: bytes, media_type: str) -> Graph:
    parser = GRAPH_PARSERS.get(media_type.split(";")[0].strip().lower(), "turtle")
    g = Graph()
    try:
        g.parse(data=body.decode("utf-8"), format=parser)
    except Exception as exc:  # noqa: BLE001 - any parser error: the store sent bad RDF
        raise BadGateway(
            f"the store's {media_type or 'graph'} answer does not parse: {exc}"
        ) from None
    return g


def _serialize_graph(g: Graph, fmt: Format) -> bytes:
    """``g`` in ``fmt``; N-Triples sorted, one statement a line."""
    if fmt.name == "ntriples":
        text = g.serialize(format="nt", encoding="utf-8")
        lines = sorted({ln for ln in text.splitlines() if ln.strip()})
        return b"\n".join(lines) + (b"\n" if lines else b"")
    name = fmt.rdflib or "turtle"
    return g.serialize(format=name, encoding="utf-8")
