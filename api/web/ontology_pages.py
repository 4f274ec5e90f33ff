"""The ontology's own IRI: a documentation page for browsers, the ontology for RDF clients.

- ``/ontology``: the ontology IRI (``https://w3id.org/eu-enlargement/ontology``; the service
  maps a path to ``BASE + path``). ``Accept`` picks the representation (the service's one
  negotiation rule, :mod:`.negotiate`): HTML for browsers, else Turtle, JSON-LD, N-Triples
  or RDF/XML; without ``Accept``, or with ``*/*`` only, Turtle; nothing acceptable, ``406``.
  Term IRIs (``ontology#Chapter``) are fragments, which clients strip: they land here, and
  the page has an anchor per term.
- ``/ontology.ttl`` ``.jsonld`` ``.nt`` ``.rdf`` ``.html``: a suffix picks the format.
- ``/ontology/0.2.0`` (the ``owl:versionIRI``), with or without a suffix: the same, for the
  version served; another version is a ``404`` that names the one served.

What is served is the ontology as loaded into the store (its ``graph/ontology/...`` named
graphs: what ``/sparql`` answers from), rendered once per graph version. Responses carry
``Vary: Accept``, ``Link`` alternates, a strong ``ETag`` (RFC 9110 §8.8.3) and answer ``304``
to ``If-None-Match``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, render_template
from rdflib import Graph

from ..core import formats
from ..core.diagram import layout, to_svg
from ..core.formats import HTML, Format
from ..core.iris import local_path
from ..core.namespaces import BASE, PREFIXES
from ..core.ontology_doc import OntologyDoc, document, served_ontology
from .negotiate import PAGE_FOR_BROWSERS, representation
from .respond import digest, rdf_response
from .state import state

bp = Blueprint("ontology_pages", __name__)

TURTLE = formats.by_name("turtle")
RDF_OUT: tuple[Format, ...] = (
    TURTLE,
    formats.by_name("jsonld"),
    formats.by_name("ntriples"),
    formats.by_name("rdfxml"),
)
OFFERED: tuple[Format, ...] = RDF_OUT + (HTML,)
SUFFIXES: dict[str, Format] = {f.suffixes[0]: f for f in OFFERED}
EXTRA_PREFIXES = {"vann": "http://purl.org/vocab/vann/"}


@dataclass
class Rendition:
    """The ontology of one graph version, and its representations once rendered."""

    version: str
    graph: Graph
    doc: OntologyDoc
    bodies: dict[str, bytes] = field(default_factory=dict)


def rendition() -> Rendition:
    """The served ontology, read from the store once per graph version."""
    gs = state()

    def make() -> Rendition:
        g = served_ontology(gs.store)
        if len(g) == 0:
            abort(404, "the served graph holds no ontology (no named graph under graph/ontology/)")
        return Rendition(gs.service.version, g, document(g))

    return gs.service.memo.get("ontology", make)


def href(iri: str) -> str | None:
    """A link for an IRI on the page: minted IRIs point into this service (the base itself
    to its root)."""
    if iri.startswith(BASE):
        return local_path(iri) or "/"
    return iri if iri.startswith(("http://", "https://")) else None


def body(r: Rendition, fmt: Format) -> bytes:
    cached = r.bodies.get(fmt.name)
    if cached is not None:
        return cached
    if fmt is HTML:
        counts = {
            "classes": sum(t.is_class for t in r.doc.terms),
            "object": sum(t.kind == "object property" for t in r.doc.terms),
            "datatype": sum(t.kind == "datatype property" for t in r.doc.terms),
            "annotation": sum(t.kind == "annotation property" for t in r.doc.terms),
        }
        svg = to_svg(layout(r.doc, href_prefix="#"))
        out = render_template(
            "ontology.html", doc=r.doc, diagram=svg, href=href, counts=counts
        ).encode("utf-8")
    else:
        g = Graph()
        g += r.graph
        for p, ns in {**PREFIXES, **EXTRA_PREFIXES}.items():
            g.bind(p, ns, override=True)
        if fmt.name == "jsonld":
            context = {
                p: ns
                for p, ns in {**PREFIXES, **EXTRA_PREFIXES}.items()
                if any(str(t).startswith(ns) for t in g.all_nodes())
            }
            out = g.serialize(format=fmt.rdflib, context=context, indent=2, encoding="utf-8")
        elif fmt.name == "ntriples":
            lines = g.serialize(format=fmt.rdflib, encoding="utf-8").decode("utf-8").splitlines()
            out = ("\n".join(sorted(ln for ln in lines if ln.strip())) + "\n").encode("utf-8")
        else:
            out = g.serialize(format=fmt.rdflib, encoding="utf-8")
    r.bodies[fmt.name] = out
    return out


def respond(*, version: str | None, suffix: str | None) -> Response:
    """RFC 9110 §12 (content negotiation) and §13.1.2 (If-None-Match) for the ontology."""
    if suffix is not None and suffix not in SUFFIXES:
        abort(
            404,
            f"unknown format suffix {suffix}; the ontology is served as "
            f"{', '.join(sorted(SUFFIXES))}",
        )
    r = rendition()
    if version is not None and version != r.doc.version:
        abort(
            404,
            f"ontology version {version} is not served here; this service serves "
            f"version {r.doc.version} at /ontology/{r.doc.version} (and /ontology)",
        )
    if suffix is not None:
        fmt = SUFFIXES[suffix]
    else:  # a browser gets the page, else RDF
        fmt = representation(RDF_OUT, default=TURTLE, page=PAGE_FOR_BROWSERS, allow_param=False)
    data = body(r, fmt)
    return rdf_response(
        fmt,
        data,
        path="/ontology" if version is None else f"/ontology/{version}",
        alternates_of=OFFERED,
        content_location=suffix is None,
        cache_control="public, no-cache",
        etag=digest(data),
    )


def split(value: str) -> tuple[str, str | None]:
    """``0.2.0.ttl`` -> (``0.2.0``, ``.ttl``); a version without a known suffix stays whole."""
    for s in SUFFIXES:
        if value.endswith(s) and len(value) > len(s):
            return value[: -len(s)], s
    return value, None


@bp.get("/ontology")
def ontology():
    return respond(version=None, suffix=None)


@bp.get("/ontology.<ext>")
def ontology_file(ext: str):
    return respond(version=None, suffix="." + ext)


@bp.get("/ontology/<version>")
def ontology_version(version: str):
    v, suffix = split(version)
    return respond(version=v, suffix=suffix)
