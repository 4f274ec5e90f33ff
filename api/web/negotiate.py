"""One content-negotiation rule for the whole service: a suffix, then ``format=``, then
``Accept`` (q-values and wildcards, parsed by Werkzeug), then the default. Every negotiated
response carries ``Vary: Accept``.

``Accept`` follows RFC 9110 §12.5.1: each offered media type takes the q-value of the most
specific range that matches it (``text/csv`` over ``text/*`` over ``*/*``); media-type
parameters other than ``q`` are ignored, except a ``charset`` other than UTF-8, which we
cannot serve. A format's other media types (``application/json`` for SPARQL JSON results)
count only when the client names them. When only wildcards match, the caller's default wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import request
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import parse_accept_header

from ..core import formats
from ..core.formats import HTML, Format

_UTF8 = ("utf-8", "utf8")
#: ``format=`` values we answer with a format they contain: a Turtle document is Notation3.
_SUBSUMED = {"n3": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle"}


class NotAcceptableFormat(NotAcceptable):
    def __init__(self, offered: list[Format]):
        types = ", ".join(f.media_type for f in offered)
        super().__init__(f"none of the requested media types can be served; offered: {types}")
        self.offered = offered


@dataclass(frozen=True)
class MediaRange:
    """One entry of the request's ``Accept`` header."""

    type: str
    subtype: str
    q: float
    charset: str | None = None

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        if self.charset is not None and self.charset not in _UTF8:
            return False
        t, _, s = media_type.partition("/")
        return self.type in ("*", t) and self.subtype in ("*", s)


@dataclass(frozen=True)
class Preference:
    """How much the client wants a format: its q-value, and whether it named one of the
    format's media types (rather than matching a wildcard)."""

    q: float
    explicit: bool


def accepted() -> list[MediaRange]:
    """The ``Accept`` header as media ranges (empty when the request has none)."""
    return list(_ranges(request.headers.get("Accept", "")))


@lru_cache(maxsize=256)
def _ranges(header: str) -> tuple[MediaRange, ...]:
    """An ``Accept`` header's media ranges, parsed once per distinct header (clients send
    the same few over and over)."""
    out = []
    for value, q in parse_accept_header(header):
        main, *params = value.split(";")
        t, sep, s = main.strip().lower().partition("/")
        if not sep or not t or not s:
            continue
        charset = None
        for p in params:
            k, _, v = p.partition("=")
            if k.strip().lower() == "charset":
                charset = v.strip().strip('"').lower()
        out.append(MediaRange(t, s, float(q), charset))
    return tuple(out)


def _range_for(media_type: str, ranges: list[MediaRange]) -> MediaRange | None:
    """The most specific range matching ``media_type`` (the highest q among equals)."""
    best = None
    for r in ranges:
        if r.matches(media_type) and (
            best is None or (r.specificity, r.q) > (best.specificity, best.q)
        ):
            best = r
    return best


def preference(f: Format, ranges: list[MediaRange] | None = None) -> Preference | None:
    """The client's preference for ``f``, or None if no range matches it."""
    ranges = accepted() if ranges is None else ranges
    primary = _range_for(f.media_type, ranges)
    named = [
        r
        for r in (_range_for(a, ranges) for a in f.aliases)
        if r is not None and r.specificity == 2
    ]
    if primary is not None and primary.specificity == 2:
        named.append(primary)
    if named:
        return Preference(max(r.q for r in named), True)
    return Preference(primary.q, False) if primary is not None else None


def _from_param(offered: list[Format], values: list[str]) -> Format | None:
    """The first ``format=`` value that names an offered format: by short name, media type
    (parameters ignored) or alias; ``json``/``xml`` name the JSON-LD/RDF-XML syntax of a graph
    and the JSON/XML results of a table, as clients such as SPARQLWrapper expect; ``n3``
    gets Turtle."""
    for raw in values:
        name = raw.split(";")[0].strip().lower()
        if not name:
            continue
        name = _SUBSUMED.get(name, name)
        candidates = [name] if "/" in name else [name, "application/" + name]
        for f in offered:
            if name == f.name or any(c == f.media_type or c in f.aliases for c in candidates):
                return f
        named = formats._BY_NAME.get(name)
        if named is not None:
            if named in offered:
                return named
            family = {named.media_type, *named.aliases}
            for f in offered:
                if family & {f.media_type, *f.aliases}:
                    return f
    return None


def pick(
    offered: list[Format],
    *,
    suffix: str | None = None,
    default: Format | None = None,
    allow_param: bool = True,
) -> Format | None:
    """The format to answer in, or None when the client accepts none of ``offered``.

    ``default`` answers requests without ``Accept``, or whose ``Accept`` only matches
    ``offered`` through wildcards (``*/*``, ``application/*``) when it matches the default.
    """
    if suffix:
        for f in offered:
            if suffix in f.suffixes:
                return f
        return None
    if allow_param and request.args.getlist("format"):
        return _from_param(offered, request.args.getlist("format"))
    return by_accept(request.headers.get("Accept", ""), tuple(offered), default)


@lru_cache(maxsize=1024)
def by_accept(header: str, offered: tuple[Format, ...], default: Format | None) -> Format | None:
    """:func:`pick` by the ``Accept`` header alone: a function of its arguments, cached."""
    ranges = _ranges(header)
    if not ranges:
        return default or offered[0]
    candidates = []
    for i, f in enumerate(offered):
        p = preference(f, ranges)
        if p is not None and p.q > 0:
            candidates.append((p.q, p.explicit, -i, f))
    if not candidates:
        return None
    q, explicit, _, best = max(candidates, key=lambda c: c[:3])
    if not explicit and default is not None:
        dp = preference(default, ranges)
        if dp is not None and dp.q >= q:
            return default
    return best


def _explicit_quality(f: Format) -> float | None:
    """The q-value the client gives one of ``f``'s media types by name, or None."""
    p = preference(f)
    return p.q if p is not None and p.explicit else None


def wants_html() -> bool:
    """A browser: ``text/html`` explicitly acceptable and preferred over RDF/JSON."""
    html_q = _explicit_quality(HTML)
    if not html_q:
        return False
    others = [_explicit_quality(f) or 0 for f in formats.ALL]
    return html_q >= max(others, default=0)
