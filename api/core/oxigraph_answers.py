"""How the embedded backend writes an answer: pyoxigraph's query results serialised in the
negotiated format, SPARQL 1.1 Query Results JSON written term by term (the hot path of point
lookups), and pyoxigraph's own JSON writer for answers of bounded size. Part of the embedded
backend (:mod:`.oxigraph_store`): with it, the only modules that import pyoxigraph.
"""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from json.encoder import encode_basestring as _esc  # JSON string, non-ASCII kept (C speed)

import pyoxigraph as ox

from .formats import Format
from .store import QueryResult, ResultTooLarge, serialize_boolean, serialize_rows

RDF_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def row_term(t) -> tuple:
    """A pyoxigraph term as a :data:`.store.Term` of a SELECT row."""
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value, None, None)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value, None, None)
    if isinstance(t, ox.Literal):
        return ("literal", t.value, t.datatype.value, t.language)
    return ("literal", str(t), None, None)  # RDF-star triple terms: rare, kept as text


@lru_cache(maxsize=256)
def _datatype_tail(datatype: str) -> str:
    return ',"datatype":' + _esc(datatype) + "}"


def json_results(variables: list[str], solutions: list) -> bytes:
    """SPARQL 1.1 Query Results JSON Format §3 for ``solutions``, the same bytes as
    :func:`.store.serialize_rows` gives, written term by term (a third of the time: point
    lookups are mostly serialisation)."""
    heads = [_esc(v) + ':{"type":' for v in variables]
    positions = range(len(variables))
    out = []
    for s in solutions:
        parts = []
        for k in positions:
            t = s[k]
            if t is None:
                continue
            cls = type(t)
            if cls is ox.NamedNode:
                parts.append(heads[k] + '"uri","value":' + _esc(t.value) + "}")
            elif cls is ox.BlankNode:
                parts.append(heads[k] + '"bnode","value":' + _esc(t.value) + "}")
            elif cls is ox.Literal:
                if t.language:
                    parts.append(
                        heads[k]
                        + '"literal","value":'
                        + _esc(t.value)
                        + ',"xml:lang":'
                        + _esc(t.language)
                        + "}"
                    )
                else:
                    dt = t.datatype.value
                    parts.append(
                        heads[k]
                        + '"literal","value":'
                        + _esc(t.value)
                        + ("}" if dt == _XSD_STRING else _datatype_tail(dt))
                    )
            else:  # RDF-star triple terms: rare, kept as text (as row_term does)
                parts.append(heads[k] + '"literal","value":' + _esc(str(t)) + "}")
        out.append("{" + ",".join(parts) + "}")
    return (
        '{"head":{"vars":['
        + ",".join(_esc(v) for v in variables)
        + ']},"results":{"bindings":['
        + ",".join(out)
        + "]}}"
    ).encode()


def too_many_rows(max_rows: int) -> ResultTooLarge:
    return ResultTooLarge(
        f"the answer has more than {max_rows} rows, the result cap; add a LIMIT or narrow the query"
    )


def bounded_json(result: ox.QuerySolutions, fmt: Format, max_rows: int | None) -> QueryResult:
    """SPARQL JSON results by pyoxigraph's own writer, for an answer of bounded size. The
    rows are counted only when the cap could be passed: a row takes at least three bytes
    (``{}`` and a comma), so a shorter answer holds at most ``max_rows`` rows."""
    body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
    rows = None
    if max_rows and len(body) >= 3 * max_rows:
        rows = len(json.loads(body)["results"]["bindings"])
        if rows > max_rows:
            raise too_many_rows(max_rows)
    return QueryResult("bindings", body, fmt, rows)


def serialize_answer(
    result, result_format: Format, graph_format: Format, max_rows: int | None
) -> QueryResult:
    """A pyoxigraph query result as a :class:`.QueryResult`: SELECT and ASK answers in
    ``result_format``, graphs in ``graph_format``; past ``max_rows`` rows or triples,
    :class:`.ResultTooLarge`."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(
            "boolean", serialize_boolean(bool(result), result_format), result_format, 1
        )
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        it = iter(result)
        sols = list(itertools.islice(it, max_rows + 1)) if max_rows else list(it)
        if max_rows and len(sols) > max_rows:
            raise too_many_rows(max_rows)
        if result_format.name == "json":  # the hot path: written directly (bench/)
            return QueryResult("bindings", json_results(variables, sols), result_format, len(sols))
        rows = []
        for s in sols:
            row = {}
            for v in variables:
                t = s[v]
                if t is not None:
                    row[v] = row_term(t)
            rows.append(row)
        return QueryResult(
            "bindings", serialize_rows(variables, rows, result_format), result_format, len(rows)
        )
    it = iter(result)
    triples = list(itertools.islice(it, max_rows + 1)) if max_rows else list(it)
    if max_rows and len(triples) > max_rows:
        raise ResultTooLarge(f"the answer has more than {max_rows} triples, the result cap")
    fmt = graph_format
    if fmt.name in ("trig", "nquads"):  # a graph answer in a dataset syntax: default graph
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        body = ox.serialize(quads, format=RDF_FORMAT[fmt.name])
    else:
        body = ox.serialize(triples, format=RDF_FORMAT[fmt.name])
    return QueryResult("graph", body or b"", fmt, len(triples))
