"""The published JSON-LD context (``/context.jsonld``) and compaction with it.

JSON-LD 1.1 (W3C Recommendation 2020) §3.1 "The Context" and §4.1.5 "Compact IRIs": every
JSON-LD document the service writes for a resource is compacted with one context, so
partners get short, stable keys (``country``, ``date``, ``source``, ``prefLabel`` ...) and
can rely on them across releases.

The context is built from two parts, in a fixed order:

1. the prefixes of :data:`~.namespaces.PREFIXES` and the keyword aliases ``id``/``type``;
2. a fixed table of the reused vocabularies' terms (:data:`REUSED_TERMS`: RDFS, SKOS,
   DCTERMS, schema.org, OWL, PROV), and
3. one term per class and property of the ontology, named by its local name
   (``enl:ChapterOpened`` -> ``ChapterOpened``, ``enl:country`` -> ``country``). Object
   properties are coerced to ``@id``; datatype properties whose range is a date, decimal or
   year are coerced to that datatype; integers and booleans stay native JSON.

A key, once published, keeps its meaning: a new ontology term whose local name clashes with
a reused term gets no short key (it is written as a compact IRI ``enl:...``). The context is
valid JSON-LD 1.0 too (no 1.1-only keywords), so older processors read it.

Only the context's own keys are used; the document body never depends on the host it was
requested from, except for the ``@context`` reference itself (see :func:`compact`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context

from .namespaces import BASE, ENL, PREFIXES

#: Where the context is published (path = IRI minus the base, like every minted IRI).
CONTEXT_PATH = "context.jsonld"
CONTEXT_IRI = BASE + CONTEXT_PATH
MEDIA_TYPE = "application/ld+json"

ID = "@id"
#: Datatypes a term is coerced to (others stay as value objects or native JSON).
COERCED_DATATYPES = {XSD.date, XSD.dateTime, XSD.decimal, XSD.gYear, XSD.double}

#: Reused vocabularies' terms: short key -> its JSON-LD term definition. Published keys never
#: change meaning; add new ones at the end of their group. Codes and identifiers are plain
#: strings (``"@language": null``); human text takes the context's default language, English.
REUSED_TERMS: dict[str, str | dict[str, Any]] = {
    # RDFS
    "label": "rdfs:label",
    "comment": "rdfs:comment",
    "seeAlso": {ID: "rdfs:seeAlso", "@type": ID},
    "isDefinedBy": {ID: "rdfs:isDefinedBy", "@type": ID},
    "subClassOf": {ID: "rdfs:subClassOf", "@type": ID},
    "subPropertyOf": {ID: "rdfs:subPropertyOf", "@type": ID},
    "domain": {ID: "rdfs:domain", "@type": ID},
    "range": {ID: "rdfs:range", "@type": ID},
    # SKOS
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
    "note": "skos:note",
    "notation": {ID: "skos:notation", "@language": None},
    "inScheme": {ID: "skos:inScheme", "@type": ID},
    "hasTopConcept": {ID: "skos:hasTopConcept", "@type": ID},
    "topConceptOf": {ID: "skos:topConceptOf", "@type": ID},
    "broader": {ID: "skos:broader", "@type": ID},
    "narrower": {ID: "skos:narrower", "@type": ID},
    "exactMatch": {ID: "skos:exactMatch", "@type": ID},
    "closeMatch": {ID: "skos:closeMatch", "@type": ID},
    "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme",
    # DCTERMS
    "title": "dcterms:title",
    "description": "dcterms:description",
    "date": {ID: "dcterms:date", "@type": "xsd:date"},
    "created": {ID: "dcterms:created", "@type": "xsd:date"},
    "modified": {ID: "dcterms:modified", "@type": "xsd:date"},
    "issued": {ID: "dcterms:issued", "@type": "xsd:date"},
    "source": {ID: "dcterms:source", "@type": ID},
    "publisher": {ID: "dcterms:publisher", "@type": ID},
    "creator": "dcterms:creator",
    "license": {ID: "dcterms:license", "@type": ID},
    "identifier": {ID: "dcterms:identifier", "@language": None},
    # schema.org
    "url": {ID: "schema:url", "@type": ID},
    # OWL
    "Ontology": "owl:Ontology",
    "Class": "owl:Class",
    "ObjectProperty": "owl:ObjectProperty",
    "DatatypeProperty": "owl:DatatypeProperty",
    "AnnotationProperty": "owl:AnnotationProperty",
    "FunctionalProperty": "owl:FunctionalProperty",
    "versionIRI": {ID: "owl:versionIRI", "@type": ID},
    "versionInfo": {ID: "owl:versionInfo", "@language": None},
    # PROV
    "wasDerivedFrom": {ID: "prov:wasDerivedFrom", "@type": ID},
}

RESERVED_KEYS = {"id", "type"}


@dataclass(frozen=True)
class ContextDocument:
    """The context document and what it defines."""

    document: dict[str, Any]  #: ``{"@context": {...}}`` as published
    body: bytes  #: the document serialised (UTF-8, stable key order)
    terms: dict[str, str]  #: short key -> full IRI, for the docs and the tests


def _ontology_terms(ontology: Graph) -> dict[str, Any]:
    """One term per ``enl:`` class and property, by local name, with its coercion."""
    ns = str(ENL._NS)
    out: dict[str, Any] = {}
    for s in sorted(
        {
            s
            for s in ontology.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(ns)
        }
    ):
        local = str(s)[len(ns) :]
        if not local or local in REUSED_TERMS or local in RESERVED_KEYS:
            continue
        types = set(ontology.objects(s, RDF.type))
        curie = f"enl:{local}"
        if OWL.Class in types:
            out[local] = curie
        elif OWL.ObjectProperty in types:
            out[local] = {ID: curie, "@type": ID}
        elif OWL.DatatypeProperty in types:
            rng = ontology.value(s, RDFS.range)
            if rng in COERCED_DATATYPES:
                out[local] = {ID: curie, "@type": "xsd:" + str(rng)[len(str(XSD)) :]}
            elif rng == XSD.string:  # codes and names of things: no language
                out[local] = {ID: curie, "@language": None}
            else:
                out[local] = curie
        elif OWL.AnnotationProperty in types:
            values = [o for _, o in ontology.subject_objects(s)]
            if values and all(isinstance(v, URIRef) for v in values):
                out[local] = {ID: curie, "@type": ID}
            elif values and all(isinstance(v, Literal) and not v.language for v in values):
                out[local] = {ID: curie, "@language": None}
            else:
                out[local] = curie
    return out


def build_context(ontology: Graph) -> ContextDocument:
    """The context for the ontology ``ontology`` (see the module docstring for its rules)."""
    ctx: dict[str, Any] = {"id": "@id", "type": "@type", "@language": "en"}
    for prefix, iri in sorted(PREFIXES.items()):
        ctx[prefix] = iri
    ctx.update(REUSED_TERMS)
    ctx.update(_ontology_terms(ontology))
    document = {"@context": ctx}
    terms = {}
    for key, dfn in ctx.items():
        if key.startswith("@") or key in RESERVED_KEYS or key in PREFIXES:
            continue
        curie = dfn[ID] if isinstance(dfn, dict) else dfn
        prefix, local = curie.split(":", 1)
        terms[key] = PREFIXES[prefix] + local
    body = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return ContextDocument(document, body, terms)


@lru_cache(maxsize=4)
def context_document(ontology_dir: Path | None = None) -> ContextDocument:
    """The published context, built from the packaged ontology (cached)."""
    from .validation import ontology_graph

    return build_context(ontology_graph(ontology_dir))


def compact(
    graph: Graph, *, context_ref: str | None = None, context: ContextDocument | None = None
) -> bytes:
    """``graph`` as compacted JSON-LD (JSON-LD 1.1 §6 "Forms of JSON-LD": compacted).

    ``context_ref`` is the URL the document's ``@context`` points to (the published
    ``/context.jsonld`` of the serving host); ``None`` embeds the context itself, for
    self-contained files. Node objects are sorted by ``@id`` and keys are sorted, so the
    same graph gives the same bytes in every process.
    """
    ctx = context or context_document()
    graph = canonical_bnodes(graph)
    context_obj = Context(ctx.document["@context"])
    doc = _Converter(context_obj, False, False).convert(graph)
    if isinstance(doc, list):
        doc = {"@graph": doc}
    doc.pop("@context", None)
    nodes = doc.pop("@graph", None)
    if nodes is None:  # a single node object: rdflib writes it at the top level
        nodes = [doc] if doc else []
    nodes = [_sorted_node(n) for n in nodes if isinstance(n, dict)]
    nodes.sort(key=lambda n: str(n.get("id", "")))
    out: dict[str, Any] = {"@context": context_ref if context_ref else ctx.document["@context"]}
    if len(nodes) == 1:
        out.update(nodes[0])
    else:
        out["@graph"] = nodes
    return (json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


class _Converter(Converter):
    """rdflib's RDF-to-JSON-LD converter, except that a blank node under a term coerced to
    ``@id`` (``subClassOf``, ``range`` ...) is written as a node, not a bare ``_:b`` string:
    rdflib drops the blank node's own triples (and an RDF list's items) in that case."""

    def type_coerce(self, o: Any, coerce_type: str) -> Any:
        if isinstance(o, BNode):
            return None  # falls back to to_raw_value: an embedded node or an @list
        return super().type_coerce(o, coerce_type)


def canonical_bnodes(graph: Graph) -> Graph:
    """``graph`` with its blank nodes relabelled canonically (RDF Dataset Canonicalization
    in spirit, by rdflib's triple canonicaliser), so that labels are the same in every
    process; graphs without blank nodes are returned as they are."""
    if not any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2])):
        return graph
    from rdflib.compare import to_canonical_graph

    out = Graph()
    for t in to_canonical_graph(graph):
        out.add(t)
    return out


def _sorted_node(node: dict[str, Any]) -> dict[str, Any]:
    """``id`` first, ``type`` second, the other keys sorted; multiple values sorted."""
    keys = sorted(node, key=lambda k: (k != "id", k != "type", k))
    out = {}
    for k in keys:
        v = node[k]
        out[k] = sorted(v, key=_sort_key) if isinstance(v, list) else v
    return out


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
