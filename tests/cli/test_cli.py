"""The command line as a user runs it: exit codes, messages, and the atomic build."""

import json
import shutil

from support import ROOT, cli


def test_help_for_every_subcommand():
    for sub in ("build", "validate", "serve", "query", "import"):
        res = cli(sub, "--help")
        assert res.returncode == 0 and "usage:" in res.stdout, sub


def test_query_formats():
    res = cli(
        "query",
        "SELECT ?c WHERE { ?c a enl:EnlargementCountry }".replace(
            "enl:EnlargementCountry",
            "<https://w3id.org/eu-enlargement/ontology#EnlargementCountry>",
        ),
        "--format",
        "csv",
    )
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.strip().splitlines()) == 11
    res = cli("query", "-", "--format", "json", input="ASK { ?s ?p ?o }")
    assert json.loads(res.stdout)["boolean"] is True


def test_query_bad_input_exit_codes(tmp_path):
    res = cli("query", "SELEC nothing")
    assert res.returncode == 1 and "query failed" in res.stderr and "Traceback" not in res.stderr
    res = cli("query", f"@{tmp_path / 'missing.rq'}")
    assert res.returncode == 2 and "no such file" in res.stderr
    res = cli("query", "ASK {}", "--format", "yaml")
    assert res.returncode == 2 and "unknown format" in res.stderr
    res = cli("query", "ASK {}", "--format", "turtle")
    assert res.returncode == 1 and "cannot be written as turtle" in res.stderr


def test_validate_exit_codes(tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text("@prefix ex: <http://example.org/> . ex:a ex:b ex:c .\n")
    assert cli("validate", str(good), "--alone").returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix enl: <https://w3id.org/eu-enlargement/ontology#> .
<https://w3id.org/eu-enlargement/id/country/QQQ> a enl:Country ; enl:iso3166Alpha3 "qq" .\n""")
    res = cli("validate", str(bad), "--alone", "--format", "json")
    assert res.returncode == 1
    report = json.loads(res.stdout)
    assert report["conforms"] is False and report["violations"] >= 1
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle <<<")
    res = cli("validate", str(broken))
    assert res.returncode == 2 and "cannot parse" in res.stderr


def test_build_refuses_a_broken_kg_and_keeps_the_last_good_store(tmp_path):
    out = tmp_path / "store"
    res = cli("build", "--out", str(out))
    assert res.returncode == 0, res.stderr
    before = json.loads((out / "enlargement-kg.json").read_text())
    kg = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", kg)
    (kg / "reference" / "countries.ttl").write_text(
        (kg / "reference" / "countries.ttl")
        .read_text()
        .replace('enl:iso3166Alpha3 "MNE"', 'enl:iso3166Alpha3 "MN"')
    )
    res = cli("build", "--out", str(out), "--kg", str(kg))
    assert res.returncode == 1
    assert "https://w3id.org/eu-enlargement/shapes#Country" in res.stderr
    assert "https://w3id.org/eu-enlargement/id/country/MNE" in res.stderr
    assert "left untouched" in res.stderr
    after = json.loads((out / "enlargement-kg.json").read_text())
    assert after == before
    res = cli(
        "query",
        'ASK { <https://w3id.org/eu-enlargement/id/country/MNE> ?p "MNE" }',
        "--store",
        str(out),
    )
    assert json.loads(res.stdout)["boolean"] is True
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")] == []


def test_build_reports_unparsable_file(tmp_path):
    kg = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", kg)
    (kg / "broken.ttl").write_text("not turtle at all <<<")
    res = cli("build", "--out", str(tmp_path / "s"), "--kg", str(kg))
    assert res.returncode == 1 and "cannot load" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "s").exists()
