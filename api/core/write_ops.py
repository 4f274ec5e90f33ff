"""What a write is: the operations (SPARQL 1.1 Update, the Graph Store Protocol's PUT, POST
and DELETE), the errors a write raises, the SPARQL 1.1 Protocol dataset of an update
(:func:`with_protocol_dataset`), and the SHACL report of a refusal (:func:`violations_graph`).
:mod:`.writes` runs them: validated, atomic and durable (docs/writes.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from .guard import _TOKEN as SPARQL_TOKEN  # the one SPARQL tokenizer of the service
from .namespaces import SH
from .oxigraph_store import OxigraphStore, ParsedGraph
from .store import Dataset, QueryRefused, QueryTimeout, StoreError
from .validation import ValidationReport

# -- errors -------------------------------------------------------------------------------


class WriteRefused(StoreError):
    """The write would leave the graph violating the shapes; ``report`` holds the
    violations. Nothing was written."""

    status = 409

    def __init__(self, message: str, report: ValidationReport):
        super().__init__(message)
        self.report = report


class GraphNotFound(StoreError):
    """Graph Store Protocol §5.3/§5.4: the named graph does not exist."""

    status = 404


class WriteBusy(StoreError):
    """Another write held the store for longer than :data:`.writes.LOCK_WAIT`."""

    status = 503


class WriteTimeout(QueryTimeout):
    """The update ran past the time limit and was stopped; nothing was written."""


# -- operations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """A SPARQL 1.1 Update request (SPARQL 1.1 Protocol §2.2), its dataset already applied."""

    text: str
    base_iri: str | None = None


@dataclass(frozen=True)
class PutGraph:
    """Graph Store Protocol §5.3 HTTP PUT: the graph (None: the default graph) becomes
    ``payload``."""

    graph: str | None
    payload: ParsedGraph


@dataclass(frozen=True)
class PostGraph:
    """Graph Store Protocol §5.5 HTTP POST: ``payload`` is merged into the graph."""

    graph: str | None
    payload: ParsedGraph


@dataclass(frozen=True)
class DeleteGraph:
    """Graph Store Protocol §5.4 HTTP DELETE: the graph is removed (the default graph is
    emptied)."""

    graph: str | None


Operation = Update | PutGraph | PostGraph | DeleteGraph

#: :func:`written_graphs` of an operation that may write any graph
ANY_GRAPH = None


def written_graphs(op: Operation) -> frozenset[str | None] | None:
    """The graphs ``op`` can write (None in the set: the default graph), so that a write's
    changes are read from those graphs alone; None when it may write any graph (``GRAPH
    ?g`` in a template, ``CLEAR ALL``, or an update the analysis cannot read: the caller
    then compares every graph). An update is read by rdflib's SPARQL parser, whose result
    only narrows the comparison: what the store does is still pyoxigraph's."""
    if not isinstance(op, Update):
        return frozenset([op.graph])
    if len(op.text) > 64_000:  # a long INSERT DATA parses slowly: compare every graph
        return ANY_GRAPH
    try:
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate

        operations = translateUpdate(parseUpdate(op.text), base=op.base_iri).algebra
        out: set[str | None] = set()
        for one in operations:
            out |= _written_by(one)
    except _AnyGraph:
        return ANY_GRAPH
    except Exception:  # noqa: BLE001 - rdflib cannot read it: pyoxigraph will judge it
        return ANY_GRAPH
    return frozenset(out)


class _AnyGraph(Exception):
    pass


def _written_by(one: object) -> set[str | None]:
    """The graphs one operation of rdflib's update algebra writes."""
    from rdflib import URIRef

    def graph(g: object) -> str | None:
        if g == "DEFAULT":
            return None
        if isinstance(g, URIRef):
            return str(g)
        raise _AnyGraph  # a variable, ALL, NAMED

    name = getattr(one, "name", "")
    if name in ("InsertData", "DeleteData", "DeleteWhere", "Modify"):
        get = dict.get  # CompValue.get answers even a missing key
        clauses = [one] if name != "Modify" else [get(one, "delete"), get(one, "insert")]
        into = graph(get(one, "withClause")) if get(one, "withClause") is not None else None
        out: set[str | None] = set()
        for c in clauses:
            if c is None:
                continue
            out |= {graph(g) for g in (get(c, "quads") or {})}
            if get(c, "triples"):
                out.add(into)
        return out
    if name in ("Add", "Move", "Copy"):
        return {graph(g) for g in one["graph"]}
    if name in ("Clear", "Drop", "Create", "Load"):
        g = dict.get(one, "graphiri")
        return {None if g is None else graph(g)}
    raise _AnyGraph


def apply_operation(op: Operation, store: OxigraphStore) -> bool:
    """Apply ``op`` to ``store`` (a staging copy); True if it brought a graph into being."""
    if isinstance(op, Update):
        store.apply_update(op.text, base_iri=op.base_iri)
        return False
    if isinstance(op, PutGraph):
        return store.replace_graph(op.graph, op.payload)
    if isinstance(op, PostGraph):
        return store.add_to_graph(op.graph, op.payload)
    if isinstance(op, DeleteGraph):
        if not store.drop_graph(op.graph):
            raise GraphNotFound(f"there is no graph <{op.graph}> in the store")
        return False
    raise TypeError(f"not a write operation: {op!r}")


# -- the SPARQL 1.1 Protocol dataset of an update -------------------------------------------

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*$")


def check_graph_iri(iri: str, *, what: str = "graph IRI") -> str:
    """``iri`` if it is an absolute IRI that can stand in ``<...>``; else QueryRefused."""
    if not _ABSOLUTE_IRI.match(iri):
        raise QueryRefused(f"the {what} {iri!r} is not an absolute IRI")
    if iri.lower().startswith("file:"):
        raise QueryRefused("file: IRIs are refused: the service never reads local files")
    return iri


def with_protocol_dataset(update: str, dataset: Dataset) -> str:
    """SPARQL 1.1 Protocol §2.2.3: apply ``using-graph-uri`` / ``using-named-graph-uri`` to
    every ``DELETE``/``INSERT ... WHERE`` operation of ``update``, as ``USING`` /
    ``USING NAMED`` clauses (SPARQL 1.1 Update §3.1.3). An update that has its own ``USING``
    or ``WITH`` cannot take them (400, as §2.2.3 says); neither can the ``DELETE WHERE``
    shortcut, which has no place for ``USING`` in the grammar.

    The IRIs are checked first: an IRI reference cannot contain ``>`` or spaces, so a
    parameter can never close the clause and inject text.
    """
    if not (dataset.default_graphs or dataset.named_graphs):
        return update
    for iri in dataset.default_graphs:
        check_graph_iri(iri, what="using-graph-uri")
    for iri in dataset.named_graphs:
        check_graph_iri(iri, what="using-named-graph-uri")
    clause = (
        " ".join(
            [f"USING <{g}>" for g in dataset.default_graphs]
            + [f"USING NAMED <{g}>" for g in dataset.named_graphs]
        )
        + " "
    )
    depth, previous, at = 0, "", []
    for m in SPARQL_TOKEN.finditer(update):
        kind, text = m.lastgroup, m.group()
        if kind == "comment" or text.isspace():
            continue
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
        elif kind == "word" and depth == 0:
            word = text.upper()
            if word in ("USING", "WITH"):
                raise QueryRefused(
                    f"the update has its own {word} clause, so it cannot also take "
                    "using-graph-uri / using-named-graph-uri (SPARQL 1.1 Protocol §2.2.3)"
                )
            if word == "WHERE":
                if previous == "DELETE":
                    raise QueryRefused(
                        "DELETE WHERE cannot take using-graph-uri / using-named-graph-uri; "
                        "write it as DELETE { ... } WHERE { ... }"
                    )
                at.append(m.start())
        previous = text.upper()
    for pos in reversed(at):
        update = update[:pos] + clause + update[pos:]
    return update


# -- the SHACL report of a refusal ----------------------------------------------------------


def violations_graph(report: ValidationReport) -> Graph:
    """The SHACL validation report reduced to its violations (warnings are left out: they
    predate the write and are shown at /-/validation)."""
    out = Graph()
    out.bind("sh", SH)
    src = report.graph if report.graph is not None else Graph()
    reports = list(src.subjects(RDF.type, SH.ValidationReport))
    for node in reports:
        out.add((node, RDF.type, SH.ValidationReport))
        out.add((node, SH.conforms, Literal(report.conforms)))
    for result in src.subjects(RDF.type, SH.ValidationResult):
        if src.value(result, SH.resultSeverity) != SH.Violation:
            continue
        out += src.cbd(result)
        for node in reports:
            out.add((node, SH.result, result))
    return out
