"""`enlargement-kg import`: the documented example imports; a bad row names its row and
column and nothing is written; facts that would break a shape are refused."""

import shutil

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from support import FIXTURES, ROOT, cli

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
    assert g.value(fact, ENL.lastConfirmed) == Literal(
        "2026-11-26", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
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
    bad = bad_copy(
        tmp_path, "SRB,cfsp-alignment-rate,2022-10-12,45", "SRB,cfsp-alignment-rate,2022-02-30,145"
    )
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
    bad = bad_copy(
        tmp_path,
        "MNE,chapter-provisionally-closed,2025-12-16,,3,",
        "BIH,chapter-provisionally-closed,2025-12-16,,31,",
    )
    res = cli("import", str(bad), "--kg", str(kg))
    assert res.returncode == 1
    assert "ClosedAfterOpened" in res.stderr
    assert snapshot(kg) == before


def test_unreadable_file(tmp_path):
    res = cli("import", str(tmp_path / "missing.csv"))
    assert res.returncode == 2 and "no such file" in res.stderr


HEADER = (
    "country,fact_type,date,value,chapter,cluster,partner,measured_by,year,status,note,"
    "source_url,source_title,source_publisher,source_date,source_kind\n"
)


def event_of(g, iri):
    from enlargement_kg.core.events import claims

    return g.value(URIRef(iri), DCTERMS.date), claims(g, URIRef(iri))


def test_a_second_date_for_a_one_off_event_is_a_claim_not_an_event(tmp_path):
    """docs/modelling.md (claims): Montenegro applied once. A source that gives only the month
    becomes a claim ranked normal; one that gives another day is kept, ranked normal and
    marked "not reconciled" for a curator; neither mints a second application."""
    kg = copy_kg(tmp_path)
    ev = "https://w3id.org/eu-enlargement/id/fact/MNE/membership-application"
    before_date, before_claims = event_of(Graph().parse(kg / "facts" / "MNE.ttl"), ev)
    rows = tmp_path / "rows.csv"
    rows.write_text(
        HEADER
        + (
            "MNE,membership-application,2008-12,,,,,,,,Month only,https://example.org/a,"
            "Montenegro applies,Example News,2008-12-16,news\n"
            "MNE,membership-application,2008-12-20,,,,,,,,Another day,https://example.org/b,"
            "Montenegro applied,Example Wire,2008-12-21,news\n"
        )
    )
    res = cli("import", str(rows), "--kg", str(kg), "--today", "2026-12-03")
    assert res.returncode == 0, res.stderr
    g = Graph().parse(kg / "facts" / "MNE.ttl")
    date, after_claims = event_of(g, ev)
    assert date == before_date and str(date) == "2008-12-15"
    by_date = {str(g.value(c, DCTERMS.date)): c for c in after_claims}
    # the month: the account "December 2008" exists, ranked normal; the new source joins it
    month = by_date["2008-12"]
    assert month in before_claims and str(g.value(month, ENL.rank)).endswith("/normal")
    assert g.value(month, DCTERMS.date).datatype == URIRef(
        "http://www.w3.org/2001/XMLSchema#gYearMonth"
    )
    from enlargement_kg.core import iris

    assert iris.source("https://example.org/a") in set(g.objects(month, DCTERMS.source))
    # another day: a new claim, kept and flagged for a curator
    new = [c for c in after_claims if c not in before_claims]
    assert new == [by_date["2008-12-20"]]
    assert str(g.value(new[0], ENL.rank)).endswith("/normal")
    assert "not reconciled" in str(g.value(new[0], ENL.rankReason))
    assert len(set(g.subjects(RDF.type, ENL.MembershipApplication))) == 1
    # the shapes accept it (an unreconciled claim is ranked, with its reason)
    assert cli("build", "--out", str(tmp_path / "s"), "--kg", str(kg)).returncode == 0


def test_importing_a_known_fact_again_reconfirms_it(tmp_path):
    kg = copy_kg(tmp_path)
    assert cli("import", str(EXAMPLE), "--kg", str(kg), "--today", "2026-11-26").returncode == 0
    once = Graph().parse(kg / "facts" / "MNE.ttl")
    res = cli("import", str(EXAMPLE), "--kg", str(kg), "--today", "2026-12-03")
    assert res.returncode == 0, res.stderr
    twice = Graph().parse(kg / "facts" / "MNE.ttl")
    ev = URIRef("https://w3id.org/eu-enlargement/id/fact/MNE/chapter-provisionally-closed/ch3")
    assert str(twice.value(ev, ENL.lastConfirmed)) == "2026-12-03"
    assert len(twice) == len(once)  # the same triples, one date moved


def test_a_commission_report_loads_in_one_command(tmp_path):
    """docs/importing.md: a partner holding the Commission's tables fills
    docs/templates/commission-report.csv (one row per chapter grade, one for the CFSP rate)
    and loads the whole report at once; the graph still builds with it."""
    template = ROOT / "docs" / "templates" / "commission-report.csv"
    example = FIXTURES / "import" / "commission-report.csv"
    assert example.read_text().splitlines()[0] == template.read_text().splitlines()[0]
    kg = copy_kg(tmp_path)
    res = cli("import", str(example), "--kg", str(kg), "--today", "2026-12-03")
    assert res.returncode == 0, res.stderr
    assert "imported 4 fact row(s)" in res.stdout
    g = Graph().parse(kg / "facts" / "MNE.ttl")
    grades = {
        (
            str(g.value(f, ENL.chapter)).rsplit("/", 1)[-1],
            str(g.value(f, ENL.preparationLevel)).rsplit("/", 1)[-1],
        )
        for f in g.subjects(RDF.type, ENL.PreparationAssessment)
        if str(g.value(f, ENL.refYear)) == "2030"
    }
    assert grades == {("5", "good"), ("23", "moderate-good"), ("31", "well-advanced")}
    assert cli("build", "--out", str(tmp_path / "s"), "--kg", str(kg)).returncode == 0


ACT_HEADER = (
    "country,fact_type,date,value,status,act,source_url,source_title,source_publisher,"
    "source_date,source_kind\n"
)


def test_two_council_decisions_of_one_day_are_two_facts_keyed_by_celex(tmp_path):
    kg = copy_kg(tmp_path)
    src = ",https://eur-lex.europa.eu/eli/dec/2099/1,Fixture OJ act,EUR-Lex,2099-01-02,official\n"
    csv_ = tmp_path / "acts.csv"
    csv_.write_text(
        ACT_HEADER
        + "SRB,epf-measure,2099-01-01,450000000,adopted,32099D0001"
        + src
        + "SRB,epf-measure,2099-01-01,50000000,adopted,32099D0002"
        + src
    )
    res = cli("import", str(csv_), "--kg", str(kg), "--today", "2026-12-03")
    assert res.returncode == 0, res.stderr
    g = Graph().parse(kg / "facts" / "SRB.ttl")
    base = "https://w3id.org/eu-enlargement/id/fact/SRB/epf-measure/2099-01-01/adopted/"
    one, two = URIRef(base + "32099D0001"), URIRef(base + "32099D0002")
    assert g.value(one, ENL.amountEUR).toPython() == 450000000
    assert g.value(two, ENL.amountEUR).toPython() == 50000000
    assert g.value(one, ENL.legalAct) == URIRef("http://data.europa.eu/eli/dec/2099/1/oj")
    assert str(g.value(two, ENL.celex)) == "32099D0002"
    assert "Decision 2099/2" in str(g.value(two, RDFS.label))


def test_a_bad_celex_number_names_row_and_column(tmp_path):
    kg = copy_kg(tmp_path)
    before = snapshot(kg)
    csv_ = tmp_path / "acts.csv"
    csv_.write_text(
        ACT_HEADER + "SRB,epf-measure,2099-01-01,1,adopted,2022/338,"
        "https://eur-lex.europa.eu/x,T,EUR-Lex,2099-01-02,official\n"
    )
    res = cli("import", str(csv_), "--kg", str(kg))
    assert res.returncode == 1
    assert "row 2, column act" in res.stderr and "32022D0338" in res.stderr
    assert snapshot(kg) == before


def test_bad_values_that_once_crashed_the_importer_are_row_errors(tmp_path):
    """A lower-case country on a corridor row and a NaN amount: exit 1 naming row and
    column, never a traceback."""
    kg = copy_kg(tmp_path)
    csv_ = tmp_path / "bad.csv"
    src = ",https://example.org/x,T,Pub,2099-01-02,news\n"
    csv_.write_text(
        "country,fact_type,date,value,status,source_url,source_title,source_publisher,"
        "source_date,source_kind\n"
        "mne,mobility-corridor,2099-01-01,Corridor X,dual-use"
        + src
        + "SRB,epf-measure,2099-01-01,NaN,adopted"
        + src
    )
    res = cli("import", str(csv_), "--kg", str(kg))
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert "row 2, column country" in res.stderr and "row 3, column value" in res.stderr
