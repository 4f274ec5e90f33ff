"""One-off migration of kg/ to the event/claim model (issue 13), from the landed kg (kg-orig).

Rerunnable: reads /tmp/work/kg-orig, the vetted decisions /tmp/work/decisions.json, writes
/work/main/kg. Usage: python migrate.py
"""
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

sys.path.insert(0, "/tmp/work")
from tiers import tier as classify  # noqa: E402

from enlargement_kg.core import dates, events, iris  # noqa: E402
from enlargement_kg.core.importer import _serialize, slug  # noqa: E402
from enlargement_kg.core.namespaces import ENL, ID, SCHEMA  # noqa: E402
from enlargement_kg.core.validation import ontology_graph  # noqa: E402

ORIG = Path("/tmp/work/kg-orig")
OUT = Path("/work/main/kg")
TODAY = "2026-12-03"
PREC = {ID["precision/month"]: "month", ID["precision/year"]: "year"}
STEP_LABEL = {"council-decision": "Council decision", "european-council-endorsement": "European Council",
              "commission-communication": "Commission communication",
              "political-provisions": "political provisions", "remaining-provisions": "remaining provisions"}
TIER = {t: ID[f"reliability/{t}"] for t in ("official", "reliable", "weak", "state-media")}

onto = ontology_graph()
codes = {c: str(v) for c, v in onto.subject_objects(ENL.factTypeCode)}
one_off = events.one_off_classes(onto)
decisions = {"facts": {}, "groups": {}, "drop": {}, "steps": {}}
if Path("/tmp/work/decisions.json").exists():
    decisions.update(json.loads(Path("/tmp/work/decisions.json").read_text()))

sources = Graph()
sources.parse(ORIG / "sources/documents.ttl")
refdocs = Graph()
refdocs.parse(ORIG / "sources/reference-documents.ttl")
orgs_known = set()
for g in (sources,):
    for o in g.subjects(RDF.type, ENL.Organisation):
        orgs_known.add(o)


def source_tier(s: URIRef, g: Graph) -> str:
    url = str(g.value(s, SCHEMA.url) or "")
    kind = str(g.value(s, ENL.sourceKind) or "").rsplit("/", 1)[-1]
    t = classify({"url": url, "kind": kind})
    return t if t in TIER else "weak"


def add_source(doc: dict) -> URIRef:
    """A source document from a vetted research record."""
    url = doc["url"]
    s = iris.source(url)
    if (s, RDF.type, ENL.SourceDocument) in sources:
        return s
    sources.add((s, RDF.type, ENL.SourceDocument))
    sources.add((s, DCTERMS.title, Literal(doc["title"], lang="en")))
    pub = iris.org(slug(doc["publisher"]))
    sources.add((s, DCTERMS.publisher, pub))
    if (pub, SKOS.prefLabel, None) not in sources:
        sources.add((pub, RDF.type, ENL.Organisation))
        sources.add((pub, SKOS.prefLabel, Literal(doc["publisher"], lang="en")))
    sources.add((s, SCHEMA.url, URIRef(url)))
    kind = "official" if doc["tier"] == "official" else (
        "analysis" if "research" in doc.get("publisher_kind", "") else "news")
    sources.add((s, ENL.sourceKind, iris.concept("source-kind", kind)))
    if doc.get("date"):
        sources.add((s, DCTERMS.date, dates.literal(doc["date"])))
    sources.add((s, ENL.reliabilityTier, TIER[doc["tier"]]))
    return s


for s in set(sources.subjects(RDF.type, ENL.SourceDocument)):
    sources.set((s, ENL.reliabilityTier, TIER[source_tier(s, sources)]))
    d = sources.value(s, DCTERMS.date)
    if d is not None:  # source dates were only ever stored to the day
        sources.set((s, DCTERMS.date, dates.literal(str(d))))

retired = Graph()
stats = defaultdict(int)

for path in sorted((ORIG / "facts").glob("*.ttl")):
    if path.name == "entities.ttl":
        continue
    g = Graph()
    g.parse(path)
    out = Graph()
    facts = [f for f, c in g.subject_objects(RDF.type) if c in codes]
    # 1. the date at its precision
    for f in facts:
        d = g.value(f, DCTERMS.date)
        if d is None:
            continue
        p = PREC.get(g.value(f, ENL.datePrecision), "day")
        g.set((f, DCTERMS.date, dates.literal(dates.iso(str(d))[: {"day": 10, "month": 7, "year": 4}[p]])))
        g.remove((f, ENL.datePrecision, None))
    # 2. drops (vetted: wrong, or resting on weak sources only with nothing better found)
    for f in list(facts):
        why = decisions["drop"].get(str(f))
        if why:
            stats["dropped"] += 1
            retired.add((f, SKOS.historyNote, Literal(
                f"Retracted on {TODAY}: {why}. Its last sources: "
                + ", ".join(sorted(str(sources.value(s, SCHEMA.url)) for s in g.objects(f, DCTERMS.source)))
                + ".", lang="en")))
            for t in list(g.triples((f, None, None))):
                g.remove(t)
            facts.remove(f)
    for f in facts:
        lab = decisions.get("labels", {}).get(str(f))
        if lab:
            g.set((f, RDFS.label, Literal(lab, lang="en")))
            g.remove((f, SKOS.note, None))
        st = decisions["status"].get(str(f))
        if st:
            g.set((f, ENL.status, ID[f"fact-status/{st}"]))
    # 3. fact-level research: new sources, dates raised to the day
    extra_claims: dict[URIRef, list[tuple[Literal, list[URIRef], str]]] = defaultdict(list)
    for f in facts:
        dec = decisions["facts"].get(str(f))
        if not dec:
            continue
        new_srcs = [add_source(s) for s in dec.get("sources", [])]
        new_date = dates.literal(dec["date"]) if dec.get("date") else g.value(f, DCTERMS.date)
        g.set((f, ENL.lastConfirmed, Literal(TODAY, datatype=XSD.date)))
        cls = g.value(f, RDF.type)
        if cls in one_off and str(new_date) != str(g.value(f, DCTERMS.date)):
            extra_claims[f].append((new_date, new_srcs, dec.get("note", "")))
        else:
            if new_date is not None:
                g.set((f, DCTERMS.date, new_date))
            for s in new_srcs:
                g.add((f, DCTERMS.source, s))
        stats["researched"] += 1
    # 4. events with more than one account: one-off events always (the key has no date), and
    #    recurring events or observations reported twice (the same key, one date within the
    #    other's period; an observation's key is its country, year, measuring body and value)
    groups: dict[URIRef, list[URIRef]] = defaultdict(list)
    META = {DCTERMS.date, DCTERMS.source, SKOS.note, ENL.lastConfirmed, RDFS.label}
    recurring: dict[tuple, list[URIRef]] = defaultdict(list)
    for f in facts:
        cls = g.value(f, RDF.type)
        country = str(g.value(f, ENL.country) or "EU").rsplit("/", 1)[-1]
        if cls in one_off:
            step = decisions["steps"].get(str(f))
            if step:
                g.set((f, ENL.step, ID[f"event-step/{step}"]))
                g.set((f, RDFS.label, Literal(f"{g.value(f, RDFS.label)} ({STEP_LABEL[step]})", lang="en")))
            groups[iris.event(country, codes[cls], *events.qualifiers(g, f))].append(f)
        elif g.value(f, DCTERMS.date) is not None:
            key = (cls,) + tuple(sorted((p, o) for p, o in g.predicate_objects(f) if p not in META))
            recurring[key].append(f)
    for key, members in recurring.items():
        if len(members) < 2:
            continue
        observation = key[0] == ENL.CFSPAlignmentRate
        by_len = sorted(members, key=lambda f: -len(str(g.value(f, DCTERMS.date))))
        used = set()
        for top in by_len:
            if top in used:
                continue
            td = str(g.value(top, DCTERMS.date))
            mates = [f for f in members if f not in used and f != top and (
                observation or dates.contains(str(g.value(f, DCTERMS.date)), td))]
            if not mates:
                continue
            # ambiguous: a coarse date containing two different precise ones stays apart
            if not observation and any(
                    len(str(g.value(m, DCTERMS.date))) == len(td) and str(g.value(m, DCTERMS.date)) != td
                    for m in mates):
                continue
            grp = [top] + mates
            if observation:  # best supported, then most precise, then first published
                grp.sort(key=lambda f: (-len(list(g.objects(f, DCTERMS.source))),
                                        -len(str(g.value(f, DCTERMS.date))), str(g.value(f, DCTERMS.date))))
            used.update(grp)
            parts = str(grp[0])[len(str(ID)) + len("fact/"):].split("/")
            parts[2] = dates.iso(g.value(grp[0], DCTERMS.date))
            ev = URIRef(str(ID) + "fact/" + "/".join(parts))
            groups[ev] = grp
            stats["merged-recurring"] += len(grp) - 1
    pending_claims = [c for c in decisions["add_claims"] if c["event_of"] in {str(f) for f in facts}]
    claim_of = {}
    for ev, members in groups.items():
        explicit = [decisions["groups"].get(str(f), {}).get("rank") for f in members]
        first = members[0] if members[0] == ev or "preferred" not in explicit else members[explicit.index("preferred")]
        if len(members) > 1 or ev != members[0]:
            first = max(members, key=lambda f: (decisions["groups"].get(str(f), {}).get("rank") == "preferred",
                                               len(str(g.value(f, DCTERMS.date))),
                                               len(list(g.objects(f, DCTERMS.source)))))
        for p, o in g.predicate_objects(first):
            if p in (DCTERMS.date, DCTERMS.source, SKOS.note, ENL.lastConfirmed):
                continue
            out.add((ev, p, o))
        last = max(g.value(f, ENL.lastConfirmed) for f in members)
        if any(str(f) in decisions["groups"] for f in members):
            last = Literal(TODAY, datatype=XSD.date)
        out.add((ev, ENL.lastConfirmed, last))
        ranked = []
        for f in members:
            dec = decisions["groups"].get(str(f), {})
            ranked.append((f, dec.get("rank"), dec.get("reason")))
        order = {"preferred": 0, None: 1, "normal": 2, "deprecated": 3}
        ranked.sort(key=lambda t: (order[t[1]], t[0] != first, -len(str(g.value(t[0], DCTERMS.date))),
                                   -len(list(g.objects(t[0], DCTERMS.source))), str(t[0])))
        for f, rank, reason in ranked:
            d = g.value(f, DCTERMS.date)
            if rank is None and len(members) > 1 and f != first and str(d) == str(g.value(first, DCTERMS.date)):
                rank = "preferred"
            elif rank is None and f != first and len(members) > 1 and g.value(f, RDF.type) not in one_off:
                rank = "normal"
                reason = reason or ("the same observation, reported on another date" if g.value(f, RDF.type) == ENL.CFSPAlignmentRate
                                    else "the same event, dated less precisely by this source")
            c = events.add_claim(out, ev, d, g.objects(f, DCTERMS.source),
                                 notes=g.objects(f, SKOS.note),
                                 rank=events.RANKS[rank] if rank else None,
                                 reason=reason, claim=None if f == ev else f)
            out.add((c, RDFS.label, Literal(f"{g.value(f, RDFS.label)}: claim of {dates.display(d)}", lang="en")))
            claim_of[f] = ev
            stats["claims"] += 1
            for d2, srcs, note in extra_claims.get(f, []):
                c2 = events.add_claim(out, ev, d2, srcs, notes=[Literal(note, lang="en")] if note else [])
                if (c2, RDFS.label, None) not in out:
                    out.add((c2, RDFS.label, Literal(f"{g.value(f, RDFS.label)}: claim of {dates.display(d2)}", lang="en")))
                stats["claims-added"] += 1
        for extra in pending_claims:
            if URIRef(extra["event_of"]) in members:
                srcs = [add_source(x) for x in extra["sources"]]
                d2 = dates.literal(extra["date"])
                for c in events.claims(out, ev):  # the new claim is preferred: rank the rest
                    if out.value(c, ENL.rank) == events.PREFERRED:
                        if dates.contains(str(out.value(c, DCTERMS.date)), str(d2)):
                            out.set((c, ENL.rank, events.NORMAL))
                            out.set((c, ENL.rankReason, Literal(f"consistent with the preferred date {d2}, at a lower precision", lang="en")))
                        else:
                            out.set((c, ENL.rank, events.DEPRECATED))
                            out.set((c, ENL.rankReason, Literal(f"contradicted by the official or reliable sources that give {d2}", lang="en")))
                c2 = events.add_claim(out, ev, d2, srcs, notes=[Literal(extra["note"][:500], lang="en")],
                                      rank=events.PREFERRED)
                out.add((c2, RDFS.label, Literal(f"{out.value(ev, RDFS.label)}: claim of {dates.display(d2)}", lang="en")))
                out.set((ev, ENL.lastConfirmed, Literal(TODAY, datatype=XSD.date)))
                stats["claims-added"] += 1
        stats["events"] += 1
        if len(members) > 1:
            stats["groups"] += 1
    # 5. the other facts: re-minted where the date part of the IRI changed
    for f in facts:
        if f in claim_of:
            continue
        new = f
        d = g.value(f, DCTERMS.date)
        parts = str(f)[len(str(ID)) + len("fact/"):].split("/")
        if d is not None and len(parts) > 2 and parts[2] != "undated" and parts[2] != dates.iso(d):
            parts[2] = dates.iso(d)
            new = URIRef(str(ID) + "fact/" + "/".join(parts))
            retired.add((f, DCTERMS.isReplacedBy, new))
            stats["re-minted"] += 1
        for p, o in g.predicate_objects(f):
            out.add((new, p, o))
    for subj in set(out.subjects(ENL.lastConfirmed, None)):  # facts merged by research
        vals = sorted(out.objects(subj, ENL.lastConfirmed), key=str)
        if len(vals) > 1:
            out.set((subj, ENL.lastConfirmed, vals[-1]))
    for p, ns in g.namespaces():
        out.bind(p, ns)
    what = path.read_text().splitlines()[0].lstrip("# ")
    (OUT / "facts" / path.name).write_text(_serialize(out, what))

(OUT / "sources" / "documents.ttl").write_text(_serialize(sources, "Source documents cited by the facts"))
(OUT / "facts" / "retired.ttl").write_text(
    "# Fact IRIs minted before 0.2.0 that no longer name a fact: those whose date part changed\n"
    "# (a date raised to the day, a placeholder day removed) point to the IRI that replaces\n"
    "# them; those retracted (no acceptable source) keep a retraction record (docs/iri-policy.md).\n\n"
    + (retired.bind("skos", SKOS) or retired).serialize(format="turtle"))
print(dict(stats))
