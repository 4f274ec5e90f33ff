"""Linked data: every minted IRI dereferences here (path = IRI minus the base).

- ``/id/...``: a resource's description (``core/describe.py``): HTML for browsers, Turtle,
  JSON-LD, N-Triples or RDF/XML. A suffix (``.ttl`` ``.jsonld`` ``.nt`` ``.rdf`` ``.html``)
  picks the format, else ``Accept`` does (RFC 9110 §12.5.1, q-values and wildcards; the
  most specific media range wins); without ``Accept``, or with ``*/*`` only, Turtle.
  Nothing acceptable: ``406`` listing the offered types.
- ``/graph/...``: a named graph's IRI serves the graph's content (every triple in it) in
  the RDF formats, and a page listing what it holds for browsers.
- ``/context.jsonld``: the JSON-LD context every JSON-LD response here refers to.

Every response carries ``Vary: Accept``, a ``Link: <...>; rel="alternate"; type=...`` for
each other format, a strong ``ETag`` (a digest of the bytes) and ``Last-Modified`` (when
the graph was built), and answers ``304`` to ``If-None-Match`` / ``If-Modified-Since``
(RFC 9110 §13.1.1-13.1.3; If-None-Match wins when both are sent). Unknown IRIs get a
``404`` in the negotiated format that suggests where to look.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, abort, render_template, request
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, split_uri
from rdflib.plugins.serializers.turtle import _GEN_QNAME_FOR_DT, TurtleSerializer
from rdflib.term import Node

from ..core import citations, describe, formats, jsonld, negotiation_pages, pages
from ..core.formats import CITATION_FORMATS, HTML, Format
from ..core.guard import check_iri
from ..core.iris import local_path
from ..core.namespaces import BASE, ENL, PREFIXES
from ..core.store import QueryRefused
from .compare import asked_day
from .fastpath.render_cache import Rendered
from .negotiate import PAGE_FIRST, representation
from .publish import context_url
from .respond import digest, rdf_response
from .state import state

bp = Blueprint("ld", __name__)

TURTLE = formats.by_name("turtle")
LD_FORMATS: tuple[Format, ...] = (
    TURTLE,
    formats.by_name("jsonld"),
    formats.by_name("ntriples"),
    formats.by_name("rdfxml"),
)
OFFERED: tuple[Format, ...] = LD_FORMATS + (HTML,)
SUFFIXES: dict[str, Format] = {f.suffixes[0]: f for f in OFFERED}
#: a fact (``/id/fact/...``) is also offered as its citation (core/citations.py)
FACT_OFFERED: tuple[Format, ...] = OFFERED + CITATION_FORMATS
FACT_PREFIX = BASE + "id/fact/"
EXTRA_PREFIXES = {"vann": "http://purl.org/vocab/vann/"}


# -- content negotiation -------------------------------------------------------------------


def split_suffix(key: str) -> tuple[str, Format | None]:
    """``country/MNE.ttl`` -> (``country/MNE``, Turtle); no known suffix: (key, None)."""
    for cf in CITATION_FORMATS:  # ``.bib``, ``.csl.json``: a fact's citation
        stem = key[: -len(cf.suffixes[0])]
        if key.endswith(cf.suffixes[0]) and stem and not stem.endswith("/"):
            return stem, cf
    last = key.rsplit("/", 1)[-1]
    if "." in last:
        stem, ext = key.rsplit(".", 1)
        fmt = SUFFIXES.get("." + ext)
        if fmt is not None and stem and not stem.endswith("/"):
            return stem, fmt
    return key, None


# -- serialisation -------------------------------------------------------------------------


def serialize(g: Graph, fmt: Format, *, context_ref: str | None) -> bytes:
    """``g`` in ``fmt``; the same graph gives the same bytes (sorted where the serialiser
    would follow hash order)."""
    if fmt.name == "jsonld":
        return jsonld.compact(g, context_ref=context_ref)
    if fmt.name == "ntriples":
        lines = g.serialize(format=fmt.rdflib, encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(ln for ln in lines if ln.strip())) + "\n").encode("utf-8")
    if fmt.name == "rdfxml":
        return rdfxml(g)
    for p, ns in {**PREFIXES, **EXTRA_PREFIXES}.items():
        g.bind(p, ns, override=True)
    buf = io.BytesIO()
    ExactTurtleSerializer(g).serialize(buf, encoding="utf-8")
    return buf.getvalue()


class ExactTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle, except that a number keeps its lexical form: the shorthand would
    write ``"90"^^xsd:decimal`` as ``90.0``, another RDF term (RDF 1.1 Concepts §3.3)."""

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype is not None:
            short = node._literal_n3(use_plain=True)
            if short != str(node) and not short.startswith('"'):
                return node._literal_n3(
                    use_plain=False, qname_callback=lambda dt: self.get_pname(dt, _GEN_QNAME_FOR_DT)
                )
        return super().label(node, position)


_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


def rdfxml(g: Graph) -> bytes:
    """``g`` as flat RDF/XML (RDF 1.1 XML Syntax §2.2-2.4: one ``rdf:Description`` per
    subject, property elements, ``rdf:resource``/``rdf:nodeID``/``rdf:datatype``/
    ``xml:lang``), subjects, properties and namespace declarations sorted: the same graph
    gives the same bytes in every process, which rdflib's serialiser does not promise."""
    known = sorted({**PREFIXES, **EXTRA_PREFIXES}.items(), key=lambda kv: -len(kv[1]))
    used: dict[str, str] = {}  # namespace IRI -> prefix
    qnames: dict[str, str] = {}

    def qname(p: str) -> str:
        if p in qnames:
            return qnames[p]
        for prefix, ns in known:
            if p.startswith(ns) and _NCNAME.match(p[len(ns) :]):
                used[ns] = prefix
                qnames[p] = f"{prefix}:{p[len(ns) :]}"
                return qnames[p]
        ns, local = split_uri(p)
        prefix = used.get(ns) or f"ns{sum(1 for v in used.values() if v.startswith('ns'))}"
        used[ns] = prefix
        qnames[p] = f"{prefix}:{local}"
        return qnames[p]

    def node_attr(n: Node, about: bool) -> str:
        if isinstance(n, BNode):
            return f"rdf:nodeID={quoteattr('b' + str(n))}"
        return f"rdf:{'about' if about else 'resource'}={quoteattr(str(n))}"

    body: list[str] = []
    for s in sorted(set(g.subjects()), key=lambda n: n.n3()):
        body.append(f"  <rdf:Description {node_attr(s, True)}>")
        for p, o in sorted(g.predicate_objects(s), key=lambda po: (po[0].n3(), po[1].n3())):
            q = qname(str(p))
            if isinstance(o, Literal):
                attr = (
                    f" xml:lang={quoteattr(o.language)}"
                    if o.language
                    else f" rdf:datatype={quoteattr(str(o.datatype))}"
                    if o.datatype
                    else ""
                )
                body.append(f"    <{q}{attr}>{escape(str(o))}</{q}>")
            else:
                body.append(f"    <{q} {node_attr(o, False)}/>")
        body.append("  </rdf:Description>")
    used.setdefault(str(RDF), "rdf")
    decls = "".join(
        f"\n    xmlns:{prefix}={quoteattr(ns)}"
        for ns, prefix in sorted(used.items(), key=lambda kv: kv[1])
    )
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF'
        + decls
        + ">\n"
        + "\n".join(body)
        + ("\n" if body else "")
        + "</rdf:RDF>\n"
    )
    return text.encode("utf-8")


# -- the response cache --------------------------------------------------------------------


def known_subjects() -> dict[str, str]:
    """Every minted subject IRI and its label, once per graph version (for 404 pages)."""
    gs = state()
    return gs.service.memo.get(
        "known-subjects", lambda: pages.known_subjects(gs.store, prefix=BASE)
    )


def described(iri: str) -> describe.Description:
    """``describe.describe`` of ``iri``, kept for the last few IRIs so that the five formats of
    one resource share one query."""
    gs = state()
    key = (gs.service.version, iri)
    hit = gs.described.get(key)
    if hit is None:
        hit = describe.describe(gs.store, iri=iri)
        gs.described.put(key, hit)
    return hit


def last_modified() -> dt.datetime | None:
    built = state().store.info().details.get("built_at")
    try:
        return (
            dt.datetime.strptime(built, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            if built
            else None
        )
    except ValueError:
        return None


# -- responses -----------------------------------------------------------------------------


def finish(
    rendered: Rendered,
    *,
    path: str,
    fmt: Format,
    negotiated: bool,
    offered: tuple[Format, ...] = OFFERED,
) -> Response:
    """A linked-data response (:func:`.respond.rdf_response`): ``Vary``, CORS and ``Link``
    alternates; a 200 also ``Content-Location`` (when chosen by ``Accept``), ``Cache-Control``,
    its ``ETag`` and ``Last-Modified``, and revalidation (304)."""
    ok = rendered.status == 200
    return rdf_response(
        fmt,
        rendered.body,
        status=rendered.status,
        path=as_uri(path),
        alternates_of=offered,
        content_location=negotiated,
        cache_control="public, no-cache",
        etag=rendered.etag,
        last_modified=last_modified() if ok else None,
    )


def as_uri(path: str) -> str:
    """``path`` as it goes in a header (``Link``, ``Content-Location``, ``Location``): an IRI's
    path mapped to a URI's (RFC 3987 §3.1, UTF-8 percent-encoded), which is ASCII; headers
    go out in Latin-1, and a path beyond it broke the response under gunicorn (issue 17).

    >>> as_uri("/id/€ 100%")
    '/id/%E2%82%AC%20100%25'
    """
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def minted(prefix: str, stem: str) -> str:
    """The IRI ``BASE + prefix + stem`` a path names; 400 when no IRI can be that (a space,
    a ``<``, a bad percent-escape, a byte that is not UTF-8 ...), before anything reads it."""
    try:
        return check_iri(BASE + prefix + stem, what="IRI of this path")
    except QueryRefused as exc:
        abort(400, f"{exc}; see / for the resources served here")


def rendered(body: bytes, content_type: str, status: int = 200) -> Rendered:
    return Rendered(status, body, content_type, digest(body) if status == 200 else None)


def pick_format(suffix_fmt: Format | None, *, cite: bool = False) -> tuple[Format, bool]:
    """(format, chosen by Accept?): the suffix's, else by the service's one rule
    (:func:`.negotiate.representation`, RFC 9110 §12.5.1) with the page offered first: the
    most specific matching range gives each format its q-value; at equal q a format named
    explicitly beats a wildcard match, then HTML is preferred (a browser that names
    text/html gets a page); a wildcard alone, or no ``Accept``, gets Turtle. 406 when
    ``Accept`` admits none of them. ``cite``: a fact, also offered as BibTeX and CSL-JSON."""
    if suffix_fmt is not None:
        return suffix_fmt, False
    offered = LD_FORMATS + CITATION_FORMATS if cite else LD_FORMATS
    return representation(offered, default=TURTLE, page=PAGE_FIRST, allow_param=False), True


def resource_response(iri: str, suffix_fmt: Format | None) -> Response:
    """The response for a resource IRI under ``/id/``; a page is for the day of ``?date=``
    (today by default: a country's summary, :func:`.compare.asked_day`)."""
    fact = iri.startswith(FACT_PREFIX)
    fmt, negotiated = pick_format(suffix_fmt, cite=fact)
    if fmt in CITATION_FORMATS:
        return citation_response(iri, fmt, negotiated)
    gs = state()
    ctx = context_url() if fmt.name == "jsonld" else ""
    on = asked_day() if fmt is HTML else ""
    if isinstance(on, Response):
        return on
    key = ("id", gs.service.version, iri, fmt.name, ctx, on)

    def render() -> Rendered:
        d = described(iri)
        if not d.found:
            return not_found(iri, fmt)
        if fmt is HTML:
            return rendered(render_page(d, on).encode("utf-8"), HTML.content_type)
        return rendered(serialize(d.graph, fmt, context_ref=ctx or None), fmt.content_type)

    out = state().pages.get_or_render(key, render)
    offered = FACT_OFFERED if fact else OFFERED
    path = local_path(iri) or request.path
    return finish(out, path=path, fmt=fmt, negotiated=negotiated, offered=offered)


def today() -> dt.date:
    """The day the graph is read, for a citation's access date (UTC)."""
    return dt.datetime.now(dt.UTC).date()


def citation_response(iri: str, fmt: Format, negotiated: bool) -> Response:
    """A fact's citation as BibTeX or CSL-JSON (core/citations.py), kept per graph version
    and per day (it names the day the graph was read); 404 for what is not a fact."""
    gs = state()
    day = today()
    key = ("cite", gs.service.version, iri, fmt.name, day)

    def render() -> Rendered:
        d = described(iri)
        if not (d.found and citations.is_citable(d.graph, d.iri)):
            return citation_not_found(iri, fmt)
        c = citations.citation(d.graph, d.iri, version=gs.service.version, today=day)
        text = citations.bibtex(c) if fmt.name == "bibtex" else citations.csl_json(c)
        return rendered(text.encode("utf-8"), fmt.content_type)

    out = gs.pages.get_or_render(key, render)
    path = local_path(iri) or request.path
    return finish(out, path=path, fmt=fmt, negotiated=negotiated, offered=FACT_OFFERED)


def citation_not_found(iri: str, fmt: Format) -> Rendered:
    """The 404 of a citation: a BibTeX comment, or a CSL-JSON object with an ``error``."""
    message = f"No fact with sources is known as <{iri}>; see /sparql or /queries."
    if fmt.name == "bibtex":
        body = f"% 404 Not Found. {message}\n"
    else:
        import json

        body = json.dumps({"error": {"status": 404, "message": message}}) + "\n"
    return Rendered(404, body.encode("utf-8"), fmt.content_type, None)


def cite_view(d: describe.Description) -> dict | None:
    """What ``_cite.html`` shows on a fact's page: the references as text, the BibTeX, the
    links to the downloads; None for a resource that is not a fact with sources."""
    if not (str(d.iri).startswith(FACT_PREFIX) and citations.is_citable(d.graph, d.iri)):
        return None
    c = citations.citation(d.graph, d.iri, version=state().service.version, today=today())
    return {
        "lines": citations.plain_text(c).splitlines(),
        "bibtex": citations.bibtex(c),
        "path": local_path(d.iri) or "",
        "version": c.version,
        "accessed": c.accessed,
    }


def render_page(d: describe.Description, on: str) -> str:
    """The HTML page of a described resource: a country (its summary on the day ``on``),
    chapter and source document each have their own view; everything else the generic one."""
    store = state().store
    types = set(d.graph.objects(d.iri, RDF.type))
    if ENL.EnlargementCountry in types:
        v = negotiation_pages.country_view(store, d, on=on)
        return render_template("country.html", v=v, r=None)
    if ENL.Chapter in types:
        return render_template("chapter.html", v=negotiation_pages.chapter_view(store, d), r=None)
    if ENL.SourceDocument in types:
        return render_template("source.html", v=pages.source_view(store, d), r=None)
    return render_template("resource.html", r=pages.resource_view(d), cite=cite_view(d))


def not_found(iri: str, fmt: Format) -> Rendered:
    """A 404 in the negotiated format, with suggestions: an HTML page; for RDF, a document
    that parses to an empty graph and carries the message as comments (or, in JSON-LD, as
    an ``error`` member that processors ignore)."""
    known = known_subjects()
    if iri.startswith(BASE + "graph/"):
        known = {g: g[len(BASE) :] for g, _ in describe.named_graphs(state().store)}
    sug = pages.suggest(known, iri=iri)
    message = f"Nothing is known about <{iri}>."
    if fmt is HTML:
        body = render_template("not_found.html", s=sug, message=message)
        return Rendered(404, body.encode("utf-8"), HTML.content_type, None)
    lines = [f"404 Not Found. {message}"]
    if sug.close:
        lines.append("Did you mean: " + "; ".join(f"<{lk.iri}> ({lk.label})" for lk in sug.close))
    lines.append(
        "Look it up with SPARQL at /sparql, browse the canned queries at /queries, "
        "or start from / (the ten countries, the clusters and chapters)."
    )
    if fmt.name == "jsonld":
        body = {
            "@graph": [],
            "error": {
                "status": 404,
                "message": message,
                "did_you_mean": [lk.iri for lk in sug.close],
                "see": ["/", "/sparql", "/queries"],
            },
        }
        import json

        data = (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    elif fmt.name == "rdfxml":
        comment = "\n".join(lines).replace("--", "- -")
        data = (
            '<?xml version="1.0" encoding="utf-8"?>\n<!--\n' + comment + "\n-->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        ).encode("utf-8")
    else:
        data = "".join(f"# {ln}\n" for ln in lines).encode("utf-8")
    return Rendered(404, data, fmt.content_type, None)


def replaced_by(iri: str) -> list[str]:
    """The IRIs that replace a retired one (``dcterms:isReplacedBy``, kg/facts/retired.ttl: a
    fact whose key changed, or one split in two), sorted, read once per graph version."""
    gs = state()

    def table() -> dict[str, list[str]]:
        rows = gs.store.select(
            "SELECT ?old ?new WHERE { ?old <http://purl.org/dc/terms/isReplacedBy> ?new }"
        )
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(str(r["old"]), []).append(str(r["new"]))
        for news in out.values():
            news.sort()
        return out

    return gs.service.memo.get("retired", table).get(iri, [])


@bp.get("/id/<path:key>")
def resource(key: str):
    stem, fmt = split_suffix(key)
    iri = minted("id/", stem)
    news = replaced_by(iri)
    if news:  # a minted IRI is never dropped: it redirects to what replaces it
        targets = [(local_path(n) or n) + (fmt.suffixes[0] if fmt else "") for n in news]
        if len(news) == 1:
            resp = Response(f"Moved Permanently: {news[0]}\n", status=301, mimetype="text/plain")
        else:  # split in two: RFC 9110 15.4.1, the choices listed, the first as Location
            resp = Response(
                "Multiple Choices: this fact was split into\n" + "".join(f"{n}\n" for n in news),
                status=300,
                mimetype="text/plain",
            )
        resp.headers["Location"] = as_uri(targets[0])
        resp.headers["Access-Control-Allow-Origin"] = "*"
        return resp
    return resource_response(iri, fmt)


@bp.get("/id/")
def id_root():
    return resource_response(BASE + "id/", None)


@bp.get("/graph/<path:key>")
def named_graph(key: str):
    """A named graph's IRI: its content in the RDF formats, a page for browsers."""
    stem, suffix_fmt = split_suffix(key)
    iri = minted("graph/", stem)
    fmt, negotiated = pick_format(suffix_fmt)
    gs = state()
    ctx = context_url() if fmt.name == "jsonld" else ""
    cache_key = ("graph", gs.service.version, iri, fmt.name, ctx)

    def render() -> Rendered:
        sizes = describe.named_graphs(gs.store, graph=iri)
        if not sizes or sizes[0][1] == 0:
            return not_found(iri, fmt)
        if fmt is HTML:
            view = pages.graph_view(gs.store, graph=iri, triples=sizes[0][1])
            return rendered(
                render_template("graph.html", g=view).encode("utf-8"), HTML.content_type
            )
        content = describe.graph_content(gs.store, graph=iri)
        return rendered(serialize(content.graph, fmt, context_ref=ctx or None), fmt.content_type)

    out = state().pages.get_or_render(cache_key, render)
    return finish(out, path=local_path(iri) or request.path, fmt=fmt, negotiated=negotiated)


@bp.get("/" + jsonld.CONTEXT_PATH)
def context():
    """The published JSON-LD context (JSON-LD 1.1 §3.1)."""
    doc = jsonld.context_document()
    return rdf_response(
        formats.by_name("jsonld"),
        doc.body,
        cache_control="public, no-cache",
        etag=digest(doc.body),
        last_modified=last_modified(),
        vary=None,  # one representation
    )
