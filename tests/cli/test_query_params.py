"""`enlargement-kg query NAME --param k=v --format table|csv|json|tsv` (issue 15, 5): a canned
query's parameters are bound as /queries/NAME binds them, and a missing one is an error
naming it, never a silent answer (chapter-status once said "not-opened" for all 35)."""

import csv
import io
import json

from support import ROOT, cli

MNE_2025 = ("--param", "country=MNE", "--param", "date=2025-12-31")


def status_of(rows, chapter):
    return next(r["status"] for r in rows if r["chapter"] == chapter)


def test_a_canned_query_by_name_with_its_parameters():
    res = cli("query", "chapter-status", *MNE_2025, "--format", "csv")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 35
    assert status_of(rows, "3") == "provisionally-closed"  # closed on 16 December 2025
    assert {r["status"] for r in rows} != {"not-opened"}


def test_the_answer_is_the_one_of_the_http_api(client):
    res = cli("query", "chapter-status", *MNE_2025, "--format", "json")
    assert res.returncode == 0, res.stderr
    http = client.get("/queries/chapter-status.json?country=MNE&date=2025-12-31")
    assert json.loads(res.stdout) == json.loads(http.data)


def test_an_unbound_required_parameter_is_an_error_naming_it():
    res = cli("query", "chapter-status", "--param", "date=2025-12-31")
    assert res.returncode == 1 and res.stdout == ""
    assert "parameter 'country' is required" in res.stderr
    # the query's file too: its header declares the parameters
    res = cli("query", "@" + str(ROOT / "queries" / "chapter-status.rq"), "--format", "csv")
    assert res.returncode == 1 and "is required" in res.stderr and res.stdout == ""


def test_the_http_api_refuses_an_unbound_required_parameter_too(client):
    r = client.get("/queries/chapter-status.json?date=2025-12-31")
    assert r.status_code == 400 and b"country" in r.data


def test_bad_param_syntax_unknown_parameter_and_bad_value_exit_1_with_the_reason():
    res = cli("query", "chapter-status", "--param", "country")
    assert res.returncode == 1 and "is not NAME=VALUE" in res.stderr
    res = cli("query", "chapter-status", *MNE_2025, "--param", "colour=red")
    assert res.returncode == 1 and "unknown parameter(s) colour" in res.stderr
    res = cli("query", "chapter-status", "--param", "country=QQQ", "--param", "date=2025-12-31")
    assert res.returncode == 1 and "'country' must be one of" in res.stderr
    res = cli("query", "SELECT * { ?s ?p ?o } LIMIT 1", "--param", "country=MNE")
    assert res.returncode == 1 and "canned query NAME only" in res.stderr
    res = cli("query", "chapter-statuses")
    assert res.returncode == 1 and "no canned query named 'chapter-statuses'" in res.stderr
    assert "Traceback" not in res.stderr


def test_table_is_aligned_with_short_iris_and_dates_at_their_precision():
    res = cli("query", "chapter-status", *MNE_2025, "--format", "table")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split()[:4] == ["chapter", "cluster", "status", "since"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[-1] == "(35 rows)"
    col = lines[0].index("status")  # every row's status starts under the heading
    assert all(ln[col - 1] == " " and ln[col] != " " for ln in lines[2:-1])
    assert any(ln.split()[3] == "2015-06" for ln in lines[2:-1])  # a month, no day made up
    fact = "https://w3id.org/eu-enlargement/id/fact/MNE/chapter-provisionally-closed/ch3"
    res = cli("query", "fact-source", "--param", f"fact={fact}", "--format", "table")
    assert res.returncode == 0, res.stderr
    assert "id:source/" in res.stdout and "https://w3id.org/eu-enlargement/id/" not in res.stdout


def test_tsv_and_plain_queries_still_work():
    res = cli("query", "chapter-status", *MNE_2025, "--format", "tsv")
    assert res.returncode == 0 and res.stdout.startswith("?chapter\t?cluster\t?status\t?since")
    res = cli("query", "ASK { ?s ?p ?o }", "--format", "table")
    assert res.returncode == 0 and res.stdout == "true\n"
