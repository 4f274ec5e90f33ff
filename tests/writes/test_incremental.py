"""Incremental validation of writes (api/core/incremental.py): the verdict and the results
are those of a full validation.

The differential test draws a few hundred random writes from the shape fixtures
(tests/fixtures/shapes/valid and invalid) and from mutations of real facts (kg/facts: a
required property removed, a date's datatype changed, a second date or a second type added,
an object pointed elsewhere, a resource removed whole), validates each incrementally from
the results of the graph before it and fully, and compares every result (severity, focus
node, top-level shape, path, value, constraint, message).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from support.writes import copy_store

from enlargement_kg.core import incremental
from enlargement_kg.core.validation import (
    PreparedQueryGraph,
    load_graph,
    ontology_graph,
    shapes_graph,
    validate,
)
from enlargement_kg.core.writes import RESULTS_FILE, STATE_DIR, GraphStore, Update, WriteRefused

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
DCT = "http://purl.org/dc/terms/"
ENL = "https://w3id.org/eu-enlargement/ontology#"

#: Random writes checked (seeded), and the time they may take together on a busy machine.
WRITES = 240
BUDGET = 420.0
AT_LEAST = 120


@pytest.fixture(scope="module")
def shapes():
    return shapes_graph()


@pytest.fixture(scope="module")
def plan(shapes):
    p = incremental.plan(shapes)
    assert p is not None
    return p


@pytest.fixture(scope="module")
def reference() -> Graph:
    files = sorted((ROOT / "kg" / "reference").glob("*.ttl"))
    files.append(ROOT / "kg" / "sources" / "reference-documents.ttl")
    return load_graph(files) + ontology_graph()


def _key(results, plan):
    return sorted(
        (r.severity, r.focus, plan.owner[r.shape], r.path, r.value, r.constraint, r.message)
        for r in results
    )


def test_every_packaged_shape_is_bounded(plan):
    always = {str(s).rsplit("#", 1)[-1] for s, r in plan.reach.items() if r.always}
    assert always == set()
    clock = {str(s).rsplit("#", 1)[-1] for s, r in plan.reach.items() if r.clock}
    assert clock == {"StaleFact"}  # NOW() to the day: re-run whole on a new day only
    stale = plan.reach[URIRef("https://w3id.org/eu-enlargement/shapes#StaleFact")]
    # its SPARQL target selects ?this by ?this enl:lastConfirmed: a fact's own date
    assert stale.steps == {(URIRef(ENL + "lastConfirmed"), incremental.FWD)}
    assert stale.radius == 0 and not stale.globals
    reach = plan.reach[URIRef("https://w3id.org/eu-enlargement/shapes#MilestoneOrder")]
    # an event's date, one step from the country it names (?e enl:country $this)
    assert reach.radius == 1 and (URIRef(ENL + "country"), incremental.BWD) in reach.steps


def test_what_cannot_be_bounded_falls_back(shapes):
    rules = Graph() + shapes
    rules.add((URIRef("http://ex/S"), URIRef("http://www.w3.org/ns/shacl#rule"), URIRef("x:r")))
    assert incremental.plan(rules) is None  # SHACL-AF rules: validate everything
    custom = Graph() + shapes
    custom.add(
        (URIRef("http://ex/C"), RDF.type, URIRef("http://www.w3.org/ns/shacl#ConstraintComponent"))
    )
    assert incremental.plan(custom) is None  # a constraint component of its own
    odd = Graph() + shapes
    odd.parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://ex/S> a sh:NodeShape ; sh:targetClass <http://ex/C> ;
            sh:property [ sh:path [ sh:zeroOrMorePath <http://ex/p> ] ; sh:minCount 1 ] .
        <http://ex/T> a sh:NodeShape ; sh:targetClass <http://ex/C> ; sh:foo 1 .""",
        format="turtle",
    )
    assert incremental.plan(odd) is None  # an unknown constraint parameter
    odd.remove((URIRef("http://ex/T"), None, None))
    p = incremental.plan(odd)
    assert p is not None and p.reach[URIRef("http://ex/S")].always  # a * path: whole


CLOCK_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://ex/S> a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select \"\"\"
    SELECT ?this WHERE {{ ?this <http://ex/d> ?d . FILTER (STR(?d) < {}) }}\"\"\" ] ;
    sh:nodeKind sh:Literal ."""


@pytest.mark.parametrize(
    "expression, to_the_day",
    [
        ("SUBSTR(STR(NOW()), 1, 10)", True),
        ("CONCAT(STR(YEAR(NOW()) - 2), SUBSTR(STR(NOW()), 5, 6))", True),
        ("STR(MONTH(NOW()))", True),
        ("SUBSTR(STR(NOW()), 1, 13)", False),  # the hour: a result may change within a day
        ("STR(NOW())", False),
        ("STR(RAND())", False),  # not the clock: anything, every time
    ],
)
def test_the_clock_is_read_to_the_day_or_the_shape_runs_whole(expression, to_the_day):
    g = Graph().parse(data=CLOCK_SHAPE.format(expression), format="turtle")
    reach = incremental.plan(g).reach[URIRef("http://ex/S")]
    assert reach.always != to_the_day
    if to_the_day:
        assert reach.clock and reach.steps == {(URIRef("http://ex/d"), incremental.FWD)}


def test_a_new_day_runs_the_clock_shapes_whole(shapes, plan, reference):
    """Results of yesterday stand for every shape but the clock's: StaleFact finds a fact
    that went stale overnight, though no write touched it."""
    fact = URIRef("http://ex/fact")
    data = PreparedQueryGraph()
    data += reference
    data.add((fact, URIRef(ENL + "lastConfirmed"), Literal("2001-01-01", datatype=XSD.date)))
    yesterday = [(t, r) for t, r in incremental.keyed(validate(data, shapes=shapes), plan)]
    yesterday = [(t, r) for t, r in yesterday if not t.endswith("#StaleFact")]  # not stale then
    note = (URIRef("http://ex/other"), URIRef(DCT + "description"), Literal("a note"))
    data.add(note)
    same_day = incremental.validate_delta(data, [note], yesterday, shapes=shapes, plan=plan)
    new_day = incremental.validate_delta(
        data, [note], yesterday, shapes=shapes, plan=plan, new_day=True
    )
    stale = [r for r in new_day.results if r.shape.endswith("#StaleFact")]
    assert [r.focus for r in stale] == [str(fact)]
    assert not any(r.shape.endswith("#StaleFact") for r in same_day.results)


# -- the differential test ---------------------------------------------------------------------


def _fixture(kind: str, name: str) -> Graph:
    g = Graph()
    g.parse(FIXTURES / kind / name / "fixture.ttl", format="turtle")
    return g


def _base(rng: random.Random, reference: Graph) -> tuple[Graph, list[str]]:
    g = PreparedQueryGraph()
    g += reference
    names = sorted(p.name for p in (FIXTURES / "valid").iterdir())
    chosen = rng.sample(names, 2)
    for name in chosen:
        g += _fixture("valid", name)
    facts = sorted((ROOT / "kg" / "facts").glob("*.ttl"))
    g.parse(rng.choice(facts), format="turtle")
    return g, chosen


def _mutation(rng: random.Random, g: Graph, base: Graph, chosen: list[str]):
    """One random write: (triples removed, triples added)."""
    kind = rng.randrange(10)
    subjects = sorted({s for s in base.subjects() if isinstance(s, URIRef)} - set(ontology()))
    s = rng.choice(subjects)
    own = sorted(g.triples((s, None, None)))
    if kind == 0:  # a fixture added: valid or invalid
        which = rng.choice(["valid", "invalid"])
        name = rng.choice(sorted(p.name for p in (FIXTURES / which).iterdir()))
        return [], [t for t in _fixture(which, name) if t not in g]
    if kind == 1 and chosen:  # a valid fixture becomes its invalid twin
        name = rng.choice(chosen)
        old, new = _fixture("valid", name), _fixture("invalid", name)
        return [t for t in old if t not in new], [t for t in new if t not in g]
    if kind == 2 and own:  # a property removed (often a required one)
        return [rng.choice(own)], []
    if kind == 3:  # a date's datatype changed, or a second date added
        dates = sorted(g.triples((None, URIRef(DCT + "date"), None)))
        t = rng.choice(dates)
        dt = rng.choice([XSD.string, XSD.gYear, XSD.date, XSD.dateTime])
        if rng.random() < 0.5:
            return [t], [(t[0], t[1], Literal(str(t[2]), datatype=dt))]
        return [], [(t[0], t[1], Literal(f"20{rng.randrange(10, 30)}-0{rng.randrange(1, 9)}"))]
    if kind == 4:  # a second type, or a type removed
        classes = sorted(set(g.objects(None, RDF.type)) & set(ontology().subjects()))
        types = sorted(g.triples((s, RDF.type, None)))
        if types and rng.random() < 0.5:
            return [rng.choice(types)], []
        return [], [(s, RDF.type, rng.choice(classes))]
    if kind == 5 and own:  # an object pointed at another resource
        t = rng.choice(own)
        return [t], [(t[0], t[1], rng.choice(subjects))]
    if kind == 6:  # a resource removed whole (and what points at it)
        return own + sorted(g.triples((None, None, s))), []
    if kind == 7 and own:  # a value copied to another resource (a second value)
        t = rng.choice(own)
        return [], [(rng.choice(subjects), t[1], t[2])]
    confirmed = sorted(g.triples((None, URIRef(ENL + "lastConfirmed"), None)))
    if kind == 8 and confirmed:  # a last confirmation moved long ago (stale) or near
        t = rng.choice(confirmed)
        day = rng.choice(["2019-05-01", "2026-11-30"])
        return [t], [(t[0], t[1], Literal(day, datatype=XSD.date))]
    return [], [(s, URIRef(DCT + "description"), Literal("a note", lang="en"))]


_ONTOLOGY: list[Graph] = []


def ontology() -> Graph:
    if not _ONTOLOGY:
        _ONTOLOGY.append(ontology_graph())
    return _ONTOLOGY[0]


@pytest.mark.slow
def test_incremental_verdicts_equal_full_validation(reference, shapes, plan):
    rng = random.Random(20261203)
    start, checked, refused, base = time.monotonic(), 0, 0, None
    while checked < WRITES and time.monotonic() - start < BUDGET:
        if checked % 8 == 0:  # a new base graph every few writes
            base, chosen = _base(rng, reference)
            previous = incremental.keyed(validate(base, shapes=shapes), plan)
            assert previous is not None
        removed, added = _mutation(rng, base, base, chosen)
        after = PreparedQueryGraph()
        after += base
        for t in removed:
            after.remove(t)
        for t in added:
            after.add(t)
        delta = [t for t in removed if t not in after] + [t for t in added if t not in base]
        fast = incremental.validate_delta(after, delta, previous, shapes=shapes, plan=plan)
        full = validate(after, shapes=shapes)
        assert fast.conforms == full.conforms, (checked, removed, added)
        assert _key(fast.results, plan) == _key(full.results, plan), (checked, removed, added)
        refused += not full.conforms
        checked += 1
    assert checked >= AT_LEAST, f"only {checked} writes checked in {BUDGET:.0f} s"
    assert 0.2 * checked < refused < 0.95 * checked  # valid and invalid writes both drawn


# -- the store --------------------------------------------------------------------------------

NOTE = (
    "INSERT DATA {{ GRAPH <http://ex/g> {{ <https://w3id.org/eu-enlargement/id/country/MNE> "
    '<http://purl.org/dc/terms/description> "note {}"@en }} }}'
)
BAD = (
    "PREFIX enl: <https://w3id.org/eu-enlargement/ontology#> "
    "INSERT DATA { GRAPH <http://ex/g> { <http://ex/f> a enl:Fact } }"
)


@pytest.mark.parametrize("incremental_on", [True, False])
def test_store_writes_keep_results_for_the_next(ontology_only_store, tmp_path, incremental_on):
    path = copy_store(ontology_only_store, tmp_path / "store")
    store, _ = GraphStore.open(path)
    store.incremental = incremental_on  # ENLARGEMENT_KG_FAST_PATHS=0 sets it off
    results = path / STATE_DIR / RESULTS_FILE
    store.write(Update(NOTE.format(1)))  # no stored results yet: validated whole
    assert results.exists() == incremental_on
    store.write(Update(NOTE.format(2)))
    with pytest.raises(WriteRefused) as refused:
        store.write(Update(BAD))
    messages = sorted(v.message for v in refused.value.report.violations)
    assert len(messages) == 4 and "Every fact has a human-readable label." in messages
    assert results.exists() == incremental_on  # a refusal leaves them as they were
    full = validate(_union(path), shapes=store.rules()[0])
    assert sorted(r.message for r in store.report().results) == sorted(
        r.message for r in full.results
    )


def _union(path: Path) -> Graph:
    from enlargement_kg.core.build import union_graph
    from enlargement_kg.core.oxigraph_store import OxigraphStore

    return union_graph(OxigraphStore.open(path)) + ontology()
