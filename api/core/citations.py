"""Cite this: a fact and its source documents as a ready citation, in three forms.

- :func:`plain_text`: Chicago author-date style (the Chicago Manual of Style, 17th ed.,
  reference-list entries for web content): ``Publisher. Year. "Title." Month Day, Year.
  URL (accessed YYYY-MM-DD).`` The publishing organisation stands as the author; a document
  without a date gets ``n.d.``; the date is given at the precision the source reports (a
  day nobody reported is never printed).
- :func:`bibtex`: one ``@misc`` entry per source (``author`` the organisation, in braces so
  that BibTeX keeps it whole; ``year``, and ``month`` only when the month is known;
  ``url``/``urldate`` for biblatex, ``howpublished`` for classic BibTeX), then one
  ``@misc`` entry for the graph itself. Every special character of TeX is escaped.
- :func:`csl_json`: a list of CSL-JSON items (the CSL data schema, ``csl-data.json``): the
  sources' ``issued`` as ``date-parts`` at their precision (``[[2024]]``, ``[[2024, 4]]``,
  ``[[2024, 4, 15]]``), and a ``dataset`` item for the graph with its ``version``.

Each source the fact cites is cited, the preferred first: the sources of the preferred
claim of an event (docs/modelling.md, claims), then by reliability tier (official,
reliable, weak, state media), then by title. Two access dates, decided here once: a
source's is the fact's ``enl:lastConfirmed`` (the day someone re-read the source for this
fact); the graph's is the day the citation is made (``today``), with the graph's version
(``QueryService.version``) naming the state of the data that was read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS

from . import dates
from .labels import label_of, tier_of
from .namespaces import ENL, SCHEMA
from .publishing.identity import PUBLISHER_NAME, TITLE

#: The order of reliability tiers, most reliable first.
TIER_ORDER = ("official", "reliable", "weak", "state-media")
#: CSL item types by the source's kind (``enl:sourceKind``); anything else is a web page.
CSL_TYPES = {"news": "article-newspaper", "official": "report", "analysis": "report"}


@dataclass(frozen=True)
class CitedSource:
    """A source document as a citation names it."""

    iri: str
    title: str
    publisher: str
    date: str  #: ISO at its precision (``2024``, ``2024-04``, ``2024-04-15``), or ``""``
    url: str
    kind: str = ""  #: ``official``, ``news``, ``analysis``, ``secondary`` or ``""``
    tier: str = ""


@dataclass(frozen=True)
class Citation:
    """What a fact's citation says: the fact, its sources (preferred first), the graph."""

    fact_iri: str
    fact_label: str
    sources: tuple[CitedSource, ...]
    confirmed: str  #: the fact's last-confirmed day (the sources' access date), or ``""``
    version: str  #: the graph's version
    accessed: str  #: the day the graph was read (ISO)


def citation(g: Graph, iri: URIRef, *, version: str, today: dt.date) -> Citation:
    """The citation of ``iri`` from its description graph ``g`` (``core/describe.py``)."""
    preferred = {
        s
        for c in g.objects(iri, ENL.claim)
        if str(g.value(c, ENL.rank) or "").endswith("/preferred")
        for s in g.objects(c, DCTERMS.source)
    }
    found = []
    for src in set(g.objects(iri, DCTERMS.source)):
        pub = g.value(src, DCTERMS.publisher)
        date = g.value(src, DCTERMS.date)
        tier = tier_of(g.value(src, ENL.reliabilityTier))
        cited = CitedSource(
            iri=str(src),
            title=label_of(g, src),
            publisher=label_of(g, pub) if pub is not None else "",
            date=dates.iso(date) if date is not None else "",
            url=str(g.value(src, SCHEMA.url) or ""),
            kind=str(g.value(src, ENL.sourceKind) or "").rsplit("/", 1)[-1],
            tier=tier,
        )
        rank = TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER)
        found.append(((src not in preferred, rank, cited.title, cited.iri), cited))
    confirmed = g.value(iri, ENL.lastConfirmed)
    return Citation(
        fact_iri=str(iri),
        fact_label=label_of(g, iri),
        sources=tuple(c for _, c in sorted(found, key=lambda kc: kc[0])),
        confirmed=str(confirmed) if confirmed is not None else "",
        version=version,
        accessed=today.isoformat(),
    )


def is_citable(g: Graph, iri: URIRef) -> bool:
    """Whether ``iri`` is a fact (or a claim) that cites at least one source."""
    return (iri, DCTERMS.source, None) in g and (
        (iri, RDF.type, ENL.Claim) in g or any(g.objects(iri, ENL.lastConfirmed))
    )


# -- plain text ------------------------------------------------------------------------------


def _text_date(iso: str) -> str:
    """``April 15, 2024``, ``April 2024``, ``2024`` (Chicago writes the month first)."""
    parts = iso.split("-")
    if len(parts) == 3:
        return f"{dates.MONTHS[int(parts[1]) - 1]} {int(parts[2])}, {parts[0]}"
    if len(parts) == 2:
        return f"{dates.MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def source_text(s: CitedSource, *, confirmed: str) -> str:
    """One source in Chicago author-date style.

    >>> s = CitedSource("i", "Report", "European Commission", "2024-04", "https://e.u/r")
    >>> source_text(s, confirmed="2026-11-26")
    'European Commission. 2024. "Report." April 2024. https://e.u/r (accessed 2026-11-26).'
    """
    year = s.date[:4] if s.date else "n.d."
    out = f'{s.publisher or "Unknown publisher"}. {year.rstrip(".")}. "{s.title.rstrip(".")}."'
    if len(s.date) > 4:
        out += f" {_text_date(s.date)}."
    if s.url:
        out += f" {s.url}"
        out += f" (accessed {confirmed})." if confirmed else "."
    return out


def graph_text(c: Citation) -> str:
    """The graph the fact was read from, in the same style."""
    return (
        f'{PUBLISHER_NAME}. {c.accessed[:4]}. "{c.fact_label}." In {TITLE}, version '
        f"{c.version}. {c.fact_iri} (accessed {c.accessed})."
    )


def plain_text(c: Citation) -> str:
    """Every source, preferred first, then the graph: one reference a line."""
    lines = [source_text(s, confirmed=c.confirmed) for s in c.sources]
    return "\n".join([*lines, graph_text(c)]) + "\n"


# -- BibTeX ----------------------------------------------------------------------------------

_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def tex_escape(text: str) -> str:
    r"""``text`` safe inside a braced BibTeX field.

    >>> tex_escape("R&D: 50% of {x}_1 ~ $2 #3 \\ ^")
    'R\\&D: 50\\% of \\{x\\}\\_1 \\textasciitilde{} \\$2 \\#3 \\textbackslash{} \\textasciicircum{}'
    """
    return "".join(_TEX.get(ch, ch) for ch in " ".join(text.split()))


def _url(url: str) -> str:
    """A URL for a ``url`` field: braces and spaces percent-encoded, a ``%`` or ``#`` kept
    (the url package reads the field verbatim)."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20").replace("\\", "%5C")


def _key(text: str, year: str, used: set[str]) -> str:
    base = (re.sub(r"[^A-Za-z0-9]+", "", text.title())[:24] or "source") + year
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}{chr(ord('a') + n - 1)}" if n <= 26 else f"{base}-{n}"
    used.add(key)
    return key


def _entry(key: str, fields: list[tuple[str, str | None]]) -> str:
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
        if value
    )
    return f"@misc{{{key},\n{body}\n}}\n"


def bibtex(c: Citation) -> str:
    """One ``@misc`` entry per source (preferred first), then one for the graph."""
    used: set[str] = set()
    out = []
    note = tex_escape(f'Cited for "{c.fact_label}", {TITLE}, version {c.version}')
    for s in c.sources:
        year = s.date[:4]
        month = _MONTHS[int(s.date[5:7]) - 1] if len(s.date) >= 7 else None
        fields: list[tuple[str, str | None]] = [
            ("author", "{" + tex_escape(s.publisher) + "}" if s.publisher else None),
            ("title", tex_escape(s.title)),
            ("year", year or None),
            ("month", month),
            ("date", s.date or None),
            ("howpublished", f"\\url{{{_url(s.url)}}}" if s.url else None),
            ("url", _url(s.url) if s.url else None),
            ("urldate", c.confirmed or None),
            ("note", note),
        ]
        out.append(_entry(_key(s.publisher or s.title, year, used), fields))
    fields = [
        ("author", "{" + tex_escape(PUBLISHER_NAME) + "}"),
        ("title", tex_escape(c.fact_label)),
        ("howpublished", tex_escape(f"{TITLE}, version {c.version}")),
        ("year", c.accessed[:4]),
        ("version", tex_escape(c.version)),
        ("url", _url(c.fact_iri)),
        ("urldate", c.accessed),
    ]
    out.append(_entry(_key("enlargementkg", c.accessed[:4], used), fields))
    return "\n".join(out)


# -- CSL-JSON --------------------------------------------------------------------------------


def date_parts(iso: str) -> dict:
    """A CSL date at the precision of ``iso``.

    >>> date_parts("2024"), date_parts("2024-04-15")
    ({'date-parts': [[2024]]}, {'date-parts': [[2024, 4, 15]]})
    """
    return {"date-parts": [[int(p) for p in iso.split("-")]]}


def csl_items(c: Citation) -> list[dict]:
    """The CSL-JSON items: the sources, preferred first, then the graph as a dataset."""
    items = []
    for i, s in enumerate(c.sources, start=1):
        item: dict = {
            "id": f"source-{i}-{s.iri.rsplit('/', 1)[-1]}",
            "type": CSL_TYPES.get(s.kind, "webpage"),
            "title": s.title,
        }
        if s.publisher:
            item["author"] = [{"literal": s.publisher}]
            item["publisher"] = s.publisher
        if s.date:
            item["issued"] = date_parts(s.date)
        if s.url:
            item["URL"] = s.url
        if c.confirmed:
            item["accessed"] = date_parts(c.confirmed)
        item["note"] = f'Cited for "{c.fact_label}" <{c.fact_iri}>'
        items.append(item)
    items.append(
        {
            "id": "graph",
            "type": "dataset",
            "title": c.fact_label,
            "container-title": TITLE,
            "author": [{"literal": PUBLISHER_NAME}],
            "publisher": PUBLISHER_NAME,
            "version": c.version,
            "URL": c.fact_iri,
            "issued": date_parts(c.accessed[:4]),
            "accessed": date_parts(c.accessed),
        }
    )
    return items


def csl_json(c: Citation) -> str:
    return json.dumps(csl_items(c), indent=2, ensure_ascii=False) + "\n"
