"""Untrusted RDF: the one way a document from outside becomes triples, on every path that
takes one (``POST /validate``, the Graph Store Protocol's ``PUT`` and ``POST``,
``enlargement-kg validate FILE``).

Nothing named by the document is ever fetched, and nothing it asks for costs more than the
limits (:class:`Limits`):

1. **XML** (RDF/XML): a ``DOCTYPE`` is refused before anything is parsed (:func:`refuse_dtd`:
   expat reads the document with a handler that stops at the declaration), so no entity is
   declared, none expanded (billion laughs) and no external one read (XXE).
2. **JSON-LD**: UTF-8 only (RFC 8259 §8.1); nesting deeper than ``Limits.depth`` is refused,
   counted on the raw text without recursion (:func:`nesting`); every context referred to by
   URL (``"@context": URL``, in an array, ``"@import"``) goes through :func:`load_context`,
   the document loader, which knows only the service's own published context (read from the
   package, :func:`own_contexts`) and refuses any other URL (``http:``, ``file:``, relative)
   with the same words whatever it names. The parsers then see only inline contexts.
3. **Every format** is parsed in a forked child (:func:`.child.run_in_child`) with a deadline
   and a cap on its address space: a parser that loops, balloons or crashes costs the child,
   never the serving process.

Errors are :class:`PayloadRefused` (400: hostile, or over the limits) or
:class:`.QuerySyntaxError` (400: the parser's message): they say what is wrong with the
input, never a server path or an operating system error.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from xml.parsers import expat

from rdflib import Graph

from .child import ChildDied, ChildError, ChildTimeout, run_in_child
from .formats import Format
from .jsonld import CONTEXT_IRI
from .oxigraph_store import ParsedGraph
from .oxigraph_store import parse_graph as _parse_with_oxigraph
from .store import QuerySyntaxError, StoreError

T = TypeVar("T")
MB = 1 << 20


class PayloadRefused(StoreError):
    """The document is refused; the message says what is wrong with it."""

    status = 400


@dataclass(frozen=True)
class Limits:
    """What parsing one document may cost."""

    depth: int = 100  #: JSON nesting (arrays and objects)
    seconds: float = 30.0  #: the parsing child's deadline
    memory: int = 512 * MB  #: address space the child may add, plus ``per_byte`` a byte
    per_byte: int = 64


LIMITS = Limits()

#: the refusal of every context named by URL: the same words whatever the URL names
NOT_FETCHED = (
    "a JSON-LD context named by URL is not fetched: put the context in the document, or "
    f"refer to this service's own context <{CONTEXT_IRI}>"
)


# -- XML ------------------------------------------------------------------------------------


class _Declaration(Exception):
    pass


def _stop(*_: Any) -> int:
    raise _Declaration


def refuse_dtd(data: bytes, what: str = "RDF/XML") -> None:
    """PayloadRefused unless ``data`` is well-formed XML without a ``DOCTYPE`` (in any
    encoding expat reads). Nothing is expanded: the check stops at the declaration.

    >>> refuse_dtd(b'<?xml version="1.0"?><a/>')
    >>> refuse_dtd(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    enlargement_kg.core.untrusted.PayloadRefused: the RDF/XML payload has a DOCTYPE ...
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _stop
    parser.EntityDeclHandler = _stop
    parser.ExternalEntityRefHandler = _stop  # only with a DOCTYPE: never reached
    try:
        parser.Parse(data, True)
    except _Declaration:
        raise PayloadRefused(
            f"the {what} payload has a DOCTYPE declaration: DTDs and entities are refused "
            "(nothing is expanded or read)"
        ) from None
    except expat.ExpatError as exc:
        raise PayloadRefused(
            f"the {what} payload is not well-formed XML: {expat.ErrorString(exc.code)} "
            f"(line {exc.lineno}, column {exc.offset})"
        ) from None


# -- JSON-LD --------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\.", re.S)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting(text: str) -> int:
    """How deep the arrays and objects of the JSON ``text`` nest, counted without recursion
    (brackets inside strings do not count).

    >>> nesting('{"a": [1, {"b": "[[[{"}]}')
    3
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def own_contexts(*urls: str) -> dict[str, Any]:
    """The contexts :func:`load_context` knows: the service's published context (built from
    the packaged ontology) at its IRI and at each of ``urls`` (where a host serves it)."""
    from .jsonld import context_document

    ctx = context_document().document["@context"]
    return {url: ctx for url in (CONTEXT_IRI, *urls)}


def load_context(url: Any, contexts: Mapping[str, Any]) -> Any:
    """The document loader: the context at ``url`` if it is one of ``contexts`` (a copy),
    else PayloadRefused with :data:`NOT_FETCHED`. Never reads a network or a file."""
    if not isinstance(url, str) or url not in contexts:
        raise PayloadRefused(NOT_FETCHED)
    return copy.deepcopy(contexts[url])


def _resolve(value: Any, contexts: Mapping[str, Any]) -> Any:
    """A ``@context`` value with every URL in it replaced by the context it names."""
    if isinstance(value, str):
        return load_context(value, contexts)
    if isinstance(value, list):
        return [_resolve(item, contexts) for item in value]
    if isinstance(value, dict) and "@import" in value:
        imported = load_context(value["@import"], contexts)
        if not isinstance(imported, dict):
            raise PayloadRefused("a JSON-LD @import must name a context object")
        return imported | {k: v for k, v in value.items() if k != "@import"}
    return value


def inline_contexts(doc: Any, contexts: Mapping[str, Any]) -> Any:
    """``doc`` (parsed JSON) with every ``@context`` URL, at any depth, resolved by
    :func:`load_context`; walked with a stack, not recursion."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if "@context" in node:
                node["@context"] = _resolve(node["@context"], contexts)
            stack.extend(node.values())
    return doc


def safe_jsonld(data: bytes, contexts: Mapping[str, Any], depth: int) -> bytes:
    """The JSON-LD ``data`` with its contexts inline, or PayloadRefused (not UTF-8, nested
    deeper than ``depth``, not JSON, a context by URL other than ``contexts``)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadRefused("the JSON-LD payload is not UTF-8 (RFC 8259 §8.1)") from None
    if nesting(text) > depth:
        raise PayloadRefused(
            f"the JSON-LD payload is nested deeper than {depth} levels of arrays and "
            "objects: refused"
        )
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise PayloadRefused(f"the JSON-LD payload is not JSON: {exc}") from None
    return json.dumps(inline_contexts(doc, contexts)).encode("utf-8")


# -- parsing --------------------------------------------------------------------------------


def checked(
    data: bytes,
    fmt: Format,
    *,
    contexts: Mapping[str, Any] | None = None,
    limits: Limits = LIMITS,
) -> bytes:
    """``data`` as a parser may see it (contexts inline), or PayloadRefused."""
    if fmt.name == "rdfxml":
        refuse_dtd(data)
    elif fmt.name == "jsonld":
        return safe_jsonld(data, own_contexts() if contexts is None else contexts, limits.depth)
    return data


def _in_child(fn: Callable[..., T], *args: Any, fmt: Format, limits: Limits) -> T:
    what = f"parsing the {fmt.name} payload"
    size = len(args[0])
    memory = limits.memory + limits.per_byte * size
    try:
        return run_in_child(fn, *args, timeout=limits.seconds, what=what, memory=memory)
    except ChildTimeout:
        raise PayloadRefused(
            f"{what} took longer than {limits.seconds:g} s: it was stopped"
        ) from None
    except ChildDied:
        raise PayloadRefused(f"{what} went beyond the parser's limits: it was stopped") from None
    except ChildError as exc:
        if exc.type_name == "MemoryError":
            raise PayloadRefused(
                f"{what} needs more than {memory // MB} MB of memory: refused"
            ) from None
        raise QuerySyntaxError(
            f"the {fmt.name} payload does not parse: {exc.message[:300]}"
        ) from None


def _oxigraph(data: bytes, fmt: Format, base_iri: str | None) -> ParsedGraph:
    return _parse_with_oxigraph(data, fmt, base_iri=base_iri)


def _rdflib(data: bytes, fmt: Format, base_iri: str | None) -> list[Any]:
    g = Graph()
    g.parse(data=data, format=fmt.rdflib, publicID=base_iri)
    return list(g)


def parse_graph(
    data: bytes,
    fmt: Format,
    *,
    base_iri: str | None = None,
    contexts: Mapping[str, Any] | None = None,
    limits: Limits = LIMITS,
) -> ParsedGraph:
    """The untrusted ``data`` in ``fmt`` as triples for a write (pyoxigraph terms, fresh
    blank nodes), parsed in a child within ``limits``. ``contexts``: the JSON-LD contexts
    the loader knows (default :func:`own_contexts`)."""
    safe = checked(data, fmt, contexts=contexts, limits=limits)
    return _in_child(_oxigraph, safe, fmt, base_iri, fmt=fmt, limits=limits)


def parse_rdflib(
    data: bytes,
    fmt: Format,
    *,
    base_iri: str | None = None,
    contexts: Mapping[str, Any] | None = None,
    limits: Limits = LIMITS,
) -> Graph:
    """The untrusted ``data`` in ``fmt`` as an rdflib graph (for validation), parsed in a
    child within ``limits``; as :func:`parse_graph` otherwise."""
    safe = checked(data, fmt, contexts=contexts, limits=limits)
    g = Graph()
    for triple in _in_child(_rdflib, safe, fmt, base_iri, fmt=fmt, limits=limits):
        g.add(triple)
    return g
