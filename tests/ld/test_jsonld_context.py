"""The published JSON-LD context (/context.jsonld): short, stable keys for the ontology's
terms and the reused vocabularies; every JSON-LD response of the linked-data pages refers to
it; compaction with it loses nothing (JSON-LD 1.1 §4.1, §6)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF
from support.ld import BASE, served_store

from enlargement_kg.core import jsonld
from enlargement_kg.core.namespaces import ENL
from enlargement_kg.core.validation import ontology_graph

#: Published keys: their meaning never changes (add to this list, never edit it).
STABLE = {
    "country": str(ENL.country),
    "chapter": str(ENL.chapter),
    "cluster": str(ENL.cluster),
    "blockedBy": str(ENL.blockedBy),
    "rate": str(ENL.rate),
    "refYear": str(ENL.refYear),
    "datePrecision": str(ENL.datePrecision),
    "ChapterOpened": str(ENL.ChapterOpened),
    "ChapterProvisionallyClosed": str(ENL.ChapterProvisionallyClosed),
    "EnlargementCountry": str(ENL.EnlargementCountry),
    "SourceDocument": str(ENL.SourceDocument),
    "date": "http://purl.org/dc/terms/date",
    "source": "http://purl.org/dc/terms/source",
    "title": "http://purl.org/dc/terms/title",
    "publisher": "http://purl.org/dc/terms/publisher",
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
    "note": "http://www.w3.org/2004/02/skos/core#note",
    "exactMatch": "http://www.w3.org/2004/02/skos/core#exactMatch",
    "inScheme": "http://www.w3.org/2004/02/skos/core#inScheme",
    "url": "https://schema.org/url",
}


def test_context_is_published(client):
    r = client.get("/context.jsonld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    doc = json.loads(r.data)
    ctx = doc["@context"]
    assert ctx["id"] == "@id" and ctx["type"] == "@type" and ctx["@language"] == "en"
    again = client.get("/context.jsonld", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_keys_are_stable_and_cover_the_ontology(client):
    terms = jsonld.context_document().terms
    for key, iri in STABLE.items():
        assert terms.get(key) == iri, key
    onto = ontology_graph()
    ns = str(ENL._NS)
    defined = {
        str(s)
        for s in onto.subjects(RDF.type, None)
        if str(s).startswith(ns)
        and str(s) != ns
        and set(onto.objects(s, RDF.type))
        & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    }
    assert defined <= set(terms.values()), sorted(defined - set(terms.values()))


def test_every_jsonld_response_refers_to_the_published_context(client):
    for path in ("/id/country/MNE.jsonld", "/id/chapter/1.jsonld", "/graph/kg/facts/XKX.jsonld"):
        doc = json.loads(client.get(path).data)
        assert doc["@context"] == BASE + "context.jsonld", path  # the base URL, never Host
    doc = json.loads(client.get("/id/country/MNE", headers={"Accept": "application/ld+json"}).data)
    assert doc["@context"] == BASE + "context.jsonld"
    node = next(n for n in doc["@graph"] if n["id"] == BASE + "id/country/MNE")
    # its asserted class and the superclasses the build materialises (docs/modelling.md)
    assert {"EnlargementCountry", "Country"} <= set(node["type"])
    assert node["prefLabel"] == "Montenegro"
    assert node["iso3166Alpha3"] == "MNE"  # a code: a plain string, no language


def test_compaction_round_trips_the_whole_dataset(app):
    """Every triple of the served graph survives compaction with the context: IRIs vs
    literals, datatypes, lexical forms, languages."""
    from enlargement_kg.core.formats import by_name

    dump = served_store(app).dump(by_name("ntriples")).decode("utf-8")
    g = Graph().parse(data=dump, format="nt")
    doc = json.loads(jsonld.compact(g))
    assert doc["@context"]["country"] == {"@id": "enl:country", "@type": "@id"}
    back = Graph().parse(data=json.dumps(doc), format="json-ld")
    assert len(back) == len(g) and isomorphic(back, g)


def test_edge_literals_round_trip():
    """Literals the context's coercions do not fit keep their own type or language."""
    s = URIRef(BASE + "id/test/x")
    g = Graph()
    g.add((s, ENL.rate, Literal("90", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    g.add(
        (s, ENL.rate, Literal("1.5E1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#double")))
    )
    g.add(
        (
            s,
            URIRef("http://purl.org/dc/terms/date"),
            Literal(
                "2024-06-01T10:00:00Z", datatype=URIRef("http://www.w3.org/2001/XMLSchema#dateTime")
            ),
        )
    )
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    g.add((s, label, Literal("Crna Gora", lang="sr")))
    g.add((s, label, Literal("untagged")))
    g.add((s, ENL.iso3166Alpha3, Literal("MNE")))
    g.add((s, ENL.chapterNumber, Literal(23)))
    g.add((s, ENL.safeEligible, Literal(True)))
    g.add((s, URIRef("http://example.org/unknown#p"), URIRef("http://example.org/o")))
    back = Graph().parse(data=jsonld.compact(g), format="json-ld")
    assert isomorphic(back, g), sorted(set(g) ^ set(back))


def test_compaction_is_deterministic():
    """The same graph gives the same bytes whatever the insertion order and the process
    (a strong ETag is a digest of the bytes)."""
    from enlargement_kg.core.validation import ontology_graph as og

    triples = list(og())
    outs = set()
    for seed in (1, 2, 3):
        random.Random(seed).shuffle(triples)
        g = Graph()
        for t in triples:
            g.add(t)
        outs.add(jsonld.compact(g, context_ref="http://x/context.jsonld"))
    assert len(outs) == 1
    code = (
        "import sys; from enlargement_kg.core import jsonld; "
        "from enlargement_kg.core.validation import ontology_graph as og; "
        "sys.stdout.buffer.write(jsonld.compact(og(), context_ref='http://x/context.jsonld'))"
    )
    seeds = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            env={"PYTHONHASHSEED": s, "PATH": "/usr/bin:/bin"},
        ).stdout
        for s in ("11", "12")
    ]
    assert seeds[0] == seeds[1] == outs.pop()
