"""One event, one answer (docs/modelling.md: claims; dates at their precision; tiers).

Over the real graph: a one-off event appears once per country in ``country-timeline``; no
canned query prints a day that no source gave; every one-off event carries ranked claims;
class queries find instances of superclasses; two exports of one graph are byte-identical.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from rdflib import URIRef
from rdflib.namespace import XSD
from support import cli

from enlargement_kg.core import dates
from enlargement_kg.core.queries import catalogue

QUERIES = catalogue()
TEN = ("ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def select(app, q: str):
    return app.extensions["enlargement_kg"].store.select(
        "PREFIX enl: <https://w3id.org/eu-enlargement/ontology#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + q
    )


def rows(client, name: str, **params):
    r = client.get(f"/queries/{name}.csv", query_string=params)
    assert r.status_code == 200, (name, r.get_data(as_text=True)[:300])
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


@pytest.fixture(scope="module")
def one_off_codes(app) -> set[str]:
    return {
        str(r["code"])
        for r in select(
            app, "SELECT ?code WHERE { ?c enl:occursOnce true ; enl:factTypeCode ?code }"
        )
    }


@pytest.fixture(scope="module")
def stored_days(app) -> set[str]:
    """Every day a source gave (any value typed xsd:date, except on a resource that says its
    date is coarser, as 0.1.0 did with enl:datePrecision): a printed day must be one."""
    return {
        str(r["d"])
        for r in select(
            app,
            "SELECT DISTINCT ?d WHERE { ?s ?p ?d FILTER (DATATYPE(?d) = "
            "<http://www.w3.org/2001/XMLSchema#date>) "
            "FILTER NOT EXISTS { ?s enl:datePrecision ?coarse } }",
        )
    }


@pytest.mark.parametrize("country", TEN)
def test_a_one_off_event_appears_once_in_the_timeline(client, one_off_codes, country):
    seen: dict[tuple, str] = {}
    timeline = rows(client, "country-timeline", country=country)
    assert timeline, country
    for r in timeline:
        if r["event"] not in one_off_codes:
            continue
        key = (r["event"], r.get("chapter", ""), r.get("cluster", ""), r.get("step", ""))
        assert key not in seen, (country, key, seen.get(key), r["date"])
        seen[key] = r["date"]
        assert ISO.match(r["date"]), r


def test_the_timeline_keeps_every_account_as_a_claim(client):
    """Montenegro's Commission opinion was stored three times (2010, 2010-11, 2010-11-09):
    one row at the day, with the two less precise accounts as claims."""
    opinion = [
        r
        for r in rows(client, "country-timeline", country="MNE")
        if r["event"] == "commission-opinion"
    ]
    assert [(r["date"], r["claims"]) for r in opinion] == [("2010-11-09", "2")]


def _example(p):
    """A valid value for a canned query's parameter, from its declared example."""
    return p.example


def test_no_canned_query_prints_a_day_nobody_reported(client, stored_days):
    """Every date-like value in every canned query's answer is either a day the graph stores
    as a day, or a month or year (a coarse date is never padded to its first day)."""
    checked = 0
    for name, q in QUERIES.items():
        params = {p.name: _example(p) for p in q.params if p.example}
        for r in rows(client, name, **params):
            for col, value in r.items():
                if DAY.match(value):
                    assert value in stored_days, (name, col, value)
                    checked += 1
    assert checked > 200


def test_changes_prints_each_date_as_stored(client, app):
    stored = {
        str(r["f"]): str(r["d"])
        for r in select(
            app, "SELECT ?f ?d WHERE { ?f a/rdfs:subClassOf* enl:Fact ; dcterms:date ?d }"
        )
    }
    got = rows(client, "changes", **{"from": "2000-01-01", "to": "2026-12-31"})
    assert len(got) > 300
    labels = {}
    for r in select(app, "SELECT ?f ?l WHERE { ?f rdfs:label ?l ; dcterms:date ?d }"):
        labels.setdefault(str(r["l"]), set()).add(stored.get(str(r["f"])))
    for r in got:
        assert r["date"] in labels[r["label"]], r
    # none of the eight events that used to show "on 2025-01-01" is printed on that day
    assert not [r for r in got if r["date"] == "2025-01-01"]


def test_as_of_a_day_counts_an_event_once_its_period_began(client):
    """docs/modelling.md: a closing known to the month counts from the month's first day,
    and shows as the month."""
    by = {r["chapter"]: r for r in rows(client, "chapter-status", country="MNE", date="2013-04-15")}
    assert by["26"]["status"] == "provisionally-closed" and by["26"]["since"] == "2013-04-15"
    assert by["25"]["since"] == "2012-12-18"
    before = {
        r["chapter"]: r for r in rows(client, "chapter-status", country="MNE", date="2013-04-14")
    }
    assert before["26"]["status"] == "not-opened"


def test_every_one_off_event_has_ranked_claims(app):
    missing = select(
        app,
        """SELECT ?e WHERE {
        ?c enl:occursOnce true . ?e a ?c .
        FILTER NOT EXISTS {
          ?e enl:claim/enl:rank <https://w3id.org/eu-enlargement/id/claim-rank/preferred> }
    }""",
    )
    assert missing == []
    reasons = select(
        app,
        """SELECT ?c WHERE { ?c enl:rank ?r .
        FILTER (?r != <https://w3id.org/eu-enlargement/id/claim-rank/preferred>)
        FILTER NOT EXISTS { ?c enl:rankReason ?why } }""",
    )
    assert reasons == []
    deprecated = select(
        app,
        """SELECT (COUNT(?c) AS ?n) WHERE {
        ?c enl:rank <https://w3id.org/eu-enlargement/id/claim-rank/deprecated> }""",
    )
    assert int(deprecated[0]["n"]) >= 15  # the wrong dates found are kept, and say why


def test_reconciled_events(client):
    """A few of the reconciliations of docs/data-notes.md, as an analyst would check them."""
    by = {r["code"]: r for r in rows(client, "candidates")}
    assert by["TUR"]["applied"] == "1987-04-14"  # not the 12th or the 15th
    assert by["MNE"]["applied"] == "2008-12-15"
    assert by["ALB"]["applied"] == "2009-04-28"  # not 24 April
    assert by["TUR"]["candidateSince"] == "1999-12"  # Helsinki, 10-11 December: the month
    srb = [
        r
        for r in rows(client, "country-timeline", country="SRB")
        if r["event"] == "commission-opinion"
    ]
    assert [r["date"] for r in srb] == ["2011-10-12"]  # COM(2011) 668, not the Belgrade visit
    xkx = [r for r in rows(client, "country-timeline", country="XKX") if r["event"] == "saa-signed"]
    assert [r["date"] for r in xkx] == ["2015-10-27"]  # the signature, not the decision to sign


def test_steps_are_events_of_their_own(client):
    steps = {
        (r["step"], r["date"])
        for r in rows(client, "country-timeline", country="MNE")
        if r["event"] == "decision-to-open-negotiations"
    }
    assert steps == {
        ("council-decision", "2012-06-26"),
        ("european-council-endorsement", "2012-06-29"),
    }


def test_class_queries_find_the_instances_of_subclasses(app):
    countries = {
        str(r["c"]).rsplit("/", 1)[-1] for r in select(app, "SELECT ?c WHERE { ?c a enl:Country }")
    }
    assert set(TEN) <= countries and "FRA" in countries
    direct = select(app, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a enl:Event }")
    closure = select(
        app, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a/rdfs:subClassOf* enl:Event }"
    )
    assert int(direct[0]["n"]) == int(closure[0]["n"]) > 200


def test_cfsp_rates_say_who_measured_them_and_when(client):
    got = rows(client, "cfsp-alignment", country="SRB")
    isac_h1 = [r for r in got if r["measuredBy"] == "isac" and r["year"] == "2024"]
    assert [(r["periodStart"], r["periodEnd"]) for r in isac_h1] == [("2024-01", "2024-06")]
    latest = {r["code"]: r for r in rows(client, "cfsp-latest")}
    assert {r["measuredBy"] for r in latest.values()} == {"european-commission"}
    assert latest["MKD"]["year"] == "2025" and latest["MKD"]["rate"] in ("100", "100.0")
    isac = {r["code"] for r in rows(client, "cfsp-latest", measuredBy="isac")}
    assert {"ALB", "BIH", "MKD", "MNE", "SRB"} <= isac


def test_every_source_has_a_tier_and_no_fact_rests_on_weak_ones(app):
    assert (
        select(
            app,
            """SELECT ?s WHERE { ?s a enl:SourceDocument
        FILTER NOT EXISTS { ?s enl:reliabilityTier ?t } }""",
        )
        == []
    )
    weak_only = select(
        app,
        """SELECT ?f WHERE { ?f a enl:Fact ; dcterms:source ?x .
        FILTER NOT EXISTS { ?f dcterms:source/enl:reliabilityTier ?t
          FILTER (?t IN (<https://w3id.org/eu-enlargement/id/reliability/official>,
                         <https://w3id.org/eu-enlargement/id/reliability/reliable>)) } }""",
    )
    assert weak_only == []


def test_dates_are_typed_at_their_precision(app):
    kinds = {
        str(r["t"])
        for r in select(
            app,
            """SELECT DISTINCT (DATATYPE(?d) AS ?t) WHERE {
        ?f a enl:Fact ; dcterms:date ?d }""",
        )
    }
    assert kinds == {str(XSD.date), str(XSD.gYearMonth), str(XSD.gYear)}
    assert select(app, "SELECT ?f WHERE { ?f enl:datePrecision ?p }") == []


def test_a_retired_iri_redirects_and_an_old_event_iri_is_its_claim(client, app):
    old = select(
        app,
        "SELECT ?o (SAMPLE(?m) AS ?n) WHERE { ?o dcterms:isReplacedBy ?m } "
        "GROUP BY ?o HAVING (COUNT(?m) = 1) LIMIT 1",
    )[0]
    base = "https://w3id.org/eu-enlargement/"
    r = client.get("/" + str(old["o"])[len(base) :] + ".ttl")
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/" + str(old["n"])[len(base) :] + ".ttl")
    assert client.get(r.headers["Location"]).status_code == 200
    claim = client.get("/id/fact/MNE/commission-opinion/2010-01-01.ttl")
    assert claim.status_code == 200
    assert b"claimOf" in claim.data and b"fact/MNE/commission-opinion>" in claim.data


def test_a_fact_split_in_two_offers_both(client):
    """Ukraine's EUR 500m of 23 March 2022 was two Council decisions: the old IRI answers
    300 Multiple Choices naming both, each of which is a fact with its CELEX number."""
    r = client.get("/id/fact/UKR/epf-measure/2022-03-23/adopted")
    assert r.status_code == 300
    body = r.get_data(as_text=True)
    assert "2022-03-23/adopted/32022D0471" in body and "2022-03-23/adopted/32022D0472" in body
    assert r.headers["Location"].endswith("/id/fact/UKR/epf-measure/2022-03-23/adopted/32022D0471")
    page = client.get(r.headers["Location"] + ".ttl")
    assert page.status_code == 200 and b"32022D0471" in page.data
    assert b"<http://data.europa.eu/eli/dec/2022/471/oj>" in page.data


def test_dates_module_shows_dates_at_their_precision():
    assert dates.display(dates.literal("2013-04")) == "April 2013"
    assert dates.iso(dates.literal("1987")) == "1987"
    assert dates.contains("2010-12", "2010-12-17") and not dates.contains("2010-11", "2010-12")


def test_two_exports_of_one_graph_are_byte_identical(tmp_path):
    """The same kg/ exported twice (each run builds its own store, with fresh blank-node
    labels) gives the same bytes, so a download can be checked against its checksum."""
    outs = []
    for i in range(2):
        out = tmp_path / f"dump{i}.nq"
        res = cli("export", "--format", "nquads", "--out", str(out))
        assert res.returncode == 0, res.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and len(outs[0]) > 1_000_000
    assert b"_:b" in outs[0]  # the ontology's blank nodes, relabelled from their content


def test_iri_helpers_mint_events_without_dates():
    from enlargement_kg.core import iris

    ev = iris.event("MNE", "candidate-status")
    assert ev == URIRef("https://w3id.org/eu-enlargement/id/fact/MNE/candidate-status")
    assert str(iris.claim(ev, "2010-12")).endswith("/candidate-status/claim/2010-12")


def test_the_event_page_shows_every_claim_ranked_with_its_reason(client):
    r = client.get("/id/fact/TUR/membership-application", headers={"Accept": "text/html"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    ranks = re.findall(r'<tr class="claim rank-(\w+)" data-rank="\w+" data-date="([\d-]+)"', html)
    assert ("preferred", "1987-04-14") in ranks
    assert {("deprecated", "1987-04-12"), ("deprecated", "1987-04-15")} <= set(ranks)
    assert "press reported" in html or "title" in html  # the reasons are shown
    # a claim's own page says which event it is about
    claim = client.get(
        "/id/fact/TUR/membership-application/1987-04-15", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    assert 'href="/id/fact/TUR/membership-application"' in claim


def test_source_pages_and_fact_pages_show_each_sources_tier(client, app):
    weak = select(
        app,
        """SELECT ?s WHERE { ?s enl:reliabilityTier
        <https://w3id.org/eu-enlargement/id/reliability/weak> } LIMIT 1""",
    )[0]["s"]
    page = client.get(
        "/" + str(weak)[len("https://w3id.org/eu-enlargement/") :], headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    assert 'data-tier="weak"' in page
    mne = client.get("/id/country/MNE", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-tier="official"' in mne and 'data-tier="reliable"' in mne


def test_the_validation_page_counts_facts_by_the_tier_of_their_sources(client):
    html = client.get("/-/validation", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="tier-table"' in html
    rows = re.findall(
        r'<tr data-country="(\w+)"><td>\w+</td>'
        r'<td class="" data-tier="official">(\d+)</td>',
        html,
    )
    assert len(rows) == 11 and sum(int(n) for _, n in rows) > 200
    assert 'class="bad" data-tier="weak"' not in html


def test_the_changes_feed_is_atom_and_matches_the_changes_query(client):
    """A real feed parser reads /changes.atom as Atom 1.0 without complaint; its entries are
    the facts of `changes` for the same dates, newest first, each linking to its page and
    sources; no timestamp carries a day nobody reported."""
    import feedparser

    span = {"from": "2024-01-01", "to": "2026-12-31"}
    r = client.get("/changes.atom", query_string=span)
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = feedparser.parse(r.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    expected = rows(client, "changes", **span)
    assert len(feed.entries) == len(expected) > 50
    assert {e.title.split(": ", 1)[1] for e in feed.entries} == {x["label"] for x in expected}
    dates_shown = [e.summary.split(", dated ", 1)[1].split(" ", 1)[0] for e in feed.entries]
    assert dates_shown == sorted(dates_shown, reverse=True)  # newest first
    first = feed.entries[0]
    assert first.id.startswith("https://w3id.org/eu-enlargement/id/fact/")
    assert any(link.rel == "related" and link.href.startswith("http") for link in first.links)
    page = [link.href for link in first.links if link.rel == "alternate"][0]
    assert page.startswith("https://w3id.org/eu-enlargement/")  # the base URL, never Host
    assert client.get(page.replace("https://w3id.org/eu-enlargement", "")).status_code == 200
    # Montenegro's 26th conference (17 March 2026) is in it, dated as its source dates it
    mne = [
        e
        for e in feed.entries
        if e.title == "17 March 2026: Montenegro: Intergovernmental conference"
    ]
    assert mne and mne[0].updated.startswith("2026-12-03")
    assert client.get("/changes.atom?since=2020").status_code == 400
    assert client.get("/changes.atom?from=2020-02-30").status_code == 400


def test_coverage_lists_every_missing_cell_of_the_preparation_series():
    from enlargement_kg.core.build import build_memory
    from enlargement_kg.core.coverage import REPORT_YEARS, generate, spans

    assert spans([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8" and spans([]) == ""
    text = generate()
    table = text.split("## Level of preparation: missing cells", 1)[1].split("\n## ", 1)[0]
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| country")
    ]
    assert len(rows) == 10 and all(line.count("|") >= len(REPORT_YEARS) + 2 for line in rows)
    graded = build_memory(validate_data=False).store.select(
        "PREFIX enl: <https://w3id.org/eu-enlargement/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?f a enl:PreparationAssessment ; enl:chapter ?c }"
    )
    summary = table.strip().rsplit("\n", 1)[-1]  # "N of M cells are missing."
    missing, total = (int(x) for x in summary.replace(" cells are missing.", "").split(" of "))
    assert total - missing == int(graded[0]["n"])  # every graded cell, and only those
    assert total == 33 * sum(line.count("|") - 2 - line.count("no report") for line in rows)
    assert "| UKR | no report |" in table  # no report on Ukraine before the 2023 package
    # the Commission's CFSP series: each rate in its cell, every missing cell named
    cfsp = text.split("## CFSP alignment rate (the Commission's)", 1)[1].split("\n## ", 1)[0]
    srb = [line for line in cfsp.splitlines() if line.startswith("| SRB |")][0].split(" | ")
    head = [c.strip(" |") for c in cfsp.splitlines()[4].split(" | ")]
    assert srb[head.index("2022")] == "45%" and srb[head.index("2020")] == "64%"
    assert cfsp.count("| missing") + cfsp.count(" missing |") >= 1
    n_missing = int(cfsp.strip().rsplit("\n", 1)[-1].split(" ")[0])
    assert n_missing == sum(
        line.split(" | ").count("missing") + line.endswith("missing |")
        for line in cfsp.splitlines()
        if line.startswith("| ")
    )
    # freshness: each country's latest event and last confirmation
    fresh = text.split("## Freshness", 1)[1].split("## ", 1)[0]
    assert "| MNE | 2026-03-17 Montenegro:" in fresh
