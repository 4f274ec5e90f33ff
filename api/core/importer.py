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
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD
from rdflib.term import Node

from . import dates, events, iris
from .mappers import (  # noqa: F401 (the column values' constants are the importer's too)
    CAPABILITIES,
    DUAL_USE,
    LEVELS,
    PREDICATE_COLUMNS,
    STATUSES,
    Row,
    parts_of,
    slug,
)
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


@dataclass(frozen=True)
class RowError:
    row: int  #: 1-based line number in the file (the header is row 1)
    column: str
    message: str
    file: str = ""  #: the file's name, when the error was found after reading every file

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}row {self.row}, column {self.column}: {self.message}"


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
        self.file = ""  #: the name of the file being read
        #: the rows (file name, row number) each minted fact, claim and source came from
        self.origin: dict[URIRef, list[tuple[str, int]]] = {}

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
        """Check row ``n`` (``r``: column -> stripped value) and map it to its fact."""
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
        date, precision = self._date(n, r, code, cls)
        src_date, confirmed = self._source_dates(n, r)
        url = self._check_source(n, r)
        chapter, cluster = self._numbers(n, r)
        status = r.get("status", "")
        if (
            status
            and status not in STATUSES
            and not (code == "mobility-corridor" and status in DUAL_USE)
        ):
            self._err(n, "status", f"{status!r} is not one of {', '.join(STATUSES)}")
        if cls is None:
            return
        row = Row(
            n=n,
            raw=r,
            country=country,
            code=code,
            cls=cls,
            date=date,
            precision=precision,
            chapter=chapter,
            cluster=cluster,
            url=url,
            src_date=src_date,
            confirmed=confirmed,
        )
        # check the type-specific columns too, so one run reports every bad value of the row
        self._map(row, row_start)

    def _date(self, n: int, r: dict[str, str], code: str, cls) -> tuple[str | None, str | None]:
        """The fact's date and its precision (an event needs one)."""
        if not (r.get("date") or cls in self.events):
            return None, None
        try:
            return dates.parse(r.get("date", ""))
        except ValueError as exc:
            self._err(
                n,
                "date",
                str(exc) if r.get("date") else f"{code} is an event and needs its date",
            )
            return None, None

    def _source_dates(self, n: int, r: dict[str, str]) -> tuple[str | None, str]:
        """The source document's date and the day the fact was last confirmed."""
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
        return src_date, confirmed

    def _check_source(self, n: int, r: dict[str, str]) -> str:
        """Check the source columns; return the source's URL."""
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
        return url

    def _numbers(self, n: int, r: dict[str, str]) -> tuple[int | None, int | None]:
        """The chapter (1..35) and cluster (1..6) numbers, None when empty or bad."""
        found: dict[str, int] = {}
        for col, hi in (("chapter", 35), ("cluster", 6)):
            if r.get(col):
                try:
                    v = int(r[col])
                    if not 1 <= v <= hi:
                        raise ValueError
                except ValueError:
                    self._err(n, col, f"{r[col]!r} is not a {col} number 1..{hi}")
                    continue
                found[col] = v
        return found.get("chapter"), found.get("cluster")

    def _map(self, row: Row, before: int) -> None:
        """Run the mappers of ``row`` (mappers.parts_of); mint its fact if the row is good."""
        triples: list[tuple] = []
        quals: list[str] = []
        label_bits: list[str] = []
        for part in parts_of(row, self):
            triples += part.triples
            quals += part.quals
            label_bits += part.label_bits
            for column, message in part.errors:
                self._err(row.n, column, message)
            for t in part.entities:
                self.entities.add(t)
        if len(self.errors) > before:
            return
        self._mint(row, triples, quals, label_bits)

    def _mint(self, row: Row, triples: list[tuple], quals: list[str], label_bits: list[str]):
        """Add the fact of a good row (or confirm it, or add a claim of its event)."""
        country, code, cls, date = row.country, row.code, row.cls, row.date
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
        for p, o in triples:  # a value it has already (``45`` is ``45.0``) is not added again
            if not (isinstance(o, Literal) and any(o.eq(x) for x in g.objects(fact, p))):
                g.add((fact, p, o))
        if g.value(fact, RDFS.label) is None:
            label = f"{self._country_label(country)}: {self.class_labels[cls]}"
            if label_bits:
                label += " (" + ", ".join(label_bits) + ")"
            g.add((fact, RDFS.label, Literal(label, lang="en")))
        src = iris.source(row.url)
        claim = self._cite(g, fact, src, row, one_off)
        for node in (fact, src, claim) if claim is not None else (fact, src):
            self.origin.setdefault(node, []).append((self.file, row.n))
        g.remove((fact, ENL.lastConfirmed, None))
        g.add((fact, ENL.lastConfirmed, Literal(row.confirmed, datatype=XSD.date)))
        self._source(src, row.raw, row.url, row.src_date)
        self.fact_count += 1

    def _cite(self, g: Graph, fact: URIRef, src: URIRef, row: Row, one_off: bool) -> Node | None:
        """The row's source (and note) on the fact, or on a claim of the one-off event (then
        the claim is returned)."""
        r = row.raw
        note = [Literal(r["note"], lang="en")] if r.get("note") else []
        if not one_off:
            for n in note:
                g.add((fact, SKOS.note, n))
            g.add((fact, DCTERMS.source, src))
            return None
        # one event; what this row's source says is a claim of it
        claim = events.add_claim(g, fact, dates.literal(row.date), [src], notes=note)
        if g.value(claim, RDFS.label) is None:
            label = f"{g.value(fact, RDFS.label)}: claim of {dates.display(row.date)}"
            g.add((claim, RDFS.label, Literal(label, lang="en")))
        return claim

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
    files: list[Path],
    *,
    kg_dir: Path,
    today: dt.date | None = None,
    origin: dict[URIRef, list[tuple[str, int]]] | None = None,
) -> tuple[dict[Path, Graph], int, int]:
    """Map and check every row of ``files``; return the merged graph of each target file
    (and, into ``origin``, the rows each new fact, claim and source came from)."""
    ont = ontology_graph()
    known = _known_countries(kg_dir)
    mapper = Mapper(
        known_countries=known, ontology=ont, today=today or dt.date.today(), kg_dir=kg_dir
    )
    for f in files:
        rows = read_rows(f)
        if not rows:
            raise ImportError_(f"{f} has no rows")
        mapper.file = f.name if len(files) > 1 else ""
        for i, row in enumerate(rows, start=2):
            mapper.add(i, row)
    if mapper.errors:
        raise ImportError_(f"{len(mapper.errors)} bad value(s); nothing was written", mapper.errors)
    if origin is not None:
        origin.update(mapper.origin)
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
                    pub = g.value(s, DCTERMS.publisher)
                    g.remove((s, None, None))
                    if pub is not None and (None, None, pub) not in g:
                        g.remove((pub, None, None))  # nor its publisher: no orphan record
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
    refuse_installed(kg_dir)
    origin: dict[URIRef, list[tuple[str, int]]] = {}
    merged, facts, sources = plan(files, kg_dir=kg_dir, today=today, origin=origin)
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
                errors = rows_of(exc.report, origin, merged) if exc.report else []
                raise ImportError_(
                    f"the imported facts would break the graph: {exc}", errors, report=exc.report
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


#: The column a shape's SPARQL constraint is about, when the result names no path.
SHAPE_COLUMNS = dict.fromkeys(
    ("ClosedAfterOpened", "ClosingBenchmarksRecorded", "ClosingAfterInterimBenchmarks"), "date"
) | {
    "FundamentalsFirst": "cluster",
    "Chapter31FullAlignment": "chapter",
    "MilestoneOrder": "date",
    "ReliablySourced": "source_tier",
    "OneEventPerKind": "date",
    "EventMatchesClaims": "date",
    "SAFEParticipationRequiresSDP": "date",
    "AccessGrantBacked": "date",
}


def rows_of(
    report, origin: dict[URIRef, list[tuple[str, int]]], merged: dict[Path, Graph]
) -> list[RowError]:
    """Each violation of ``report`` as the CSV rows and column that produced it: the rows of
    its focus node (a new fact, claim or source), else of the new facts that point at it (a
    country, an event they are a claim of); the column from its path, else its shape."""
    pointing: dict[str, list[tuple[str, int, URIRef]]] = {}
    for g in merged.values():
        for node, rows in origin.items():
            for p, o in g.predicate_objects(node):
                pointing.setdefault(str(o), []).extend((f, n, p) for f, n in rows)
    out: list[RowError] = []
    for r in report.violations:
        shape = r.shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        column = PREDICATE_COLUMNS.get(URIRef(r.path)) if r.path else None
        column = column or SHAPE_COLUMNS.get(shape.split("-")[0], "fact_type")
        found = [(f, n, column) for f, n in origin.get(URIRef(r.focus), [])]
        if not found:  # a node the rows point at: the column of the pointing property
            found = [
                (f, n, PREDICATE_COLUMNS.get(p, column)) for f, n, p in pointing.get(r.focus, [])
            ]
        for f, n, col in sorted(set(found)) or [("", 0, column)]:
            out.append(RowError(n, col, f"{r.message} ({shape}, on <{r.focus}>)", f))
    return sorted(set(out), key=lambda e: (e.file, e.row, e.column, e.message))


#: The folders an installed package lives in: the importer never writes there.
INSTALL_FOLDERS = ("site-packages", "dist-packages")


def refuse_installed(kg_dir: Path) -> None:
    """Refuse a ``kg/`` inside an installed package (``pip install .`` copies it there)."""
    if any(part in INSTALL_FOLDERS for part in kg_dir.resolve().parts):
        raise ImportError_(
            f"{kg_dir} is inside an installed package; the import never writes there. "
            "Run it inside a checkout of the project, or give the kg/ folder with --kg DIR"
        )
