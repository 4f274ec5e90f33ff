"""The shapes: every named shape has a passing and a failing fixture (a shape without
fixtures fails here), each failing fixture fails on exactly its shape, the shapes conform
to SHACL-for-SHACL, and every class of the ontology is the target of some shape."""

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from support import FIXTURES, ROOT

from enlargement_kg.core.validation import load_graph, ontology_graph, shapes_graph, validate

SHAPES_NS = "https://w3id.org/eu-enlargement/shapes#"
SHAPES = shapes_graph()
NAMED = sorted(
    str(s)[len(SHAPES_NS) :]
    for s in SHAPES.subjects(RDF.type, SH.NodeShape)
    if isinstance(s, URIRef) and str(s).startswith(SHAPES_NS)
)


def owner_map() -> dict:
    """Every blank node reachable from a named shape -> that shape's local name."""
    owners = {}

    def walk(node, name):
        for o in SHAPES.objects(node, None):
            if isinstance(o, BNode) and o not in owners:
                owners[o] = name
                walk(o, name)

    for name in NAMED:
        shape = URIRef(SHAPES_NS + name)
        owners[shape] = name
        walk(shape, name)
    return owners


OWNERS = owner_map()


@pytest.fixture(scope="module")
def reference() -> Graph:
    files = sorted((ROOT / "kg" / "reference").glob("*.ttl"))
    files.append(ROOT / "kg" / "sources" / "reference-documents.ttl")
    return load_graph(files) + ontology_graph()


def check(reference, path: Path):
    data = Graph()
    data += reference
    data.parse(path)
    report = validate(data, shapes=SHAPES)
    return [(OWNERS.get(_node(r.shape), r.shape), r) for r in report.results]


def _node(shape: str):
    return URIRef(shape) if shape.startswith("http") else BNode(shape)


def test_there_are_shapes():
    assert len(NAMED) >= 40


@pytest.mark.parametrize("name", NAMED)
def test_valid_fixture_passes(reference, name):
    path = FIXTURES / "shapes" / "valid" / name / "fixture.ttl"
    assert path.is_file(), f"enlsh:{name} has no passing fixture at {path}"
    results = check(reference, path)
    assert results == [], [(o, r.message) for o, r in results]


@pytest.mark.parametrize("name", NAMED)
def test_invalid_fixture_fails_on_exactly_its_shape(reference, name):
    path = FIXTURES / "shapes" / "invalid" / name / "fixture.ttl"
    assert path.is_file(), f"enlsh:{name} has no failing fixture at {path}"
    results = check(reference, path)
    assert results, f"the failing fixture of enlsh:{name} passes"
    assert {o for o, _ in results} == {name}, [(o, r.message) for o, r in results]


def test_no_fixture_without_a_shape():
    for kind in ("valid", "invalid"):
        for d in (FIXTURES / "shapes" / kind).iterdir():
            assert d.name in NAMED, f"fixture folder {kind}/{d.name} names no shape"


def test_every_shape_has_a_message_and_severity():
    for name in NAMED:
        shape = URIRef(SHAPES_NS + name)
        assert SHAPES.value(shape, SH.severity) is not None, name
        msgs = list(SHAPES.objects(shape, SH.message))
        for blank in [b for b, o in OWNERS.items() if o == name and isinstance(b, BNode)]:
            msgs += list(SHAPES.objects(blank, SH.message))
        assert msgs, f"enlsh:{name} has no sh:message"


def test_shapes_conform_to_shacl_for_shacl():
    from pyshacl import validate as shacl_validate

    all_shapes = load_graph(sorted((ROOT / "shapes").glob("*.ttl")))
    conforms, _, text = shacl_validate(
        Graph(), shacl_graph=all_shapes, meta_shacl=True, advanced=True
    )
    assert conforms, text


def test_every_ontology_class_is_targeted():
    ont = ontology_graph()
    targeted = set(SHAPES.objects(None, SH.targetClass))
    missing = []
    for cls in ont.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith("https://w3id.org/eu-enlargement/ontology#"):
            continue
        supers = set(ont.transitive_objects(cls, RDFS.subClassOf))
        if not supers & targeted:
            missing.append(str(cls))
    assert missing == []


def test_split_validation_equals_joint_validation():
    """build validates curated and derived triples on two cores; this must equal one joint
    validation of both (docs/modelling.md)."""
    from enlargement_kg.core.build import build_memory, derive_and_validate, union_graph
    from enlargement_kg.core.validation import derive

    curated = union_graph(build_memory(validate_data=False).store)
    derived, split = derive_and_validate(curated)
    joint = validate(curated + derive(curated), shapes=SHAPES)
    key = lambda r: (r.severity, r.shape if r.shape.startswith("http") else "", r.focus, r.message)  # noqa: E731
    assert sorted(map(key, split.results)) == sorted(map(key, joint.results))
