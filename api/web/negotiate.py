"""One content-negotiation rule for the whole service: a suffix, then ``format=``, then
``Accept`` (q-values and wildcards, parsed by Werkzeug), then the default. Every negotiated
response carries ``Vary: Accept``."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import NotAcceptable

from ..core import formats
from ..core.formats import HTML, Format


class NotAcceptableFormat(NotAcceptable):
    def __init__(self, offered: list[Format]):
        types = ", ".join(f.media_type for f in offered)
        super().__init__(f"none of the requested media types can be served; offered: {types}")
        self.offered = offered


def pick(offered: list[Format], *, suffix: str | None = None, default: Format | None = None,
         allow_param: bool = True) -> Format | None:
    """The format to answer in, or None when the client accepts none of ``offered``.

    ``default`` answers requests without ``Accept`` or with ``*/*`` only.
    """
    if suffix:
        for f in offered:
            if suffix in f.suffixes:
                return f
        return None
    if allow_param and request.args.get("format"):
        name = request.args["format"]
        for f in offered:
            if name.lower() in (f.name, f.media_type) or (name.lower() in formats._BY_NAME
                                                          and formats._BY_NAME[name.lower()] is f):
                return f
        return None
    accept = request.accept_mimetypes
    if not accept or accept.provided is False:
        return default or offered[0]
    # explicit media types first (q > 0), then aliases; wildcards fall to the default
    candidates: list[tuple[float, int, Format]] = []
    for i, f in enumerate(offered):
        q = max([accept.quality(f.media_type)] + [accept.quality(a) for a in f.aliases])
        if q > 0:
            exact = _explicit_quality(f)
            candidates.append((exact if exact is not None else q * 0.999, -i, f))
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c[0], c[1]))
    if default is not None and _explicit_quality(best[2]) is None:
        # only a wildcard matched: prefer the default if it is acceptable
        if accept.quality(default.media_type) > 0:
            return default
    return best[2]


def _explicit_quality(f: Format) -> float | None:
    best = None
    for value, q in request.accept_mimetypes:
        if value.lower() in (f.media_type, *f.aliases):
            best = q if best is None else max(best, q)
    return best


def wants_html() -> bool:
    """A browser: ``text/html`` explicitly acceptable and preferred over RDF/JSON."""
    accept = request.accept_mimetypes
    html_q = _explicit_quality(HTML)
    if not html_q:
        return False
    others = [_explicit_quality(f) or 0 for f in formats.ALL]
    return html_q >= max(others, default=0)
