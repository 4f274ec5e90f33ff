"""One-off migration (2026-12-03, issue 14): Ukraine's EPF facts keyed by Council decision.

Three facts minted before the CELEX key existed are folded into the facts the import of
import-epf-ukraine.csv minted for the same Council decisions: their sources and notes move to
the successor, the old IRI is dropped from kg/facts/UKR.ttl and kg/facts/retired.ttl records
``dcterms:isReplacedBy`` (two successors where one fact named two decisions).
Run once from the repository root: python docs/curation/2026-12-03-current/rekey_epf.py
"""
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from enlargement_kg.core import importer
from enlargement_kg.core.namespaces import ENL

F = "https://w3id.org/eu-enlargement/id/fact/UKR/epf-measure/"
MOVES = {
    F + "2022-03-23/adopted": [F + "2022-03-23/adopted/32022D0471", F + "2022-03-23/adopted/32022D0472"],
    F + "2023-04-13/adopted": [F + "2023-04-13/adopted/32023D0810"],
    F + "2024-03-18/adopted": [F + "2024-03-18/adopted/32024D0890"],
}
SPLIT_NOTE = ("Split on 2026-12-03: this fact joined two Council decisions of 23 March 2022, "
              "Decision (CFSP) 2022/471 (EUR 450m, lethal equipment) and Decision (CFSP) 2022/472 "
              "(EUR 50m, non-lethal), as one EUR 500m measure; each is now its own fact, keyed by "
              "its CELEX number, and carries this fact's sources.")

facts_path = Path("kg/facts/UKR.ttl")
g = Graph().parse(facts_path)
retired_lines = []
for old, news in MOVES.items():
    o = URIRef(old)
    assert (o, None, None) in g, old
    for new in news:
        n = URIRef(new)
        assert (n, ENL.celex, None) in g, new
        for src in g.objects(o, DCTERMS.source):
            g.add((n, DCTERMS.source, src))
        if len(news) == 1:
            for note in g.objects(o, SKOS.note):
                g.add((n, SKOS.note, note))
        retired_lines.append(f"<{old}> dcterms:isReplacedBy <{new}> .")
    if len(news) > 1:
        retired_lines.append(f"<{old}> skos:historyNote {Literal(SPLIT_NOTE, lang='en').n3()} .")
    g.remove((o, None, None))

head = facts_path.read_text(encoding="utf-8").split("\n@prefix", 1)[0]
text = importer._serialize(g, "x")
facts_path.write_text(head + "\n@prefix" + text.split("\n@prefix", 1)[1], encoding="utf-8")
with open("kg/facts/retired.ttl", "a", encoding="utf-8") as fh:
    fh.write("\n# 2026-12-03: Ukraine's EPF facts keyed by the Council decision (CELEX) that made them\n")
    fh.write("\n\n".join(retired_lines) + "\n")
