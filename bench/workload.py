"""The benchmark's queries: the canned analyst queries (``queries/*.rq``, their parameters
bound by the product's own ``core/queries.py``, varied over countries and dates), point
lookups on fact IRIs, and the FILTER NOT EXISTS / MINUS regression pair (``bench/queries``).

Every engine gets the same query text: parameters are substituted as RDF terms exactly as
``/queries/<name>`` does before the query reaches the store.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from enlargement_kg.core import iris

BENCH_QUERIES = Path(__file__).resolve().parent / "queries"
FALLBACK = ("closed-chapters-on-date", "cfsp-below-threshold", "defence-ties-of-country")

#: parameter values the variants cycle through, by parameter type
DATES = ("2025-12-31", "2020-06-30", "2015-01-01", "2023-03-31")
RANGES = (("2025-01-01", "2025-12-31"), ("2018-01-01", "2019-12-31"), ("2010-01-01", "2010-03-31"))
VALUES = {"decimal": ("90", "75", "99"), "int": ("5", "12"), "months": ("24", "6", "60")}


@dataclass(frozen=True)
class BenchQuery:
    """One query text as every engine receives it."""

    name: str  #: the canned query's name (variants share it)
    text: str
    args: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.name + (" " + " ".join(f"{k}={v}" for k, v in self.args) if self.args else "")


def read_rq(name: str) -> str:
    return (BENCH_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def point_lookup(subject: str) -> BenchQuery:
    from enlargement_kg.core.queries import substitute

    return BenchQuery(
        "point-lookup",
        substitute(read_rq("point-lookup"), {"s": URIRef(subject)}),
        (("s", subject),),
    )


def regression_pair() -> tuple[BenchQuery, BenchQuery]:
    return (
        BenchQuery("not-exists", read_rq("regression-not-exists")),
        BenchQuery("minus", read_rq("regression-minus")),
    )


def _variants(params, facts: list[str], limit: int) -> list[dict[str, str]]:
    """Argument sets for a query: required parameters always, optional ones in every other
    variant; values cycle through countries, dates and the other pools."""
    countries = itertools.cycle(iris.ENLARGEMENT_COUNTRIES)
    out = []
    for k in range(limit):
        args: dict[str, str] = {}
        for p in params:
            if not p.required and k % 2 == 1:
                continue
            if p.type == "iso3":
                args[p.name] = next(countries)
            elif p.type == "date":
                if p.name == "from":
                    args[p.name] = RANGES[k % len(RANGES)][0]
                elif p.name == "to":
                    args[p.name] = RANGES[k % len(RANGES)][1]
                else:
                    args[p.name] = DATES[k % len(DATES)]
            elif p.type in VALUES:
                args[p.name] = VALUES[p.type][k % len(VALUES[p.type])]
            elif p.type == "iri" and p.name == "fact" and facts:
                args[p.name] = facts[k % len(facts)]
            else:
                args[p.name] = p.example
        if args not in out:
            out.append(args)
    return out or [{}]


def canned(*, facts: list[str], variants: int = 6) -> tuple[list[BenchQuery], str]:
    """The canned queries with ``variants`` argument sets each, and where they came from."""
    try:
        from enlargement_kg.core.queries import bind, catalogue, substitute

        cat = catalogue()
    except (ImportError, FileNotFoundError):
        cat = {}
    if not cat:
        return [BenchQuery(n, read_rq(n)) for n in FALLBACK], "bench/queries (fallback)"
    countries = set(iris.ENLARGEMENT_COUNTRIES)
    out = []
    for name, q in cat.items():
        for args in _variants(q.params, facts, variants if q.params else 1):
            text = substitute(q.text, bind(q, args, countries=countries))
            out.append(BenchQuery(name, text, tuple(sorted(args.items()))))
    return out, f"queries/ ({len(cat)} canned queries)"


def first_of_each(queries: list[BenchQuery]) -> list[BenchQuery]:
    """One variant per canned query (the per-query timings)."""
    seen: dict[str, BenchQuery] = {}
    for q in queries:
        seen.setdefault(q.name, q)
    return list(seen.values())
