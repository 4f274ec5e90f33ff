"""The importer's row mappers: one small function per fact-type family (docs/importing.md).

``importer.Mapper.add`` checks the columns every row has and builds a :class:`Row`; each
mapper takes the row (and a :class:`Context` with the reference data) and returns a
:class:`Part`: the triples about the fact, the qualifiers of its key, the bits of its label,
the errors and the entities it names. ``importer.Mapper._map`` runs :func:`parts_of` (the
common columns and the fact type's mapper, in a fixed order: the order of the qualifiers and
label bits decides the fact's IRI and label) and mints the fact. Mappers only read the
context; the ``Mapper`` applies what they return.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Protocol

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from . import iris
from .namespaces import ENL

STATUSES = (
    "signed",
    "in-force",
    "adopted",
    "extended",
    "frozen",
    "requested",
    "associated",
    "participation-agreement-signed",
)
LEVELS = {
    "early-stage": "early-stage",
    "early-stage/some-level": "early-stage-some-level",
    "some-level": "some-level",
    "some-level/moderate": "some-level-moderate",
    "moderate": "moderate",
    "moderate/good": "moderate-good",
    "good": "good",
    "good/well-advanced": "good-well-advanced",
    "well-advanced": "well-advanced",
}
CAPABILITIES = ("ammunition", "propellants", "maintenance", "industrial-infrastructure", "other")
DUAL_USE = ("dual-use", "not-dual-use", "unknown")
_MISSION = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"^\d{4}$")
#: fact types that need a chapter or a cluster number
NEEDS = {
    "chapter-opened": "chapter",
    "chapter-provisionally-closed": "chapter",
    "cluster-opened": "cluster",
    "level-of-preparation": "chapter",
}


#: The CSV column that produced each property of a fact (or of its source document), to name
#: the column of a row whose fact breaks a shape (``importer.rows_of``).
PREDICATE_COLUMNS: dict[URIRef, str] = {
    RDF.type: "fact_type",
    ENL.country: "country",
    ENL.crosses: "country",
    URIRef("http://purl.org/dc/terms/date"): "date",
    URIRef("http://purl.org/dc/terms/source"): "source_url",
    URIRef("http://purl.org/dc/terms/title"): "source_title",
    URIRef("http://purl.org/dc/terms/publisher"): "source_publisher",
    ENL.sourceKind: "source_kind",
    ENL.reliabilityTier: "source_tier",
    ENL.chapter: "chapter",
    ENL.cluster: "cluster",
    ENL.blockedBy: "partner",
    ENL.mission: "partner",
    ENL.supplier: "partner",
    ENL.capabilityType: "partner",
    ENL.status: "status",
    ENL.dualUseStatus: "status",
    ENL.refYear: "year",
    ENL.measuredBy: "measured_by",
    ENL.celex: "act",
    ENL.legalAct: "act",
    ENL.lastConfirmed: "last_confirmed",
    SKOS.note: "note",
    ENL.rate: "value",
    ENL.preparationLevel: "value",
    ENL.cfspAct: "value",
    ENL.amountEUR: "value",
    ENL.system: "value",
    ENL.conferenceNumber: "value",
    ENL.instrument: "value",
}


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return s or "x"


@dataclass(frozen=True)
class Row:
    """One row, parsed and checked by ``Mapper.add``: the columns every fact type shares."""

    n: int  #: 1-based line number in the file (the header is row 1)
    raw: Mapping[str, str]  #: the row as read, every value stripped
    country: str  #: ISO3 or ``EU``
    code: str  #: the fact-type code
    cls: URIRef  #: its ontology class
    date: str | None  #: ISO date at its precision, or None
    precision: str | None  #: ``day``, ``month``, ``year``
    chapter: int | None
    cluster: int | None
    url: str  #: the source document's URL
    src_date: str | None  #: the source document's date
    confirmed: str  #: the day the fact was last confirmed

    def get(self, column: str) -> str:
        """A column's value, ``""`` when empty or absent."""
        return self.raw.get(column) or ""

    @property
    def value(self) -> str:
        return self.raw.get("value", "")

    @property
    def partner(self) -> str:
        return self.raw.get("partner", "")


class Context(Protocol):
    """What mappers may read besides the row (``importer.Mapper`` is one)."""

    known: dict[str, str]  #: ``{ISO3: label}`` of the known countries
    known_orgs: set[str]  #: slugs of the organisations the reference data describes
    entities: Graph  #: the entities named so far
    one_off: set[URIRef]  #: the classes of one-off events (``enl:occursOnce``)


@dataclass
class Part:
    """What one mapper contributes to a row's fact."""

    triples: list[tuple] = field(default_factory=list)  #: ``(predicate, object)`` of the fact
    quals: list[str] = field(default_factory=list)  #: qualifiers of the fact's key, in order
    label_bits: list[str] = field(default_factory=list)  #: bits of its label, in order
    errors: list[tuple[str, str]] = field(default_factory=list)  #: ``(column, message)``
    entities: list[tuple] = field(default_factory=list)  #: triples for ``entities.ttl``

    def add(self, p, o, qual: str | None = None, label: str | None = None) -> None:
        """A triple of the fact, with its key qualifier and label bit if it has them."""
        self.triples.append((p, o))
        if qual is not None:
            self.quals.append(qual)
        if label is not None:
            self.label_bits.append(label)

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))


MapperFn = Callable[[Row, Context], Part]
#: ``{fact-type code: mapper}``; every code of the ontology has one (a test checks it)
MAPPERS: dict[str, MapperFn] = {}


def mapper(*codes: str) -> Callable[[MapperFn], MapperFn]:
    """Register the decorated function as the mapper of ``codes``."""

    def register(fn: MapperFn) -> MapperFn:
        for code in codes:
            if code in MAPPERS:
                raise ValueError(f"fact type {code!r} has two mappers")
            MAPPERS[code] = fn
        return fn

    return register


def mapper_for(code: str) -> MapperFn:
    """The mapper of ``code``; an ``instrument-`` code the registry lacks is an instrument's."""
    if code in MAPPERS:
        return MAPPERS[code]
    return instrument if code.startswith("instrument-") else no_columns


def parts_of(row: Row, ctx: Context) -> Iterator[Part]:
    """The parts of ``row``'s fact, in the order they go into its key and label (lazily, so
    the ``Mapper`` can apply each before the next is computed)."""
    for fn in (chapter_and_cluster, needed_numbers, mapper_for(row.code), status, act):
        yield fn(row, ctx)


# -- the columns common to every fact type -------------------------------------------------


def chapter_and_cluster(row: Row, ctx: Context) -> Part:
    part = Part()
    if row.chapter:
        ch = row.chapter
        part.add(ENL.chapter, iris.chapter(ch), f"ch{ch}", f"chapter {ch}")
    if row.cluster:
        cl = row.cluster
        part.add(ENL.cluster, iris.cluster(cl), f"cl{cl}", f"cluster {cl}")
    return part


def needed_numbers(row: Row, ctx: Context) -> Part:
    part = Part()
    need = NEEDS.get(row.code)
    if need and not (row.chapter if need == "chapter" else row.cluster):
        part.error(need, f"{row.code} needs a {need} number")
    return part


def status(row: Row, ctx: Context) -> Part:
    part = Part()
    s = row.get("status")
    if s and row.code != "mobility-corridor" and s in STATUSES:
        part.add(ENL.status, iris.concept("fact-status", s), s)
    return part


def act(row: Row, ctx: Context) -> Part:
    """The EU legal act (CELEX): two acts of one day are two facts."""
    part = Part()
    celex = row.get("act")
    if not celex:
        return part
    try:
        eli = iris.eli(celex)
    except ValueError as exc:
        part.error("act", str(exc))
        return part
    part.add(ENL.celex, Literal(celex), label=iris.act_label(celex))
    part.add(ENL.legalAct, eli)
    if row.cls not in ctx.one_off:  # a one-off event keeps its one IRI
        part.quals.append(celex)
    return part


# -- the fact types' own columns -----------------------------------------------------------


@mapper(
    "aa-in-force",
    "aa-signed",
    "access-grant",
    "accession-process-halted",
    "candidate-status",
    "chapter-opened",
    "chapter-provisionally-closed",
    "closing-benchmarks-met",
    "closing-benchmarks-set",
    "cluster-opened",
    "commission-opinion",
    "csdp-framework-participation-agreement",
    "decision-to-open-negotiations",
    "eda-administrative-arrangement",
    "interim-benchmarks-met",
    "membership-application",
    "nato-membership",
    "negotiating-framework-adopted",
    "partnership-for-peace",
    "potential-candidate-status",
    "saa-in-force",
    "saa-signed",
    "safe-participation",
    "screening-completed",
    "security-defence-partnership",
    "security-of-information-agreement",
)
def no_columns(row: Row, ctx: Context) -> Part:
    """Fact types with no columns of their own (the common ones only)."""
    return Part()


@mapper("chapter-blocked", "block-lifted")
def blocked(row: Row, ctx: Context) -> Part:
    part = Part()
    if not (row.chapter or row.cluster):
        part.label_bits.append("negotiations as a whole")
    partner = row.partner
    if partner and partner not in ctx.known:
        part.error(
            "partner", f"{partner!r} is not a known ISO 3166 alpha-3 code of the blocking state"
        )
    elif partner:
        part.add(ENL.blockedBy, iris.country(partner), partner, f"by {partner}")
    return part


@mapper("intergovernmental-conference")
def conference(row: Row, ctx: Context) -> Part:
    part = Part()
    if row.value.isdigit():
        part.add(ENL.conferenceNumber, Literal(int(row.value)))
    return part


def _year(row: Row, part: Part, message: str) -> None:
    """The ``year`` column (YYYY) as ``enl:refYear`` and a key qualifier."""
    year = row.raw.get("year", "")
    if not _YEAR.match(year):
        part.error("year", message)
    else:
        part.add(ENL.refYear, Literal(year, datatype=XSD.gYear), year)


def _org(slug_: str, label: str, ctx: Context) -> list[tuple]:
    """The triples that describe an organisation the entities do not describe yet."""
    o = iris.org(slug_)
    if (o, RDF.type, ENL.Organisation) in ctx.entities:
        return []
    return [(o, RDF.type, ENL.Organisation), (o, SKOS.prefLabel, Literal(label, lang="en"))]


@mapper("cfsp-alignment-rate")
def alignment_rate(row: Row, ctx: Context) -> Part:
    part = Part()
    value, rate_key = row.value, None
    try:
        rate = Decimal(value.rstrip("%"))
        if not 0 <= rate <= 100:
            raise InvalidOperation
        part.add(ENL.rate, Literal(rate))
        rate_key = str(rate).replace(".", "-")
    except InvalidOperation:
        part.error("value", f"{value!r} is not a percentage in [0, 100]")
    _year(row, part, "cfsp-alignment-rate needs the year the rate refers to (YYYY)")
    by = row.get("measured_by")
    if not _SLUG.match(by):
        part.error(
            "measured_by",
            "cfsp-alignment-rate needs who measured it, as a "
            "slug such as european-commission or isac",
        )
    else:
        part.add(ENL.measuredBy, iris.org(by), by)
        if rate_key:
            part.quals.append(rate_key)  # two values are two observations, never merged
        if by not in ctx.known_orgs:  # the reference data names the usual bodies
            part.entities += _org(by, by, ctx)
    part.label_bits.append(f"{row.raw.get('year')} {value}% ({by})")
    return part


@mapper("level-of-preparation")
def preparation(row: Row, ctx: Context) -> Part:
    part = Part()
    level = LEVELS.get(row.value)
    if level is None:
        part.error("value", f"{row.value!r} is not a level; valid: {', '.join(LEVELS)}")
    else:
        part.add(ENL.preparationLevel, iris.concept("preparation-level", level), level)
    _year(row, part, "level-of-preparation needs the report year (YYYY)")
    part.add(ENL.measuredBy, iris.org("european-commission"))
    part.label_bits.append(f"{row.raw.get('year')}: {row.value}")
    return part


@mapper("cfsp-non-alignment")
def non_alignment(row: Row, ctx: Context) -> Part:
    part = Part()
    value = row.value
    if not value:
        part.error("value", "cfsp-non-alignment needs the act not aligned with")
        return part
    a = iris.concept("cfsp-act", slug(value))
    part.entities += [(a, RDF.type, ENL.CFSPAct), (a, RDFS.label, Literal(value, lang="en"))]
    part.add(ENL.cfspAct, a, slug(value)[:40], value)
    return part


@mapper("csdp-host", "csdp-contribution")
def csdp(row: Row, ctx: Context) -> Part:
    part = Part()
    key, value = row.partner, row.value
    if not _MISSION.match(key):
        part.error("partner", f"{row.code} needs the mission key, e.g. EUFOR-ALTHEA")
        return part
    m = iris.mission(key)
    part.entities.append((m, RDF.type, ENL.CSDPMission))
    if (m, SKOS.prefLabel, None) not in ctx.entities:  # one preferred label
        part.entities.append((m, SKOS.prefLabel, Literal(value or key, lang="en")))
    elif value:
        part.entities.append((m, SKOS.altLabel, Literal(value, lang="en")))
    part.add(ENL.mission, m, key, key)
    return part


@mapper("epf-measure")
def epf_measure(row: Row, ctx: Context) -> Part:
    part = Part()
    value = row.value
    if value:
        try:
            amount = Decimal(value)
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            part.error("value", f"{value!r} is not an amount in euro (digits only)")
        else:
            part.add(ENL.amountEUR, Literal(amount))
            part.label_bits.append(f"EUR {int(amount):,}")
    return part


@mapper("industrial-capability")
def industrial_capability(row: Row, ctx: Context) -> Part:
    part = Part()
    partner, value = row.partner, row.value
    if partner not in CAPABILITIES:
        part.error(
            "partner",
            f"{partner!r} is not a capability type; valid: {', '.join(CAPABILITIES)}",
        )
    else:
        part.add(ENL.capabilityType, iris.concept("capability-type", partner), partner)
    if not value:
        part.error("value", "industrial-capability needs a description")
    else:
        part.quals.append(slug(value)[:40])
        part.label_bits.append(value)
    return part


@mapper("acquisition")
def acquisition(row: Row, ctx: Context) -> Part:
    part = Part()
    partner, value = row.partner, row.value
    if not value:
        part.error("value", "acquisition needs the system acquired")
    else:
        part.add(ENL.system, Literal(value), slug(value)[:40], value)
    if partner and partner in ctx.known:
        part.add(ENL.supplier, iris.country(partner))
    elif partner:
        part.error("partner", f"{partner!r} is not a known supplier country code")
    return part


@mapper("mobility-corridor")
def mobility_corridor(row: Row, ctx: Context) -> Part:
    part = Part()
    dual_use, value = row.get("status") or "unknown", row.value
    if dual_use not in DUAL_USE:
        part.error("status", f"{dual_use!r} is not one of {', '.join(DUAL_USE)}")
    else:
        part.add(ENL.dualUseStatus, iris.concept("dual-use", dual_use))
    if not value:
        part.error("value", "mobility-corridor needs the corridor's name")
        return part
    part.quals.append(slug(value)[:40])
    part.label_bits.append(value)
    if row.country != "EU" and row.country in ctx.known:  # else the country column's error
        part.add(ENL.crosses, iris.country(row.country))
    return part


def _instrument(row: Row, column: str) -> Part:
    """The instrument a row is about: its key (``SAFE``) is in ``column``."""
    part = Part()
    key = row.raw.get(column, "")
    if not _MISSION.match(key or ""):
        part.error(column, f"{row.code} needs the instrument key, e.g. SAFE")
    else:
        part.add(ENL.instrument, iris.instrument(key), key, key)
    return part


@mapper("instrument-proposed", "instrument-adopted", "instrument-in-force")
def instrument(row: Row, ctx: Context) -> Part:
    """An instrument's step: the key is the value."""
    return _instrument(row, "value")


@mapper("instrument-amount")
def instrument_amount(row: Row, ctx: Context) -> Part:
    part = _instrument(row, "partner")
    try:
        part.add(ENL.amountEUR, Literal(Decimal(row.value)))
    except InvalidOperation:
        part.error("value", f"{row.value!r} is not an amount in euro (digits only)")
    return part


@mapper("instrument-rule")
def instrument_rule(row: Row, ctx: Context) -> Part:
    part = _instrument(row, "partner")
    if not row.value:
        part.error("value", "instrument-rule needs the rule in words")
    else:
        part.quals.append(slug(row.value)[:40])
        part.triples.append((SKOS.definition, Literal(row.value, lang="en")))
    return part
