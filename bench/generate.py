"""A synthetic knowledge graph shaped like the domain, for the benchmarks (issues 5 and 6).

The output is one N-Quads file holding the real ontology and the real reference data (the
same named graphs ``enlargement-kg build`` gives them) plus synthetic files, each its own
named graph ``graph/synthetic/...``, as the service's dataset has one named graph per source
file. A synthetic file is one *replica* of a country's history: its accession milestones in
order (application, candidate status, intergovernmental conferences), clusters and chapters
opened, provisionally closed (only after opening and after the chapters 23/24 interim and the
closing benchmarks, never chapter 31) and blocked by member states, the Commission's CFSP
alignment rates and levels of preparation, and its defence ties (Partnership for Peace, NATO,
SDP before SAFE, EDA, CSDP missions, EPF measures, industrial capabilities, acquisitions),
each fact a node with its date, country, label, last-confirmed date and source documents
(title, publisher, date, URL, kind). Terms come from ``ontology/enlargement.ttl`` and the
code lists, member states, organisations and rules from ``kg/reference/``, read at run time.

Deterministic: the same ``size`` and ``seed`` give the same bytes.

    python bench/generate.py --size 100k --out /tmp/synthetic-100k.nq
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from enlargement_kg.core import iris
from enlargement_kg.core.build import sources as build_sources
from enlargement_kg.core.namespaces import BASE, ENL, SCHEMA

SIZES: dict[str, int] = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
DEFAULT_SEED = 20261126

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ENL_NS = BASE + "ontology#"
SYNTHETIC_GRAPH = BASE + "graph/synthetic/"
#: the fixed part: the ontology and the reference data, exactly as the build loads them
REFERENCE_PREFIXES = ("ontology/", "kg/reference/", "kg/sources/reference-documents")
#: CSDP missions and CFSP acts named by the synthetic facts (real keys, synthetic entities)
MISSIONS = (
    "EUFOR-ALTHEA",
    "EULEX-KOSOVO",
    "EUMM-GEORGIA",
    "EUAM-UKRAINE",
    "EUPM-MOLDOVA",
    "EUTM-SOMALIA",
    "EUNAVFOR-ATALANTA",
    "EUTM-MOZAMBIQUE",
    "EUFOR-CONCORDIA",
    "EUPOL-PROXIMA",
)
CFSP_ACTS = (
    "eu-restrictive-measures-against-russia",
    "declarations-on-china",
    "eu-council-decisions-on-sanctions-restrictive-measures",
    "declarations-on-iran",
)
SYSTEMS = (
    "FK-3 air defence",
    "CH-92A drones",
    "Pantsir-S1",
    "Mig-29 overhaul",
    "VN-4 vehicles",
    "Wing Loong UAV",
    "T-72 upgrade",
)
CAPABILITIES_NOTES = (
    "155 mm shells",
    "propellant line",
    "helicopter maintenance",
    "explosives plant",
    "rail depot",
    "shipyard",
)
FILE_TRIPLES = 2_000  #: about this many triples per synthetic file (one replica)
PUBLISHERS = 60


@dataclass(frozen=True)
class Reference:
    """What the generator reads from the real ontology and reference data."""

    countries: dict[str, str]  #: ISO3 -> English label, the ten enlargement countries
    member_states: tuple[str, ...]
    suppliers: tuple[str, ...]  #: non-EU, non-enlargement countries (acquisitions)
    chapters: dict[int, int | None]  #: chapter number -> cluster number
    preparation_levels: tuple[str, ...]
    capability_types: tuple[str, ...]
    source_kinds: dict[str, str]  #: slug -> IRI
    precisions: dict[str, str]
    fact_status: dict[str, str]
    type_codes: dict[str, str]  #: class local name -> enl:factTypeCode
    safe_tie: str  #: the class SAFE requires (enl:requiresTie)
    methodology_from: dt.date  #: the revised methodology rules' effective date


@dataclass
class Generated:
    """The result of :func:`generate`: the file, its counts and a sample of fact IRIs."""

    path: Path
    size: str
    seed: int
    triples: int
    graphs: int
    facts: int
    sample_subjects: list[str] = field(default_factory=list)
    digest: str = ""


def parse_size(size: str | int) -> int:
    """``"10k"``, ``"100k"``, ``"1m"`` or a number of triples."""
    if isinstance(size, int):
        return size
    s = size.strip().lower()
    if s in SIZES:
        return SIZES[s]
    mult = 1
    if s.endswith("k"):
        mult, s = 1_000, s[:-1]
    elif s.endswith("m"):
        mult, s = 1_000_000, s[:-1]
    return int(float(s) * mult)


# -- reading the real reference data ------------------------------------------------------


def reference_sources() -> list:
    """The build's sources that make up the fixed part of every synthetic graph."""
    return [
        s
        for s in build_sources()
        if s.graph[len(BASE) + len("graph/") :].startswith(REFERENCE_PREFIXES)
    ]


def read_reference(store: ox.Store) -> Reference:
    def rows(q: str) -> list:
        return list(
            store.query(
                "PREFIX enl: <" + ENL_NS + "> PREFIX skos: <" + SKOS + "> " + q,
                use_default_graph_as_union=True,
            )
        )

    countries = {
        r["c"].value: r["l"].value
        for r in rows(
            "SELECT ?c ?l WHERE { ?x a enl:EnlargementCountry ; enl:iso3166Alpha3 ?c ; "
            "skos:prefLabel ?l }"
        )
    }
    members = sorted(
        r["c"].value
        for r in rows("SELECT ?c WHERE { ?x a enl:MemberState ; enl:iso3166Alpha3 ?c }")
    )
    others = sorted(
        r["c"].value for r in rows("SELECT ?c WHERE { ?x a enl:Country ; enl:iso3166Alpha3 ?c }")
    )
    chapters = {
        int(r["n"].value): (int(r["k"].value) if r["k"] is not None else None)
        for r in rows(
            "SELECT ?n ?k WHERE { ?c a enl:Chapter ; enl:chapterNumber ?n . "
            "OPTIONAL { ?c enl:inCluster/enl:clusterNumber ?k } }"
        )
    }

    def members_of(cls: str) -> tuple[str, ...]:
        return tuple(sorted(r["x"].value for r in rows(f"SELECT ?x WHERE {{ ?x a enl:{cls} }}")))

    def slugs(cls: str) -> dict[str, str]:
        return {iri.rsplit("/", 1)[-1]: iri for iri in members_of(cls)}

    codes = {
        r["c"].value[len(ENL_NS) :]: r["v"].value
        for r in rows("SELECT ?c ?v WHERE { ?c enl:factTypeCode ?v }")
    }
    tie = rows(f"SELECT ?t WHERE {{ <{iris.instrument('SAFE')}> enl:requiresTie ?t }}")
    eff = rows("SELECT (MAX(?d) AS ?m) WHERE { ?r a enl:MethodologyRule ; enl:effectiveFrom ?d }")
    missing = [
        name
        for name, value in (
            ("enlargement countries", countries),
            ("chapters", chapters),
            ("fact type codes", codes),
        )
        if not value
    ]
    if missing:
        raise SystemExit(f"the reference data lacks {', '.join(missing)}")
    return Reference(
        countries=dict(sorted(countries.items())),
        member_states=tuple(members),
        suppliers=tuple(c for c in others if c not in members and c not in countries),
        chapters=dict(sorted(chapters.items())),
        preparation_levels=members_of("PreparationLevel"),
        capability_types=members_of("CapabilityType"),
        source_kinds=slugs("SourceKind"),
        precisions=slugs("DatePrecision"),
        fact_status=slugs("FactStatus"),
        type_codes=codes,
        safe_tie=tie[0]["t"].value if tie else str(ENL.SecurityDefencePartnershipSigned),
        methodology_from=dt.date.fromisoformat(eff[0]["m"].value)
        if eff and eff[0]["m"]
        else dt.date(2020, 2, 5),
    )


# -- N-Quads writing -----------------------------------------------------------------------


def _iri(x: str) -> str:
    return f"<{x}>"


def _lit(value: str, *, dtype: str | None = None, lang: str | None = None) -> str:
    v = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{v}"@{lang}'
    if dtype:
        return f'"{v}"^^<{dtype}>'
    return f'"{v}"'


def _date(d: dt.date) -> str:
    return _lit(d.isoformat(), dtype=XSD + "date")


def _date_at(d: dt.date, precision: str | None) -> str:
    """A date at its precision, typed as the graph types it (api/core/dates.py)."""
    if precision == "month":
        return _lit(d.isoformat()[:7], dtype=XSD + "gYearMonth")
    if precision == "year":
        return _lit(d.isoformat()[:4], dtype=XSD + "gYear")
    return _date(d)


class _Writer:
    def __init__(self, out, budget: int):
        self.out = out
        self.budget = budget
        self.triples = 0
        self.graphs = 0
        self.graph = ""

    def start_graph(self, iri: str) -> None:
        self.graph = _iri(iri)
        self.graphs += 1

    def emit(self, triples: list[tuple[str, str, str]]) -> None:
        g = self.graph
        self.out.write("".join(f"{s} {p} {o} {g} .\n" for s, p, o in triples))
        self.triples += len(triples)

    @property
    def left(self) -> int:
        return self.budget - self.triples


# -- one replica of a country's history ------------------------------------------------------


class _Replica:
    """Facts about one country, in an order where every prerequisite precedes what needs
    it, so a file cut short anywhere still obeys the governance rules."""

    def __init__(
        self, ref: Reference, rng: random.Random, iso: str, replica: int, publishers: list[str]
    ):
        self.ref, self.rng, self.iso, self.r = ref, rng, iso, replica
        self.label = ref.countries[iso]
        self.publishers = publishers
        self.n = 0
        self.sources: list[str] = []
        self.source_triples: dict[str, list] = {}  #: emitted with the first fact citing it

    # a fact node with its provenance; returns its triples (and those of new sources)
    def fact(
        self,
        cls: str,
        date: dt.date,
        extra: list[tuple[str, str]],
        what: str = "",
        *,
        precision: str | None = None,
        official: bool = True,
    ) -> tuple[dt.date, list]:
        rng = self.rng
        self.n += 1
        code = self.ref.type_codes.get(cls, cls.lower())
        s = _iri(str(iris.fact(self.iso, code, date.isoformat(), f"s{self.r}-{self.n}")))
        title = f"{self.label}: {cls}{f' ({what})' if what else ''}"
        out: list[tuple[str, str, str]] = [
            (s, _iri(RDF_TYPE), _iri(ENL_NS + cls)),
            (s, _iri(RDFS_LABEL), _lit(title, lang="en")),
            (s, _iri(DCT + "date"), _date_at(date, precision)),
            (s, _iri(ENL_NS + "country"), _iri(str(iris.country(self.iso)))),
            (
                s,
                _iri(ENL_NS + "lastConfirmed"),
                _date(dt.date(2026, 11, 26) - dt.timedelta(days=rng.choice((0, 30, 90, 200, 900)))),
            ),
        ]
        for _ in range(1 if rng.random() < 0.8 else 2):
            src = self.source(date, official)
            out.append((s, _iri(DCT + "source"), _iri(src)))
        if rng.random() < 0.5:
            out.append(
                (
                    s,
                    _iri(SKOS + "note"),
                    _lit(f"Synthetic note {self.r}-{self.n} on {what or cls}", lang="en"),
                )
            )
        out.extend((s, _iri(p), o) for p, o in extra)
        return date, list(dict.fromkeys(out))  # a source cited twice is one triple

    def source(self, date: dt.date, official: bool) -> str:
        rng = self.rng
        if self.sources and rng.random() < 0.4:
            return rng.choice(self.sources[-20:])
        url = f"https://example.org/synthetic/{self.iso}/{self.r}/{len(self.sources)}"
        src = str(iris.source(url))
        self.sources.append(src)
        kinds = self.ref.source_kinds
        kind = (
            kinds.get("official")
            if official and rng.random() < 0.85
            else rng.choice(sorted(kinds.values()))
        )
        s = _iri(src)
        triples = [
            (s, _iri(RDF_TYPE), _iri(ENL_NS + "SourceDocument")),
            (
                s,
                _iri(DCT + "title"),
                _lit(f"Synthetic document {self.iso} {self.r}/{len(self.sources)}", lang="en"),
            ),
            (s, _iri(DCT + "publisher"), _iri(rng.choice(self.publishers))),
            (s, _iri(str(SCHEMA.url)), _iri(url)),
            (s, _iri(ENL_NS + "sourceKind"), _iri(kind)),
            # official texts are tier 1, the rest reliable reports: no synthetic fact rests on
            # weak sources only (enlsh:ReliablySourced)
            (
                s,
                _iri(ENL_NS + "reliabilityTier"),
                _iri(
                    str(
                        iris.concept(
                            "reliability",
                            "official" if kind == kinds.get("official") else "reliable",
                        )
                    )
                ),
            ),
        ]
        if rng.random() < 0.85:
            triples.append((s, _iri(DCT + "date"), _date(date)))
        self.source_triples[_iri(src)] = triples
        return src

    def facts_in_order(self) -> list[tuple[str, list]]:
        """The replica's facts by date: a history cut short at any point is the history up
        to a day, and every rule's prerequisite (dated on or before) comes first."""
        dated = list(self._facts())
        order = sorted(range(len(dated)), key=lambda i: (dated[i][0], i))
        cites = _iri(DCT + "source")
        out, seen = [], set()
        for i in order:
            triples = dated[i][1]
            new = [o for _, p, o in triples if p == cites and o not in seen]
            seen.update(new)
            out.append(
                (triples[0][0][1:-1], [t for o in new for t in self.source_triples[o]] + triples)
            )
        return out

    def _facts(self) -> Iterator[tuple[dt.date, list]]:
        ref, rng, E = self.ref, self.rng, ENL_NS
        day = dt.timedelta(days=1)

        def later(d: dt.date, lo: int, hi: int) -> dt.date:
            return d + rng.randint(lo, hi) * day

        def ch(n: int) -> str:
            return _iri(str(iris.chapter(n)))

        def cl(n: int) -> str:
            return _iri(str(iris.cluster(n)))

        country = lambda code: _iri(str(iris.country(code)))  # noqa: E731
        start = dt.date(rng.randint(1996, 2016), rng.randint(1, 12), rng.randint(1, 28))
        t = start
        if rng.random() < 0.5:
            yield self.fact("SAASigned", later(t, -900, -200), [])
            yield self.fact("SAAInForce", later(t, -150, -30), [])
        if rng.random() < 0.4:
            yield self.fact("PotentialCandidateStatusGranted", later(t, -400, -10), [])
        applied = t
        yield self.fact("MembershipApplication", applied, [])
        t = later(t, 200, 700)
        yield self.fact("CommissionOpinion", t, [])
        candidate = later(t, 10, 400)
        yield self.fact("CandidateStatusGranted", candidate, [])
        t = later(candidate, 100, 900)
        yield self.fact("DecisionToOpenNegotiations", t, [])
        yield self.fact("NegotiatingFrameworkAdopted", later(t, 0, 60), [])
        igc = later(t, 30, 300)
        igcs = [igc]
        for _ in range(rng.randint(2, 8)):
            igcs.append(later(igcs[-1], 60, 400))
        for i, d in enumerate(igcs, 1):
            yield self.fact(
                "IntergovernmentalConference",
                d,
                [(E + "conferenceNumber", _lit(str(i), dtype=XSD + "integer"))],
                f"conference {i}",
            )
        yield self.fact("ScreeningCompleted", later(igc, 100, 500), [])
        # clusters: the Fundamentals cluster first, then others
        opened: dict[int, dt.date] = {}
        clusters = sorted({c for c in ref.chapters.values() if c})
        cluster_open = {1: igc}
        yield self.fact("ClusterOpened", igc, [(E + "cluster", cl(1))], "cluster 1")
        for c in rng.sample(clusters[1:], rng.randint(0, len(clusters) - 1)):
            cluster_open[c] = later(igc, 1, 900)
            yield self.fact(
                "ClusterOpened", cluster_open[c], [(E + "cluster", cl(c))], f"cluster {c}"
            )
        # chapters opened (23 and 24 always), each after the first IGC
        numbers = sorted(ref.chapters)
        chosen = sorted(set(rng.sample(numbers, rng.randint(8, len(numbers)))) | {23, 24})
        for n in chosen:
            opened[n] = later(igc, 0, 1500)
            yield self.fact("ChapterOpened", opened[n], [(E + "chapter", ch(n))], f"chapter {n}")
        interim = max(opened[23], opened[24]) + rng.randint(100, 900) * day
        for n in (23, 24):
            yield self.fact(
                "InterimBenchmarksMet", interim, [(E + "chapter", ch(n))], f"chapter {n}"
            )
        # blocks by member states, some lifted
        for n in rng.sample(chosen, min(len(chosen), rng.randint(0, 4))):
            by = rng.choice(ref.member_states)
            b = later(opened[n], 10, 600)
            yield self.fact(
                "ChapterBlocked",
                b,
                [(E + "chapter", ch(n)), (E + "blockedBy", country(by))],
                f"chapter {n}, by {by}",
            )
            if rng.random() < 0.5:
                yield self.fact(
                    "BlockLifted",
                    later(b, 30, 700),
                    [(E + "chapter", ch(n)), (E + "blockedBy", country(by))],
                    f"chapter {n}, by {by}",
                )
        # closing: benchmarks set and met, then provisionally closed (never chapter 31)
        closable = [n for n in chosen if n != 31]
        for n in rng.sample(closable, rng.randint(0, len(closable) // 2)):
            base = max(opened[n], interim)
            yield self.fact(
                "ClosingBenchmarksSet",
                later(opened[n], 0, 200),
                [(E + "chapter", ch(n))],
                f"chapter {n}",
            )
            met = later(base, 30, 600)
            if rng.random() < 0.9:
                yield self.fact(
                    "ClosingBenchmarksMet", met, [(E + "chapter", ch(n))], f"chapter {n}"
                )
            yield self.fact(
                "ChapterProvisionallyClosed",
                later(met, 0, 300),
                [(E + "chapter", ch(n))],
                f"chapter {n}",
            )
        # CFSP alignment: the Commission every year, a think tank sometimes
        commission = _iri(str(iris.org("european-commission")))
        isac = _iri(str(iris.org("isac")))
        for year in range(applied.year, 2026):
            for body in (commission, isac) if rng.random() < 0.3 else (commission,):
                rate = rng.choice((100.0, 100.0, rng.uniform(30, 100)))
                yield self.fact(
                    "CFSPAlignmentRate",
                    dt.date(year + 1, rng.randint(1, 11), 15),
                    [
                        (E + "rate", _lit(f"{rate:.1f}", dtype=XSD + "decimal")),
                        (E + "refYear", _lit(str(year), dtype=XSD + "gYear")),
                        (E + "measuredBy", body),
                    ],
                    f"{year} {rate:.0f}%",
                    precision="month",
                )
        for act in rng.sample(CFSP_ACTS, rng.randint(0, 2)):
            yield self.fact(
                "CFSPNonAlignment",
                later(dt.date(2022, 3, 1), 0, 1300),
                [(E + "cfspAct", _iri(f"{BASE}id/cfsp-act/{act}"))],
                act,
                official=False,
            )
        # defence ties
        pfp = later(start, -1500, 1500)
        yield self.fact("PartnershipForPeaceAccession", pfp, [], precision="year")
        if rng.random() < 0.3:
            yield self.fact("NATOAccession", later(pfp, 1000, 5000), [])
        yield self.fact(
            "CSDPFrameworkParticipationAgreement",
            later(start, 0, 3000),
            [(E + "status", _iri(ref.fact_status["signed"]))],
        )
        yield self.fact("SecurityOfInformationAgreement", later(start, 0, 3000), [])
        if rng.random() < 0.5:
            yield self.fact("EDAAdministrativeArrangement", later(start, 500, 4000), [])
        for m in rng.sample(MISSIONS, rng.randint(1, 4)):
            cls = "CSDPMissionHosted" if rng.random() < 0.3 else "CSDPContribution"
            yield self.fact(
                cls, later(start, 0, 5000), [(E + "mission", _iri(str(iris.mission(m))))], m
            )
        for _ in range(rng.randint(0, 4)):
            amount = rng.randint(1, 200) * 1_000_000
            yield self.fact(
                "EPFAssistanceMeasure",
                later(dt.date(2021, 6, 1), 0, 1600),
                [(E + "amountEUR", _lit(f"{amount}.0", dtype=XSD + "decimal"))],
                f"EUR {amount // 1_000_000} million",
            )
        if rng.random() < 0.4:
            sdp_class = (
                ref.safe_tie[len(E) :]
                if ref.safe_tie.startswith(E)
                else "SecurityDefencePartnershipSigned"
            )
            sdp = later(dt.date(2024, 5, 1), 0, 500)
            yield self.fact(sdp_class, sdp, [])
            if rng.random() < 0.5 and "participation-agreement-signed" in ref.fact_status:
                yield self.fact(
                    "SAFEParticipation",
                    later(sdp, 1, 300),
                    [(E + "status", _iri(ref.fact_status["participation-agreement-signed"]))],
                )
        for _ in range(rng.randint(0, 3)):
            yield self.fact(
                "IndustrialCapability",
                later(dt.date(2018, 1, 1), 0, 2800),
                [(E + "capabilityType", _iri(rng.choice(ref.capability_types)))],
                rng.choice(CAPABILITIES_NOTES),
                official=False,
            )
        if ref.suppliers and rng.random() < 0.3:
            sup = rng.choice(ref.suppliers)
            yield self.fact(
                "Acquisition",
                later(dt.date(2015, 1, 1), 0, 3600),
                [(E + "system", _lit(rng.choice(SYSTEMS))), (E + "supplier", country(sup))],
                f"from {sup}",
                official=False,
            )
        # the Commission's levels of preparation, year by year: the bulk of a long history
        for year in range(max(applied.year + 1, 2014), 2026):
            for n in rng.sample(numbers, rng.randint(3, 12)):
                yield self.fact(
                    "PreparationAssessment",
                    dt.date(year, 10, rng.randint(10, 30)),
                    [
                        (E + "chapter", ch(n)),
                        (E + "preparationLevel", _iri(rng.choice(ref.preparation_levels))),
                        (E + "refYear", _lit(str(year), dtype=XSD + "gYear")),
                        (E + "measuredBy", commission),
                    ],
                    f"chapter {n}, {year}",
                )


# -- the whole graph ---------------------------------------------------------------------------


def _entities(rng: random.Random) -> tuple[list, list[str]]:
    """Publishers, CSDP missions and CFSP acts the synthetic facts name."""
    triples, publishers = [], []
    label = _iri(SKOS + "prefLabel")
    for i in range(PUBLISHERS):
        o = _iri(str(iris.org(f"synthetic-publisher-{i}")))
        publishers.append(o[1:-1])
        triples += [
            (o, _iri(RDF_TYPE), _iri(ENL_NS + "Organisation")),
            (o, label, _lit(f"Synthetic publisher {i}", lang="en")),
        ]
    publishers.append(str(iris.org("european-commission")))
    for m in MISSIONS:
        s = _iri(str(iris.mission(m)))
        triples += [
            (s, _iri(RDF_TYPE), _iri(ENL_NS + "CSDPMission")),
            (s, label, _lit(m, lang="en")),
        ]
    for a in CFSP_ACTS:
        s = _iri(f"{BASE}id/cfsp-act/{a}")
        triples += [
            (s, _iri(RDF_TYPE), _iri(ENL_NS + "CFSPAct")),
            (s, _iri(RDFS_LABEL), _lit(a.replace("-", " "), lang="en")),
        ]
    return triples, publishers


def generate(
    *, size: str | int, out: Path, seed: int = DEFAULT_SEED, sample: int = 1000
) -> Generated:
    """Write about ``size`` triples (``"10k"``, ``"100k"``, ``"1m"`` or a number) to ``out``
    as N-Quads; return the counts and ``sample`` fact IRIs for point lookups."""
    target = parse_size(size)
    rng = random.Random(seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ref_store = ox.Store()
    fixed = []
    for k, src in enumerate(reference_sources()):
        fmt = ox.RdfFormat.from_extension(src.path.suffix[1:])
        g = ox.NamedNode(src.graph)
        bnodes: dict = {}

        def stable(t, k=k, bnodes=bnodes):  # the parser's blank node labels are random
            if isinstance(t, ox.BlankNode):
                return bnodes.setdefault(t, ox.BlankNode(f"r{k}b{len(bnodes)}"))
            return t

        quads = [
            ox.Quad(stable(t.subject), t.predicate, stable(t.object), g)
            for t in ox.parse(path=str(src.path), format=fmt)
        ]
        ref_store.extend(quads)
        fixed.append(quads)
    ref = read_reference(ref_store)
    all_facts: list[str] = []
    with open(out, "w", encoding="utf-8") as fh:
        w = _Writer(fh, target)
        for quads in fixed:
            quads = list(dict.fromkeys(quads))  # a triple stated twice in a file is one
            fh.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8"))
            w.triples += len(quads)
            w.graphs += 1
        w.start_graph(SYNTHETIC_GRAPH + "entities")
        triples, publishers = _entities(rng)
        w.emit(triples)
        countries = list(ref.countries)
        # small graphs still cover every country: one shorter history each
        per_file = min(FILE_TRIPLES, max(500, w.left // len(countries)))
        replica = 0
        while w.left > 0:
            iso = countries[replica % len(countries)]
            rep = _Replica(
                ref, random.Random(rng.getrandbits(64)), iso, replica // len(countries), publishers
            )
            w.start_graph(f"{SYNTHETIC_GRAPH}facts/{iso}-{replica // len(countries):04d}")
            budget = min(per_file, w.left)
            written = 0
            for subject, fact in rep.facts_in_order():
                if written + len(fact) > budget and written:
                    break
                w.emit(fact)
                written += len(fact)
                all_facts.append(subject)
            replica += 1
            if written == 0:  # nothing fits: stop rather than loop
                break
    pick = random.Random(seed + 1)
    sample_subjects = pick.sample(all_facts, min(sample, len(all_facts))) if all_facts else []
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    return Generated(
        out, str(size), seed, w.triples, w.graphs, len(all_facts), sample_subjects, digest
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="100k", help="10k, 100k, 1m or a number of triples")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--out", type=Path, required=True, help="the N-Quads file to write")
    a = p.parse_args(argv)
    g = generate(size=a.size, out=a.out, seed=a.seed)
    print(
        f"{g.path}: {g.triples} triples in {g.graphs} named graphs, {g.facts} facts, "
        f"sha256 {g.digest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
