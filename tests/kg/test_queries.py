"""The canned queries: every one parses and runs on the real graph with its documented
columns, and a sample of answers matches what the sources say."""

import csv
import io

import pytest

from enlargement_kg.core.queries import ParameterError, bind, catalogue, parse, substitute

TEN = {"ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX"}
QUERIES = catalogue()


def rows(client, name, **params):
    r = client.get(f"/queries/{name}.csv", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def test_every_competency_question_has_a_query():
    questions = {q.question for q in QUERIES.values()}
    assert {str(n) for n in range(1, 26)} <= questions


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_runs_with_its_columns(client, name):
    q = QUERIES[name]
    r = client.get(f"/queries/{name}.json", query_string=q.example_args())
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["head"]["vars"] == list(q.columns)
    assert q.title and q.description


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_runs_with_every_parameter(client, name):
    """Optional parameters too: a parameter must never land where a term cannot stand."""
    q = QUERIES[name]
    r = client.get(f"/queries/{name}.json", query_string={p.name: p.example for p in q.params})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["head"]["vars"] == list(q.columns)


def test_contract_names_and_columns():
    contract = {
        "candidates": "country code label status applied candidateSince negotiationsSince",
        "country-timeline": "date event label chapter cluster source",
        "chapter-status": "chapter cluster status since",
        "blocked-chapters": "country code chapter blockedBy since source",
        "closed-chapters-ranking": "code label closed opened",
        "cfsp-alignment": "code year rate measuredBy source",
        "defence-ties": "code kind partner since source",
        "safe-eligibility": "code eligible reason",
        "changes": "date code event label source",
        "fact-source": "source title publisher date url",
        "stale-facts": "fact label lastConfirmed",
    }
    for name, cols in contract.items():  # columns may be added after the contracted ones
        assert QUERIES[name].columns[: len(cols.split())] == tuple(cols.split()), name
    params = {name: {p.name for p in q.params} for name, q in QUERIES.items()}
    assert params["country-timeline"] == {"country"}
    assert params["chapter-status"] == {"country", "date"}
    assert params["changes"] == {"from", "to"}
    assert params["stale-facts"] == {"months"}
    assert params["fact-source"] == {"fact"}


def test_montenegro_closed_chapters_end_2025(client):
    got = {
        int(r["chapter"])
        for r in rows(client, "chapter-status", country="MNE", date="2025-12-31")
        if r["status"] == "provisionally-closed"
    }
    # Council/Government of Montenegro: 25, 26 (2012-13), 30 (2017), 7, 10, 20 (Dec 2024),
    # 5 (June 2025), 3, 4, 6, 11, 13 (16 Dec 2025): twelve chapters
    assert got == {3, 4, 5, 6, 7, 10, 11, 13, 20, 25, 26, 30}
    before = {
        int(r["chapter"])
        for r in rows(client, "chapter-status", country="MNE", date="2025-12-15")
        if r["status"] == "provisionally-closed"
    }
    assert before == {5, 7, 10, 20, 25, 26, 30}


def test_albania_clusters_on_2025_01_01(client):
    got = {
        (r["cluster"], r["since"])
        for r in rows(client, "open-clusters", country="ALB", date="2025-01-01")
    }
    assert got == {("1", "2024-10-15"), ("6", "2024-12-17")}


def test_sdp_signatories(client):
    got = {(r["code"], r["signed"]) for r in rows(client, "sdp-signatories")}
    # Albania's partnership was approved on 19 November 2024 and signed on 18 December
    # (ANSA, Gazeta Tema); North Macedonia signed on 19 November 2024
    assert {("MDA", "2024-05-21"), ("ALB", "2024-12-18"), ("MKD", "2024-11-19")} <= got
    assert {c for c, _ in got} == {"MDA", "ALB", "MKD"}


def test_candidates(client):
    by = {r["code"]: r for r in rows(client, "candidates")}
    assert set(by) == TEN
    assert by["MNE"]["negotiationsSince"] == "2012-06-29"
    assert by["MNE"]["candidateSince"] == "2010-12-17"
    assert by["ALB"]["negotiationsSince"] == "2022-07-19"
    assert by["UKR"]["candidateSince"] == "2022-06-23"
    assert by["BIH"]["status"] == "candidate" and by["BIH"]["negotiationsSince"] == ""
    assert by["XKX"]["status"] == "potential-candidate"
    assert by["GEO"]["status"] == "halted" and by["TUR"]["status"] == "halted"


def test_ranking_and_blocks(client):
    ranking = rows(client, "closed-chapters-ranking", date="2025-12-31")
    assert ranking[0]["code"] == "MNE" and ranking[0]["closed"] == "12"
    blocks = rows(client, "blocked-chapters", country="MNE", date="2025-12-31")
    assert {(b["chapter"], b["blockedBy"]) for b in blocks} == {("31", "HRV")}
    during = rows(client, "blocked-chapters", country="MNE", date="2025-12-13")
    assert {(b["chapter"], b["blockedBy"]) for b in during} == {
        ("31", "HRV"),
        ("11", "FRA"),
        ("13", "FRA"),
    }


def test_safe_eligibility_follows_the_sdp_rule(client):
    by = {r["code"]: r for r in rows(client, "safe-eligibility")}
    assert {c for c, r in by.items() if r["eligible"] == "true"} == {"ALB", "MDA", "MKD", "UKR"}
    assert "Security and Defence Partnership" in by["ALB"]["reason"]


def test_defence_ties_kinds(client):
    kinds = {r["kind"] for r in rows(client, "defence-ties")}
    allowed = {
        "nato-membership",
        "partnership-for-peace",
        "security-defence-partnership",
        "security-of-information",
        "eda-administrative-arrangement",
        "csdp-host",
        "csdp-contribution",
        "epf-measure",
        "safe-participation",
    }
    assert kinds <= allowed and {"nato-membership", "csdp-host"} <= kinds


def test_codes_upper_case_and_dates_iso(client):
    import re

    for r in rows(client, "changes", **{"from": "2024-01-01", "to": "2025-12-31"}):
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", r["date"])  # ISO, at its precision
        assert r["code"] == "EU" or r["code"] in TEN


def test_bad_parameters(client):
    r = client.get(
        "/queries/chapter-status.json", query_string={"country": "FRA", "date": "2025-01-01"}
    )
    assert r.status_code == 400 and "MNE" in r.get_json()["error"]["message"]
    r = client.get("/queries/chapter-status.json", query_string={"country": "MNE"})
    assert r.status_code == 400 and "date" in r.get_json()["error"]["message"]
    r = client.get(
        "/queries/chapter-status.json", query_string={"country": "MNE", "date": "2025-02-30"}
    )
    assert r.status_code == 400
    r = client.get("/queries/fact-source.json", query_string={"fact": "http://x/> } ; DROP ALL #"})
    assert r.status_code == 400
    assert client.get("/queries/no-such-query").status_code == 404


def test_parameters_are_substituted_as_terms_not_text():
    q = parse(
        "t",
        "# title: t\n# description: d\n# param: x iri required http://e/ x\n"
        '# columns: y\nSELECT ?y WHERE { ?x ?p ?y . FILTER(?z != "?x") }',
    )
    b = bind(q, {"x": "http://e/a"}, countries=TEN)
    text = substitute(q.text, b)
    assert "<http://e/a> ?p ?y" in text and '"?x"' in text
    with pytest.raises(ParameterError):
        bind(q, {"x": "not an iri"}, countries=TEN)


def test_formats_and_html(client):
    r = client.get("/queries/candidates", headers={"Accept": "text/csv"})
    assert r.mimetype == "text/csv"
    r = client.get("/queries/candidates.tsv")
    assert r.get_data(as_text=True).startswith("?country\t?code")
    r = client.get("/queries/candidates", headers={"Accept": "text/html"})
    assert r.mimetype == "text/html" and b"Montenegro" in r.data
    listing = client.get("/queries.json").get_json()["queries"]
    assert {q["name"] for q in listing} == set(QUERIES)


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_unbacked_access_grants_agrees_with_its_shape(kind):
    """The canned query (question 22) finds exactly the grants that the governance shape
    enlsh:AccessGrantBacked reports, on the shape's own fixtures: the real graph holds no
    access grant, so without this the query's logic would go untested."""
    from rdflib import Graph
    from support import FIXTURES, ROOT

    from enlargement_kg.core import formats
    from enlargement_kg.core.oxigraph_store import OxigraphStore
    from enlargement_kg.core.validation import load_graph, ontology_graph, validate

    files = sorted((ROOT / "kg" / "reference").glob("*.ttl"))
    files.append(ROOT / "kg" / "sources" / "reference-documents.ttl")
    data = load_graph(files) + ontology_graph()
    data += Graph().parse(FIXTURES / "shapes" / kind / "AccessGrantBacked" / "fixture.ttl")
    flagged = {r.focus for r in validate(data).results if r.shape.endswith("#AccessGrantBacked")}

    store = OxigraphStore.memory()
    nt = formats.by_name("ntriples")
    store.load_bytes(data.serialize(format="nt", encoding="utf-8"), nt, "urn:test:fixture")
    found = {str(row["grant"]) for row in store.select(QUERIES["unbacked-access-grants"].text)}
    assert found == {str(f) for f in flagged}
    assert bool(found) == (kind == "invalid")


def test_no_canned_query_uses_filter_not_exists():
    """docs/performance.md: pyoxigraph evaluates FILTER NOT EXISTS per row (over 1,000 times
    slower than MINUS or OPTIONAL + !BOUND at 100k triples); the canned queries avoid it."""
    for name, q in QUERIES.items():
        code = " ".join(
            line for line in q.text.upper().splitlines() if not line.lstrip().startswith("#")
        )
        assert "NOT EXISTS" not in " ".join(code.split()), name


def test_epf_measures_one_row_per_council_decision(client):
    ukr = rows(client, "epf-measures", country="UKR")
    by_celex = {r["celex"]: r for r in ukr if r["celex"]}
    assert by_celex["32022D0338"]["date"] == "2022-02-28"
    assert float(by_celex["32022D0338"]["amountEUR"]) == 450_000_000
    assert by_celex["32022D0471"]["act"] == "http://data.europa.eu/eli/dec/2022/471/oj"
    assert by_celex["32022D2245"]["amountEUR"] == ""  # the sources give no amount: none shown
    assert len(by_celex) == len([r for r in ukr if r["celex"]])  # one row per decision
    # the first tranches, per decision, add up to the Council's EUR 1bn of March 2022
    march = [r for r in ukr if r["date"] <= "2022-03-23" and r["celex"]]
    assert sum(float(r["amountEUR"]) for r in march) == 1_000_000_000
    mda = rows(client, "epf-measures", country="MDA")
    assert any(r["status"] == "extended" and r["celex"] == "32026D1201" for r in mda)


@pytest.mark.parametrize("name", [n for n, q in sorted(QUERIES.items()) if "source" in q.columns])
def test_source_lists_are_sorted_whatever_order_the_engine_gives(client, name):
    """GROUP_CONCAT's order is the engine's (pyoxigraph's differs between processes): the
    canned answers give every list of source URLs sorted, so a CSV is the same every time."""
    q = QUERIES[name]
    for row in rows(client, name, **q.example_args()):
        parts = row["source"].split(" | ")
        assert parts == sorted(parts), (name, row["source"])
