"""`enlargement-kg import`: the documented example imports; a bad row names its row and
column and nothing is written; facts that would break a shape are refused."""

import shutil

from conftest import FIXTURES, ROOT, cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from enlargement_kg.core.namespaces import ENL

EXAMPLE = FIXTURES / "import" / "example.csv"


def copy_kg(tmp_path):
    kg = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", kg)
    return kg


def snapshot(kg):
    return {p.relative_to(kg): p.read_bytes() for p in kg.rglob("*.ttl")}


def test_example_imports(tmp_path):
    kg = copy_kg(tmp_path)
    res = cli("import", str(EXAMPLE), "--kg", str(kg), "--today", "2026-11-26")
    assert res.returncode == 0, res.stderr
    assert "imported 3 fact row(s)" in res.stdout
    g = Graph().parse(kg / "facts" / "MNE.ttl")
    fact = URIRef("https://w3id.org/eu-enlargement/id/fact/MNE/chapter-blocked/2025-12-12/ch11/FRA")
    assert (fact, RDF.type, ENL.ChapterBlocked) in g
    assert (fact, ENL.blockedBy, URIRef("https://w3id.org/eu-enlargement/id/country/FRA")) in g
    assert g.value(fact, ENL.lastConfirmed) == Literal("2026-11-26", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    docs = Graph().parse(kg / "sources" / "documents.ttl")
    src = g.value(fact, DCTERMS.source)
    assert docs.value(src, DCTERMS.title) is not None
    # the imported graph still builds
    assert cli("build", "--out", str(tmp_path / "s"), "--kg", str(kg)).returncode == 0


def bad_copy(tmp_path, replace_from, replace_to, name="bad.csv"):
    text = EXAMPLE.read_text().replace(replace_from, replace_to, 1)
    p = tmp_path / name
    p.write_text(text)
    return p


def test_bad_row_names_row_and_column_and_writes_nothing(tmp_path):
    kg = copy_kg(tmp_path)
    before = snapshot(kg)
    bad = bad_copy(tmp_path, "SRB,cfsp-alignment-rate,2022-10-12,45",
                   "SRB,cfsp-alignment-rate,2022-02-30,145")
    res = cli("import", str(bad), "--kg", str(kg))
    assert res.returncode == 1
    assert "row 4, column date" in res.stderr and "row 4, column value" in res.stderr
    assert "Traceback" not in res.stderr
    assert snapshot(kg) == before


def test_unknown_country_and_type(tmp_path):
    kg = copy_kg(tmp_path)
    bad = bad_copy(tmp_path, "MNE,chapter-provisionally-closed", "QQQ,chapter-vanished")
    res = cli("import", str(bad), "--kg", str(kg))
    assert res.returncode == 1
    assert "row 2, column country" in res.stderr and "row 2, column fact_type" in res.stderr


def test_missing_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("country,fact_type,date\nMNE,chapter-opened,2020-01-01\n")
    res = cli("import", str(p), "--kg", str(copy_kg(tmp_path)))
    assert res.returncode == 1 and "source_url" in res.stderr


def test_rows_that_break_a_shape_are_refused(tmp_path):
    kg = copy_kg(tmp_path)
    before = snapshot(kg)
    # a closing of chapter 31 for a country that never opened it violates the governance shapes
    bad = bad_copy(tmp_path, "MNE,chapter-provisionally-closed,2025-12-16,,3,",
                   "BIH,chapter-provisionally-closed,2025-12-16,,31,")
    res = cli("import", str(bad), "--kg", str(kg))
    assert res.returncode == 1
    assert "ClosedAfterOpened" in res.stderr
    assert snapshot(kg) == before


def test_unreadable_file(tmp_path):
    res = cli("import", str(tmp_path / "missing.csv"))
    assert res.returncode == 2 and "no such file" in res.stderr
