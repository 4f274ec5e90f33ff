"""Content negotiation, in one place: every route asks this module, and no other module reads
the ``Accept`` header (``tests/web/test_one_negotiation.py``).

The rule for formats (:func:`pick`, :func:`representation`): a suffix, then ``format=``, then
``Accept`` (q-values and wildcards, parsed by Werkzeug), then the default. Every negotiated
response carries ``Vary: Accept`` (:mod:`.respond` builds the RDF ones).

``Accept`` follows RFC 9110 §12.5.1: each offered media type takes the q-value of the most
specific range that matches it (``text/csv`` over ``text/*`` over ``*/*``); media-type
parameters other than ``q`` are ignored, except a ``charset`` other than UTF-8, which we
cannot serve. A format's other media types (``application/json`` for SPARQL JSON results)
count only when the client names them. When only wildcards match, the caller's default wins.

Whether a page or RDF: :func:`wants_html` (a browser), or HTML offered as one more format
(:data:`PAGE_FIRST`); :func:`representation` takes either.

Some answers choose among raw media types rather than formats (an error as JSON, HTML or text;
a refused write's report): :func:`best_media_type`, :func:`first_choice` and
:func:`quality` answer them by Werkzeug's ``MIMEAccept`` (highest q, then the most specific
range, then the caller's order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

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


def _range_for(media_type: str, ranges: Sequence[MediaRange]) -> MediaRange | None:
    """The most specific range matching ``media_type`` (the highest q among equals)."""
    best = None
    for r in ranges:
        if r.matches(media_type) and (
            best is None or (r.specificity, r.q) > (best.specificity, best.q)
        ):
            best = r
    return best


def preference(f: Format, ranges: Sequence[MediaRange] | None = None) -> Preference | None:
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


def _explicit_quality(f: Format, ranges: Sequence[MediaRange]) -> float | None:
    """The q-value the client gives one of ``f``'s media types by name, or None."""
    p = preference(f, ranges)
    return p.q if p is not None and p.explicit else None


def wants_html() -> bool:
    """A browser: ``text/html`` explicitly acceptable and preferred over RDF/JSON."""
    return html_preferred(request.headers.get("Accept", ""))


@lru_cache(maxsize=256)
def html_preferred(header: str) -> bool:
    """:func:`wants_html` by the ``Accept`` header alone (the lane asks it so)."""
    ranges = _ranges(header)
    html_q = _explicit_quality(HTML, ranges)
    if not html_q:
        return False
    return html_q >= max((_explicit_quality(f, ranges) or 0 for f in formats.ALL), default=0)


#: How a page competes with the RDF formats in :func:`representation`.
#: ``PAGE_FIRST``: HTML is one more offered format, ahead of the RDF ones at equal quality
#: (the linked-data pages: ``text/html;q=0.5, */*`` gets Turtle there);
#: ``PAGE_FOR_BROWSERS``: HTML whenever :func:`wants_html`, else RDF (the ontology, the
#: catalogue: the same header gets the page).
PAGE_FIRST = "first"
PAGE_FOR_BROWSERS = "browsers"
PageRule = Literal["first", "browsers"]


def representation(
    rdf: Sequence[Format],
    *,
    default: Format,
    page: PageRule | None = None,
    allow_param: bool = True,
    lenient: bool = False,
) -> Format:
    """The representation of an RDF document to answer in: one of ``rdf``, or
    :data:`~..core.formats.HTML` when ``page`` says how a page competes (``PAGE_FIRST``,
    ``PAGE_FOR_BROWSERS``). :class:`NotAcceptableFormat` (406, listing ``rdf`` and the page)
    when the client accepts none.

    ``lenient`` (the Graph Store Protocol's reads): when the rule finds nothing and no
    ``format=`` was given, the first of ``rdf`` that ``Accept`` names at all, highest q
    first, its parameters and q-value notwithstanding (``text/turtle; charset=latin1``).
    """
    offered = [*rdf, HTML] if page else list(rdf)
    if page == PAGE_FOR_BROWSERS and wants_html():
        return HTML
    candidates = [HTML, *rdf] if page == PAGE_FIRST else list(rdf)
    fmt = pick(candidates, default=default, allow_param=allow_param)
    if fmt is None and lenient and "format" not in request.args:
        fmt = _named(rdf)
    if fmt is None:
        raise NotAcceptableFormat(offered)
    return fmt


def _named(offered: Sequence[Format]) -> Format | None:
    """The first of ``offered`` whose media type (or alias) an ``Accept`` entry names,
    entries taken by q-value, parameters ignored."""
    wanted = [(q, v.split(";")[0].strip().lower()) for v, q in request.accept_mimetypes]
    for _, media in sorted(wanted, key=lambda w: -w[0]):
        fmt = next((f for f in offered if media in (f.media_type, *f.aliases)), None)
        if fmt is not None:
            return fmt
    return None


def best_media_type(candidates: Sequence[str], default: str | None = None) -> str | None:
    """The one of ``candidates`` (raw media types) the client prefers, else ``default``
    (Werkzeug's ``best_match``: highest q, then the most specific range, then the order of
    ``candidates``)."""
    best = request.accept_mimetypes.best_match(candidates)
    return default if best is None else best


def first_choice() -> str | None:
    """The media range the client lists with the highest q (the first such), or None
    without ``Accept``."""
    return request.accept_mimetypes.best


def quality(media_type: str) -> float:
    """The q-value ``Accept`` gives ``media_type`` (0 when nothing matches it)."""
    return request.accept_mimetypes.quality(media_type)
