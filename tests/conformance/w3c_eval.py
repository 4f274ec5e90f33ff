"""The W3C SPARQL 1.1 query and update evaluation suites as a differential test: every test's
operation sent through the HTTP service and run by pyoxigraph in this process over the same
data, the two answers compared (tests/fixtures/w3c/sparql11/, see SOURCE.md there).

What the comparison proves is not the engine's conformance (pyoxigraph's own suite does that)
but that what sits in front of it (the query guard, the BASE the endpoint adds to relative
IRIs, the caps, the answer caches and the fast paths) changes no answer. A test's operation
is refused by design (SERVICE, LOAD) only where :data:`REFUSED_BY_DESIGN` says so.

Datasets: every data file of the suites is one named graph of one store, named
``http://w3c.test/sparql11/<folder>/<file>`` and parsed with that name as its base; a test's
dataset is given with the protocol's ``default-graph-uri`` and ``named-graph-uri``
parameters (pyoxigraph's ``default_graph`` and ``named_graphs`` in process).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).resolve().parent
SUITES = HERE.parent / "fixtures" / "w3c" / "sparql11"
QUERY_MANIFEST = SUITES / "manifest-sparql11-query.ttl"
UPDATE_MANIFEST = SUITES / "manifest-sparql11-update.ttl"
GRAPH_BASE = "http://w3c.test/sparql11/"
#: the default graph of a test that has no data of its own
EMPTY_GRAPH = GRAPH_BASE + "empty"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

KINDS = {
    MF.QueryEvaluationTest: "query",
    MF.CSVResultFormatTest: "query",
    MF.PositiveSyntaxTest11: "query-syntax+",
    MF.NegativeSyntaxTest11: "query-syntax-",
    MF.UpdateEvaluationTest: "update",
    MF.PositiveUpdateSyntaxTest11: "update-syntax+",
    MF.NegativeUpdateSyntaxTest11: "update-syntax-",
}

#: What the service refuses on purpose (docs/security.md), and how to recognise it.
REFUSED_BY_DESIGN = {
    "SERVICE": re.compile(r"\bSERVICE\b", re.I),
    "LOAD": re.compile(r"^\s*LOAD\b|;\s*LOAD\b", re.I | re.M),
}


@dataclass(frozen=True)
class EvalTest:
    iri: str
    name: str
    kind: str  #: a value of :data:`KINDS`
    operation: Path  #: the .rq or .ru file
    data: Path | None  #: the default graph's file (query tests), or None
    graph_data: tuple[tuple[str, Path], ...]  #: (graph name, file) pairs

    @property
    def text(self) -> str:
        return self.operation.read_text(encoding="utf-8")

    @property
    def id(self) -> str:
        return f"{self.operation.parent.name}/{self.iri.rsplit('#', 1)[-1]}"

    def refused_by_design(self) -> str | None:
        """The reason the service refuses this test's operation, or None."""
        text = _strip_comments(self.text)
        return next((name for name, rx in REFUSED_BY_DESIGN.items() if rx.search(text)), None)


def graph_name(file: Path) -> str:
    return GRAPH_BASE + file.relative_to(SUITES).as_posix()


def data_files() -> list[Path]:
    """Every data file the suites use, once."""
    return sorted(
        {p for p in SUITES.rglob("*") if p.suffix in (".ttl", ".nt", ".rdf")}
        - set(SUITES.glob("*/manifest.ttl"))
        - {QUERY_MANIFEST, UPDATE_MANIFEST}
    )


def read_suite(manifest: Path) -> list[EvalTest]:
    """The tests of ``manifest`` and of the manifests it includes, in manifest order."""
    g = Graph()
    g.parse(manifest, format="turtle", publicID=manifest.as_uri())
    tests: list[EvalTest] = []
    for lst in g.objects(URIRef(manifest.as_uri()), MF.include):
        for sub in Collection(g, lst):
            tests.extend(_read_one(_path(sub)))
    return tests


def _read_one(manifest: Path) -> list[EvalTest]:
    g = Graph()
    g.parse(manifest, format="turtle", publicID=manifest.as_uri())
    out: list[EvalTest] = []
    for lst in g.objects(URIRef(manifest.as_uri()), MF.entries):
        for entry in Collection(g, lst):
            kind = next((KINDS[t] for t in g.objects(entry, RDF.type) if t in KINDS), None)
            if kind is None:
                continue
            action = g.value(entry, MF.action)
            name = str(g.value(entry, MF.name) or entry)
            if kind.endswith(("+", "-")):  # the file says which language it is in
                lang = "update" if _path(action).suffix == ".ru" else "query"
                kind = f"{lang}-syntax{kind[-1]}"
                out.append(EvalTest(str(entry), name, kind, _path(action), None, ()))
                continue
            ns = QT if kind == "query" else UT
            operation = g.value(action, QT.query if kind == "query" else UT.request)
            data = g.value(action, ns.data)
            graphs = []
            for gd in g.objects(action, ns.graphData):
                if kind == "query":  # the file's IRI is the graph's name
                    graphs.append((graph_name(_path(gd)), _path(gd)))
                else:
                    graphs.append((str(g.value(gd, RDFS.label)), _path(g.value(gd, UT.graph))))
            out.append(
                EvalTest(
                    str(entry),
                    name,
                    kind,
                    _path(operation),
                    _path(data) if data is not None else None,
                    tuple(sorted(graphs, key=lambda p: (p[0], str(p[1])))),
                )
            )
    return out


def _path(node) -> Path:
    return Path(str(node).removeprefix("file://"))


def _strip_comments(text: str) -> str:
    return re.sub(r"(?m)#[^\n>]*$", "", text)


# -- comparing answers ---------------------------------------------------------------------


def normalise_select(doc: dict, *, ordered: bool) -> object:
    """A SPARQL JSON document as a comparable value: booleans as they are; solutions with
    blank node labels replaced (labels are the engine's to choose), a sorted list unless the
    order is part of the answer."""
    if "boolean" in doc:
        return doc["boolean"]
    rows = []
    for b in doc["results"]["bindings"]:
        row = []
        for var in sorted(b):
            term = dict(b[var])
            if term.get("type") == "bnode":
                term["value"] = "_"
            if term.get("type") == "typed-literal":  # the 2008 form of a typed literal
                term["type"] = "literal"
            row.append((var, json.dumps(term, sort_keys=True)))
        rows.append(tuple(row))
    return rows if ordered else sorted(rows)


def has_order(query: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", _strip_comments(query), re.I) is not None


def graph_from(data: bytes, fmt: str = "nt") -> Graph:
    g = Graph()
    g.parse(data=data.decode("utf-8"), format=fmt)
    return g
