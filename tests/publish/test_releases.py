"""Releases and the data changelog: two releases of a small fixture graph (tests/fixtures/
publish/kg-v1 and kg-v2) differ by exactly one fact added, one changed and one retracted."""

from __future__ import annotations

import json
import shutil

import pytest
from support import cli
from support.publish import KG_V1, KG_V2

FACT = "https://w3id.org/eu-enlargement/id/fact/"
ADDED = FACT + "SRB/candidate-status/2012-03-01"
CHANGED = FACT + "MNE/cfsp-alignment-rate/2020-03-09/2019/test-think-tank"
RETRACTED = FACT + "SRB/cfsp-alignment-rate/2020-03-09/2019/test-think-tank"
UNCHANGED = (
    FACT + "MNE/membership-application/2008-12-15",
    FACT + "SRB/membership-application/2009-12-22",
)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    root = tmp_path_factory.mktemp("releases")
    for version, kg, day in (("1.1.0", KG_V1, "2026-11-21"), ("1.2.0", KG_V2, "2026-11-22")):
        res = cli("release", version, "--kg", str(kg), "--releases", str(root), "--date", day)
        assert res.returncode == 0, res.stderr
        assert f"released {version}" in res.stdout
    return root


def diff_json(old, new) -> dict:
    res = cli("diff", str(old), str(new), "--format", "json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def iris(doc: dict, kind: str) -> set[str]:
    return {f["iri"] for f in doc[kind]}


def test_diff_lists_exactly_the_changed_facts(releases):
    doc = diff_json(releases / "1.1.0", releases / "1.2.0")
    assert iris(doc, "added") == {ADDED}
    assert iris(doc, "changed") == {CHANGED}
    assert iris(doc, "retracted") == {RETRACTED}
    assert doc["counts"]["unchanged"] == 2
    changed = doc["changed"][0]
    assert changed["removed"] == [["rate", '"99"']] and changed["added"] == [["rate", '"100"']]
    assert changed["country"] == "MNE" and changed["country_label"] == "Montenegro"
    added = doc["added"][0]
    assert added["sources"] == [
        {
            "iri": "https://w3id.org/eu-enlargement/id/source/aaaaaaaaaaa4",
            "title": "Serbia candidate status",
            "publisher": "Test Publisher",
            "date": "2012-03-01",
            "url": "https://example.org/sources/srb-candidate",
        }
    ]
    # the corrected source title is not a fact: it is counted, not listed
    assert doc["counts"]["other_triples_added"] == 1
    assert doc["counts"]["other_triples_removed"] == 1


def test_diff_in_reverse_swaps_added_and_retracted(releases):
    doc = diff_json(releases / "1.2.0", releases / "1.1.0")
    assert iris(doc, "added") == {RETRACTED}
    assert iris(doc, "retracted") == {ADDED}
    assert iris(doc, "changed") == {CHANGED}


def test_diff_takes_any_dumps_or_graphs(releases):
    """Dump files in any format, gzipped or not, and kg folders give the same changelog."""
    expected = ({ADDED}, {CHANGED}, {RETRACTED})
    r1, r2 = releases / "1.1.0", releases / "1.2.0"
    pairs = [
        (r1 / "enlargement-kg.ttl.gz", r2 / "enlargement-kg.jsonld"),
        (r1 / "enlargement-kg.trig", r2 / "enlargement-kg.nt.gz"),
        (KG_V1, KG_V2),
    ]
    for old, new in pairs:
        doc = diff_json(old, new)
        assert (iris(doc, "added"), iris(doc, "changed"), iris(doc, "retracted")) == expected


def test_identical_graphs_have_no_changes(releases):
    doc = diff_json(releases / "1.2.0", KG_V2)
    assert doc["counts"]["added"] == doc["counts"]["changed"] == doc["counts"]["retracted"] == 0
    res = cli("diff", str(releases / "1.2.0"), str(releases / "1.2.0" / "enlargement-kg.nq"))
    assert res.returncode == 0 and "No fact was added, changed or retracted." in res.stdout


def test_changes_md_is_the_human_changelog(releases):
    text = (releases / "1.2.0" / "CHANGES.md").read_text(encoding="utf-8")
    assert text.startswith("# Release 1.2.0 (2026-11-22)")
    assert "From release 1.1.0 to release 1.2.0." in text
    montenegro, serbia = text.index("## Montenegro (MNE)"), text.index("## Serbia (SRB)")
    assert montenegro < serbia
    for iri in (ADDED, CHANGED, RETRACTED):
        assert f"<{iri}>" in text
    for iri in UNCHANGED:
        assert iri not in text
    assert text.index(f"<{CHANGED}>") < serbia < text.index(f"<{ADDED}>")
    assert "### Added (1)" in text and "### Changed (1)" in text and "### Retracted (1)" in text
    assert "[Serbia candidate status](https://example.org/sources/srb-candidate)" in text
    assert "Test Think Tank, 2020-03-09" in text
    assert "removed: rate" in text and "added: rate" in text
    first = (releases / "1.1.0" / "CHANGES.md").read_text(encoding="utf-8")
    assert "First release" in first and "- 4 fact(s) added" in first


def test_release_is_recorded_with_its_manifest(releases):
    index = json.loads((releases / "index.json").read_text())
    assert [e["version"] for e in index["releases"]] == ["1.1.0", "1.2.0"]
    assert index["releases"][1]["path"] == "1.2.0"
    manifest = json.loads((releases / "1.2.0" / "release.json").read_text())
    assert manifest["previous"] == "1.1.0" and manifest["issued"] == "2026-11-22"
    assert manifest["changes"]["added"] == 1 and manifest["changes"]["retracted"] == 1
    names = {f["name"] for f in manifest["files"]}
    assert {"enlargement-kg.nq", "enlargement-kg.nq.gz", "enlargement-kg.jsonld.gz"} <= names
    for f in manifest["files"]:
        assert (releases / "1.2.0" / f["name"]).stat().st_size == f["size"]
    for name in ("void.ttl", "catalog.ttl", "CHANGES.md"):
        assert (releases / "1.2.0" / name).is_file()


def test_release_refuses_what_it_must_not_do(releases, tmp_path):
    again = cli("release", "1.2.0", "--kg", str(KG_V2), "--releases", str(releases))
    assert again.returncode == 1 and "already recorded" in again.stderr
    bad = cli("release", "1/2", "--kg", str(KG_V2), "--releases", str(tmp_path))
    assert bad.returncode == 1 and "bad release version" in bad.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "file").write_text("x")
    taken = cli(
        "release", "9.0.0", "--kg", str(KG_V2), "--releases", str(tmp_path), "--out", str(busy)
    )
    assert taken.returncode == 1 and "not empty" in taken.stderr
    date = cli(
        "release", "9.0.1", "--kg", str(KG_V2), "--releases", str(tmp_path), "--date", "2026-13-40"
    )
    assert date.returncode == 1 and "bad release date" in date.stderr
    assert not (tmp_path / "index.json").exists()
    for res in (again, bad, taken, date):
        assert "Traceback" not in res.stderr


def test_a_graph_that_violates_the_shapes_is_not_released(tmp_path):
    kg = tmp_path / "kg"
    shutil.copytree(KG_V2, kg)
    facts = kg / "facts" / "SRB.ttl"
    facts.write_text(
        facts.read_text().replace(
            "    dcterms:source <https://w3id.org/eu-enlargement/id/source/aaaaaaaaaaa4> ;\n", ""
        )
    )
    res = cli("release", "1.0.0", "--kg", str(kg), "--releases", str(tmp_path / "r"))
    assert res.returncode == 1 and "violates the shapes" in res.stderr
    assert not (tmp_path / "r" / "1.0.0").exists()
    assert not (tmp_path / "r" / "index.json").exists()


def test_diff_reports_unreadable_input(tmp_path, releases):
    missing = cli("diff", str(tmp_path / "nope.nq"), str(releases / "1.2.0"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    junk = tmp_path / "junk.ttl"
    junk.write_text("this is not turtle <<<")
    broken = cli("diff", str(junk), str(releases / "1.2.0"))
    assert broken.returncode == 2 and "cannot parse" in broken.stderr
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    unknown = cli("diff", str(odd), str(releases / "1.2.0"))
    assert unknown.returncode == 2 and "unknown file type" in unknown.stderr
    for res in (missing, broken, unknown):
        assert "Traceback" not in res.stderr
