"""The ontology is consistent, alone and with the whole knowledge graph, under OWL 2 RL.

OWL 2 Web Ontology Language Profiles, §4.3 (the OWL 2 RL rules). ``owlrl`` computes the
closure and reports the inconsistencies it implements: one individual in two disjoint classes
(cax-dw, cax-adc), an individual of ``owl:Nothing`` (cls-nothing2), ``sameAs`` against
``differentFrom`` (eq-diff1) and ill-typed literals. It does not implement ``dt-not-type``
(Table 8) for literals that a property's range (prp-rng, Table 5) or an ``owl:allValuesFrom``
restriction (cls-avf, Table 6) gives a datatype (its own docs say so), so
:func:`contradictions` checks those itself; and it reports what a functional property
(prp-fp) with two values implies: that two distinct IRIs, or two different literals, are
the same.

Every check is proved able to fail by a fixture in ``tests/fixtures/reasoning/``: a small
self-contained graph that names, on its first line, the contradiction it must cause
together with the ontology (the same function then runs over the whole graph).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from enlargement_kg.core.namespaces import ENL, ONTOLOGY_IRI
from enlargement_kg.core.validation import ontology_graph

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reasoning"
#: where owlrl writes the inconsistencies it finds
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
#: one probe individual per class, to find classes that can have no member
PROBE = Namespace("https://w3id.org/eu-enlargement/test/probe/")

INTEGERS = {
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.byte,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.nonPositiveInteger,
    XSD.negativeInteger,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
}


@dataclass(frozen=True)
class Contradiction:
    """One inconsistency: the OWL 2 RL rule that derives ``false`` and what triggered it."""

    rule: str
    message: str


def is_datatype(node) -> bool:
    return isinstance(node, URIRef) and (
        str(node).startswith(str(XSD)) or node in (RDFS.Literal, RDF.langString)
    )


def union_members(graph: Graph, node) -> list | None:
    """The member datatypes of an ``owl:unionOf`` data range, or None if ``node`` is none."""
    members = graph.value(node, OWL.unionOf) if isinstance(node, BNode) else None
    if members is None:
        return None
    found = list(Collection(graph, members))
    return found if found and all(is_datatype(m) for m in found) else None


def in_value_space(lit: Literal, datatype) -> bool:
    """Whether ``lit`` denotes a value of ``datatype`` (OWL 2 Structural Specification §4:
    the numeric datatypes share one value space, so 7.0 is an xsd:integer; strings, dates and
    years are disjoint from each other and from the numbers)."""
    if isinstance(datatype, list):  # a union of datatypes (dates at their precision)
        return any(in_value_space(lit, d) for d in datatype)
    if datatype == RDFS.Literal:
        return True
    if lit.ill_typed:
        return False
    dt = lit.datatype or (RDF.langString if lit.language else XSD.string)
    if dt == datatype:
        return True
    if datatype == XSD.decimal:
        return dt in INTEGERS
    if datatype == XSD.integer and dt == XSD.decimal:
        return isinstance(lit.value, Decimal) and lit.value == lit.value.to_integral_value()
    return False


#: owlrl's messages, by the rule that derives ``false``
OWLRL_RULES = (
    ("Disjoint classes", "cax-dw/cax-adc"),
    ("of type 'Nothing'", "cls-nothing2"),
    ("does not match its datatype", "dt-not-type"),
    ("'sameAs' and", "eq-diff"),
)


def owlrl_rule(message: str) -> str:
    return next((rule for key, rule in OWLRL_RULES if key in message), "owlrl")


def closure(graph: Graph) -> Graph:
    """The OWL 2 RL closure of a copy of ``graph`` (rdflib's context-free store: 3x faster)."""
    import owlrl

    closed = Graph(store="SimpleMemory")
    for t in graph:
        closed.add(t)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closed)
    return closed


def contradictions(graph: Graph) -> list[Contradiction]:
    """Every inconsistency of ``graph`` (ontology and data together) under OWL 2 RL."""
    closed = closure(graph)
    found = [Contradiction(owlrl_rule(str(m)), str(m)) for m in closed.objects(None, ERR.error)]
    # prp-rng + dt-not-type: a literal outside the datatype a property's range gives it
    for p, d in closed.subject_objects(RDFS.range):
        d = union_members(closed, d) or d
        if not (isinstance(d, list) or is_datatype(d)):
            continue
        for s, o in closed.subject_objects(p):
            if not isinstance(o, Literal) or not in_value_space(o, d):
                found.append(
                    Contradiction(
                        "prp-rng/dt-not-type", f"{s} {p} {o!r}: not a value of the range {d}"
                    )
                )
    # cls-avf + dt-not-type: the same for owl:allValuesFrom restrictions onto a datatype
    for r, d in closed.subject_objects(OWL.allValuesFrom):
        d = union_members(closed, d) or d
        if not (isinstance(d, list) or is_datatype(d)):
            continue
        p = closed.value(r, OWL.onProperty)
        for s in closed.subjects(RDF.type, r):
            for o in closed.objects(s, p):
                if not isinstance(o, Literal) or not in_value_space(o, d):
                    found.append(
                        Contradiction("cls-avf/dt-not-type", f"{s} {p} {o!r}: not a value of {d}")
                    )
    # OWL 2 DL typing: a literal for an object property, a resource for a datatype property
    for p in closed.subjects(RDF.type, OWL.ObjectProperty):
        for s, o in closed.subject_objects(p):
            if isinstance(o, Literal):
                found.append(
                    Contradiction(
                        "object-property-literal",
                        f"{s} {p} {o!r}: a literal for an object property",
                    )
                )
    for p in closed.subjects(RDF.type, OWL.DatatypeProperty):
        for s, o in closed.subject_objects(p):
            if not isinstance(o, Literal):
                found.append(
                    Contradiction(
                        "datatype-property-resource",
                        f"{s} {p} {o}: a resource for a datatype property",
                    )
                )
    # prp-fp: two values of a functional property are made the same. Different literals
    # cannot be; distinct IRIs are distinct things here (one IRI per thing, core/iris.py)
    # unless the graph itself says otherwise.
    for a, b in closed.subject_objects(OWL.sameAs):
        if a == b or (a, OWL.sameAs, b) in graph or isinstance(a, BNode) or isinstance(b, BNode):
            continue
        if isinstance(a, Literal) and isinstance(b, Literal):
            if not a.eq(b):
                found.append(
                    Contradiction(
                        "prp-fp/literals", f"two different values made equal: {a!r}, {b!r}"
                    )
                )
        elif isinstance(a, URIRef) and isinstance(b, URIRef) and str(a) < str(b):
            found.append(
                Contradiction(
                    "prp-fp/unique-names", f"two distinct resources made the same: {a}, {b}"
                )
            )
    return found


def probes(ontology: Graph) -> Graph:
    """One fresh individual per named class of the ontology: a class that can have no member
    (say, a subclass of two disjoint classes) then shows up as a contradiction."""
    g = Graph()
    for c in set(ontology.subjects(RDF.type, OWL.Class)):
        if isinstance(c, URIRef):
            g.add((PROBE[str(c).rsplit("#", 1)[-1].rsplit("/", 1)[-1]], RDF.type, c))
    return g


# -- the ontology and the real graph ------------------------------------------------------


def test_every_class_of_the_ontology_can_have_members():
    """Also the control for the fixtures below: the ontology alone yields nothing."""
    ont = ontology_graph()
    assert contradictions(ont + probes(ont)) == []


@pytest.mark.slow
def test_the_whole_graph_is_consistent_with_the_ontology(built_store):
    """What is served: the ontology, every file of kg/ and the derived graph, as
    ``build_memory`` loads them into the store (the session's ``built_store``) and
    ``union_graph`` reads them back, plus a probe per class: no individual in two disjoint
    classes, no datatype clash, nothing in owl:Nothing."""
    from enlargement_kg.core.build import union_graph
    from enlargement_kg.core.oxigraph_store import OxigraphStore

    store = OxigraphStore.open(built_store)
    try:
        g = union_graph(store)
    finally:
        store.close()
    assert (None, RDF.type, ENL.ChapterOpened) in g and len(g) > 5000
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert contradictions(g + probes(g)) == []


def test_disjointness_axioms_are_there_to_be_broken():
    """The consistency test means something only if the ontology forbids things."""
    ont = ontology_graph()
    assert (ENL.EnlargementCountry, OWL.disjointWith, ENL.MemberState) in ont
    members = {
        c
        for group in ont.subjects(RDF.type, OWL.AllDisjointClasses)
        for c in Collection(ont, ont.value(group, OWL.members))
    }
    assert {
        ENL.ChapterOpened,
        ENL.ChapterProvisionallyClosed,
        ENL.NATOAccession,
        ENL.Event,
        ENL.Observation,
        ENL.Fact,
        ENL.SourceDocument,
    } <= members


# -- failing fixtures: each contradiction is found ----------------------------------------


def fixture_cases() -> list[tuple[str, Path]]:
    cases = []
    for p in sorted(FIXTURES.glob("*.ttl")):
        first = p.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# expect: "), f"{p.name} must start with '# expect: RULE'"
        cases.append((first.removeprefix("# expect: ").strip(), p))
    return cases


@pytest.mark.parametrize(("rule", "path"), fixture_cases(), ids=lambda v: getattr(v, "stem", v))
def test_fixture_contradiction_is_found(rule: str, path: Path):
    fixture = Graph().parse(path, format="turtle")
    found = contradictions(ontology_graph() + fixture + probes(fixture))
    assert found, f"{path.name}: no contradiction found"
    assert rule in {c.rule for c in found}, found


def test_fixtures_cover_every_kind_of_check():
    rules = {rule for rule, _ in fixture_cases()}
    assert rules == {
        "cax-dw/cax-adc",
        "cls-nothing2",
        "dt-not-type",
        "prp-rng/dt-not-type",
        "cls-avf/dt-not-type",
        "object-property-literal",
        "datatype-property-resource",
        "prp-fp/literals",
        "prp-fp/unique-names",
    }


def test_value_spaces():
    assert in_value_space(Literal(7), XSD.decimal)
    assert in_value_space(Literal("7.0", datatype=XSD.decimal), XSD.integer)
    assert not in_value_space(Literal("7.5", datatype=XSD.decimal), XSD.integer)
    assert not in_value_space(Literal("seven"), XSD.integer)
    assert not in_value_space(Literal("2024", datatype=XSD.gYear), XSD.date)
    assert not in_value_space(Literal("2024-02-30", datatype=XSD.date), XSD.date)
    assert in_value_space(Literal("MNE"), XSD.string)
    assert not in_value_space(Literal("MNE", lang="en"), XSD.string)
    assert in_value_space(Literal("x", lang="en"), RDFS.Literal)
