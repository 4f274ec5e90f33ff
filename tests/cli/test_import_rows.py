"""`enlargement-kg import` for analysts (issue 15, 5): re-confirming a fact moves its
last-confirmed date and nothing else; a refusal by the shapes names the CSV row and column;
no message shows an unfilled ``{?rate}``; the kg/ written is explicit (--kg, else the
checkout the command runs in) and never the one inside an installed package."""

import datetime as dt
import shutil

import pytest
from rdflib import Graph, URIRef
from support import FIXTURES, ROOT, cli

from enlargement_kg.commands.importing import find_kg
from enlargement_kg.core.importer import ImportError_
from enlargement_kg.core.namespaces import ENL

EXAMPLE = FIXTURES / "import" / "example.csv"
HEADER = EXAMPLE.read_text().splitlines()[0] + "\n"
SRB_RATE = URIRef(
    "https://w3id.org/eu-enlargement/id/fact/SRB/cfsp-alignment-rate/2022-10-12/2022/"
    "european-commission/45"
)
#: the Serbian rate as the graph has it already: same key, same source, no new note
SAME_FACT = (
    "SRB,cfsp-alignment-rate,2022-10-12,45,,,,european-commission,2022,,,"
    "https://bizlife.rs/ec-annual-report-on-serbia-main-problem-sanctions-against-russia/,"
    "EC annual report on Serbia: main problem sanctions against Russia,Bizlife,2022-10-12,news\n"
)


def checkout(tmp_path):
    """A copy of the project's data as a checkout: pyproject.toml naming it, and kg/."""
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "kg", root / "kg")
    (root / "pyproject.toml").write_text('[project]\nname = "enlargement-kg"\n')
    return root


def whole(kg):
    g = Graph()
    for p in sorted(kg.rglob("*.ttl")):
        g.parse(p)
    return g


def without_confirmation(g):
    return {t for t in g if t[1] != ENL.lastConfirmed}


def test_reconfirming_a_fact_moves_its_date_and_nothing_else(tmp_path):
    root = checkout(tmp_path)
    before = whole(root / "kg")
    rows = tmp_path / "same.csv"
    rows.write_text(HEADER + SAME_FACT)
    res = cli("import", str(rows), "--kg", str(root / "kg"), "--today", "2026-12-24")
    assert res.returncode == 0, res.stderr
    after = whole(root / "kg")
    assert without_confirmation(after) == without_confirmation(before)
    assert str(after.value(SRB_RATE, ENL.lastConfirmed)) == "2026-12-24"


def test_the_documented_example_works_as_documented_inside_a_checkout(tmp_path):
    """docs/importing.md: `enlargement-kg import FILE.csv` in the checkout, no --kg, no
    --today: the checkout's kg/ gets the rows, confirmed today."""
    root = checkout(tmp_path)
    (root / "data").mkdir()
    res = cli("import", str(EXAMPLE), cwd=root / "data")
    assert res.returncode == 0, res.stderr
    assert f"into {root / 'kg'}" in res.stdout
    g = Graph().parse(root / "kg" / "facts" / "MNE.ttl")
    fact = URIRef("https://w3id.org/eu-enlargement/id/fact/MNE/chapter-blocked/2025-12-12/ch11/FRA")
    assert str(g.value(fact, ENL.lastConfirmed)) == dt.date.today().isoformat()


def test_a_shape_violation_names_the_row_and_column(tmp_path):
    root = checkout(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        EXAMPLE.read_text().replace(
            "MNE,chapter-provisionally-closed,2025-12-16,,3,",
            "XKX,chapter-provisionally-closed,2025-12-16,,31,",
        )
    )
    res = cli("import", str(bad), "--kg", str(root / "kg"))
    assert res.returncode == 1
    assert "row 2, column date: A chapter is provisionally closed only after" in res.stderr
    assert "row 2, column chapter: Chapter 31 closes only with full CFSP" in res.stderr
    assert "{?" not in res.stderr  # Kosovo has no Commission rate: "none recorded"
    assert "latest Commission rate before 2025-12-16 is none recorded." in res.stderr
    assert "Traceback" not in res.stderr


def test_the_kg_of_an_installed_package_is_never_written(tmp_path):
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "enlargement_kg" / "kg"
    shutil.copytree(ROOT / "kg" / "reference", installed / "reference")
    res = cli("import", str(EXAMPLE), "--kg", str(installed), cwd=tmp_path)
    assert res.returncode == 1 and "installed package" in res.stderr
    assert not (installed / "facts").exists()
    with pytest.raises(ImportError_, match="installed package"):
        find_kg(None, cwd=tmp_path, packaged=installed)


def test_the_kg_is_found_from_the_checkout_upwards(tmp_path):
    root = checkout(tmp_path)
    (root / "a" / "b").mkdir(parents=True)
    assert find_kg(None, cwd=root / "a" / "b") == root / "kg"
    assert find_kg(tmp_path / "x", cwd=root) == tmp_path / "x"
    other = tmp_path / "other"
    (other / "kg").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    assert find_kg(None, cwd=other, packaged=root / "kg") == root / "kg"
