"""``enlargement-kg import``: facts from a spreadsheet (CSV or TSV) into ``kg/``.

The column layout is documented in docs/importing.md. Rows are mapped to the ontology
(the fact-type codes are the ``enl:factTypeCode`` of the ontology's classes, so the two
cannot drift), the result is validated with the shapes together with the existing graph,
and only then written: one Turtle file per country (``kg/facts/{ISO3}.ttl``, ``EU.ttl``),
the sources in ``kg/sources/documents.ttl``, the entities rows name (missions, CFSP acts,
corridors' countries, organisations) in ``kg/facts/entities.ttl``. A bad row is reported
with its row number and column; if any row is bad, nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from . import dates, events, iris
from .namespaces import ENL, PREFIXES, SCHEMA
from .resources import data_dir
from .validation import ontology_graph

REQUIRED = (
    "country",
    "fact_type",
    "date",
    "source_url",
    "source_title",
    "source_publisher",
    "source_kind",
)
OPTIONAL = (
    "value",
    "chapter",
    "cluster",
    "partner",
    "measured_by",
    "year",
    "status",
    "note",
    "source_date",
    "last_confirmed",
    "source_tier",
    "act",
)
COLUMNS = REQUIRED + OPTIONAL
SOURCE_KINDS = ("official", "news", "analysis", "secondary")
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


@dataclass(frozen=True)
class RowError:
    row: int  #: 1-based line number in the file (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class ImportError_(Exception):
    """The file cannot be imported; ``errors`` lists every bad row and column."""

    def __init__(self, message: str, errors: list[RowError] | None = None, report=None):
        super().__init__(message)
        self.errors = errors or []
        self.report = report


@dataclass
class ImportResult:
    facts: int
    sources: int
    files: dict[str, int] = field(default_factory=dict)  #: relative path -> triples written


def fact_type_codes(ontology: Graph | None = None) -> dict[str, URIRef]:
    """``{code: class}`` from the ontology's ``enl:factTypeCode`` annotations."""
    g = ontology if ontology is not None else ontology_graph()
    return {str(code): cls for cls, code in g.subject_objects(ENL.factTypeCode)}


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return s or "x"


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV/TSV file (delimiter by suffix), as dicts; header checked."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise ImportError_(f"cannot read {path}: {exc.strerror}") from None
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportError_(
            f"{path}: the header lacks the required column(s) "
            f"{', '.join(missing)}; see docs/importing.md",
            [RowError(1, c, "required column missing") for c in missing],
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportError_(
            f"{path}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}",
            [RowError(1, c, "unknown column") for c in unknown],
        )
    return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


class Mapper:
    """Rows → triples, with every row checked; collects errors instead of stopping."""

    def __init__(
        self,
        *,
        known_countries: dict[str, str],
        ontology: Graph,
        today: dt.date,
        kg_dir: Path | None = None,
    ):
        self.codes = fact_type_codes(ontology)
        self.class_labels = {c: str(ontology.value(c, RDFS.label)) for c in self.codes.values()}
        self.events = {
            c
            for c in self.codes.values()
            if ENL.Event in ontology.transitive_objects(c, RDFS.subClassOf)
        }
        self.known = known_countries
        self.known_orgs = _known_orgs()
        self.today = today
        self.one_off = events.one_off_classes(ontology)
        self.kg_dir = kg_dir
        self.facts: dict[str, Graph] = {}
        self.sources = Graph()
        self.entities = Graph()
        self.errors: list[RowError] = []
        self.fact_count = 0

    def _err(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def _facts_of(self, country: str) -> Graph:
        """The country's facts file as it stands, so that a row can confirm or add a claim
        to an event that exists."""
        g = self.facts.get(country)
        if g is None:
            g = self.facts[country] = Graph()
            path = self.kg_dir / "facts" / f"{country}.ttl" if self.kg_dir else None
            if path is not None and path.exists():
                g.parse(path, format="turtle")
        return g

    def _country_label(self, code: str) -> str:
        return self.known.get(code, code) if isinstance(self.known, dict) else code

    def add(self, n: int, r: dict[str, str]) -> None:
        row_start = len(self.errors)
        country = r.get("country", "")
        if country != "EU" and country not in self.known:
            self._err(
                n,
                "country",
                f"{country!r} is not a known ISO 3166 alpha-3 code (or EU); "
                f"expected e.g. {', '.join(iris.ENLARGEMENT_COUNTRIES)}",
            )
        code = r.get("fact_type", "")
        cls = self.codes.get(code)
        if cls is None:
            self._err(
                n,
                "fact_type",
                f"unknown fact type {code!r}; valid: {', '.join(sorted(self.codes))}",
            )
        date = precision = None
        if r.get("date") or cls in self.events:
            try:
                date, precision = dates.parse(r.get("date", ""))
            except ValueError as exc:
                self._err(
                    n,
                    "date",
                    str(exc) if r.get("date") else f"{code} is an event and needs its date",
                )
        src_date = None
        if r.get("source_date"):
            try:
                src_date, _ = dates.parse(r["source_date"])
            except ValueError as exc:
                self._err(n, "source_date", str(exc))
        confirmed = self.today.isoformat()
        if r.get("last_confirmed"):
            try:
                confirmed, p = dates.parse(r["last_confirmed"])
                if p != "day":
                    raise ValueError(f"{confirmed!r}: the day the source was re-read, YYYY-MM-DD")
            except ValueError as exc:
                self._err(n, "last_confirmed", str(exc))
        url = r.get("source_url", "")
        if not re.match(r"^https?://\S+$", url):
            self._err(n, "source_url", f"{url!r} is not an http(s) URL")
        for col in ("source_title", "source_publisher"):
            if not r.get(col):
                self._err(n, col, "required, cannot be empty")
        if r.get("source_tier") and r["source_tier"] not in iris.RELIABILITY_TIERS:
            self._err(
                n,
                "source_tier",
                f"{r['source_tier']!r} is not one of {', '.join(iris.RELIABILITY_TIERS)}",
            )
        if r.get("source_kind") not in SOURCE_KINDS:
            self._err(
                n,
                "source_kind",
                f"{r.get('source_kind')!r} is not one of {', '.join(SOURCE_KINDS)}",
            )
        chapter = cluster = None
        for col, hi in (("chapter", 35), ("cluster", 6)):
            if r.get(col):
                try:
                    v = int(r[col])
                    if not 1 <= v <= hi:
                        raise ValueError
                except ValueError:
                    self._err(n, col, f"{r[col]!r} is not a {col} number 1..{hi}")
                    continue
                if col == "chapter":
                    chapter = v
                else:
                    cluster = v
        status = r.get("status", "")
        if (
            status
            and status not in STATUSES
            and not (code == "mobility-corridor" and status in DUAL_USE)
        ):
            self._err(n, "status", f"{status!r} is not one of {', '.join(STATUSES)}")
        if cls is None:
            return
        # check the type-specific columns too, so one run reports every bad value of the row
        self._map(
            n,
            r,
            cls,
            code,
            country,
            date,
            precision,
            chapter,
            cluster,
            url,
            src_date,
            confirmed,
            row_start,
        )

    def _map(
        self,
        n,
        r,
        cls,
        code,
        country,
        date,
        precision,
        chapter,
        cluster,
        url,
        src_date,
        confirmed,
        before,
    ) -> None:
        quals: list[str] = []
        triples: list[tuple] = []
        label_bits: list[str] = []
        value, partner = r.get("value", ""), r.get("partner", "")
        rate_key: str | None = None
        if chapter:
            quals.append(f"ch{chapter}")
            triples.append((ENL.chapter, iris.chapter(chapter)))
            label_bits.append(f"chapter {chapter}")
        if cluster:
            quals.append(f"cl{cluster}")
            triples.append((ENL.cluster, iris.cluster(cluster)))
            label_bits.append(f"cluster {cluster}")
        need = {
            "chapter-opened": "chapter",
            "chapter-provisionally-closed": "chapter",
            "cluster-opened": "cluster",
            "level-of-preparation": "chapter",
        }
        if code in need and not (chapter if need[code] == "chapter" else cluster):
            self._err(n, need[code], f"{code} needs a {need[code]} number")
        if code in ("chapter-blocked", "block-lifted") and not (chapter or cluster):
            label_bits.append("negotiations as a whole")
        if code in ("chapter-blocked", "block-lifted") and partner:
            if partner not in self.known:
                self._err(
                    n,
                    "partner",
                    f"{partner!r} is not a known ISO 3166 alpha-3 code of the blocking state",
                )
            else:
                triples.append((ENL.blockedBy, iris.country(partner)))
                quals.append(partner)
                label_bits.append(f"by {partner}")
        elif code == "intergovernmental-conference" and value:
            if value.isdigit():
                triples.append((ENL.conferenceNumber, Literal(int(value))))
        elif code in ("cfsp-alignment-rate",):
            try:
                rate = Decimal(value.rstrip("%"))
                if not 0 <= rate <= 100:
                    raise InvalidOperation
                triples.append((ENL.rate, Literal(rate)))
                rate_key = str(rate).replace(".", "-")
            except InvalidOperation:
                self._err(n, "value", f"{value!r} is not a percentage in [0, 100]")
            if not re.match(r"^\d{4}$", r.get("year", "")):
                self._err(n, "year", "cfsp-alignment-rate needs the year the rate refers to (YYYY)")
            else:
                triples.append((ENL.refYear, Literal(r["year"], datatype=XSD.gYear)))
                quals.append(r["year"])
            by = r.get("measured_by") or ""
            if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", by):
                self._err(
                    n,
                    "measured_by",
                    "cfsp-alignment-rate needs who measured it, as a "
                    "slug such as european-commission or isac",
                )
            else:
                triples.append((ENL.measuredBy, iris.org(by)))
                quals.append(by)
                if rate_key:
                    quals.append(rate_key)  # two values are two observations, never merged
                if by not in self.known_orgs:  # the reference data names the usual bodies
                    self._org(by, by)
            label_bits.append(f"{r.get('year')} {value}% ({by})")
        elif code == "level-of-preparation":
            level = LEVELS.get(value)
            if level is None:
                self._err(n, "value", f"{value!r} is not a level; valid: {', '.join(LEVELS)}")
            else:
                triples.append((ENL.preparationLevel, iris.concept("preparation-level", level)))
                quals.append(level)
            if not re.match(r"^\d{4}$", r.get("year", "")):
                self._err(n, "year", "level-of-preparation needs the report year (YYYY)")
            else:
                triples.append((ENL.refYear, Literal(r["year"], datatype=XSD.gYear)))
                quals.append(r["year"])
            triples.append((ENL.measuredBy, iris.org("european-commission")))
            label_bits.append(f"{r.get('year')}: {value}")
        elif code == "cfsp-non-alignment":
            if not value:
                self._err(n, "value", "cfsp-non-alignment needs the act not aligned with")
            else:
                act = iris.concept("cfsp-act", slug(value))
                self.entities.add((act, RDF.type, ENL.CFSPAct))
                self.entities.add((act, RDFS.label, Literal(value, lang="en")))
                triples.append((ENL.cfspAct, act))
                quals.append(slug(value)[:40])
                label_bits.append(value)
        elif code in ("csdp-host", "csdp-contribution"):
            if not _MISSION.match(partner):
                self._err(n, "partner", f"{code} needs the mission key, e.g. EUFOR-ALTHEA")
            else:
                m = iris.mission(partner)
                self.entities.add((m, RDF.type, ENL.CSDPMission))
                if (m, SKOS.prefLabel, None) not in self.entities:  # one preferred label
                    self.entities.add((m, SKOS.prefLabel, Literal(value or partner, lang="en")))
                elif value:
                    self.entities.add((m, SKOS.altLabel, Literal(value, lang="en")))
                triples.append((ENL.mission, m))
                quals.append(partner)
                label_bits.append(partner)
        elif code == "epf-measure":
            if value:
                try:
                    triples.append((ENL.amountEUR, Literal(Decimal(value))))
                    label_bits.append(f"EUR {int(Decimal(value)):,}")
                except InvalidOperation:
                    self._err(n, "value", f"{value!r} is not an amount in euro (digits only)")
        elif code == "industrial-capability":
            if partner not in CAPABILITIES:
                self._err(
                    n,
                    "partner",
                    f"{partner!r} is not a capability type; valid: {', '.join(CAPABILITIES)}",
                )
            else:
                triples.append((ENL.capabilityType, iris.concept("capability-type", partner)))
                quals.append(partner)
            if not value:
                self._err(n, "value", "industrial-capability needs a description")
            else:
                quals.append(slug(value)[:40])
                label_bits.append(value)
        elif code == "acquisition":
            if not value:
                self._err(n, "value", "acquisition needs the system acquired")
            else:
                triples.append((ENL.system, Literal(value)))
                quals.append(slug(value)[:40])
                label_bits.append(value)
            if partner:
                if partner in self.known:
                    triples.append((ENL.supplier, iris.country(partner)))
                else:
                    self._err(n, "partner", f"{partner!r} is not a known supplier country code")
        elif code == "mobility-corridor":
            status = r.get("status") or "unknown"
            if status not in DUAL_USE:
                self._err(n, "status", f"{status!r} is not one of {', '.join(DUAL_USE)}")
            else:
                triples.append((ENL.dualUseStatus, iris.concept("dual-use", status)))
            if not value:
                self._err(n, "value", "mobility-corridor needs the corridor's name")
            else:
                quals.append(slug(value)[:40])
                label_bits.append(value)
                if country != "EU":
                    triples.append((ENL.crosses, iris.country(country)))
        elif code.startswith("instrument-"):
            key = partner if code in ("instrument-amount", "instrument-rule") else value
            if not _MISSION.match(key or ""):
                self._err(
                    n,
                    "partner" if code in ("instrument-amount", "instrument-rule") else "value",
                    f"{code} needs the instrument key, e.g. SAFE",
                )
            else:
                triples.append((ENL.instrument, iris.instrument(key)))
                quals.append(key)
                label_bits.append(key)
            if code == "instrument-amount":
                try:
                    triples.append((ENL.amountEUR, Literal(Decimal(value))))
                except InvalidOperation:
                    self._err(n, "value", f"{value!r} is not an amount in euro (digits only)")
            if code == "instrument-rule":
                if not value:
                    self._err(n, "value", "instrument-rule needs the rule in words")
                else:
                    quals.append(slug(value)[:40])
                    triples.append((SKOS.definition, Literal(value, lang="en")))
        if r.get("status") and code != "mobility-corridor" and r["status"] in STATUSES:
            triples.append((ENL.status, iris.concept("fact-status", r["status"])))
            quals.append(r["status"])
        if r.get("act"):  # the EU legal act: two acts of one day are two facts
            try:
                eli = iris.eli(r["act"])
            except ValueError as exc:
                self._err(n, "act", str(exc))
            else:
                triples += [(ENL.celex, Literal(r["act"])), (ENL.legalAct, eli)]
                label_bits.append(iris.act_label(r["act"]))
                if cls not in self.one_off:  # a one-off event keeps its one IRI
                    quals.append(r["act"])
        if len(self.errors) > before:
            return
        one_off = cls in self.one_off and date is not None
        fact = (
            iris.event(country, code, *quals)
            if one_off
            else iris.fact(country, code, date or "undated", *quals)
        )
        g = self._facts_of(country)
        g.add((fact, RDF.type, cls))
        if country != "EU":
            g.add((fact, ENL.country, iris.country(country)))
        if date and not one_off:
            g.set((fact, DCTERMS.date, dates.literal(date)))
        for p, o in triples:
            g.add((fact, p, o))
        if g.value(fact, RDFS.label) is None:
            label = f"{self._country_label(country)}: {self.class_labels[cls]}"
            if label_bits:
                label += " (" + ", ".join(label_bits) + ")"
            g.add((fact, RDFS.label, Literal(label, lang="en")))
        src = iris.source(url)
        note = [Literal(r["note"], lang="en")] if r.get("note") else []
        if one_off:  # one event; what this row's source says is a claim of it
            claim = events.add_claim(g, fact, dates.literal(date), [src], notes=note)
            if g.value(claim, RDFS.label) is None:
                g.add(
                    (
                        claim,
                        RDFS.label,
                        Literal(
                            f"{g.value(fact, RDFS.label)}: claim of {dates.display(date)}",
                            lang="en",
                        ),
                    )
                )
        else:
            for n in note:
                g.add((fact, SKOS.note, n))
            g.add((fact, DCTERMS.source, src))
        g.remove((fact, ENL.lastConfirmed, None))
        g.add((fact, ENL.lastConfirmed, Literal(confirmed, datatype=XSD.date)))
        self._source(src, r, url, src_date)
        self.fact_count += 1

    def _org(self, slug_: str, label: str) -> URIRef:
        o = iris.org(slug_)
        if (o, RDF.type, ENL.Organisation) not in self.entities:
            self.entities.add((o, RDF.type, ENL.Organisation))
            self.entities.add((o, SKOS.prefLabel, Literal(label, lang="en")))
        return o

    def _source(self, src: URIRef, r: dict, url: str, src_date: str | None) -> None:
        if (src, RDF.type, ENL.SourceDocument) in self.sources:
            return  # the first row citing a document describes it
        s = self.sources
        s.add((src, RDF.type, ENL.SourceDocument))
        s.add((src, DCTERMS.title, Literal(r["source_title"], lang="en")))
        pub = iris.org(slug(r["source_publisher"]))
        s.add((src, DCTERMS.publisher, pub))
        if (pub, SKOS.prefLabel, None) not in s:
            s.add((pub, RDF.type, ENL.Organisation))
            s.add((pub, SKOS.prefLabel, Literal(r["source_publisher"], lang="en")))
        s.add((src, SCHEMA.url, URIRef(url)))
        s.add((src, ENL.sourceKind, iris.concept("source-kind", r["source_kind"])))
        if src_date:
            s.add((src, DCTERMS.date, dates.literal(src_date)))
        s.add(
            (
                src,
                ENL.reliabilityTier,
                iris.concept(
                    "reliability",
                    r.get("source_tier")
                    or {"official": "official", "news": "reliable", "analysis": "reliable"}.get(
                        r["source_kind"], "weak"
                    ),
                ),
            )
        )


HEADER = """# {what}
# Written by `enlargement-kg import` (docs/importing.md); edit by re-importing or by hand,
# keeping every fact's dcterms:source. Each fact is a node with its date, country, source
# document(s) and the date it was last confirmed.

"""


def _serialize(g: Graph, what: str) -> str:
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    return HEADER.format(what=what) + g.serialize(format="turtle")


def plan(
    files: list[Path], *, kg_dir: Path, today: dt.date | None = None
) -> tuple[dict[Path, Graph], int, int]:
    """Map and check every row of ``files``; return the merged graph of each target file."""
    ont = ontology_graph()
    known = _known_countries(kg_dir)
    mapper = Mapper(
        known_countries=known, ontology=ont, today=today or dt.date.today(), kg_dir=kg_dir
    )
    for f in files:
        rows = read_rows(f)
        if not rows:
            raise ImportError_(f"{f} has no rows")
        for i, row in enumerate(rows, start=2):
            mapper.add(i, row)
    if mapper.errors:
        raise ImportError_(f"{len(mapper.errors)} bad value(s); nothing was written", mapper.errors)
    targets: dict[Path, Graph] = {}
    for country, g in mapper.facts.items():
        targets[kg_dir / "facts" / f"{country}.ttl"] = g
    targets[kg_dir / "sources" / "documents.ttl"] = mapper.sources
    targets[kg_dir / "facts" / "entities.ttl"] = mapper.entities
    merged: dict[Path, Graph] = {}
    for path, g in targets.items():
        if len(g) == 0:
            continue
        m = Graph()
        if path.exists() and (path.parent.name != "facts" or path.name == "entities.ttl"):
            m.parse(path, format="turtle")  # a facts file was read whole by the mapper
        if path.name == "documents.ttl":  # a document already described keeps its record
            for s in set(g.subjects(RDF.type, ENL.SourceDocument)):
                if (s, RDF.type, ENL.SourceDocument) in m:
                    g.remove((s, None, None))
        m += g
        merged[path] = m
    return (
        merged,
        mapper.fact_count,
        len(set(mapper.sources.subjects(RDF.type, ENL.SourceDocument))),
    )


def _known_orgs() -> set[str]:
    """Slugs of the organisations the reference data already describes."""
    g = Graph()
    for p in (data_dir("kg") / "reference").glob("*.ttl"):
        g.parse(p)
    prefix = str(iris.org("x"))[:-1]
    return {
        str(s)[len(prefix) :] for s in g.subjects(SKOS.prefLabel, None) if str(s).startswith(prefix)
    }


def _known_countries(kg_dir: Path) -> dict[str, str]:
    """``{ISO3: English label}`` of the countries in the reference data."""
    g = Graph()
    ref = kg_dir / "reference" / "countries.ttl"
    g.parse(ref if ref.exists() else data_dir("kg") / "reference" / "countries.ttl")
    return {
        str(code): str(g.value(c, SKOS.prefLabel) or code)
        for c, code in g.subject_objects(ENL.iso3166Alpha3)
    }


def import_files(
    files: list[Path],
    *,
    kg_dir: Path | None = None,
    validate_first: bool = True,
    today: dt.date | None = None,
) -> ImportResult:
    """Import ``files`` into ``kg_dir``: all rows or none."""
    from .build import BuildError, build_memory

    kg_dir = Path(kg_dir or data_dir("kg"))
    merged, facts, sources = plan(files, kg_dir=kg_dir, today=today)
    names = _known_countries(kg_dir)
    names["EU"] = "the EU's instruments and rules"
    what = {
        "documents.ttl": "Source documents cited by the facts.",
        "entities.ttl": "Entities named by the facts: CSDP missions, CFSP acts, bodies.",
    }
    texts = {
        p: _serialize(g, what.get(p.name, f"Facts about {names.get(p.stem, p.stem)} ({p.stem})."))
        for p, g in merged.items()
    }
    if validate_first:
        # validate the whole graph as it would be: a copy of kg/ with the new files in it
        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / "kg"
            _copytree(kg_dir, trial)
            for p, text in texts.items():
                target = trial / p.relative_to(kg_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            try:
                build_memory(kg_dir=trial)
            except BuildError as exc:
                raise ImportError_(
                    f"the imported facts would break the graph: {exc}", report=exc.report
                ) from None
    written = {}
    for p, text in texts.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, p)
        written[str(p.relative_to(kg_dir))] = len(merged[p])
    return ImportResult(facts=facts, sources=sources, files=written)


def _copytree(src: Path, dst: Path) -> None:
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".*"))
