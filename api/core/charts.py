"""Four charts of a country, server-rendered SVG: rows in, an SVG string out (pure; the web
layer, ``web/charts.py``, runs the canned queries through the query service).

- ``cfsp``: the CFSP alignment rate (%) over time, one series per measuring body (never
  merged), points and lines; each point spans the period its value covers.
- ``chapters``: the chapters opened and provisionally closed, cumulated over time (steps).
- ``preparation``: the Commission's level of preparation, chapters x report years.
- ``timeline``: the country's milestones on a time axis, one lane per kind.

Each chart's *rows* (:attr:`Chart.rows`) are what it draws, one row per mark, and what its
data link serves: every mark is an element with ``class="mark"``, ``data-*`` attributes
naming what it is (``data-date`` at the precision of its source, never a day a source did not
give) and a ``<title>`` with its value, date and source. A chart with no rows says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from . import dates
from .chart_axes import (
    DASHES,
    PALETTE,
    SHAPES,
    Scale,
    attrs,
    between,
    closing,
    date_label,
    esc,
    frame,
    heading,
    ident,
    legend,
    linear_ticks,
    marker,
    merge_sources,
    no_data,
    period,
    text_width,
    time_domain,
    tooltip,
    x_axis_years,
    y_axis,
    year_ticks,
)
from .chart_timeline import TIMELINE_COLUMNS, milestone_rows, timeline_svg

Row = Mapping[str, str]

TITLES = {
    "cfsp": "CFSP alignment rate",
    "chapters": "Chapters opened and provisionally closed",
    "preparation": "Level of preparation per chapter",
    "timeline": "Milestones",
}
CFSP_COLUMNS = ("year", "rate", "measuredBy", "periodStart", "periodEnd", "date", "source")
CHAPTER_COLUMNS = ("series", "date", "added", "total", "chapters", "source")
PREPARATION_COLUMNS = ("year", "chapter", "chapterName", "level", "rank", "change", "source")
COLUMNS = {
    "cfsp": CFSP_COLUMNS,
    "chapters": CHAPTER_COLUMNS,
    "preparation": PREPARATION_COLUMNS,
    "timeline": TIMELINE_COLUMNS,
}
WIDTH = 680
#: the Commission's own figure comes first; the other bodies follow by name
LEAD_BODY = "european-commission"

__all__ = ["COLUMNS", "TITLES", "Chart", "milestone_rows", "timeline_svg"]


@dataclass(frozen=True)
class Chart:
    """One chart of one country: its rows (one per mark) and its SVG."""

    name: str
    code: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    svg: str


# -- CFSP alignment ------------------------------------------------------------------------


def cfsp_period(row: Row) -> str:
    """The period a rate covers: ``periodStart/periodEnd`` where the source states one (a
    missing end is the reference year), else the reference year.

    >>> cfsp_period({"year": "2023", "periodStart": "", "periodEnd": "2023-08"})
    '2023/2023-08'
    >>> cfsp_period({"year": "2019", "periodStart": "2019", "periodEnd": "2019"})
    '2019'
    """
    start = row.get("periodStart") or row["year"]
    end = row.get("periodEnd") or row["year"]
    return start if start == end else f"{start}/{end}"


def cfsp_chart(rows: Sequence[Row], *, code: str, country: str, bodies: Mapping[str, str]) -> Chart:
    """``rows`` of the canned query ``cfsp-alignment`` for one country; ``bodies`` names the
    measuring bodies (their IRIs' last segment -> label)."""
    out = [{c: str(r.get(c, "")) for c in CFSP_COLUMNS} for r in rows]
    title = f"{TITLES['cfsp']}: {country}"
    if not out:
        svg = no_data(ident("cfsp", code), title, f"No CFSP alignment rate for {country} yet.")
        return Chart("cfsp", code, title, CFSP_COLUMNS, out, svg)
    return Chart("cfsp", code, title, CFSP_COLUMNS, out, cfsp_svg(out, code, title, bodies))


def cfsp_svg(rows: Sequence[Row], code: str, title: str, bodies: Mapping[str, str]) -> str:
    spans = {id(r): _span(cfsp_period(r)) for r in rows}
    lo, hi = time_domain(spans.values())
    left, right, top, bottom = 52.0, WIDTH - 16.0, 50.0, 250.0
    x, y = Scale(lo, hi, left, right), Scale(0, 100, bottom, top)
    series = sorted({r["measuredBy"] for r in rows}, key=lambda b: (b != LEAD_BODY, b))
    body = [heading(title, "Share of the EU's CFSP declarations the country aligned with")]
    body.append(y_axis(y, left, linear_ticks(0, 100, 4), right=right, unit="%"))
    body.append(x_axis_years(x, bottom, year_ticks(lo, hi, 12), top=top, centred=True))
    items = []
    for i, slug in enumerate(series):
        colour, shape, dash = PALETTE[i % 7], SHAPES[i % 5], DASHES[i % 5]
        name = bodies.get(slug, slug)
        items.append((name, colour, shape, dash))
        points = sorted((r for r in rows if r["measuredBy"] == slug), key=lambda r: spans[id(r)])
        xy = [(x(sum(spans[id(r)]) / 2), y(float(r["rate"]))) for r in points]
        if len(xy) > 1:
            d = " ".join(f"{px},{py}" for px, py in xy)
            body.append(
                f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.8"'
                f"{attrs(stroke_dasharray=dash or None)}/>"
            )
        for r, (px, py) in zip(points, xy, strict=True):
            a, b = spans[id(r)]
            when = cfsp_period(r)
            body.append(
                f'<line class="span" x1="{x(a)}" y1="{py}" x2="{x(b)}" y2="{py}" '
                f'stroke="{colour}" stroke-width="1" opacity="0.7"/>'
            )
            body.append(
                marker(
                    shape,
                    px,
                    py,
                    cls="mark",
                    fill=colour,
                    stroke="#fff",
                    data_series=slug,
                    data_date=when,
                    data_precision=dates.precision(when.split("/")[0]),
                    data_value=r["rate"],
                )
                + tooltip(
                    [
                        f"{r['rate']}% ({name}), {date_label(when)}",
                        f"published {dates.display(r['date'])}" if r["date"] else "",
                        f"source: {r['source']}",
                    ]
                )
                + closing(shape)
            )
    leg, h = legend(items, left, bottom + 40)
    body.append(leg)
    desc = (
        f"{len(rows)} CFSP alignment rates of {code} by {len(series)} measuring bodies; each "
        "point sits in the middle of the period its rate covers, the thin line spans it."
    )
    return frame(ident("cfsp", code), title, desc, WIDTH, bottom + 40 + h + 4, body)


def _span(value: str) -> tuple[float, float]:
    if "/" in value:
        a, b = value.split("/", 1)
        return between(a, b)
    return period(value)


# -- chapters opened and closed ------------------------------------------------------------

OPENING = ("chapter-opened", "cluster-opened")
CLOSING = ("chapter-provisionally-closed",)


def chapter_steps(timeline: Sequence[Row], clusters: Mapping[int, int]) -> list[dict[str, str]]:
    """The rows of the ``chapters`` chart from the rows of ``country-timeline``: per series
    (``opened``, ``closed``), one row per date on which the count of chapters grew. A chapter
    counts as opened from its own opening or its cluster's (``clusters``: chapter -> cluster),
    as closed from its first provisional closing, from the start of the event's period."""
    first: dict[str, dict[int, tuple[str, str]]] = {"opened": {}, "closed": {}}
    for r in timeline:
        series = "opened" if r["event"] in OPENING else "closed" if r["event"] in CLOSING else ""
        if not series:
            continue
        if r["event"] == "cluster-opened":
            if not r.get("cluster"):
                continue
            chapters = [ch for ch, cl in clusters.items() if cl == int(r["cluster"])]
        elif r.get("chapter"):
            chapters = [int(r["chapter"])]
        else:
            continue
        for ch in chapters:
            have = first[series].get(ch)
            if have is None or r["date"] < have[0]:
                first[series][ch] = (r["date"], r.get("source", ""))
            elif r["date"] == have[0]:
                first[series][ch] = (have[0], merge_sources([have[1], r.get("source", "")]))
    out: list[dict[str, str]] = []
    for series in ("opened", "closed"):
        by_date: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for ch, (date, src) in first[series].items():
            by_date[date].append((ch, src))
        total = 0
        for date in sorted(by_date):
            added = sorted(by_date[date])
            total += len(added)
            out.append(
                {
                    "series": series,
                    "date": date,
                    "added": str(len(added)),
                    "total": str(total),
                    "chapters": ", ".join(str(ch) for ch, _ in added),
                    "source": merge_sources(src for _, src in added),
                }
            )
    return out


def chapters_chart(
    timeline: Sequence[Row],
    clusters: Mapping[int, int],
    *,
    code: str,
    country: str,
    until: str,
) -> Chart:
    """The ``chapters`` chart: the steps of :func:`chapter_steps`, drawn up to ``until``."""
    rows = chapter_steps(timeline, clusters)
    title = f"{TITLES['chapters']}: {country}"
    if not rows:
        svg = no_data(ident("chapters", code), title, f"No chapter opened for {country} yet.")
    else:
        svg = chapters_svg(rows, code, title, max(until, max(r["date"] for r in rows)))
    return Chart("chapters", code, title, CHAPTER_COLUMNS, rows, svg)


SERIES_STYLE = {"opened": (PALETTE[0], "circle", ""), "closed": (PALETTE[1], "square", "6 3")}
SERIES_LABEL = {"opened": "opened", "closed": "provisionally closed"}


def chapters_svg(rows: Sequence[Row], code: str, title: str, until: str) -> str:
    lo, hi = time_domain([period(r["date"]) for r in rows] + [period(until)], pad=0.4)
    left, right, top, bottom = 44.0, WIDTH - 130.0, 50.0, 250.0
    x, y = Scale(lo, hi, left, right), Scale(0, 35, bottom, top)
    body = [heading(title, "Cumulative count of the 35 chapters, from the start of each event")]
    body.append(y_axis(y, left, linear_ticks(0, 35, 7), right=right))
    body.append(x_axis_years(x, bottom, year_ticks(lo, hi, 10), top=top))
    end = x(period(until)[1])
    items = []
    for series in ("opened", "closed"):
        colour, shape, dash = SERIES_STYLE[series]
        steps = [r for r in rows if r["series"] == series]
        items.append((f"chapters {SERIES_LABEL[series]}", colour, shape, dash))
        if not steps:
            continue
        d, total = [f"M{x(period(steps[0]['date'])[0])},{y(0)}"], 0
        for r in steps:
            d += [f"H{x(period(r['date'])[0])}", f"V{y(int(r['total']))}"]
            total = int(r["total"])
        d.append(f"H{end}")
        body.append(
            f'<path d="{" ".join(d)}" fill="none" stroke="{colour}" stroke-width="2"'
            f"{attrs(stroke_dasharray=dash or None)}/>"
        )
        body.append(
            f'<text x="{end + 6}" y="{y(total) + 4}" fill="{colour}" font-weight="600">'
            f"{total} {esc(SERIES_LABEL[series])}</text>"
        )
        body.extend(_step_mark(r, x, y, colour, shape) for r in steps)
    leg, h = legend(items, left, bottom + 40)
    body.append(leg)
    desc = (
        f"Chapters of {code} opened and provisionally closed over time, as step lines; a mark "
        "where the count grew (a bar across the month or year where the source gives no day)."
    )
    return frame(ident("chapters", code), title, desc, WIDTH, bottom + 40 + h + 4, body)


def _step_mark(r: Row, x: Scale, y: Scale, colour: str, shape: str) -> str:
    prec = dates.precision(r["date"])
    a, b = period(r["date"])
    py = y(int(r["total"]))
    kw = {
        "cls": "mark",
        "data_series": r["series"],
        "data_date": r["date"],
        "data_precision": prec,
        "data_value": r["total"],
    }
    tip = tooltip(
        [
            f"{r['total']} chapters {SERIES_LABEL[r['series']]} by {dates.display(r['date'])}",
            f"+{r['added']}: chapter{'s' if r['added'] != '1' else ''} {r['chapters']}",
            f"source: {r['source']}",
        ]
    )
    if prec != "day":  # a span across the month or year, never a point on a day
        w = max(4.0, x(b) - x(a))
        return (
            f'<rect x="{x(a)}" y="{py - 4}" width="{w:.1f}" height="8" fill="{colour}" '
            f'fill-opacity="0.55" stroke="{colour}"{attrs(**kw)}>{tip}</rect>'
        )
    return (
        marker(shape, x(a), py, size=4.5, fill=colour, stroke="#fff", **kw) + tip + closing(shape)
    )


# -- level of preparation ------------------------------------------------------------------

#: ranks 1 (early stage) .. 9 (well advanced), light to dark (cividis-like: colour-blind safe);
#: each cell also prints its rank, so the colour is never the only cue
RANK_COLOURS = (
    "#fde9a9",
    "#e9d88a",
    "#cdc47a",
    "#b0b06f",
    "#929c68",
    "#758866",
    "#577465",
    "#3a5f66",
    "#1d4a68",
)


def preparation_cells(rows: Sequence[Row], names: Mapping[int, str]) -> list[dict[str, str]]:
    """One row per graded (report year, chapter) from the rows of ``preparation-levels``
    (which repeat a grade once per source): the sources merged; grades that disagree kept
    side by side (``3/4``)."""
    cells: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for r in rows:
        cells[(int(r["year"]), int(r["chapter"]))].append(r)
    out = []
    for (year, ch), rs in sorted(cells.items()):
        ranks = sorted({r["rank"] for r in rs}, key=int)
        levels = list(dict.fromkeys(r["level"] for r in sorted(rs, key=lambda r: int(r["rank"]))))
        out.append(
            {
                "year": str(year),
                "chapter": str(ch),
                "chapterName": names.get(ch, f"Chapter {ch}"),
                "level": " / ".join(levels),
                "rank": "/".join(ranks),
                "change": rs[0].get("change", "") if len(ranks) == 1 else "",
                "source": merge_sources(r.get("source", "") for r in rs),
            }
        )
    return out


def preparation_chart(
    rows: Sequence[Row],
    *,
    code: str,
    country: str,
    names: Mapping[int, str],
    years: Sequence[int],
    has_report: Callable[[int], bool],
) -> Chart:
    """The ``preparation`` heatmap: the chapters with a grade (rows) x ``years`` (columns,
    widened to the years graded); a year without a Commission report is marked so."""
    cells = preparation_cells(rows, names)
    title = f"{TITLES['preparation']}: {country}"
    if not cells:
        msg = f"No level of preparation for {country} in the graph yet."
        svg = no_data(ident("preparation", code), title, msg)
    else:
        cols = sorted(set(years) | {int(c["year"]) for c in cells})
        cols = list(range(cols[0], cols[-1] + 1))
        svg = preparation_svg(cells, code, title, names, cols, has_report)
    return Chart("preparation", code, title, PREPARATION_COLUMNS, cells, svg)


def _hatch(pid: str) -> str:
    return (
        f'<defs><pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#aab1bf" stroke-width="1.5"/>'
        f"</pattern></defs>"
    )


def preparation_svg(
    cells: Sequence[Row],
    code: str,
    title: str,
    names: Mapping[int, str],
    years: Sequence[int],
    has_report: Callable[[int], bool],
) -> str:
    graded = sorted({int(c["chapter"]) for c in cells})
    by = {(int(c["year"]), int(c["chapter"])): c for c in cells}
    label_w, cw, ch, top = 250.0, 46.0, 20.0, 78.0
    width = max(WIDTH, label_w + cw * len(years) + 16)
    pid = ident("preparation", code) + "-hatch"
    total = 33 * sum(1 for yr in years if has_report(yr))
    sub = (
        f"{len(cells)} of {total} chapter grades of the reports {years[0]}-{years[-1]} are in "
        "the graph; hatched: no grade recorded"
    )
    body = [_hatch(pid), heading(title, sub)]
    for j, yr in enumerate(years):
        cx = label_w + j * cw + cw / 2
        body.append(f'<text x="{cx}" y="{top - 8}" text-anchor="middle">{yr}</text>')
        if not has_report(yr):
            body.append(
                f'<text x="{cx}" y="{top - 22}" text-anchor="middle" fill="#5b6370" '
                f'font-size="9">no report</text>'
            )
    for i, n in enumerate(graded):
        ry = top + i * ch
        name = names.get(n, f"Chapter {n}")
        short = name if len(name) <= 40 else name[:38] + "…"
        body.append(
            f'<text x="{label_w - 8}" y="{ry + 14}" text-anchor="end">'
            f"<title>{esc(name)}</title>{esc(short)}</text>"
        )
        for j, yr in enumerate(years):
            body.append(
                _cell(by.get((yr, n)), n, yr, label_w + j * cw, ry, cw, ch, pid, has_report)
            )
    ry = top + len(graded) * ch + 6
    rest = 33 - len([n for n in graded if n <= 33])
    body.append(
        f'<rect class="gap-band" x="{label_w}" y="{ry}" width="{cw * len(years)}" height="{ch}" '
        f'fill="url(#{pid})" stroke="#dde1ea"/>'
        f'<text x="{label_w - 8}" y="{ry + 14}" text-anchor="end" fill="#4a525e">'
        f"{rest} other chapters: no grade</text>"
    )
    body.append(_rank_legend(cells, 12, ry + ch + 24))
    desc = (
        f"Level of preparation of {code} per chapter (rows) and Commission report year "
        f"(columns), rank 1 early stage to 9 well advanced; {sub}."
    )
    return frame(ident("preparation", code), title, desc, width, ry + ch + 44, body)


def _cell(
    c: Row | None,
    n: int,
    yr: int,
    x: float,
    y: float,
    w: float,
    h: float,
    pid: str,
    has_report: Callable[[int], bool],
) -> str:
    box = f'x="{x + 1}" y="{y + 1}" width="{w - 2}" height="{h - 2}"'
    if c is None:
        what = "no data" if has_report(yr) else "no report that year"
        fill = f"url(#{pid})" if has_report(yr) else "#eef0f4"
        return (
            f'<rect class="gap" {box} fill="{fill}" stroke="#dde1ea"'
            f"{attrs(data_chapter=n, data_year=yr)}><title>{esc(f'Chapter {n}, {yr}: {what}')}"
            "</title></rect>"
        )
    rank = int(c["rank"].split("/")[0])
    fill = RANK_COLOURS[max(1, min(9, rank)) - 1]
    ink = "#fff" if rank >= 6 else "#1b1f24"
    tip = tooltip(
        [
            f"{c['chapterName']}, {yr} report: {c['level']} (rank {c['rank']} of 9)",
            f"change from {yr - 1}: {c['change']}" if c["change"] else "",
            f"source: {c['source']}",
        ]
    )
    a = attrs(cls="mark", data_chapter=n, data_year=yr, data_date=str(yr), data_value=c["rank"])
    return (
        f'<g{a}><rect {box} fill="{fill}" stroke="#5b6370" stroke-width="0.5"/>'
        f'<text x="{x + w / 2}" y="{y + h / 2 + 4}" text-anchor="middle" fill="{ink}">'
        f"{esc(c['rank'])}</text>{tip}</g>"
    )


def _rank_legend(cells: Sequence[Row], x: float, y: float) -> str:
    seen: dict[int, str] = {}
    for c in cells:
        for r, level in zip(c["rank"].split("/"), c["level"].split(" / "), strict=False):
            seen.setdefault(int(r), level)
    out, cx = ['<g class="legend">'], x
    for rank in sorted(seen):
        label = f"{rank} {seen[rank]}"
        out.append(
            f'<rect x="{cx}" y="{y - 10}" width="14" height="14" fill="{RANK_COLOURS[rank - 1]}" '
            f'stroke="#5b6370" stroke-width="0.5"/>'
            f'<text x="{cx + 18}" y="{y + 1}">{esc(label)}</text>'
        )
        cx += 30 + text_width(label)
    return "".join(out) + "</g>"


# -- milestones ----------------------------------------------------------------------------


def timeline_chart(
    timeline: Sequence[Row],
    nato: Sequence[Row],
    sdp: Sequence[Row],
    safe: Sequence[Row],
    *,
    code: str,
    country: str,
) -> Chart:
    """The ``timeline`` chart (``chart_timeline.py``): the rows of ``country-timeline`` for
    ``code``, and those of ``nato-pfp``, ``sdp-signatories``, ``safe-participants``."""
    rows = milestone_rows(timeline, nato, sdp, safe, code=code)
    title = f"{TITLES['timeline']}: {country}"
    if not rows:
        svg = no_data(ident("timeline", code), title, f"No milestone of {country} on record yet.")
    else:
        svg = timeline_svg(rows, code=code, title=title, width=WIDTH + 80)
    return Chart("timeline", code, title, TIMELINE_COLUMNS, rows, svg)
