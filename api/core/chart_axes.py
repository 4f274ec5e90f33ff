"""The parts every chart of :mod:`.charts` is drawn with: where a date falls on a time axis
(at its precision), linear and time scales with their ticks, a colour-blind-safe palette with
a shape and a dash per series, and the SVG frame (``role="img"``, ``<title>``, ``<desc>``).

Pure: strings in, strings out. Every text that reaches the SVG goes through :func:`esc`.

A date is placed as the period it names (core/dates.py): a day is a day, ``2015-06`` is the
whole of June 2015 and ``2019`` the whole year; :func:`period` gives the period as fractional
years, so a mark can be drawn as a point (a day) or a span (a month or a year), never at a day
its source did not give.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from . import dates

#: Okabe & Ito's palette (colour-blind safe), without its yellow (too light on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: One marker shape and one line dash per series, so colour is never the only cue.
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "1 2")
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
TEXT_PX = 11


def esc(text: object) -> str:
    """``text`` escaped for an SVG element or a double-quoted attribute.

    >>> esc('<a href="x">&</a>')
    '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;'
    """
    return escape(str(text), {'"': "&quot;"})


def text_width(text: str, px: float = TEXT_PX) -> float:
    """The estimated width of ``text`` in the sans-serif font at ``px`` (a little generous)."""
    return round(len(text) * px * 0.58 + 2, 1)


def ident(name: str, code: str) -> str:
    return f"chart-{name}-{code}"


def merge_sources(values: Iterable[str]) -> str:
    """The distinct URLs of ``values`` (each ``a | b``), sorted, joined with `` | ``.

    >>> merge_sources(["b | a", "a", ""])
    'a | b'
    """
    urls = {u.strip() for v in values for u in v.split(" | ") if u.strip()}
    return " | ".join(sorted(urls))


def date_label(value: str) -> str:
    """``2019``, ``June 2015``, ``15 April 2013``; a period ``a/b`` as ``a – b``."""
    if "/" in value:
        a, b = value.split("/", 1)
        return f"{dates.display(a)} – {dates.display(b)}"
    return dates.display(value)


# -- dates on a time axis ------------------------------------------------------------------


def year_fraction(day: dt.date) -> float:
    """``day``'s start as fractional years: 2020-07-02 -> 2020.5 (a leap year).

    >>> year_fraction(dt.date(2020, 7, 2))
    2020.5
    """
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 1) / days


def period(value: str) -> tuple[float, float]:
    """The period ``value`` names, as [start, end) in fractional years: a day, a month or a
    year, at the precision of the text (core/dates.py).

    >>> period("2019"), period("2015-07")[0] > 2015.49
    ((2019.0, 2020.0), True)
    """
    text, prec = dates.parse(value)
    start = dates.earliest_day(text)
    if prec == "year":
        return float(start.year), float(start.year + 1)
    if prec == "month":
        nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return year_fraction(start), year_fraction(nxt)
    return year_fraction(start), year_fraction(start + dt.timedelta(days=1))


def between(first: str, last: str) -> tuple[float, float]:
    """From the start of ``first``'s period to the end of ``last``'s.

    >>> between("2021-06", "2022-06")[1] < 2022.5
    True
    """
    return period(first)[0], period(last)[1]


# -- scales and ticks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A linear map from the domain [lo, hi] onto the range [a, b] (pixels; b < a for a
    y axis that grows upwards)."""

    lo: float
    hi: float
    a: float
    b: float

    def __call__(self, v: float) -> float:
        span = self.hi - self.lo or 1.0
        return round(self.a + (v - self.lo) / span * (self.b - self.a), 1)


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that cuts ``span`` into at most ``max_ticks`` steps.

    >>> nice_step(100, 4), nice_step(35, 8), nice_step(3, 10)
    (25.0, 5.0, 0.5)
    """
    raw = span / max(1, max_ticks)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return float(m * mag)
    return float(10 * mag)  # pragma: no cover - 10 always qualifies


def linear_ticks(lo: float, hi: float, max_ticks: int = 6) -> list[float]:
    """Round ticks from ``lo`` to ``hi`` (both included when they are multiples of the step).

    >>> linear_ticks(0, 100, 4)
    [0.0, 25.0, 50.0, 75.0, 100.0]
    """
    step = nice_step(hi - lo, max_ticks)
    first = math.ceil(lo / step - 1e-9) * step
    out, v = [], first
    while v <= hi + 1e-9:
        out.append(round(v, 6))
        v += step
    return out


def year_ticks(lo: float, hi: float, max_ticks: int = 10) -> list[int]:
    """Whole years from ``lo`` to ``hi`` every 1, 2, 5, 10, 20 or 50 years, at most
    ``max_ticks`` of them: a tick is the start of its year, labelled with the year only.

    >>> year_ticks(2007.8, 2026.2, 8)
    [2010, 2015, 2020, 2025]
    >>> year_ticks(2019, 2025, 10)
    [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    """
    for step in (1, 2, 5, 10, 20, 50):
        first = math.ceil(lo / step - 1e-9) * step
        ticks = list(range(int(first), int(math.floor(hi)) + 1, step))
        if len(ticks) <= max_ticks:
            return ticks
    return [int(math.ceil(lo)), int(math.floor(hi))]  # pragma: no cover - centuries


def time_domain(spans: Iterable[tuple[float, float]], *, pad: float = 0.25) -> tuple[float, float]:
    """The years a time axis covers: every span, padded, widened to two years at least."""
    starts, ends = zip(*spans, strict=True)
    lo, hi = min(starts) - pad, max(ends) + pad
    if hi - lo < 2:
        mid = (lo + hi) / 2
        lo, hi = mid - 1, mid + 1
    return lo, hi


# -- SVG pieces ----------------------------------------------------------------------------


def attrs(**kw: object) -> str:
    """`` k="v"`` for every value that is not None; ``data_x`` -> ``data-x``, ``cls`` ->
    ``class``.

    >>> attrs(cls="mark", data_date="2015-06", r=None)
    ' class="mark" data-date="2015-06"'
    """
    out = []
    for k, v in kw.items():
        if v is None:
            continue
        name = "class" if k == "cls" else k.rstrip("_").replace("_", "-")
        out.append(f' {name}="{esc(v)}"')
    return "".join(out)


def marker(shape: str, x: float, y: float, *, size: float = 4.5, **kw: object) -> str:
    """A series' marker centred on (x, y), without its closing tag: the caller adds the
    ``<title>`` and closes it (``</circle>`` ...; see :func:`closing`)."""
    a = attrs(**kw)
    s = size
    if shape == "square":
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}"{a}>'
    if shape == "triangle":
        pts = f"{x:.1f},{y - s * 1.2:.1f} {x + s * 1.1:.1f},{y + s * 0.8:.1f} "
        pts += f"{x - s * 1.1:.1f},{y + s * 0.8:.1f}"
        return f'<polygon points="{pts}"{a}>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - s * 1.3:.1f} {x + s * 1.1:.1f},{y:.1f} {x:.1f},{y + s * 1.3:.1f} "
        pts += f"{x - s * 1.1:.1f},{y:.1f}"
        return f'<polygon points="{pts}"{a}>'
    if shape == "cross":
        d = s * 0.45
        pts = " ".join(
            f"{x + px * d:.1f},{y + py * d:.1f}"
            for px, py in (
                (-1, -3),
                (1, -3),
                (1, -1),
                (3, -1),
                (3, 1),
                (1, 1),
                (1, 3),
                (-1, 3),
                (-1, 1),
                (-3, 1),
                (-3, -1),
                (-1, -1),
            )
        )
        return f'<polygon points="{pts}"{a}>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}"{a}>'


def closing(shape: str) -> str:
    """The closing tag of :func:`marker`'s element."""
    return {"square": "</rect>", "circle": "</circle>"}.get(shape, "</polygon>")


def tooltip(lines: Sequence[str]) -> str:
    """A mark's ``<title>``: one line each, escaped."""
    return "<title>" + esc("\n".join(line for line in lines if line)) + "</title>"


def legend(items: Sequence[tuple[str, str, str, str]], x: float, y: float) -> tuple[str, float]:
    """A legend row of (label, colour, shape, dash) from (x, y): a dashed line through the
    series' marker, then its label; wraps at 640 px. Returns the SVG and the height used."""
    out, cx, cy = ['<g class="legend">'], x, y
    for label, colour, shape, dash in items:
        w = 34 + text_width(label)
        if cx + w > 640 and cx > x:
            cx, cy = x, cy + 18
        out.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{cx + 24:.1f}" y2="{cy:.1f}" '
            f'stroke="{colour}" stroke-width="2"{attrs(stroke_dasharray=dash or None)}/>'
        )
        out.append(marker(shape, cx + 12, cy, size=4, fill=colour) + closing(shape))
        out.append(f'<text x="{cx + 30:.1f}" y="{cy + 4:.1f}">{esc(label)}</text>')
        cx += w + 14
    out.append("</g>")
    return "".join(out), cy - y + 18


def frame(
    ident: str, title: str, desc: str, width: float, height: float, body: Iterable[str]
) -> str:
    """The whole chart: an ``<svg role="img">`` labelled by its ``<title>`` and described by
    its ``<desc>`` (ids ``{ident}-title``/``-desc``), its styles scoped to ``.chart``."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{esc(ident)}" role="img" '
        f'aria-labelledby="{esc(ident)}-title {esc(ident)}-desc" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="{esc(FONT)}" font-size="{TEXT_PX}">'
        f'<title id="{esc(ident)}-title">{esc(title)}</title>'
        f'<desc id="{esc(ident)}-desc">{esc(desc)}</desc>'
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fff"/>' + "".join(body) + "</svg>"
    )


def heading(title: str, subtitle: str = "") -> str:
    """The visible title (and a muted subtitle) at the top left."""
    out = f'<text x="12" y="20" font-size="14" font-weight="600" fill="#1b1f24">{esc(title)}</text>'
    if subtitle:
        out += f'<text x="12" y="37" fill="#4a525e">{esc(subtitle)}</text>'
    return out


def no_data(ident: str, title: str, message: str) -> str:
    """A chart with nothing to draw: its title and why, never an empty axis."""
    return frame(
        ident,
        title,
        message,
        660,
        70,
        [
            heading(title),
            f'<text class="no-data" x="12" y="50" fill="#4a525e">{esc(message)}</text>',
        ],
    )


def x_axis_years(
    scale: Scale, y: float, ticks: Sequence[int], *, top: float, centred: bool = False
) -> str:
    """A time axis at ``y``: a tick and a light grid line at the start of each year in
    ``ticks``, labelled with the year alone, under the tick or (``centred``, for values
    known to the year) in the middle of the year it names."""
    out = [f'<line x1="{scale.a}" y1="{y}" x2="{scale.b}" y2="{y}" stroke="#5b6370"/>']
    for t in ticks:
        x = scale(t)
        lx = scale(t + 0.5) if centred else x
        out.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{y}" stroke="#e6e9f0"/>')
        out.append(f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + 4}" stroke="#5b6370"/>')
        if scale.a <= lx <= scale.b:
            out.append(
                f'<text x="{lx}" y="{y + 16}" text-anchor="middle" fill="#1b1f24">{t}</text>'
            )
    return '<g class="axis x-axis">' + "".join(out) + "</g>"


def y_axis(scale: Scale, x: float, ticks: Sequence[float], *, right: float, unit: str = "") -> str:
    """A value axis at ``x`` with a grid line across to ``right`` at each tick."""
    out = [f'<line x1="{x}" y1="{scale.a}" x2="{x}" y2="{scale.b}" stroke="#5b6370"/>']
    for t in ticks:
        y = scale(t)
        label = f"{t:g}{unit}"
        out.append(f'<line x1="{x}" y1="{y}" x2="{right}" y2="{y}" stroke="#e6e9f0"/>')
        out.append(f'<line x1="{x - 4}" y1="{y}" x2="{x}" y2="{y}" stroke="#5b6370"/>')
        out.append(
            f'<text x="{x - 7}" y="{y + 4}" text-anchor="end" fill="#1b1f24">{esc(label)}</text>'
        )
    return '<g class="axis y-axis">' + "".join(out) + "</g>"
