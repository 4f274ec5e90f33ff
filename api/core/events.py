"""One event, one answer: one-off events and the claims of their sources.

An event class marked ``enl:occursOnce`` in the ontology (a membership application, a chapter
opened ...) has one event per country and key (chapter, cluster, instrument, status, step).
The event carries one preferred ``dcterms:date`` and the sources of its preferred claims;
every source's account is an ``enl:Claim`` of it with the date that source gives, a rank
(preferred, normal, deprecated) and the reason (docs/modelling.md, "Claims").

This module owns the rules that keep an event and its claims in step; the importer and the
curation scripts call it, and the shapes (``enlsh:OneEventPerKind``, ``enlsh:EventMatchesClaims``)
check the result.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from . import dates, iris
from .namespaces import ENL, ID

PREFERRED = ID["claim-rank/preferred"]
NORMAL = ID["claim-rank/normal"]
DEPRECATED = ID["claim-rank/deprecated"]
RANKS = {"preferred": PREFERRED, "normal": NORMAL, "deprecated": DEPRECATED}

#: What, besides the class and the country, tells two one-off events apart.
KEY_PROPERTIES = (ENL.chapter, ENL.cluster, ENL.instrument, ENL.status, ENL.step)


def one_off_classes(ontology: Graph) -> set[URIRef]:
    """The event classes the ontology marks ``enl:occursOnce true``."""
    return {
        c
        for c, v in ontology.subject_objects(ENL.occursOnce)
        if isinstance(c, URIRef) and v.toPython() is True
    }


def qualifiers(g: Graph, node: URIRef) -> list[str]:
    """The key parts of a one-off event's IRI after the type code, in a fixed order."""
    out = []
    for p in KEY_PROPERTIES:
        v = g.value(node, p)
        if v is None:
            continue
        tail = str(v).rstrip("/").rsplit("/", 1)[-1]
        out.append({ENL.chapter: "ch", ENL.cluster: "cl"}.get(p, "") + tail)
    return out


def claims(g: Graph, event: URIRef) -> list[URIRef]:
    return sorted(c for c in g.objects(event, ENL.claim) if isinstance(c, URIRef))


def _new_claim_iri(g: Graph, event: URIRef, date: str) -> URIRef:
    n = 1
    while (iris.claim(event, date, n), None, None) in g:
        n += 1
    return iris.claim(event, date, n)


def add_claim(
    g: Graph,
    event: URIRef,
    date: Literal,
    sources: Iterable[URIRef],
    *,
    notes: Iterable[Literal] = (),
    rank: URIRef | None = None,
    reason: str | None = None,
    claim: URIRef | None = None,
) -> URIRef:
    """Attach what ``sources`` say (the event happened on ``date``) to ``event``.

    A claim with the same date and rank gains the sources. Without an explicit ``rank`` the
    rule is the importer's: the first claim is preferred; a claim that narrows the preferred
    date (a day inside its month) becomes preferred and the older one normal; one that is
    consistent but less precise is normal; one that contradicts it is normal with the reason
    "not reconciled", which the shapes report until a curator ranks it.
    """
    sources = list(sources)
    why = reason
    if rank is None:
        rank, why = _rank_against_preferred(g, event, date, reason)
    if claim is None:
        claim = _claim_with(g, event, date, rank)
    if claim is None:
        claim = _new_claim_iri(g, event, dates.iso(date))
    g.add((claim, RDF.type, ENL.Claim))
    g.add((event, ENL.claim, claim))
    g.add((claim, ENL.claimOf, event))
    g.set((claim, DCTERMS.date, date))
    for s in sources:
        g.add((claim, DCTERMS.source, s))
    for n in notes:
        g.add((claim, SKOS.note, n))
    _set_rank(g, claim, rank, why)
    settle(g, event)
    return claim


def _rank_against_preferred(
    g: Graph, event: URIRef, date: Literal, reason: str | None
) -> tuple[URIRef, str | None]:
    """The importer's rank (and reason) for a new claim of ``event`` on ``date`` (see
    :func:`add_claim`); a claim that narrows the preferred date demotes the preferred
    claims to normal here."""
    current = preferred_date(g, event)
    if current is None or str(current) == str(date):
        return PREFERRED, reason
    if dates.contains(str(current), str(date)):
        for c in claims(g, event):
            if g.value(c, ENL.rank) == PREFERRED:
                _set_rank(
                    g,
                    c,
                    NORMAL,
                    f"consistent with the preferred date {date}, at a lower precision",
                )
        return PREFERRED, reason
    if dates.contains(str(date), str(current)):
        return NORMAL, reason or (
            f"consistent with the preferred date {current}, at a lower precision"
        )
    return NORMAL, reason or (
        f"not reconciled: gives {date} against the preferred date {current}; a curator must rank it"
    )


def _claim_with(g: Graph, event: URIRef, date: Literal, rank: URIRef) -> URIRef | None:
    """The claim of ``event`` with this date and rank, if there is one."""
    for c in claims(g, event):
        if str(g.value(c, DCTERMS.date)) == str(date) and g.value(c, ENL.rank) == rank:
            return c
    return None


def _set_rank(g: Graph, claim: URIRef, rank: URIRef, reason: str | None) -> None:
    g.set((claim, ENL.rank, rank))
    if reason:
        g.set((claim, ENL.rankReason, Literal(reason, lang="en")))
    elif rank == PREFERRED:
        g.remove((claim, ENL.rankReason, None))


def preferred_date(g: Graph, event: URIRef) -> Literal | None:
    for c in claims(g, event):
        if g.value(c, ENL.rank) == PREFERRED:
            return g.value(c, DCTERMS.date)  # type: ignore[return-value]
    return None


def settle(g: Graph, event: URIRef) -> None:
    """Make the event's date the preferred claims' date and its sources theirs."""
    preferred = [c for c in claims(g, event) if g.value(c, ENL.rank) == PREFERRED]
    if not preferred:
        return
    g.set((event, DCTERMS.date, g.value(preferred[0], DCTERMS.date)))
    g.remove((event, DCTERMS.source, None))
    for c in preferred:
        for s in g.objects(c, DCTERMS.source):
            g.add((event, DCTERMS.source, s))
