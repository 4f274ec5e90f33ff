"""How many marks each chart must have, counted from the canned queries' rows, not from the
charts' code (api/core/charts.py): shared by the chart tests over the test client
(tests/web/test_charts.py) and in the browser (tests/browser/test_chart_marks.py)."""

from __future__ import annotations

from collections.abc import Callable

#: a canned query's rows: ``canned(name, **parameters)``, each row a dict of plain values
Canned = Callable[..., list[dict[str, str]]]

CHARTS = ("cfsp", "chapters", "preparation", "timeline")
#: the chapter-by-chapter events of country-timeline (the chapters chart draws them)
CHAPTER_EVENTS = {
    "chapter-opened",
    "chapter-provisionally-closed",
    "chapter-blocked",
    "block-lifted",
    "closing-benchmarks-set",
    "interim-benchmarks-met",
}


def expected_marks(canned: Canned, chart: str, code: str) -> int:
    """The marks of ``chart`` for country ``code``: one per CFSP rate, per graded
    (year, chapter), per milestone and defence tie, per distinct first date of opening (a
    chapter on its own or with its cluster) and of provisional closing."""
    if chart == "cfsp":
        return len(canned("cfsp-alignment", country=code))
    if chart == "preparation":
        rows = canned("preparation-levels", country=code)
        return len({(r["year"], r["chapter"]) for r in rows})
    timeline = canned("country-timeline", country=code)
    if chart == "timeline":
        ties = ("nato-pfp", "sdp-signatories", "safe-participants")
        return sum(r["event"] not in CHAPTER_EVENTS for r in timeline) + sum(
            r["code"] == code for name in ties for r in canned(name)
        )
    status = canned("chapter-status", country=code, date="2100-01-01")
    cluster = {r["chapter"]: r.get("cluster") for r in status}
    first: dict[str, dict[str, str]] = {"open": {}, "close": {}}
    for r in timeline:
        if r["event"] == "chapter-opened":
            hit, series = [r["chapter"]], "open"
        elif r["event"] == "cluster-opened":
            hit, series = [ch for ch, cl in cluster.items() if cl == r["cluster"]], "open"
        elif r["event"] == "chapter-provisionally-closed":
            hit, series = [r["chapter"]], "close"
        else:
            continue
        for ch in hit:
            first[series][ch] = min(first[series].get(ch, r["date"]), r["date"])
    return sum(len(set(d.values())) for d in first.values())
