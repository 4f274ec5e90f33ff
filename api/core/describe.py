"""What a dereferenced IRI returns: the description graph of a resource or a named graph.

Pure core (no Flask): store in, rdflib ``Graph`` out. Every SPARQL text lives in
``core/rq/*.rq`` (read by :func:`internal_query`) and is run with bound variables (SEP-0007
substitutions), never formatted.

- :func:`describe`: the description graph of one IRI (``rq/describe.rq``): its own triples,
  the labels of what it links to, the facts that point to it, and their sources. It is the
  same graph in every RDF format, and the HTML page shows it.
- :func:`graph_content`: everything in one named graph; :func:`named_graphs`: the named
  graphs and their sizes.
- :func:`sorted_graph`: a graph in canonical order, so that serialisers give the same bytes.

How the graph is shown lives elsewhere: labels and display values in ``core/labels.py``,
the negotiation status rules in ``core/negotiation.py``, the page models in
``core/pages.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from .store import Store

_RQ = Path(__file__).resolve().parent / "rq"


@cache
def internal_query(name: str) -> str:
    """The text of ``core/rq/{name}.rq``."""
    return (_RQ / f"{name}.rq").read_text(encoding="utf-8")


def is_true(v: Node | None) -> bool:
    """A boolean a SELECT row gives (``true``/``1``); unbound is False."""
    return v is not None and str(v).lower() in ("true", "1")


# -- the description graph -----------------------------------------------------------------


@dataclass(frozen=True)
class Description:
    """The description of one IRI (``rq/describe.rq``); ``found`` is False when the graph
    says nothing about it as a subject."""

    iri: URIRef
    graph: Graph
    found: bool


def describe(store: Store, *, iri: str) -> Description:
    """The description graph of ``iri`` (see ``rq/describe.rq`` for what it holds)."""
    this = URIRef(iri)
    g = _construct_sorted(store, "describe", {"this": this})
    return Description(this, g, (this, None, None) in g)


def graph_content(store: Store, *, graph: str) -> Description:
    """Everything in the named graph ``graph`` (``rq/graph_content.rq``)."""
    g = _construct_sorted(store, "graph_content", {"graph": URIRef(graph)})
    return Description(URIRef(graph), g, len(g) > 0)


def _construct_sorted(store: Store, name: str, bindings: Mapping[str, Node]) -> Graph:
    """Run a CONSTRUCT and parse its N-Triples in sorted order (see :func:`sorted_graph`)."""
    from .formats import by_name

    res = store.execute(
        internal_query(name),
        result_format=by_name("json"),
        graph_format=by_name("ntriples"),
        substitutions=bindings,
    )
    text = res.body.decode("utf-8")
    lines = sorted({ln for ln in text.splitlines() if ln.strip()})
    g = Graph()
    g.parse(data="\n".join(lines) + "\n", format="nt")
    if "_:" in text:  # maybe blank nodes: relabel them canonically, then sort again
        return sorted_graph(g)
    return g


def sorted_graph(g: Graph) -> Graph:
    """A copy of ``g`` with blank nodes labelled canonically and triples inserted in sorted
    order, so that serialisers that follow insertion order give the same bytes every time."""
    from .jsonld import canonical_bnodes

    out = Graph()
    for t in sorted(canonical_bnodes(g), key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        out.add(t)
    return out


# -- named graphs --------------------------------------------------------------------------


def named_graphs(store: Store, *, graph: str | None = None) -> list[tuple[str, int]]:
    """(graph IRI, triple count) of every named graph, or of ``graph`` (``rq/graphs.rq``)."""
    bindings = {"graph": URIRef(graph)} if graph else None
    rows = store.select(internal_query("graphs"), bindings=bindings)
    return sorted((str(r["graph"]), int(r["triples"])) for r in rows if "graph" in r)
