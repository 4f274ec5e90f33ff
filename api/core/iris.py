"""Every IRI the project mints is minted here (docs/iri-policy.md is the normative text), and
the one mapping of a minted IRI to its path in the service (:func:`local_path`).

Keys are official identifiers, never names or time-varying status: ISO 3166 alpha-3 codes
for countries, chapter and cluster numbers, a hash of the URL for source documents.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from rdflib import URIRef
from rdflib.term import Node

from .namespaces import BASE, GRAPH, ID

ENLARGEMENT_COUNTRIES: tuple[str, ...] = (
    "ALB",
    "BIH",
    "GEO",
    "MDA",
    "MKD",
    "MNE",
    "SRB",
    "TUR",
    "UKR",
    "XKX",
)
#: The reliability tiers of source documents, best first (``id/reliability/{tier}``).
RELIABILITY_TIERS: tuple[str, ...] = ("official", "reliable", "weak", "state-media")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEY = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def country(code: str) -> URIRef:
    """``id/country/{ISO3}``, e.g. ``country("MNE")``."""
    if not _ISO3.match(code):
        raise ValueError(f"not an ISO 3166 alpha-3 code: {code!r}")
    return ID[f"country/{code}"]


def chapter(number: int) -> URIRef:
    """``id/chapter/{n}``, n in 1..35, unpadded."""
    if not 1 <= int(number) <= 35:
        raise ValueError(f"chapter must be 1..35, got {number!r}")
    return ID[f"chapter/{int(number)}"]


def cluster(number: int) -> URIRef:
    """``id/cluster/{n}``, n in 1..6."""
    if not 1 <= int(number) <= 6:
        raise ValueError(f"cluster must be 1..6, got {number!r}")
    return ID[f"cluster/{int(number)}"]


def concept(scheme: str, slug: str) -> URIRef:
    """A code-list concept ``id/{scheme}/{slug}`` (statuses, levels, kinds ...)."""
    if not _SLUG.match(scheme) or not _SLUG.match(slug):
        raise ValueError(f"bad concept key {scheme!r}/{slug!r}")
    return ID[f"{scheme}/{slug}"]


def scheme(name: str) -> URIRef:
    """A SKOS concept scheme ``id/scheme/{name}``."""
    return concept("scheme", name)


def org(slug: str) -> URIRef:
    """An organisation (publisher, body, think tank) ``id/org/{slug}``."""
    return concept("org", slug)


def mission(key: str) -> URIRef:
    """A CSDP mission or operation ``id/mission/{KEY}``, e.g. ``EUFOR-ALTHEA``."""
    if not _KEY.match(key):
        raise ValueError(f"bad mission key {key!r}")
    return ID[f"mission/{key}"]


def instrument(key: str) -> URIRef:
    """An EU instrument ``id/instrument/{KEY}``, e.g. ``SAFE``."""
    if not _KEY.match(key):
        raise ValueError(f"bad instrument key {key!r}")
    return ID[f"instrument/{key}"]


_CELEX = re.compile(r"^3(\d{4})([DRL])(\d{4})$")
_ELI_TYPES = {"D": "dec", "R": "reg", "L": "dir"}


def eli(celex: str) -> URIRef:
    """The European Legislation Identifier of an act of secondary law from its CELEX number.

    >>> eli("32022D0338")
    rdflib.term.URIRef('http://data.europa.eu/eli/dec/2022/338/oj')

    Sector 3 (secondary legislation) decisions, regulations and directives only: the ELI the
    Publications Office assigns to the act as published in the Official Journal (``/oj``).
    """
    m = _CELEX.match(celex)
    if m is None:
        raise ValueError(
            f"{celex!r} is not the CELEX number of a decision, regulation or "
            "directive, e.g. 32022D0338 (3, year, D/R/L, four-digit number)"
        )
    year, kind, num = m.groups()
    return URIRef(f"http://data.europa.eu/eli/{_ELI_TYPES[kind]}/{year}/{int(num)}/oj")


def act_label(celex: str) -> str:
    """How the Official Journal names an act, from its CELEX number.

    >>> act_label("32022D0338")
    'Decision 2022/338'
    """
    m = _CELEX.match(celex)
    if m is None:
        raise ValueError(f"{celex!r} is not a CELEX number")
    year, kind, num = m.groups()
    return f"{ {'D': 'Decision', 'R': 'Regulation', 'L': 'Directive'}[kind] } {year}/{int(num)}"


def source(url: str) -> URIRef:
    """A source document ``id/source/{12 hex of sha256(url)}``: stable for the same URL."""
    return ID["source/" + hashlib.sha256(url.strip().encode()).hexdigest()[:12]]


def fact(country_code: str, type_code: str, date: str, *qualifiers: str) -> URIRef:
    """A fact ``id/fact/{ISO3|EU}/{type}/{date at its precision}[/{qualifier}...]``.

    For facts that recur (conferences, blocks, measures) and observations: the same fact from
    two sources mints the same IRI (and gets two ``dcterms:source``). A one-off event is
    minted by :func:`event`, without a date.
    """
    return _fact_iri([country_code, type_code, date, *qualifiers])


def _fact_iri(parts: list[str]) -> URIRef:
    parts = [p for p in parts if p]
    for p in parts:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9.-]*$", p):
            raise ValueError(f"bad fact key part {p!r}")
    return ID["fact/" + "/".join(parts)]


def event(country_code: str, type_code: str, *qualifiers: str) -> URIRef:
    """A one-off event ``id/fact/{ISO3|EU}/{type}[/{qualifier}...]``: no date in the key.

    An event that happens once per country (and chapter, cluster, instrument, status or step)
    has one IRI whatever date a source gives it; what each source says is a claim of it
    (:func:`claim`), so a second date never mints a second event.
    """
    return _fact_iri([country_code, type_code, *qualifiers])


def claim(event_iri: URIRef | str, date: str, n: int = 1) -> URIRef:
    """A claim ``{event}/claim/{date at its precision}[-{n}]`` of a one-off event."""
    if not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", date):
        raise ValueError(f"bad claim date {date!r}")
    return URIRef(f"{event_iri}/claim/{date}" + (f"-{n}" if n > 1 else ""))


def graph_for(relative_path: str | PurePosixPath) -> URIRef:
    """The named graph of a source file: ``graph/{path without suffix}``."""
    p = PurePosixPath(relative_path)
    return GRAPH[str(p.with_suffix(""))]


DERIVED_GRAPH = GRAPH["derived"]


def is_minted(iri: str) -> bool:
    """True for IRIs under the project's base."""
    return iri.startswith(BASE)


def local_path(iri: str | Node) -> str | None:
    """The service path of a minted IRI (``/id/country/MNE``); None for other IRIs and for
    the base itself. A minted IRI dereferences at its path (docs/iri-policy.md).

    >>> local_path(country("MNE")), local_path("https://example.org/x")
    ('/id/country/MNE', None)
    """
    s = str(iri)
    return "/" + s[len(BASE) :] if s.startswith(BASE) and len(s) > len(BASE) else None
