"""SHACL validation with pySHACL, and the report every caller renders.

The data graph is exactly what is served (the union of the store's named graphs); the
shapes are ``shapes/*.ttl``; the ontology is given to pySHACL as ``ont_graph`` so class
hierarchies resolve without mixing the TBox into the reported focus nodes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from . import formats
from .namespaces import SH
from .resources import data_dir, rdf_files

SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class ShapesError(Exception):
    """The shapes graph itself is not valid SHACL (pySHACL refused it)."""


@dataclass(frozen=True)
class ValidationResult:
    severity: str
    focus: str
    shape: str
    message: str
    path: str = ""
    value: str = ""
    constraint: str = ""

    def as_dict(self) -> dict[str, str]:
        """Its fields (``dataclasses.asdict`` deep-copies: ten times slower)."""
        return dict(self.__dict__)


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph | None = None  #: the SHACL report graph, for Turtle output

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    def to_text(self, *, limit: int = 200) -> str:
        lines = [
            f"Conforms: {self.conforms}  "
            f"({len(self.violations)} violation(s), {len(self.warnings)} warning(s))"
        ]
        for r in sorted(self.results, key=lambda r: (r.severity != "Violation", r.shape, r.focus))[
            :limit
        ]:
            lines.append(f"- {r.severity}: {r.message}")
            lines.append(f"    shape: {r.shape}")
            lines.append(f"    focus: {r.focus}")
            if r.path:
                lines.append(f"    path:  {r.path}")
            if r.value:
                lines.append(f"    value: {r.value}")
        if len(self.results) > limit:
            lines.append(f"... and {len(self.results) - limit} more")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "results": [r.as_dict() for r in self.results],
            },
            indent=2,
        )

    def to_turtle(self) -> str:
        if self.graph is None:  # a report read back from JSON: rebuild the SHACL graph
            return self.to_graph().serialize(format="turtle")
        return self.graph.serialize(format="turtle")

    def to_graph(self) -> Graph:
        from rdflib import BNode, Literal

        g = Graph()
        g.bind("sh", SH)
        rep = BNode()
        g.add((rep, RDF.type, SH.ValidationReport))
        g.add((rep, SH.conforms, Literal(self.conforms)))
        sev = {v: k for k, v in SEVERITY.items()}
        for r in self.results:
            n = BNode()
            g.add((rep, SH.result, n))
            g.add((n, RDF.type, SH.ValidationResult))
            g.add((n, SH.resultSeverity, sev.get(r.severity, SH.Violation)))
            g.add((n, SH.focusNode, URIRef(r.focus) if r.focus.startswith("http") else BNode()))
            if r.shape.startswith("http"):
                g.add((n, SH.sourceShape, URIRef(r.shape)))
            if r.path.startswith("http"):
                g.add((n, SH.resultPath, URIRef(r.path)))
            if r.constraint:
                g.add((n, SH.sourceConstraintComponent, URIRef(r.constraint)))
            if r.message:
                g.add((n, SH.resultMessage, Literal(r.message, lang="en")))
        return g

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        doc = json.loads(text)
        return cls(
            conforms=doc["conforms"],
            results=[ValidationResult(**r) for r in doc.get("results", [])],
        )


def load_graph(paths: list[Path]) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format=_rdflib_format(p))
    return g


def read_untrusted(path: Path) -> Graph:
    """The RDF file ``path`` (format by suffix, else Turtle) read as untrusted input
    (:mod:`.untrusted`: no entities, no fetched contexts, parsed in a child within limits);
    raises :class:`.untrusted.PayloadRefused` or :class:`.store.QuerySyntaxError`."""
    from .untrusted import parse_rdflib

    fmt = formats.by_suffix(path.suffix)
    if fmt is None or fmt.name not in ("turtle", "ntriples", "jsonld", "rdfxml"):
        fmt = formats.by_name("turtle")
    return parse_rdflib(path.read_bytes(), fmt, base_iri=path.resolve().as_uri())


def _rdflib_format(p: Path) -> str:
    fmt = formats.by_suffix(p.suffix)
    return fmt.rdflib if fmt is not None and fmt.rdflib else "turtle"


RULES_FILE = "rules.ttl"


def shapes_graph(shapes_dir: Path | None = None) -> Graph:
    """The validation shapes (every file of shapes/ but the SHACL-AF rules)."""
    return load_graph(
        [p for p in rdf_files(shapes_dir or data_dir("shapes")) if p.name != RULES_FILE]
    )


def shapes_digest(shapes_dir: Path | None = None) -> str:
    """A digest of the shapes files (what a stored validation result was made with)."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(rdf_files(shapes_dir or data_dir("shapes"))):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def rules_graph(shapes_dir: Path | None = None) -> Graph:
    """The SHACL-AF rules, with the prefix declarations they use (from core.ttl)."""
    folder = shapes_dir or data_dir("shapes")
    return load_graph([p for p in (folder / RULES_FILE, folder / "core.ttl") if p.exists()])


def derive(data: Graph, *, rules: Graph | None = None) -> Graph:
    """Run the SHACL-AF rules (pySHACL, advanced mode) over ``data``; return only the
    triples they add. ``data`` is not modified."""
    from pyshacl import shacl_rules

    work = PreparedQueryGraph()
    work += data
    shacl_rules(
        work,
        shacl_graph=rules if rules is not None else rules_graph(),
        advanced=True,
        inplace=True,
        iterate_rules=False,
    )
    out = Graph()
    for t in work:
        if t not in data:
            out.add(t)
    out += entailed_types(data)
    return out


def entailed_types(data: Graph) -> Graph:
    """RDFS subclass entailment (rule rdfs9), materialised: for every ``?x a C`` of the
    curated graph, ``?x a D`` for each named superclass D of C (``rdfs:subClassOf+``) that is
    not asserted already. So ``?x a enl:Country`` finds the ten enlargement countries and
    ``?x a enl:Event`` every event, on any store, with no reasoner (docs/modelling.md)."""
    supers: dict = {}

    def up(c):
        if c not in supers:
            supers[c] = {
                d
                for d in data.transitive_objects(c, RDFS.subClassOf)
                if isinstance(d, URIRef) and d != c
            }
        return supers[c]

    out = Graph()
    for x, c in data.subject_objects(RDF.type):
        if not isinstance(c, URIRef):
            continue
        for d in up(c):
            if (x, RDF.type, d) not in data:
                out.add((x, RDF.type, d))
    return out


def ontology_graph(ontology_dir: Path | None = None) -> Graph:
    return load_graph(rdf_files(ontology_dir or data_dir("ontology")))


class PreparedQueryGraph(Graph):
    """An rdflib Graph that parses each SPARQL text once.

    pySHACL runs a SPARQL-based constraint once per focus node, passing the query text;
    rdflib would parse it every time (most of the cost). Here a text is parsed once and the
    prepared query reused with the focus node bound.
    """

    _prepared: dict = {}

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,  # noqa: N803
        initBindings=None,
        use_store_provided=True,
        **kwargs,
    ):  # noqa: N803
        if isinstance(query_object, str) and not initNs:
            from rdflib.plugins.sparql import prepareQuery

            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = prepareQuery(query_object)
                if len(self._prepared) < 512:
                    self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def validate(
    data: Graph,
    *,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    advanced: bool = True,
) -> ValidationReport:
    """Validate ``data``, which must already hold the ontology (the union of the served
    graphs does). ``ontology`` is merged in when given; ``data`` itself is not modified."""
    from pyshacl import validate as shacl_validate

    shapes = shapes if shapes is not None else shapes_graph()
    work = PreparedQueryGraph()
    work += data
    if ontology is not None:
        work += ontology
    conforms, report_graph, _ = shacl_validate(
        work,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        inplace=True,
        advanced=advanced,
        allow_warnings=True,
        abort_on_first=False,
        meta_shacl=False,
    )
    if not isinstance(report_graph, Graph):
        raise ShapesError(f"the shapes cannot be applied: {report_graph}")
    results = report_results(report_graph)
    has_violation = any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms=not has_violation, results=results, graph=report_graph)


def report_results(report_graph: Graph) -> list[ValidationResult]:
    """The results of a SHACL validation report graph."""
    results = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):

        def one(p, r=r):
            v = report_graph.value(r, p)
            return "" if v is None else str(v)

        msgs = [str(m) for m in report_graph.objects(r, SH.resultMessage)]
        sev = report_graph.value(r, SH.resultSeverity)
        results.append(
            ValidationResult(
                severity=SEVERITY.get(sev, str(sev)),
                focus=one(SH.focusNode),
                shape=one(SH.sourceShape),
                message=msgs[0] if msgs else "",
                path=one(SH.resultPath),
                value=one(SH.value),
                constraint=one(SH.sourceConstraintComponent),
            )
        )
    return results


def literal_or_iri(term) -> str:
    return str(term) if isinstance(term, (URIRef, Literal)) else term.n3()
