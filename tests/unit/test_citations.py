"""core/citations.py on hand-built facts: year-, month- and day-precision sources (never a
day nobody reported), the preferred source first, TeX escaping, CSL-JSON's main fields."""

import datetime as dt
import json

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from enlargement_kg.core import citations, dates
from enlargement_kg.core.namespaces import ENL, SCHEMA

ID = "https://w3id.org/eu-enlargement/id/"
FACT = URIRef(ID + "fact/XKX/chapter-opened/ch1")
TODAY = dt.date(2026, 12, 3)


def fact(*sources, preferred=()):
    """A fact citing ``sources`` (``(slug, title, publisher, date or None, tier)``)."""
    g = Graph()
    g.add((FACT, RDF.type, ENL.ChapterOpened))
    g.add((FACT, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Kosovo: X")))
    g.add((FACT, ENL.lastConfirmed, Literal("2026-11-26", datatype=XSD.date)))
    for slug, title, publisher, date, tier in sources:
        s, pub = URIRef(ID + "source/" + slug), URIRef(ID + "org/" + slug + "-pub")
        g.add((FACT, DCTERMS.source, s))
        g.add((s, DCTERMS.title, Literal(title, lang="en")))
        g.add((s, DCTERMS.publisher, pub))
        g.add((pub, SKOS.prefLabel, Literal(publisher, lang="en")))
        g.add((s, SCHEMA.url, URIRef(f"https://example.org/{slug}")))
        g.add((s, ENL.reliabilityTier, URIRef(ID + "reliability/" + tier)))
        if date:
            g.add((s, DCTERMS.date, dates.literal(date)))
    if preferred:
        claim = URIRef(ID + "fact/XKX/chapter-opened/2024-04/ch1")
        g.add((FACT, ENL.claim, claim))
        g.add((claim, ENL.rank, URIRef(ID + "claim-rank/preferred")))
        for slug in preferred:
            g.add((claim, DCTERMS.source, URIRef(ID + "source/" + slug)))
    return citations.citation(g, FACT, version="v123", today=TODAY)


YEAR = ("y", "Yearly report", "Council of the EU", "2024", "official")
MONTH = ("m", "Monthly note", "European Commission", "2024-04", "official")
DAY = ("d", "Daily news", "Balkan Insight", "2024-04-15", "reliable")


def test_plain_text_gives_each_date_at_its_precision():
    text = citations.plain_text(fact(YEAR, MONTH, DAY))
    lines = text.splitlines()
    assert len(lines) == 4  # three sources, then the graph
    assert 'Council of the EU. 2024. "Yearly report." https://example.org/y' in text
    assert '"Monthly note." April 2024. https://example.org/m' in text
    assert '"Daily news." April 15, 2024.' in text
    assert "April 1," not in text  # no invented day
    assert "(accessed 2026-11-26)" in lines[0]  # a source: the day the fact was confirmed
    assert lines[-1].endswith(f"version v123. {FACT} (accessed 2026-12-03).")


def test_a_source_without_a_date_is_n_d():
    line = citations.plain_text(fact(("x", "Undated", "Somebody", None, "weak"))).splitlines()[0]
    assert line.startswith('Somebody. n.d. "Undated."')


def test_the_preferred_source_comes_first_then_by_tier():
    c = fact(DAY, YEAR, MONTH, preferred=("d",))
    assert [s.title for s in c.sources] == ["Daily news", "Monthly note", "Yearly report"]
    c = fact(DAY, ("w", "A weak one", "Blog", None, "weak"), YEAR)
    assert [s.tier for s in c.sources] == ["official", "reliable", "weak"]


def test_bibtex_month_and_year_fields_follow_the_precision():
    entries = citations.bibtex(fact(YEAR, MONTH, DAY)).split("\n\n")
    by_title = {e.split("title = {", 1)[1].split("}", 1)[0]: e for e in entries}
    assert "year = {2024}" in by_title["Yearly report"]
    assert "month" not in by_title["Yearly report"] and "date = {2024}" in by_title["Yearly report"]
    assert (
        "month = apr" in by_title["Monthly note"] and "date = {2024-04}" in by_title["Monthly note"]
    )
    assert "date = {2024-04-15}" in by_title["Daily news"]
    assert all(e.strip().startswith("@misc{") and e.strip().endswith("}") for e in entries)
    assert "urldate = {2026-11-26}" in by_title["Daily news"]
    assert "version = {v123}" in entries[-1] and "urldate = {2026-12-03}" in entries[-1]


def test_bibtex_escapes_tex_and_keeps_braces_balanced():
    nasty = ("n", "R&D: 50% {up} #1 under_score ~ $x^2$ \\ok", "A & B {Ltd}", "2024", "official")
    text = citations.bibtex(fact(nasty))
    assert r"R\&D: 50\% \{up\} \#1 under\_score \textasciitilde{} \$x\textasciicircum{}2\$" in text
    assert r"\textbackslash{}ok" in text
    assert r"author = {{A \& B \{Ltd\}}}" in text
    for entry in text.split("\n\n"):  # every entry's braces balance outside escapes
        bare = entry.replace(r"\{", "").replace(r"\}", "")
        assert bare.count("{") == bare.count("}")
    keys = [e.split("{", 1)[1].split(",", 1)[0] for e in text.split("\n\n")]
    assert len(set(keys)) == len(keys)


def test_csl_json_main_fields():
    items = json.loads(citations.csl_json(fact(YEAR, MONTH, DAY)))
    by_title = {i["title"]: i for i in items}
    assert by_title["Yearly report"]["issued"] == {"date-parts": [[2024]]}
    assert by_title["Monthly note"]["issued"] == {"date-parts": [[2024, 4]]}
    assert by_title["Daily news"]["issued"] == {"date-parts": [[2024, 4, 15]]}
    assert by_title["Daily news"]["accessed"] == {"date-parts": [[2026, 11, 26]]}
    graph = items[-1]
    assert graph["type"] == "dataset" and graph["version"] == "v123"
    assert graph["accessed"] == {"date-parts": [[2026, 12, 3]]} and graph["URL"] == str(FACT)
    # the CSL data schema's required fields and types
    types = {"webpage", "report", "article-newspaper", "dataset"}
    for item in items:
        assert isinstance(item["id"], str) and item["type"] in types
        for name in item.get("author", []):
            assert set(name) == {"literal"}
    assert len({i["id"] for i in items}) == len(items)


def test_only_a_fact_or_a_claim_with_sources_is_citable():
    g = Graph()
    assert not citations.is_citable(g, FACT)
    g.add((FACT, DCTERMS.source, URIRef(ID + "source/x")))
    assert not citations.is_citable(g, FACT)
    g.add((FACT, ENL.lastConfirmed, Literal("2026-01-01", datatype=XSD.date)))
    assert citations.is_citable(g, FACT)
