"""Linked data: every minted IRI dereferences here (path = IRI minus the base).

A suffix (``.ttl`` ``.jsonld`` ``.nt`` ``.rdf`` ``.html``) picks the format, else ``Accept``
does; browsers get HTML. Unknown IRIs get a 404 that says what exists.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Blueprint, Response, abort, render_template, request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..core import formats
from ..core.describe import describe
from ..core.formats import HTML, RDF_FORMATS
from ..core.namespaces import BASE, PREFIXES, SCHEMA
from ..core.validation import ontology_graph
from .negotiate import NotAcceptableFormat, pick, wants_html
from .state import state

bp = Blueprint("ld", __name__)

LD_FORMATS = [formats.by_name(n) for n in ("turtle", "jsonld", "ntriples", "rdfxml")]
RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml",
                 "trig": "trig", "nquads": "nquads"}
SUFFIXES = {s: f for f in LD_FORMATS + [HTML] for s in f.suffixes}

VENDORED_LABELS = {
    RDF.type: "type", RDFS.label: "label", RDFS.comment: "comment",
    SKOS.prefLabel: "preferred label", SKOS.altLabel: "alternative label",
    SKOS.definition: "definition", SKOS.notation: "notation", SKOS.inScheme: "in scheme",
    SKOS.exactMatch: "exact match", SKOS.broader: "broader", SKOS.narrower: "narrower",
    SKOS.note: "note", SKOS.topConceptOf: "top concept of", SKOS.hasTopConcept: "top concept",
    DCTERMS.source: "source", DCTERMS.date: "date", DCTERMS.title: "title",
    DCTERMS.publisher: "publisher", DCTERMS.identifier: "identifier",
    DCTERMS.description: "description", SCHEMA.url: "URL", RDFS.isDefinedBy: "defined by",
}


@lru_cache(maxsize=1)
def term_labels() -> dict[URIRef, str]:
    """Labels of the ontology's terms and of the reused vocabularies (vendored, so pages
    render without the network)."""
    labels = dict(VENDORED_LABELS)
    g = ontology_graph()
    for s, o in g.subject_objects(RDFS.label):
        labels[s] = str(o)
    return labels


def serialize(g: Graph, fmt) -> bytes:
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    return g.serialize(format=RDFLIB_FORMAT[fmt.name], encoding="utf-8")


def etag_for(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def resource_response(iri: str, suffix: str | None):
    if suffix and suffix not in SUFFIXES:
        abort(404, f"unknown format suffix {suffix}")
    gs = state()
    version = gs.service.version
    fmt = SUFFIXES.get(suffix) if suffix else None
    if fmt is None:
        fmt = HTML if wants_html() else pick(LD_FORMATS, default=formats.by_name("turtle"),
                                             allow_param=False)
    if fmt is None:
        raise NotAcceptableFormat(LD_FORMATS + [HTML])
    etag = etag_for(version, iri, fmt.name)
    if request.if_none_match and etag in request.if_none_match:
        resp = Response(status=304)
        resp.set_etag(etag)
        resp.headers["Vary"] = "Accept"
        return resp
    g = describe(gs.store, iri)
    if len(g) == 0:
        abort(404, f"nothing is known about <{iri}>; see /sparql or /queries for what the "
                   "graph holds")
    if fmt is HTML:
        body = render_template("resource.html", **page_context(g, URIRef(iri)))
        resp = Response(body, content_type=HTML.content_type)
    else:
        resp = Response(serialize(g, fmt), content_type=fmt.content_type)
    resp.set_etag(etag)
    resp.headers["Vary"] = "Accept"
    path = request.path.rsplit(".", 1)[0] if suffix else request.path
    resp.headers["Link"] = ", ".join(
        f'<{path}{f.suffixes[0]}>; rel="alternate"; type="{f.media_type}"'
        for f in LD_FORMATS + [HTML] if f is not fmt)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def label_of(g: Graph, node) -> str:
    for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
        v = g.value(node, p)
        if v is not None:
            return str(v)
    labels = term_labels()
    if node in labels:
        return labels[node]
    s = str(node)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(node, URIRef) else s


def local_href(node) -> str | None:
    s = str(node)
    return s[len(BASE) - 1:] if isinstance(node, URIRef) and s.startswith(BASE) else (
        s if isinstance(node, URIRef) else None)


def page_context(g: Graph, this: URIRef) -> dict:
    rows = []
    for p, o in sorted(g.predicate_objects(this), key=lambda po: (label_of(g, po[0]), str(po[1]))):
        rows.append({"property": label_of(g, p), "property_href": local_href(p),
                     "value": label_of(g, o) if isinstance(o, URIRef) else str(o),
                     "href": local_href(o) if isinstance(o, URIRef) else None,
                     "literal": isinstance(o, Literal)})
    incoming = []
    for s, p in g.subject_predicates(this):
        if s == this:
            continue
        incoming.append({"label": label_of(g, s), "href": local_href(s),
                         "property": label_of(g, p),
                         "date": str(g.value(s, DCTERMS.date) or ""),
                         "sources": [{"href": local_href(src), "title": label_of(g, src)}
                                     for src in g.objects(s, DCTERMS.source)]})
    incoming.sort(key=lambda r: (r["date"], r["label"]))
    sources = []
    for src in g.objects(this, DCTERMS.source):
        pub = g.value(src, DCTERMS.publisher)
        sources.append({"href": local_href(src), "title": label_of(g, src),
                        "publisher": label_of(g, pub) if pub is not None else "",
                        "date": str(g.value(src, DCTERMS.date) or ""),
                        "url": str(g.value(src, SCHEMA.url) or "")})
    types = [label_of(g, t) for t in g.objects(this, RDF.type)]
    return {"iri": str(this), "label": label_of(g, this), "types": types, "rows": rows,
            "incoming": incoming, "sources": sources,
            "alternates": [(f.name, f.suffixes[0]) for f in LD_FORMATS]}


@bp.get("/id/<path:key>")
def resource(key: str):
    suffix = None
    last = key.rsplit("/", 1)[-1]
    if "." in last:
        stem, ext = key.rsplit(".", 1)
        if "." + ext in SUFFIXES:
            key, suffix = stem, "." + ext
    return resource_response(BASE + "id/" + key, suffix)
