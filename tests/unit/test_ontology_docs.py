"""The ontology's generated documentation: every term in a module, and the diagram in
``docs/`` equal to a fresh generation (so it cannot go stale) and true to the ontology."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from rdflib import OWL, RDF, URIRef

from enlargement_kg.core import diagram
from enlargement_kg.core.namespaces import ENL
from enlargement_kg.core.ontology_doc import OTHER, document
from enlargement_kg.core.validation import ontology_graph

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "ontology-diagram.svg"
NS = str(ENL._NS)
SVG = "{http://www.w3.org/2000/svg}"


def test_every_term_is_documented_in_a_module():
    g = ontology_graph()
    doc = document(g)
    names = {
        str(s)[len(NS) :]
        for s in set(g.subjects())
        if isinstance(s, URIRef) and str(s).startswith(NS)
    }
    assert {t.name for t in doc.terms} == names
    assert OTHER.key not in {m.key for m in doc.modules}, [
        t.name for t in doc.terms if t.module == OTHER.key
    ]
    assert doc.version == "0.2.0" and doc.version_iri.endswith("/ontology/0.2.0")


def test_modules_follow_the_hierarchy():
    doc = document(ontology_graph())
    assert doc.term("ChapterOpened").module == "facts"
    assert doc.term("SecurityDefencePartnershipSigned").module == "security"
    assert doc.term("CFSPAlignmentRate").module == "assessments"
    assert doc.term("chapterNumber").module == "structure"
    assert doc.term("sourceKind").module == "sources"


def test_committed_diagram_equals_a_fresh_generation():
    assert COMMITTED.is_file(), "run: enlargement-kg diagram --out docs/ontology-diagram.svg"
    assert COMMITTED.read_text(encoding="utf-8") == diagram.render_svg(), (
        "docs/ontology-diagram.svg is stale: run "
        "enlargement-kg diagram --out docs/ontology-diagram.svg"
    )


def test_diagram_is_svg_that_names_every_class_and_links_terms():
    root = ET.fromstring(diagram.render_svg())
    assert root.tag == SVG + "svg"
    g = ontology_graph()
    classes = {str(c)[len(NS) :] for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(NS)}
    text = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    words = set(re.findall(r"[A-Za-z0-9]+", text))
    assert classes - words == set(), "classes missing from the diagram"
    links = {a.get("href") for a in root.iter(SVG + "a")}
    assert {NS + "Fact", NS + "Country", NS + "SourceDocument", NS + "Chapter"} <= links
    terms = {str(s) for s in g.subjects() if isinstance(s, URIRef)}
    assert links <= terms


def test_diagram_draws_the_properties_between_classes():
    d = diagram.layout(document(ontology_graph()))
    edges = {(e.source, e.target, e.kind): e.label for e in d.edges}
    assert "country" in edges[("Fact", "Country", "property")]
    assert edges[("Fact", "SourceDocument", "restriction")] == "dcterms:source 1..*"
    assert ("Event", "AccessionEvent", "subclass") in edges
    boxes = {n.key: n for n in d.nodes if not n.dummy}
    assert "chapterNumber : integer" in boxes["Chapter"].attributes
    # no two boxes overlap
    placed = sorted(boxes.values(), key=lambda n: (n.y, n.x))
    for a in placed:
        for b in placed:
            if a is not b:
                assert (
                    a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
                ), (a.key, b.key)


def test_cli_writes_and_checks(tmp_path):
    out = tmp_path / "d.svg"
    cmd = [sys.executable, "-m", "enlargement_kg.cli", "diagram", "--out", str(out)]
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert out.read_text(encoding="utf-8") == diagram.render_svg()
    ok = subprocess.run(cmd + ["--check"], capture_output=True, text=True)
    assert ok.returncode == 0
    out.write_text(out.read_text(encoding="utf-8").replace("Fact", "Fakt"), encoding="utf-8")
    stale = subprocess.run(cmd + ["--check"], capture_output=True, text=True)
    assert stale.returncode == 1 and "stale" in stale.stderr
