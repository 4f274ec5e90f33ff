"""The ``timeline`` chart of :mod:`.charts`: a country's milestones on a time axis, one lane
per kind (the accession steps, the clusters opened, the intergovernmental conferences, the
security and defence ties), labels staggered so that none overlaps another; an event known
only to the month or the year is drawn as a bar across that month or year.

Its rows come from the canned queries ``country-timeline`` (less the chapter-by-chapter
events, which the ``chapters`` chart draws), ``nato-pfp``, ``sdp-signatories`` and
``safe-participants``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import dates
from .chart_axes import (
    PALETTE,
    Scale,
    attrs,
    closing,
    esc,
    frame,
    heading,
    ident,
    marker,
    period,
    text_width,
    time_domain,
    tooltip,
    x_axis_years,
    year_ticks,
)

Row = Mapping[str, str]
TIMELINE_COLUMNS = ("lane", "date", "event", "label", "source")
#: the chapter-by-chapter events of ``country-timeline``, drawn by the ``chapters`` chart
CHAPTER_EVENTS = frozenset(
    {
        "chapter-opened",
        "chapter-provisionally-closed",
        "chapter-blocked",
        "block-lifted",
        "closing-benchmarks-set",
        "interim-benchmarks-met",
    }
)
#: lane -> (its name, its colour, its marker)
LANES = {
    "accession": ("Accession", PALETTE[0], "diamond"),
    "clusters": ("Clusters opened", PALETTE[2], "square"),
    "igc": ("Intergovernmental conferences", PALETTE[6], "circle"),
    "security": ("Security and defence", PALETTE[1], "triangle"),
}
SHORT = {
    "saa-signed": "SAA signed",
    "saa-in-force": "SAA in force",
    "aa-signed": "AA signed",
    "aa-in-force": "AA in force",
    "membership-application": "Application",
    "commission-opinion": "Commission opinion",
    "potential-candidate-status": "Potential candidate",
    "candidate-status": "Candidate status",
    "decision-to-open-negotiations": "Decision to open talks",
    "negotiating-framework-adopted": "Negotiating framework",
    "screening-completed": "Screening completed",
    "accession-process-halted": "Accession halted",
    "nato-membership": "NATO member",
    "partnership-for-peace": "Partnership for Peace",
    "sdp-signed": "Security and Defence Partnership",
}
LINE = 13.0
MAX_LEVELS = 8


def milestone_rows(
    timeline: Sequence[Row],
    nato: Sequence[Row],
    sdp: Sequence[Row],
    safe: Sequence[Row],
    *,
    code: str,
) -> list[dict[str, str]]:
    """The rows of the ``timeline`` chart, in date order: the accession milestones of
    ``country-timeline`` (its rows for ``code``), and ``code``'s rows of ``nato-pfp``,
    ``sdp-signatories`` and ``safe-participants`` (all countries)."""
    out = []
    for r in timeline:
        ev = r["event"]
        if ev in CHAPTER_EVENTS:
            continue
        lane = "igc" if ev == "intergovernmental-conference" else "accession"
        label = r["label"].split(": ", 1)[-1]
        if ev == "cluster-opened":
            lane, label = "clusters", f"Cluster {r.get('cluster') or '?'} opened"
        out.append(_row(lane, r["date"], ev, label, r.get("source", "")))
    for r in nato:
        if r["code"] == code:
            out.append(_row("security", r["since"], r["kind"], SHORT.get(r["kind"], r["kind"])))
    for r in sdp:
        if r["code"] == code:
            out.append(
                _row("security", r["signed"], "sdp-signed", SHORT["sdp-signed"], r["source"])
            )
    for r in safe:
        if r["code"] == code:
            label = f"SAFE: {r['status'].replace('-', ' ')}"
            out.append(_row("security", r["since"], f"safe-{r['status']}", label, r["source"]))
    return sorted(out, key=lambda r: (r["date"], list(LANES).index(r["lane"]), r["label"]))


def _row(lane: str, date: str, event: str, label: str, source: str = "") -> dict[str, str]:
    return {"lane": lane, "date": date, "event": event, "label": label, "source": source}


def stagger(extents: Sequence[tuple[float, float] | None], *, gap: float = 6) -> list[int]:
    """A level for each label extent (x from, x to), the lowest free one, so that labels on
    one level never overlap; ``None`` (no label) gets -1. Past :data:`MAX_LEVELS` levels a
    label goes on the level that frees up first.

    >>> stagger([(0, 50), (40, 90), (100, 120), None, (60, 80)])
    [0, 1, 0, -1, 2]
    """
    ends: list[float] = []
    out = []
    for ext in extents:
        if ext is None:
            out.append(-1)
            continue
        a, b = ext
        level = next((i for i, e in enumerate(ends) if e + gap <= a), None)
        if level is None:
            if len(ends) < MAX_LEVELS:
                level = len(ends)
                ends.append(b)
            else:
                level = min(range(len(ends)), key=lambda i: ends[i])
        ends[level] = max(ends[level], b)
        out.append(level)
    return out


def _extents(rows: Sequence[Row], x: Scale, right: float) -> list[tuple[float, float] | None]:
    """Where each row's label would go (after its mark, or before it near the right edge);
    None for the conferences (the lane names them) and for a label repeating the previous
    one's text while they would overlap (the mark keeps its tooltip)."""
    out: list[tuple[float, float] | None] = []
    last: dict[str, tuple[str, float]] = {}
    for r in rows:
        if r["lane"] == "igc":
            out.append(None)
            continue
        px, w = x(period(r["date"])[0]), text_width(_label(r))
        ext = (px + 3, px + 3 + w) if px + 3 + w <= right else (px - 3 - w, px - 3)
        prev = last.get(r["lane"])
        if prev and prev[0] == _label(r) and ext[0] < prev[1] + 6:
            out.append(None)
            continue
        last[r["lane"]] = (_label(r), ext[1])
        out.append(ext)
    return out


def _label(r: Row) -> str:
    return SHORT.get(r["event"], r["label"])


def timeline_svg(rows: Sequence[Row], *, code: str, title: str, width: float) -> str:
    lo, hi = time_domain([period(r["date"]) for r in rows], pad=0.5)
    left, right = 150.0, width - 16
    x = Scale(lo, hi, left, right)
    extents = _extents(rows, x, right)
    body, y = [heading(title, "Each mark is a milestone; a bar spans a month or a year")], 52.0
    lanes_top = y
    for lane, (name, colour, shape) in LANES.items():
        idx = [i for i, r in enumerate(rows) if r["lane"] == lane]
        if not idx:
            continue
        levels = stagger([extents[i] for i in idx])  # one lane's labels never meet another's
        base = y + max([lv + 1 for lv in levels] + [0]) * LINE + 14
        lane_name = f"{name} ({len(idx)})" if lane == "igc" else name
        body.append(f'<text x="12" y="{base + 4}" font-weight="600">{esc(lane_name)}</text>')
        for i, lv in zip(idx, levels, strict=True):
            body.append(_mark(rows[i], x, base, lv, colour, shape))
        y = base + 14
        body.append(f'<line x1="12" y1="{y}" x2="{right}" y2="{y}" stroke="#dde1ea"/>')
    body.insert(1, x_axis_years(x, y + 6, year_ticks(lo, hi, 12), top=lanes_top))
    desc = (
        f"{len(rows)} milestones of {code} on a time axis: accession steps, clusters opened, "
        "intergovernmental conferences, security and defence ties; events known only to the "
        "month or year are drawn as bars across it."
    )
    return frame(ident("timeline", code), title, desc, width, y + 30, body)


def _mark(r: Row, x: Scale, base: float, level: int, colour: str, shape: str) -> str:
    prec = dates.precision(r["date"])
    a, b = period(r["date"])
    px = x(a)
    kw = {
        "cls": "mark",
        "data_event": r["event"],
        "data_lane": r["lane"],
        "data_date": r["date"],
        "data_precision": prec,
    }
    tip = tooltip(
        [
            f"{r['label']}: {dates.display(r['date'])}"
            + ("" if prec == "day" else f" (known to the {prec})"),
            f"source: {r['source']}" if r["source"] else "",
        ]
    )
    if prec == "day":
        size = 3.0 if r["lane"] == "igc" else 4.5
        out = marker(shape, px, base, size=size, fill=colour, stroke="#fff", **kw)
        out += tip + closing(shape)
    else:
        w = max(4.0, x(b) - px)
        out = (
            f'<rect x="{px}" y="{base - 5}" width="{w:.1f}" height="10" fill="{colour}" '
            f'fill-opacity="0.45" stroke="{colour}"{attrs(**kw)}>{tip}</rect>'
        )
    if level >= 0:
        label = _label(r)
        ly = base - 10 - level * LINE
        w = text_width(label)
        start = px + 3 if px + 3 + w <= x.b else px - 3 - w
        out += (
            f'<line x1="{px}" y1="{base - 5}" x2="{px}" y2="{ly + 2}" stroke="#aab1bf"/>'
            f'<text x="{start:.1f}" y="{ly}">{esc(label)}</text>'
        )
    return out
