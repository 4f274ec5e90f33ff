"""``/changes.atom``: what changed in the graph, as an Atom 1.0 feed (RFC 4287).

The entries are the rows of the canned query ``changes`` for the same dates (one per fact,
with its sources), newest event first, so a reader subscribed to the feed and an analyst
running ``/queries/changes`` see the same facts. ``?from=`` and ``?to=`` (YYYY-MM-DD) choose
the dates, by default the twelve months up to today.

An entry's ``updated`` is the day the fact was last confirmed against its source
(``enl:lastConfirmed``, a day that happened): Atom needs a full timestamp, and the event's own
date may be known only to the month, so the event date appears, at its precision, in the
entry's title and summary and never as a timestamp.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, abort, request
from rdflib import URIRef

from ..core import dates
from ..core.iris import local_path
from ..core.namespaces import sparql_prologue
from ..core.queries import ParameterError, bind, catalogue, substitute
from .publish import base_url
from .state import state

bp = Blueprint("feed", __name__)

ATOM = "application/atom+xml"


def _confirmed(facts: list[str]) -> dict[str, str]:
    if not facts:
        return {}
    values = " ".join(f"<{f}>" for f in facts)
    rows = state().store.select(
        sparql_prologue()
        + f"""SELECT ?f (MAX(STR(?c)) AS ?day) WHERE {{
        VALUES ?f {{ {values} }} ?f enl:lastConfirmed ?c }} GROUP BY ?f"""
    )
    return {str(r["f"]): str(r["day"]) for r in rows}


@bp.get("/changes.atom")
def changes_feed():
    q = catalogue()["changes"]
    today = dt.date.today()
    args = {
        "from": request.args.get("from") or (today - dt.timedelta(days=365)).isoformat(),
        "to": request.args.get("to") or today.isoformat(),
    }
    unknown = sorted(set(request.args) - {"from", "to"})
    if unknown:
        abort(400, f"unknown parameter(s) {', '.join(unknown)}; /changes.atom takes from and to")
    try:
        bindings = bind(q, args, countries=set())
    except ParameterError as exc:
        abort(400, str(exc))
    rows = state().store.select(substitute(q.text, bindings))
    rows = sorted(rows, key=lambda r: (str(r["date"]), str(r["fact"])), reverse=True)
    confirmed = _confirmed([str(r["fact"]) for r in rows])
    base = base_url().rstrip("/")  # the configured base, never the Host header
    self_url = base + request.full_path.rstrip("?")
    newest = max(confirmed.values(), default=today.isoformat())
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>enlargement-kg: what changed</title>",
        f"<subtitle>Dated facts from {escape(args['from'])} to {escape(args['to'])}, "
        "newest first, each with its sources (the canned query changes).</subtitle>",
        f"<id>{escape(self_url)}</id>",
        f'<link rel="self" type="{ATOM}" href={quoteattr(self_url)}/>',
        f'<link rel="alternate" type="text/html" href='
        f"{quoteattr(base + '/queries/changes?from=' + args['from'] + '&to=' + args['to'])}/>",
        f"<updated>{newest}T00:00:00Z</updated>",
        "<author><name>enlargement-kg</name></author>",
    ]
    for r in rows:
        fact = str(r["fact"])
        href = base + (local_path(URIRef(fact)) or "")
        when = dates.display(str(r["date"]))
        out += [
            "<entry>",
            f"<title>{escape(when)}: {escape(str(r['label']))}</title>",
            f"<id>{escape(fact)}</id>",
            f'<link rel="alternate" type="text/html" href={quoteattr(href)}/>',
            f"<updated>{confirmed.get(fact, newest)}T00:00:00Z</updated>",
            f"<category term={quoteattr(str(r['event']))}/>",
            f"<category term={quoteattr(str(r['code']))} "
            f'scheme="https://w3id.org/eu-enlargement/id/country/"/>',
        ]
        for url in str(r["source"]).split(" | "):
            if url:
                out.append(f'<link rel="related" href={quoteattr(url)}/>')
        out += [
            f"<summary>{escape(str(r['label']))}, dated {escape(str(r['date']))} "
            f"({escape(when)}). Sources: {escape(str(r['source']))}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    resp = Response("\n".join(out) + "\n", content_type=ATOM + "; charset=utf-8")
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
