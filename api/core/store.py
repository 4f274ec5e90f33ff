"""The store interface and its embedded implementation.

Everything above this module talks to :class:`Store`: ``execute`` (any SPARQL query, the
answer serialised in a negotiated format), ``select``/``ask``/``construct``/``describe``
(rdflib terms for internal callers), ``dump`` and ``info``. :class:`OxigraphStore` is the
embedded default; :mod:`.remote_store` reaches any SPARQL 1.1 endpoint; :mod:`.pool` runs a store in
killable worker processes to enforce time limits. Nothing outside ``core/oxigraph*`` imports
pyoxigraph.
"""

from __future__ import annotations

import io
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node, Variable

from . import formats
from .formats import Format


class StoreError(Exception):
    """Base class of the errors a store raises; ``status`` is the HTTP status they map to."""

    status = 500


class QuerySyntaxError(StoreError):
    """The query (or update) does not parse; the message is the parser's."""

    status = 400


class QueryRefused(StoreError):
    """The query asks for something the service refuses (SERVICE, LOAD, update ...)."""

    status = 400


class QueryTimeout(StoreError):
    """The query ran past its time limit and was stopped."""

    status = 503


class ResultTooLarge(StoreError):
    """The answer has more rows or triples than the result cap."""

    status = 413


class StoreUnavailable(StoreError):
    """The store could not be reached or opened."""

    status = 503


class BadGateway(StoreUnavailable):
    """A remote store (:mod:`.remote_store`) refused the connection or answered with an
    error of its own: the service in front of it is a gateway."""

    status = 502


class GatewayTimeout(QueryTimeout):
    """A remote store did not answer within the deadline (enforced on the client side)."""

    status = 504


class NotSupported(StoreError):
    """The backend lacks the capability a call needs (:meth:`Store.has` says beforehand)."""

    status = 501


#: What a backend may be able to do beyond the abstract methods every backend has. A backend
#: declares its own in :attr:`Store.capabilities`; callers ask :meth:`Store.has` rather than
#: probe for methods.
#:
#: ``dump``
#:     :meth:`Store.dump` gives the whole dataset (every backend so far).
#: ``read_graph``
#:     :meth:`Store.read_graph` serves one named graph (Graph Store Protocol GET).
#: ``recycle``
#:     :meth:`Store.recycle` reopens the store's handles, to see a committed write.
#: ``warm``
#:     :meth:`Store.warm` does real work: starting processes, opening files.
#: ``write``
#:     the write primitives of ``core/writes.py`` (``apply_update``, ``replace_graph``,
#:     ``add_to_graph``, ``drop_graph``, ``backup``, ``changes_to``, ``apply_changes``) of
#:     the embedded store (they succeed on a store opened writable).
CAPABILITIES: frozenset[str] = frozenset({"dump", "read_graph", "recycle", "warm", "write"})


@dataclass(frozen=True)
class Dataset:
    """An RDF dataset for a query (SPARQL 1.1 Protocol §2.1.4): empty means the service's
    default, the union of all named graphs."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer: ``kind`` is ``bindings``, ``boolean`` or ``graph``."""

    kind: str
    body: bytes
    format: Format
    rows: int | None = 0  #: None where a fast path did not count them


@dataclass(frozen=True)
class StoreInfo:
    """What ``/-/version`` reports of a store."""

    version: str
    triples: int
    graphs: int
    backend: str
    details: dict[str, Any] = field(default_factory=dict)


class Store(ABC):
    """The interface every backend implements.

    ``capabilities`` declares what a backend can do beyond the abstract methods (the names
    of :data:`CAPABILITIES`); ask with :meth:`has`. A method of a capability the backend
    lacks raises :class:`NotSupported`.

    >>> class Empty(Store):
    ...     def execute(self, query, **kwargs): raise NotImplementedError
    ...     def dump(self, fmt): return b""
    ...     def info(self): return StoreInfo("v", 0, 0, "empty")
    >>> Empty().has("dump"), Empty().has("read_graph")
    (True, False)
    """

    #: the capabilities of this backend (:data:`CAPABILITIES`)
    capabilities: ClassVar[frozenset[str]] = frozenset({"dump"})
    #: None: the graph version (``info().version``) moves only with a write of this
    #: service; else others may change the graph (a remote store) and ``info()`` re-reads
    #: the version at most every ``version_ttl`` seconds, which the query service follows
    version_ttl: float | None = None

    def has(self, capability: str) -> bool:
        """Whether this backend has ``capability``, one of :data:`CAPABILITIES` (any other
        name is a mistake: ValueError)."""
        if capability not in CAPABILITIES:
            raise ValueError(f"{capability!r} is not a store capability: {sorted(CAPABILITIES)}")
        return capability in self.capabilities

    @abstractmethod
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
        """Run any SPARQL query; SELECT/ASK answer in ``result_format``, CONSTRUCT/DESCRIBE
        in ``graph_format``. ``substitutions`` binds variables (SEP-0007), never splices.
        ``row_bound``, a hint a backend may use or ignore: the caller knows the answer has at
        most this many rows (the query's own ``LIMIT``)."""

    @abstractmethod
    def dump(self, fmt: Format) -> bytes:
        """The whole dataset (named graphs kept for TriG/N-Quads)."""

    @abstractmethod
    def info(self) -> StoreInfo:
        """Version, counts and backend name."""

    def warm(self) -> None:  # noqa: B027 - a no-op by default, not abstract
        """Do now what the first queries would otherwise wait for (start processes, open
        files); a serving process calls it before it takes connections."""

    def close(self) -> None:  # noqa: B027 - a no-op by default, not abstract
        """Release resources (worker processes, connections); backends that hold any
        override it."""

    def read_graph(self, graph: str | None, fmt: Format) -> bytes | None:
        """One graph serialised as triples in ``fmt`` (None: the default graph), or None if
        there is no such graph; the ``read_graph`` capability."""
        raise NotSupported(f"the {type(self).__name__} backend cannot serve single graphs")

    def recycle(self) -> None:
        """Reopen the store's handles so that later queries see a committed write; the
        ``recycle`` capability."""
        raise NotSupported(f"the {type(self).__name__} backend cannot be recycled")

    # -- conveniences built on execute, shared by every backend --------------------------

    def select(
        self,
        query: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        timeout: float | None = None,
    ) -> list[dict[str, Node]]:
        """SELECT rows as dicts of rdflib terms (unbound variables are absent)."""
        res = self.execute(
            query,
            result_format=formats.by_name("json"),
            graph_format=formats.by_name("ntriples"),
            substitutions=bindings,
            timeout=timeout,
        )
        if res.kind != "bindings":
            raise QuerySyntaxError("expected a SELECT query")
        return parse_json_bindings(res.body)

    def ask(self, query: str, *, bindings: Mapping[str, Node] | None = None) -> bool:
        res = self.execute(
            query,
            result_format=formats.by_name("json"),
            graph_format=formats.by_name("ntriples"),
            substitutions=bindings,
        )
        if res.kind != "boolean":
            raise QuerySyntaxError("expected an ASK query")
        return bool(json.loads(res.body)["boolean"])

    def construct(
        self,
        query: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        timeout: float | None = None,
    ) -> Graph:
        """CONSTRUCT/DESCRIBE answer as an rdflib Graph."""
        res = self.execute(
            query,
            result_format=formats.by_name("json"),
            graph_format=formats.by_name("ntriples"),
            substitutions=bindings,
            timeout=timeout,
        )
        if res.kind != "graph":
            raise QuerySyntaxError("expected a CONSTRUCT or DESCRIBE query")
        g = Graph()
        g.parse(data=res.body.decode("utf-8"), format="nt")
        return g


def parse_json_bindings(body: bytes) -> list[dict[str, Node]]:
    """SPARQL 1.1 Query Results JSON → rows of rdflib terms."""
    doc = json.loads(body)
    return [{k: json_term(v) for k, v in row.items()} for row in doc["results"]["bindings"]]


def json_term(v: Mapping[str, str]) -> Node:
    t = v["type"]
    if t == "uri":
        return URIRef(v["value"])
    if t == "bnode":
        return BNode(v["value"])
    return Literal(
        v["value"],
        lang=v.get("xml:lang"),
        datatype=URIRef(v["datatype"]) if "datatype" in v else None,
    )


def as_variable_map(bindings: Mapping[str, Node] | None) -> dict[str, Node]:
    return {str(Variable(k)): v for k, v in (bindings or {}).items()}


# -- results serialisation (SPARQL 1.1 Query Results JSON/XML/CSV/TSV) ---------------------
# Rows are dicts of (kind, value, datatype, lang) tuples so that every backend can use them.

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: a term of a SELECT row: ``(kind, value, datatype, lang)``
Term = tuple[str, str, str | None, str | None]


def serialize_rows(variables: list[str], rows: list[dict[str, Term]], fmt: Format) -> bytes:
    """Serialise SELECT rows; a row maps a variable to ``(kind, value, datatype, lang)``."""
    writer = _ROW_WRITERS.get(fmt.name)
    if writer is None:
        raise ValueError(f"{fmt.name} is not a results format")
    return writer(variables, rows)


def _json_rows(variables: list[str], rows: list[dict[str, Term]]) -> bytes:
    """SPARQL 1.1 Query Results JSON Format."""
    out = []
    for row in rows:
        b = {}
        for var, (kind, value, dt, lang) in row.items():
            term = {"type": kind, "value": value}
            if lang:
                term["xml:lang"] = lang
            elif dt and dt != XSD_STRING:
                term["datatype"] = dt
            b[var] = term
        out.append(b)
    return json.dumps(
        {"head": {"vars": variables}, "results": {"bindings": out}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _xml_rows(variables: list[str], rows: list[dict[str, Term]]) -> bytes:
    """SPARQL Query Results XML Format."""
    from xml.sax.saxutils import escape, quoteattr

    buf = io.StringIO()
    buf.write(
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
    )
    for v in variables:
        buf.write(f"<variable name={quoteattr(v)}/>")
    buf.write("</head><results>")
    for row in rows:
        buf.write("<result>")
        for var, (kind, value, dt, lang) in row.items():
            buf.write(f"<binding name={quoteattr(var)}>")
            if kind == "uri":
                buf.write(f"<uri>{escape(value)}</uri>")
            elif kind == "bnode":
                buf.write(f"<bnode>{escape(value)}</bnode>")
            elif lang:
                buf.write(f"<literal xml:lang={quoteattr(lang)}>{escape(value)}</literal>")
            elif dt and dt != XSD_STRING:
                buf.write(f"<literal datatype={quoteattr(dt)}>{escape(value)}</literal>")
            else:
                buf.write(f"<literal>{escape(value)}</literal>")
            buf.write("</binding>")
        buf.write("</result>")
    buf.write("</results></sparql>")
    return buf.getvalue().encode()


def _csv_rows(variables: list[str], rows: list[dict[str, Term]]) -> bytes:
    """SPARQL 1.1 Query Results CSV Format: values only, blank nodes as ``_:label``."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(variables)
    for row in rows:
        w.writerow(
            [
                ("_:" + row[v][1])
                if v in row and row[v][0] == "bnode"
                else (row[v][1] if v in row else "")
                for v in variables
            ]
        )
    return buf.getvalue().encode()


def _tsv_rows(variables: list[str], rows: list[dict[str, Term]]) -> bytes:
    """SPARQL 1.1 Query Results TSV Format: terms in their Turtle/N-Triples syntax."""
    lines = ["\t".join("?" + v for v in variables)]
    for row in rows:
        lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in variables))
    return ("\n".join(lines) + "\n").encode()


_ROW_WRITERS: dict[str, Callable[[list[str], list[dict[str, Term]]], bytes]] = {
    "json": _json_rows,
    "xml": _xml_rows,
    "csv": _csv_rows,
    "tsv": _tsv_rows,
}


def serialize_boolean(value: bool, fmt: Format) -> bytes:
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.name == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>"
        ).encode()
    if fmt.name in ("csv", "tsv"):
        return ("true\n" if value else "false\n").encode()
    raise ValueError(f"{fmt.name} is not a results format")


def _tsv_term(term: Term) -> str:
    kind, value, dt, lang = term
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    esc = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if lang:
        return f'"{esc}"@{lang}'
    if dt and dt != XSD_STRING:
        return f'"{esc}"^^<{dt}>'
    return f'"{esc}"'
