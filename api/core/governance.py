"""Each governance rule evaluated for each of the ten countries, from a validation report.

A governance rule is a node shape in ``shapes/governance.ttl``; it checks the facts of its
target class. For a country a rule *passes* when the country has such facts and none
fails, *fails* when some do (severity as the shape's), and is *not applicable* when the
country has no fact the rule checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SH

from .iris import ENLARGEMENT_COUNTRIES
from .queries import substitute
from .resources import data_dir
from .store import Store
from .validation import ValidationReport, load_graph


@dataclass(frozen=True)
class Cell:
    status: str  #: pass | fail | warn | n/a
    checked: int
    failing: int
    messages: tuple[str, ...] = ()


@dataclass
class Rule:
    shape: str
    label: str
    severity: str
    cells: dict[str, Cell] = field(default_factory=dict)


def country_of(focus: str) -> str | None:
    """The ISO code a fact's IRI carries (docs/iri-policy.md: id/fact/{ISO3}/...)."""
    marker = "/id/fact/"
    if marker in focus:
        code = focus.split(marker, 1)[1].split("/", 1)[0]
        return code if code in ENLARGEMENT_COUNTRIES else None
    if "/id/country/" in focus:
        return focus.rsplit("/", 1)[-1]
    return None


COUNT_PER_COUNTRY = """
SELECT ?code (COUNT(DISTINCT ?f) AS ?n) WHERE {
  ?f a ?cls ; <https://w3id.org/eu-enlargement/ontology#country>/
              <https://w3id.org/eu-enlargement/ontology#iso3166Alpha3> ?code .
} GROUP BY ?code"""


def matrix(report: ValidationReport, store: Store) -> list[Rule]:
    shapes = load_graph([data_dir("shapes") / "governance.ttl"])
    rules = []
    for shape in sorted(
        s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)
    ):
        cls = shapes.value(shape, SH.targetClass)
        sev = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        rule = Rule(str(shape), str(shapes.value(shape, RDFS.label) or shape), sev)
        counts = (
            {
                str(r["code"]): int(r["n"])
                for r in store.select(substitute(COUNT_PER_COUNTRY, {"cls": cls}))
            }
            if cls is not None
            else {}
        )
        failing: dict[str, list[str]] = {}
        for r in report.results:
            if r.shape == str(shape):
                code = country_of(r.focus)
                if code:
                    failing.setdefault(code, []).append(r.message)
        for code in ENLARGEMENT_COUNTRIES:
            n, bad = counts.get(code, 0), failing.get(code, [])
            status = (
                "n/a"
                if n == 0 and not bad
                else ("pass" if not bad else ("warn" if sev != "Violation" else "fail"))
            )
            rule.cells[code] = Cell(status, n, len(bad), tuple(bad[:5]))
        rules.append(rule)
    return rules


__all__ = ["Cell", "Rule", "matrix", "country_of"]
