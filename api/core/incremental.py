"""Incremental validation of a write: re-validate only what the write can affect.

A full validation evaluates every top-level shape S on every focus node of its targets; its
results are the union of ``eval(S, f)``. A write changes a few triples (the *delta*). For
each shape this module computes, from the shapes graph alone, what an evaluation of S at a
focus node f can read (its *reach*):

- the predicates it reads, each with the direction it is followed from the focus node
  (``sh:path`` including inverse, sequence and alternative paths, ``sh:class`` (``rdf:type``),
  nested shapes, and the triple patterns of its SPARQL constraints connected to ``$this``);
- the radius: how many steps from f the nearest end of any such triple can be;
- *global* predicates: patterns not connected to ``$this`` (a sub-select that does not
  project it, a constant subject such as ``<.../instrument/SAFE> enl:requiresTie ?tie``,
  a SPARQL target, ``rdfs:subClassOf``), any change of which can affect every focus node.

Given the delta, a shape is *skipped* (no delta triple has a predicate it reads: its previous
results stand), *re-run on candidates* (the focus nodes within its radius of the delta,
walking its steps backwards over the graph after the write), or *re-run whole* (a global
predicate changed, its reach is unbounded: ``*``/``+`` paths, negated paths, ``GRAPH``,
``SERVICE``; or its result depends on the clock: ``NOW()``, ``RAND()``...). Whatever the
analysis does not understand (an unknown constraint component, a shape nested under two
parents, SHACL-AF rules or functions in the shapes) makes :func:`plan` return None: the
caller then validates the whole graph. The previous results come from the last validation
(full or incremental) of the graph before the write, keyed by the top-level shape they
belong to (:func:`keyed`).

tests/writes/test_incremental.py checks, over a few hundred random writes drawn from the
shape fixtures and mutations of real facts, that the verdict and the results are the same
as a full validation's.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path as FilePath

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath

from .namespaces import SH
from .validation import ValidationReport, ValidationResult, report_results

#: A predicate position that matches any predicate.
ANY = URIRef("urn:enlargement-kg:any-predicate")
FWD, BWD = 1, -1

#: SPARQL functions whose value is not a function of the data (NOW() is the clock, which a
#: shape may read to the day: see :func:`_to_the_day`).
_RANDOM = {"Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}
#: the forms of NOW() that read the clock no finer than the day
_DAY_FORMS = (
    re.compile(r"\b(?:YEAR|MONTH|DAY)\s*\(\s*NOW\s*\(\s*\)\s*\)", re.I),
    re.compile(r"\bSUBSTR\s*\(\s*STR\s*\(\s*NOW\s*\(\s*\)\s*\)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", re.I),
)
_UNBOUNDED = {"ServiceGraphPattern", "Graph", "Builtin_EXISTS_SERVICE"}

#: Constraint parameters that read nothing but the value nodes themselves (or the shapes).
_PASSIVE = {
    SH[n]
    for n in (
        *("severity", "message", "name", "description", "order", "group", "defaultValue"),
        *("deactivated", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive"),
        *("maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength"),
        *("pattern", "flags", "languageIn", "uniqueLang", "in", "hasValue", "path"),
        *("qualifiedMinCount", "qualifiedMaxCount", "targetNode", "prefixes", "declare"),
        *("select", "ignoredProperties"),
    )
}
_NESTED = {SH.node, SH["not"], SH.qualifiedValueShape}
_LISTS = {SH["or"], SH["and"], SH.xone}
_SIBLING = {SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals}


class Unsupported(Exception):
    """The shapes use something this analysis does not bound: validate everything."""


class _Unbounded(Exception):
    """One shape's reach cannot be bounded: re-run that shape whole on every write."""


# -- the reach of a shape -------------------------------------------------------------------


@dataclass
class Reach:
    """What evaluating one top-level shape at a focus node can read."""

    steps: set[tuple[URIRef, int]] = field(default_factory=set)  #: (predicate, FWD/BWD)
    radius: int = 0
    globals: set[URIRef] = field(default_factory=set)  #: predicates read anywhere
    always: bool = False  #: re-run whole on every write (unbounded)
    clock: bool = False  #: reads the clock (to the day): re-run whole on a new day

    def reads(self, pred: URIRef) -> bool:
        return any(p in (pred, ANY) for p, _ in self.steps)

    def reads_globally(self, pred: URIRef) -> bool:
        return pred in self.globals or ANY in self.globals


class _Patterns:
    """A pattern graph: edges (subject key, predicate, object key); keys of variables are
    tuples, constants are rdflib terms. ``root`` is the focus node's key."""

    def __init__(self) -> None:
        self.edges: list[tuple[object, URIRef, object]] = []
        self.clock = False
        self._fresh = itertools.count()
        self.root = self.fresh()

    def fresh(self) -> tuple:
        return ("var", next(self._fresh))

    def path(self, s: object, path: object, o: object) -> None:
        """Edges for a property path from ``s`` to ``o``."""
        if isinstance(path, (URIRef, Variable)):
            self.edges.append((s, path if isinstance(path, URIRef) else ANY, o))
        elif isinstance(path, SequencePath):
            nodes = [s] + [self.fresh() for _ in path.args[1:]] + [o]
            for a, p, b in zip(nodes, path.args, nodes[1:], strict=False):
                self.path(a, p, b)
        elif isinstance(path, AlternativePath):
            for p in path.args:
                self.path(s, p, o)
        elif isinstance(path, InvPath):
            self.path(o, path.arg, s)
        elif isinstance(path, MulPath) and path.mod == "?":
            self.path(s, path.path, o)
        elif isinstance(path, NegatedPath):
            self.edges.append((s, ANY, o))
        else:  # * and + paths: no radius
            raise _Unbounded(str(path))

    def reach(self) -> Reach:
        """Breadth-first from the root over variable keys; constants end a walk."""
        depth = {self.root: 0}
        frontier = [self.root]
        while frontier:
            nxt = []
            for node in frontier:
                for s, _, o in self.edges:
                    for a, b in ((s, o), (o, s)):
                        if a == node and isinstance(b, tuple) and b not in depth:
                            depth[b] = depth[node] + 1
                            nxt.append(b)
            frontier = nxt
        out = Reach(clock=self.clock)
        for s, p, o in self.edges:
            near = [(depth[k], d) for k, d in ((s, FWD), (o, BWD)) if k in depth]
            if not near:
                out.globals.add(p)
                continue
            low = min(d for d, _ in near)  # the end a walk from the focus node meets first
            for d, direction in near:
                if d == low:
                    out.steps.add((p, direction))
            out.radius = max(out.radius, low)
        return out


def _sparql(pat: _Patterns, this: object, text: str, prologue: str) -> None:
    """Add the triple patterns of a SPARQL query, ``$this`` bound to ``this``."""
    from rdflib.plugins.sparql import prepareQuery

    algebra = prepareQuery(prologue + text).algebra
    scopes = itertools.count()

    def key(term: object, scope: dict) -> object:
        if isinstance(term, Variable):
            if term == Variable("this"):
                return this
            return scope.setdefault(term, ("sparql", next(scopes), str(term)))
        if isinstance(term, BNode):  # a blank node in a pattern is a variable
            return scope.setdefault(term, pat.fresh())
        return term

    def walk(node: object, scope: dict, top: bool) -> None:
        if isinstance(node, dict):
            name = getattr(node, "name", "")
            if name == "Builtin_NOW":
                if not _to_the_day(text):
                    raise _Unbounded("NOW() read finer than the day")
                pat.clock = True
            if name in _RANDOM or name in _UNBOUNDED:
                raise _Unbounded(name)
            if name == "Project" and not top:  # a sub-select: only what it projects joins
                inner = {v: scope.setdefault(v, key(v, scope)) for v in dict.get(node, "PV") or []}
                scope = inner
            for t in _triples(dict.get(node, "triples") or []):
                s, p, o = (key(x, scope) for x in t)
                path = t[1] if isinstance(t[1], (Path, Variable)) else p
                pat.path(s, path, o)
            for k, v in node.items():
                if k != "triples":
                    walk(v, scope, top and name in ("SelectQuery", ""))
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, scope, top)

    walk(algebra, {}, True)


def _to_the_day(text: str) -> bool:
    """Does ``text`` read NOW() only to the day (its year, month, day, or the first ten
    characters of its lexical form)? Then results computed earlier the same (UTC) day
    stand."""

    def day_part(m: re.Match) -> str:
        if m.groups() and int(m.group(1)) + int(m.group(2)) - 1 > 10:
            return m.group(0)  # reaches past the day: left in, so it is found below
        return ""

    for form in _DAY_FORMS:
        text = form.sub(day_part, text)
    return re.search(r"\bNOW\s*\(", text, re.I) is None


def _triples(block: list) -> list:
    """Triple patterns of a BGP (tuples) or of a raw block (lists of s p o s p o ...)."""
    flat = [x for t in block for x in (t if isinstance(t, list) else [t])]
    if block and not isinstance(block[0], list):
        return list(block)
    return [flat[i : i + 3] for i in range(0, len(flat), 3)]


class _Analysis:
    """The reach of every top-level shape of one shapes graph."""

    def __init__(self, shapes: Graph):
        self.g = shapes
        self.owner: dict[object, object] = {}  #: nested shape node -> its top-level shape
        decl = []
        for d in shapes.objects(None, SH.declare):
            prefix, ns = shapes.value(d, SH.prefix), shapes.value(d, SH.namespace)
            if prefix is not None and ns is not None:
                decl.append(f"PREFIX {prefix}: <{ns}>\n")
        self.prologue = "".join(sorted(set(decl)))

    def shape(self, pat: _Patterns, node: object, at: object, top: object) -> None:
        """The reads of shape ``node`` evaluated at pattern key ``at``."""
        if self.owner.setdefault(node, top) != top:
            raise Unsupported(f"the shape {node} is nested under two shapes")
        g = self.g
        if (node, SH.path, None) in g:  # a property shape: its constraints see the values
            value = pat.fresh()
            pat.path(at, _path(g, g.value(node, SH.path)), value)
        else:
            value = at
        for p, o in g.predicate_objects(node):
            if not str(p).startswith(str(SH)) or p in _PASSIVE or p == SH.path:
                continue
            if p == SH.property:
                self.shape(pat, o, at, top)
            elif p in _NESTED:
                self.shape(pat, o, value, top)
            elif p in _LISTS:
                for member in Collection(g, o):
                    self.shape(pat, member, value, top)
            elif p == SH["class"]:
                pat.edges.append((value, RDF.type, pat.fresh()))
                pat.edges.append((pat.fresh(), RDFS.subClassOf, pat.fresh()))
            elif p in _SIBLING:
                pat.edges.append((at, o, pat.fresh()))
            elif p == SH.closed:
                pat.edges.append((at, ANY, pat.fresh()))
            elif p == SH.sparql and value is at:
                _sparql(pat, at, str(g.value(o, SH.select)), self.prologue)
            elif p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
                self.target(pat, p, o, at)
            else:
                raise Unsupported(f"the constraint parameter {p} is not analysed")

    def target(self, pat: _Patterns, p: URIRef, o: object, at: object) -> None:
        if p == SH.targetClass:
            pat.edges.append((at, RDF.type, pat.fresh()))
            pat.edges.append((pat.fresh(), RDFS.subClassOf, pat.fresh()))
        elif p == SH.targetSubjectsOf:
            pat.edges.append((at, o, pat.fresh()))
        elif p == SH.targetObjectsOf:
            pat.edges.append((pat.fresh(), o, at))
        else:  # a SPARQL target: its ?this is the focus node (what it selects)
            _sparql(pat, at, str(self.g.value(o, SH.select)), self.prologue)


def _path(g: Graph, node: object) -> object:
    """A SHACL property path as an rdflib path."""
    if isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in g:
        return SequencePath(*[_path(g, n) for n in Collection(g, node)])
    if (inv := g.value(node, SH.inversePath)) is not None:
        return InvPath(_path(g, inv))
    if (alt := g.value(node, SH.alternativePath)) is not None:
        return AlternativePath(*[_path(g, n) for n in Collection(g, alt)])
    if (one := g.value(node, SH.zeroOrOnePath)) is not None:
        return MulPath(_path(g, one), "?")
    raise _Unbounded(f"the path {node}")


# -- the plan --------------------------------------------------------------------------------


@dataclass
class Plan:
    """The reach of each top-level shape, and which top-level shape owns each nested one."""

    reach: dict[object, Reach]
    owner: dict[str, str]


def plan(shapes: Graph) -> Plan | None:
    """The incremental plan for ``shapes``, or None when they cannot be analysed."""
    declared = (SH.SPARQLFunction, SH.SPARQLTargetType, SH.ConstraintComponent)
    if (None, SH.rule, None) in shapes or (None, SH.parameter, None) in shapes:
        return None  # rules, and constraint components of its own (their reads are unknown)
    if any((None, RDF.type, t) in shapes for t in declared):
        return None
    tops = {
        s
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
        for s in shapes.subjects(p, None)
    }
    if any(isinstance(s, BNode) for s in tops) or (None, RDF.type, RDFS.Class) in shapes:
        return None  # implicit class targets and anonymous top-level shapes: not analysed
    analysis = _Analysis(shapes)
    reach = {}
    try:
        for top in sorted(tops, key=str):
            pat = _Patterns()
            try:
                analysis.shape(pat, top, pat.root, top)
                reach[top] = pat.reach()
            except _Unbounded:
                reach[top] = Reach(always=True)
                _own(shapes, top, analysis.owner)
    except Unsupported:
        return None
    owner = {str(k): str(v) for k, v in analysis.owner.items()}
    return Plan(reach, owner)


def _own(g: Graph, top: object, owner: dict) -> None:
    """Record the nested shapes of a shape whose reach was not analysed to the end."""
    todo = [top]
    while todo:
        node = todo.pop()
        if owner.setdefault(node, top) != top:
            raise Unsupported(f"the shape {node} is nested under two shapes")
        for p, o in g.predicate_objects(node):
            if p in (SH.property, *_NESTED):
                todo.append(o)
            elif p in _LISTS:
                todo.extend(Collection(g, o))


def keyed(report: ValidationReport, plan: Plan) -> list[tuple[str, ValidationResult]] | None:
    """The results of ``report`` with the top-level shape each belongs to; None if some
    result's shape is unknown to the plan."""
    out = []
    for r in report.results:
        top = plan.owner.get(r.shape)
        if top is None:
            return None
        out.append((top, r))
    return out


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def union_graph(quads: Iterable, into: Graph) -> Graph:
    """Add the triples of pyoxigraph ``quads`` (every graph's: the union that is served) to
    ``into``, term by term (three times faster than a dump parsed again). Blank nodes keep
    the store's labels, so results that name one stay comparable from write to write.
    A quoted triple (which rdflib cannot hold) raises ValueError."""
    add, convert = into.add, Terms()
    for q in quads:
        add(convert.triple(q))
    return into


class Terms:
    """pyoxigraph terms as rdflib terms (each converted once); blank nodes keep their
    labels."""

    def __init__(self) -> None:
        self._cache: dict = {}

    def triple(self, q: object) -> tuple:
        t = self.term
        return (t(q.subject), t(q.predicate), t(q.object))  # type: ignore[attr-defined]

    def term(self, x: object) -> object:
        t = self._cache.get(x)
        if t is None:
            kind = type(x).__name__
            if kind == "NamedNode":
                t = URIRef(x.value)  # type: ignore[attr-defined]
            elif kind == "BlankNode":
                t = BNode(x.value)  # type: ignore[attr-defined]
            elif kind == "Literal":
                t = _literal(x)
            else:
                raise ValueError(f"a {kind} term cannot be validated")
            self._cache[x] = t
        return t


def _literal(x: object) -> Literal:
    lang, datatype = x.language, x.datatype.value  # type: ignore[attr-defined]
    if lang:
        return Literal(x.value, lang=lang)  # type: ignore[attr-defined]
    if datatype == _XSD_STRING:
        return Literal(x.value)  # type: ignore[attr-defined]
    return Literal(x.value, datatype=URIRef(datatype))  # type: ignore[attr-defined]


def today() -> str:
    """The UTC day, as SPARQL's NOW() gives it to the shapes (rdflib's clock is UTC)."""
    import datetime as dt

    return dt.datetime.now(dt.UTC).date().isoformat()


def save_results(path: FilePath, version: str, keyed: list, day: str) -> None:
    """Keep ``keyed`` results of graph ``version``, validated on ``day``, for the next write
    (renamed into place: a reader sees the old file or the new one)."""
    import os
    import uuid

    doc = {"version": version, "day": day, "results": [[t, r.as_dict()] for t, r in keyed]}
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)  # not synced: lost or torn, it is not read, and all is validated


def load_results(path: FilePath, version: str) -> tuple[list, str] | None:
    """The keyed results of the last validation and the day it ran, if they describe graph
    ``version`` and hold no violation (a graph with one is validated whole)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["version"] != version:
            return None
        out = [(top, ValidationResult(**r)) for top, r in doc["results"]]
        day = str(doc["day"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None if any(r.severity == "Violation" for _, r in out) else (out, day)


# -- a write ----------------------------------------------------------------------------------


def _candidates(data: Graph, reach: Reach, delta: Iterable[tuple]) -> set | None:
    """The focus nodes whose evaluation can read a delta triple (None: all of them)."""
    seeds: set = set()
    for s, p, o in delta:
        if reach.reads_globally(p):
            return None
        for q, direction in reach.steps:
            if q in (p, ANY):
                seeds.add(s if direction == FWD else o)
    found, frontier = set(seeds), seeds
    for _ in range(reach.radius):
        nxt = set()
        for node in frontier:
            for q, direction in reach.steps:
                pred = None if q == ANY else q
                if direction == FWD:  # walk back from the object to the subjects
                    nxt.update(data.subjects(pred, node))
                elif not isinstance(node, Literal):
                    nxt.update(data.objects(node, pred))
        frontier = nxt - found
        found |= nxt
    return found


def _stands(r: ValidationResult, redone: dict[str, set[str] | None], top: str) -> bool:
    """Does a previous result stand: its shape was not re-run, or not at its focus node?"""
    if top not in redone:
        return True
    again = redone[top]
    return again is not None and r.focus not in again


def validate_delta(
    data: Graph,
    delta: Iterable[tuple],
    previous: list[tuple[str, ValidationResult]],
    *,
    shapes: Graph,
    plan: Plan,
    new_day: bool = False,
) -> ValidationReport:
    """Validate ``data`` (the graph after the write, the ontology included) given the
    triples the write added or removed (``delta``) and the keyed results of the graph
    before it; the same report as :func:`.validation.validate` of ``data``. ``new_day``:
    those results were computed on another day than today (the clock shapes run whole)."""
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    delta = list(delta)
    work: dict[object, set | None] = {}
    for top, reach in plan.reach.items():
        if reach.always or (reach.clock and new_day):
            work[top] = None
        elif any(reach.reads(p) or reach.reads_globally(p) for _, p, _ in delta):
            work[top] = _candidates(data, reach, delta)
    target = DataGraph.from_rdflib(data)
    validator = Validator(
        target,
        shacl_graph=shapes,
        options={"inference": "none", "advanced": True, "allow_warnings": True, "inplace": True},
    )
    executor = validator.make_executor()
    reports: list = []
    redone: dict[str, set[str] | None] = {}
    for shape in validator.shacl_graph.shapes:
        if shape.node not in work:
            continue
        shape.set_advanced(True)
        cands = work[shape.node]
        if cands is None or any(isinstance(c, BNode) for c in cands):
            focus = None
            redone[str(shape.node)] = None
        else:
            focus = _focus_among(shape, data, target, cands)
            redone[str(shape.node)] = {str(c) for c in cands}
            if not focus:
                continue
        reports.extend(shape.validate(executor, target, focus=focus)[1])
    graph, _ = Validator.create_validation_report(validator.shacl_graph, not reports, reports)
    fresh = report_results(graph)
    results = [r for top, r in previous if _stands(r, redone, top)] + fresh
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms=conforms, results=results, graph=graph)


def _focus_among(shape: object, data: Graph, target: object, cands: set) -> list:
    """The focus nodes of ``shape`` among ``cands``, each target tested at each candidate
    alone (a SPARQL target with ``?this`` bound), instead of computing every focus node of
    the graph and keeping the candidates."""
    from pyshacl.consts import SH_SPARQLTarget

    # generators, read once each
    nodes, classes, implicit, objects_of, subjects_of = map(set, shape.target())  # type: ignore[attr-defined]
    advanced = (shape.advanced_target() if shape._advanced else None) or {}  # type: ignore[attr-defined]
    if any(at["type"] != SH_SPARQLTarget for at in advanced.values()):
        return [f for f in shape.focus_nodes(target) if f in cands]  # type: ignore[attr-defined]
    types = classes | implicit
    for c in list(types):
        types.update(data.transitive_subjects(RDFS.subClassOf, c))
    selects = [at["qh"].apply_prefixes(at["qh"].select_text) for at in advanced.values()]

    def targeted(c: object) -> bool:
        return (
            c in nodes
            or any((c, RDF.type, t) in data for t in types)
            or any((c, p, None) in data for p in subjects_of)
            or any((None, p, c) in data for p in objects_of)
            or any(bool(data.query(q, initBindings={"this": c})) for q in selects)
        )

    return [c for c in cands if targeted(c)]
