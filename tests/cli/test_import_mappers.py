"""The importer's mappers (api/core/mappers.py): one small function per fact-type family,
registered by code; each turns a checked row into triples, key qualifiers, label bits and
errors, and ``Mapper._map`` runs them in the order that makes the fact's IRI and label."""

import ast
import datetime as dt
import inspect
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from enlargement_kg.core import importer, iris, mappers
from enlargement_kg.core.mappers import MAPPERS, Row, mapper_for
from enlargement_kg.core.namespaces import ENL
from enlargement_kg.core.validation import ontology_graph

ID = "https://w3id.org/eu-enlargement/id/"


@pytest.fixture(scope="module")
def ontology():
    return ontology_graph()


def row(code="epf-measure", country="UKR", date="2022-02-28", chapter=None, cluster=None, **cols):
    raw = {"country": country, "fact_type": code, "date": date or ""} | cols
    return Row(
        n=7,
        raw=raw,
        country=country,
        code=code,
        cls=ENL.Fact,  # the class only matters to act(): is it a one-off event?
        date=date,
        precision="day" if date else None,
        chapter=chapter,
        cluster=cluster,
        url="https://example.org/doc",
        src_date=None,
        confirmed="2026-12-03",
    )


def ctx(entities=None, one_off=()):
    return SimpleNamespace(
        known={"FRA": "France", "UKR": "Ukraine", "MKD": "North Macedonia"},
        known_orgs={"european-commission"},
        entities=entities if entities is not None else Graph(),
        one_off=set(one_off),
    )


def test_every_fact_type_of_the_ontology_has_one_registered_mapper(ontology):
    codes = set(importer.fact_type_codes(ontology))
    assert codes == set(MAPPERS), (codes - set(MAPPERS), set(MAPPERS) - codes)
    assert MAPPERS["epf-measure"] is mappers.epf_measure
    assert MAPPERS["chapter-opened"] is mappers.no_columns
    assert MAPPERS["instrument-rule"] is mappers.instrument_rule
    with pytest.raises(ValueError, match="two mappers"):
        mappers.mapper("epf-measure")(lambda r, c: mappers.Part())


def test_an_instrument_code_not_registered_is_keyed_by_its_value():
    assert mapper_for("instrument-withdrawn") is mappers.instrument
    assert mapper_for("no-such-type") is mappers.no_columns


@pytest.mark.parametrize("module", [importer, mappers])
def test_no_function_of_the_importer_is_over_60_lines(module):
    tree = ast.parse(inspect.getsource(module))
    long = {
        f"{node.name}: {node.end_lineno - node.lineno + 1}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > 60
    }
    assert not long


def test_cfsp_alignment_rate_is_keyed_by_year_body_and_value():
    part = mappers.alignment_rate(
        row("cfsp-alignment-rate", "SRB", value="61.5", year="2025", measured_by="isac-fund"),
        ctx(),
    )
    assert part.triples == [
        (ENL.rate, Literal(Decimal("61.5"))),
        (ENL.refYear, Literal("2025", datatype=XSD.gYear)),
        (ENL.measuredBy, URIRef(ID + "org/isac-fund")),
    ]
    assert part.quals == ["2025", "isac-fund", "61-5"]
    assert part.label_bits == ["2025 61.5% (isac-fund)"]
    assert part.errors == []
    org = URIRef(ID + "org/isac-fund")  # a body the reference data lacks is described
    assert part.entities == [
        (org, RDF.type, ENL.Organisation),
        (org, SKOS.prefLabel, Literal("isac-fund", lang="en")),
    ]


def test_cfsp_alignment_rate_reports_each_bad_column():
    part = mappers.alignment_rate(
        row("cfsp-alignment-rate", value="145", year="22", measured_by="European Commission"),
        ctx(),
    )
    assert [c for c, _ in part.errors] == ["value", "year", "measured_by"]
    assert part.errors[0][1] == "'145' is not a percentage in [0, 100]"
    assert part.triples == [] and part.quals == []


def test_level_of_preparation():
    part = mappers.preparation(
        row("level-of-preparation", value="moderate/good", year="2030"), ctx()
    )
    assert part.triples == [
        (ENL.preparationLevel, URIRef(ID + "preparation-level/moderate-good")),
        (ENL.refYear, Literal("2030", datatype=XSD.gYear)),
        (ENL.measuredBy, URIRef(ID + "org/european-commission")),
    ]
    assert part.quals == ["moderate-good", "2030"]
    assert part.label_bits == ["2030: moderate/good"]


def test_a_block_without_chapter_is_of_the_negotiations_and_names_its_state():
    part = mappers.blocked(row("chapter-blocked", "MNE", partner="FRA"), ctx())
    assert part.label_bits == ["negotiations as a whole", "by FRA"]
    assert part.quals == ["FRA"]
    assert part.triples == [(ENL.blockedBy, iris.country("FRA"))]
    bad = mappers.blocked(row("chapter-blocked", "MNE", chapter=11, partner="ZZZ"), ctx())
    assert bad.label_bits == [] and bad.errors == [
        ("partner", "'ZZZ' is not a known ISO 3166 alpha-3 code of the blocking state")
    ]


def test_a_mission_gets_one_preferred_label_then_alternative_ones():
    m = URIRef(ID + "mission/EUFOR-ALTHEA")
    first = mappers.csdp(row("csdp-host", "BIH", partner="EUFOR-ALTHEA"), ctx())
    assert (m, SKOS.prefLabel, Literal("EUFOR-ALTHEA", lang="en")) in first.entities
    g = Graph()
    for t in first.entities:
        g.add(t)
    second = mappers.csdp(
        row("csdp-contribution", "ALB", partner="EUFOR-ALTHEA", value="Althea"), ctx(g)
    )
    assert (m, SKOS.altLabel, Literal("Althea", lang="en")) in second.entities
    assert not any(p == SKOS.prefLabel for _, p, _ in second.entities)
    assert second.quals == ["EUFOR-ALTHEA"] and second.triples == [(ENL.mission, m)]


def test_a_corridor_crosses_its_country_but_not_the_eu():
    part = mappers.mobility_corridor(
        row("mobility-corridor", "MKD", None, value="Corridor VIII", status="dual-use"), ctx()
    )
    assert part.triples == [
        (ENL.dualUseStatus, URIRef(ID + "dual-use/dual-use")),
        (ENL.crosses, iris.country("MKD")),
    ]
    assert part.quals == ["corridor-viii"]
    eu = mappers.mobility_corridor(row("mobility-corridor", "EU", None, value="X"), ctx())
    assert eu.triples == [(ENL.dualUseStatus, URIRef(ID + "dual-use/unknown"))]


def test_an_instrument_amount_is_keyed_by_its_partner_column():
    part = mappers.instrument_amount(row("instrument-amount", "EU", value="lots"), ctx())
    assert part.errors == [
        ("partner", "instrument-amount needs the instrument key, e.g. SAFE"),
        ("value", "'lots' is not an amount in euro (digits only)"),
    ]
    ok = mappers.instrument_amount(
        row("instrument-amount", "EU", partner="SAFE", value="150"), ctx()
    )
    assert ok.quals == ["SAFE"] and ok.label_bits == ["SAFE"]
    assert ok.triples[1] == (ENL.amountEUR, Literal(Decimal("150")))


def test_a_celex_number_keys_a_recurring_fact_but_not_a_one_off_event():
    r = row(act="32022D0338")
    part = mappers.act(r, ctx())
    assert part.triples == [
        (ENL.celex, Literal("32022D0338")),
        (ENL.legalAct, URIRef("http://data.europa.eu/eli/dec/2022/338/oj")),
    ]
    assert part.quals == ["32022D0338"] and part.label_bits == ["Decision 2022/338"]
    assert mappers.act(r, ctx(one_off={ENL.Fact})).quals == []


def test_the_parts_go_into_the_key_and_label_in_their_order(ontology):
    m = importer.Mapper(
        known_countries={"UKR": "Ukraine"}, ontology=ontology, today=dt.date(2026, 12, 3)
    )
    m.add(
        2,
        {
            "country": "UKR",
            "fact_type": "epf-measure",
            "date": "2022-02-28",
            "value": "450000000",
            "status": "adopted",
            "act": "32022D0338",
            "source_url": "https://example.org/d",
            "source_title": "D",
            "source_publisher": "Council of the EU",
            "source_kind": "official",
        },
    )
    assert m.errors == []
    fact = URIRef(ID + "fact/UKR/epf-measure/2022-02-28/adopted/32022D0338")
    g = m.facts["UKR"]
    assert (fact, ENL.amountEUR, Literal(Decimal("450000000"))) in g
    label = "Ukraine: European Peace Facility assistance measure"
    label += " (EUR 450,000,000, Decision 2022/338)"  # amount, then act: their mappers' order
    assert str(g.value(fact, RDFS.label)) == label
