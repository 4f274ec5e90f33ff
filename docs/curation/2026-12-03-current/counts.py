"""Before/after figures of issue 14, from the Turtle in kg/ (no build needed).

    python docs/curation/2026-12-03-current/counts.py KG_DIR [KG_DIR ...]

A fact is a resource typed with a class that has an ``enl:factTypeCode`` (claims are not
facts); its year is the year of its ``dcterms:date`` at whatever precision.
"""
import sys
from collections import Counter
from pathlib import Path

from rdflib import RDF, Graph
from rdflib.namespace import DCTERMS

from enlargement_kg.core.namespaces import ENL


def load(kg: Path, ontology: Path) -> Graph:
    g = Graph()
    for p in sorted(kg.rglob("*.ttl")):
        g.parse(p)
    g.parse(ontology)
    return g


def figures(g: Graph) -> dict:
    codes = {c: str(v) for c, v in g.subject_objects(ENL.factTypeCode)}
    facts = {s: codes[c] for s, c in g.subject_objects(RDF.type) if c in codes}
    iso = {c: str(v) for c, v in g.subject_objects(ENL.iso3166Alpha3)}
    by_country, by_year, by_type = Counter(), Counter(), Counter()
    for f, code in facts.items():
        by_country[iso.get(g.value(f, ENL.country), "EU")] += 1
        by_type[code] += 1
        d = g.value(f, DCTERMS.date)
        if d is not None and str(d)[:4] >= "2022":
            by_year[str(d)[:4]] += 1
    cfsp = Counter()
    for f, code in facts.items():
        if code == "cfsp-alignment-rate":
            by = str(g.value(f, ENL.measuredBy)).rsplit("/", 1)[-1]
            cfsp["commission" if by == "european-commission" else "other bodies"] += 1
    celex = sum(1 for f, c in facts.items() if c == "epf-measure" and g.value(f, ENL.celex))
    return {"facts": len(facts), "by_country": by_country, "by_year": by_year,
            "epf": by_type["epf-measure"], "epf_celex": celex,
            "csdp": by_type["csdp-contribution"], "prep": by_type["level-of-preparation"],
            "cfsp": cfsp}


if __name__ == "__main__":
    rows = []
    for kg in sys.argv[1:]:
        root = Path(kg)
        rows.append(figures(load(root / "kg", root / "ontology" / "enlargement.ttl")))
    names = [Path(k).name or k for k in sys.argv[1:]]
    print("| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    print("| facts | " + " | ".join(str(r["facts"]) for r in rows) + " |")
    for c in sorted(set().union(*(r["by_country"] for r in rows))):
        print(f"| facts, {c} | " + " | ".join(str(r["by_country"][c]) for r in rows) + " |")
    for y in sorted(set().union(*(r["by_year"] for r in rows))):
        print(f"| facts dated {y} | " + " | ".join(str(r["by_year"][y]) for r in rows) + " |")
    for k, label in (("epf", "EPF measures"), ("epf_celex", "EPF measures with CELEX"),
                     ("csdp", "CSDP contributions"), ("prep", "preparation-level cells")):
        print(f"| {label} | " + " | ".join(str(r[k]) for r in rows) + " |")
    for k in ("commission", "other bodies"):
        print(f"| CFSP rates, {k} | " + " | ".join(str(r["cfsp"][k]) for r in rows) + " |")
