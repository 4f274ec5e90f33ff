"""The period each CFSP alignment rate covers, as its source states it (the facts' notes
record the sources' words); run after migrate.py. Rates whose source states no period get
none: the queries show the report year and 'not stated'."""
from pathlib import Path
from rdflib import Graph, URIRef
from enlargement_kg.core import dates
from enlargement_kg.core.importer import _serialize
from enlargement_kg.core.namespaces import ENL

P = {  # (country, refYear, measuredBy, rate) -> (start, end)
    ("ALB", "2024", "isac", "100"): ("2024-01", "2024-06"), ("BIH", "2024", "isac", "100"): ("2024-01", "2024-06"),
    ("MKD", "2024", "isac", "100"): ("2024-01", "2024-06"), ("MNE", "2024", "isac", "100"): ("2024-01", "2024-06"),
    ("SRB", "2024", "isac", "47"): ("2024-01", "2024-06"),
    ("SRB", "2022", "isac", "44"): ("2022-01", "2022-06"), ("SRB", "2023", "isac", "52"): ("2023-01", "2023-06"),
    ("SRB", "2022", "isac", "48"): ("2022", "2022"), ("SRB", "2023", "isac", "54"): ("2023", "2023"),
    ("ALB", "2019", "isac", "100"): ("2019", "2019"), ("BIH", "2019", "isac", "59"): ("2019", "2019"),
    ("MKD", "2019", "isac", "88"): ("2019", "2019"), ("MNE", "2019", "isac", "99"): ("2019", "2019"),
    ("SRB", "2019", "isac", "57"): ("2019", "2019"), ("SRB", "2018", "isac", "52"): ("2018", "2018"),
    ("SRB", "2022", "european-commission", "45"): ("2021-06", "2022-06"),
    ("SRB", "2020", "european-commission", "64"): ("2020", "2020"),
    ("BIH", "2020", "european-commission", "70"): ("2020", "2020"),
    ("MDA", "2022", "european-commission", "54"): ("2022", "2022"),
    ("MDA", "2023", "european-commission", "78"): (None, "2023-08"),
    ("UKR", "2024", "ukraine-mfa", "95"): ("2024", "2024"),
    ("UKR", "2025", "ukraine-mfa", "100"): ("2025", None),
}
n = 0
for path in sorted(Path("/work/main/kg/facts").glob("*.ttl")):
    g = Graph(); g.parse(path)
    changed = False
    for r in set(g.subjects(None, ENL.CFSPAlignmentRate)):
        c = str(g.value(r, ENL.country)).rsplit("/", 1)[-1]
        key = (c, str(g.value(r, ENL.refYear)), str(g.value(r, ENL.measuredBy)).rsplit("/", 1)[-1],
               str(g.value(r, ENL.rate)).split(".")[0])
        if key in P:
            s, e = P[key]
            if s: g.set((r, ENL.periodStart, dates.literal(s)))
            if e: g.set((r, ENL.periodEnd, dates.literal(e)))
            n += 1; changed = True
    if changed:
        head = path.read_text().splitlines()[0].lstrip("# ")
        path.write_text(_serialize(g, head))
print("periods set on", n, "rates")
