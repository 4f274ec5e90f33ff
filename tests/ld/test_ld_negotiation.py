"""Dereferencing: every kind of resource in the graph, in every format, by suffix and by
``Accept``; the RDF formats describe the same graph; validators and revalidation (304);
406 and helpful 404s. (docs: the linked-data section of the API; RFC 9110 §12.5.1, §13.)"""

from __future__ import annotations

import json
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from support.ld import BASE, MEDIA, Page, parse_rdf, select

RDF_SUFFIXES = (".ttl", ".jsonld", ".nt", ".rdf")
ALL_SUFFIXES = RDF_SUFFIXES + (".html",)

#: One resource of every kind: a fixed IRI (reference data, minted from official keys) or a
#: class to take the first instance of (facts and documents, which the curators add to).
KINDS: dict[str, str] = {
    "enlargement-country": "id/country/MNE",
    "member-state": "id/country/FRA",
    "chapter": "id/chapter/23",
    "cluster": "id/cluster/6",
    "negotiation-item": "id/item/public-administration-reform",
    "fact-chapter-provisionally-closed": "enl:ChapterProvisionallyClosed",
    "fact-intergovernmental-conference": "enl:IntergovernmentalConference",
    "fact-chapter-blocked": "enl:ChapterBlocked",
    "fact-cfsp-alignment-rate": "enl:CFSPAlignmentRate",
    "fact-csdp-contribution": "enl:CSDPContribution",
    "fact-nato-accession": "enl:NATOAccession",
    "fact-acquisition": "enl:Acquisition",
    "fact-industrial-capability": "enl:IndustrialCapability",
    "fact-instrument-rule": "enl:InstrumentRule",
    "fact-mobility-corridor": "enl:MobilityCorridor",
    "fact-preparation-assessment": "enl:PreparationAssessment",
    "source-document": "enl:SourceDocument",
    "organisation": "id/org/european-commission",
    "csdp-mission": "id/mission/EULEX-KOSOVO",
    "instrument": "id/instrument/SAFE",
    "cfsp-act": "enl:CFSPAct",
    "access-tier": "id/tier/3",
    "benchmark": "id/benchmark/cfsp-alignment-90",
    "code-list-concept": "id/precision/month",
    "accession-status": "id/status/candidate",
    "concept-scheme": "id/scheme/clusters",
    "methodology-rule": "id/rule/closing-after-interim-benchmarks",
    "named-graph": "graph/kg/facts/XKX",
}


@pytest.fixture(scope="session")
def samples(app) -> dict[str, str]:
    """KINDS resolved to IRIs."""
    out = {}
    for kind, ref in KINDS.items():
        if ref.startswith("enl:"):
            rows = select(app, f"SELECT (MIN(STR(?s)) AS ?x) WHERE {{ ?s a {ref} }}")
            assert rows and "x" in rows[0], f"no instance of {ref} in the graph"
            out[kind] = str(rows[0]["x"])
        else:
            out[kind] = BASE + ref
    return out


def path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE) :]


def links(resp) -> dict[str, str]:
    """``Link`` alternates as {media type: target}."""
    out = {}
    for part in resp.headers.get("Link", "").split(","):
        target, *params = [p.strip() for p in part.split(";")]
        attrs = dict(p.split("=", 1) for p in params)
        if attrs.get("rel") == '"alternate"':
            out[attrs["type"].strip('"')] = target.strip("<>")
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_dereferences_in_every_format(client, samples, kind):
    """Each kind of resource: five formats by suffix and by Accept, same bytes; Vary,
    Link alternates for the others, strong ETag and Last-Modified; the four RDF formats
    parse to isomorphic graphs that describe the resource."""
    iri = samples[kind]
    path = path_of(iri)
    graphs: dict[str, Graph] = {}
    for suffix in ALL_SUFFIXES:
        by_suffix = client.get(path + suffix)
        by_accept = client.get(path, headers={"Accept": MEDIA[suffix]})
        for r in (by_suffix, by_accept):
            assert r.status_code == 200, (path, suffix, r.data[:300])
            assert r.mimetype == MEDIA[suffix]
            assert r.headers["Vary"] == "Accept"
            etag = r.headers["ETag"]
            assert etag.startswith('"') and not etag.startswith("W/"), etag
            assert parsedate_to_datetime(r.headers["Last-Modified"]) is not None
            alternates = links(r)
            if kind.startswith("fact-"):  # a fact is also offered as its citation
                assert alternates.pop("application/x-bibtex") == path + ".bib"
                assert alternates.pop("application/vnd.citationstyles.csl+json") == (
                    path + ".csl.json"
                )
            assert set(alternates) == {MEDIA[s] for s in ALL_SUFFIXES if s != suffix}
            for other, media in ((s, MEDIA[s]) for s in ALL_SUFFIXES if s != suffix):
                assert alternates[media] == path + other
        assert by_suffix.data == by_accept.data, f"{path}{suffix}: suffix and Accept differ"
        assert by_suffix.headers["ETag"] == by_accept.headers["ETag"]
        assert by_accept.headers["Content-Location"] == path + suffix
        if suffix != ".html":
            graphs[suffix] = parse_rdf(client, by_suffix.data, suffix)
    reference = graphs[".nt"]
    subject = URIRef(iri)
    if kind == "named-graph":
        assert len(reference) > 10
    else:
        assert (subject, None, None) in reference, f"{iri} is not described"
    for suffix, g in graphs.items():
        assert len(g) == len(reference), (suffix, len(g), len(reference))
        assert isomorphic(g, reference), f"{path}{suffix} is not the same graph as .nt"


def test_matrix_covers_every_class_and_kind_in_the_graph(client, app, samples):
    """Beyond the named kinds: one resource of every class that minted resources have, and
    of every ``id/{kind}/`` path, dereferences in the five formats to the same graph."""
    rows = select(
        app,
        """
        SELECT ?type (MIN(STR(?s)) AS ?x) WHERE {
          ?s a ?type . FILTER (STRSTARTS(STR(?s), "https://w3id.org/eu-enlargement/id/"))
        } GROUP BY ?type""",
    )
    iris = {str(r["x"]) for r in rows}
    kinds = select(
        app,
        """
        SELECT ?kind (MIN(STR(?s)) AS ?x) WHERE {
          ?s ?p ?o . FILTER (STRSTARTS(STR(?s), "https://w3id.org/eu-enlargement/id/"))
          BIND (STRBEFORE(STRAFTER(STR(?s), "/id/"), "/") AS ?kind)
        } GROUP BY ?kind""",
    )
    iris |= {str(r["x"]) for r in kinds}
    assert len(iris) >= 40
    for iri in sorted(iris - set(samples.values())):
        path = path_of(iri)
        parsed = []
        for suffix in ALL_SUFFIXES:
            r = client.get(path + suffix)
            assert r.status_code == 200 and r.mimetype == MEDIA[suffix], (path, suffix)
            if suffix != ".html":
                parsed.append(parse_rdf(client, r.data, suffix))
        assert (URIRef(iri), None, None) in parsed[0], iri
        assert all(isomorphic(parsed[0], g) for g in parsed[1:]), iri


def test_description_holds_labels_incoming_facts_and_their_sources(client, samples):
    """A chapter's description: its own triples, the label of its cluster, the facts that
    point to it with their dates, and those facts' sources with title and URL."""
    g = parse_rdf(client, client.get("/id/chapter/31.nt").data, ".nt")
    ch = URIRef(BASE + "id/chapter/31")
    cluster = URIRef(BASE + "id/cluster/6")
    enl = "https://w3id.org/eu-enlargement/ontology#"
    dct = "http://purl.org/dc/terms/"
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert (ch, URIRef(enl + "inCluster"), cluster) in g
    assert (cluster, URIRef(skos + "prefLabel"), None) in g
    facts = {
        f for f in g.subjects(URIRef(enl + "chapter"), ch) if (f, URIRef(dct + "source"), None) in g
    }
    assert len(facts) >= 5
    for f in facts:
        assert (f, URIRef(dct + "date"), None) in g
        for src in g.objects(f, URIRef(dct + "source")):
            assert (src, URIRef(dct + "title"), None) in g
            assert (src, URIRef("https://schema.org/url"), None) in g


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("application/n-triples;q=0.9, application/rdf+xml;q=0.95", "application/rdf+xml"),
        ("text/html;q=0.1, */*;q=0.5", "text/turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", "text/html"),
        ("*/*", "text/turtle"),
        ("text/*", "text/turtle"),
        ("text/plain", "application/n-triples"),
        ("application/json", "application/ld+json"),
        ("application/xml;q=0.3, text/html;q=0.2", "application/rdf+xml"),
        ("", "text/turtle"),
    ],
)
def test_accept_q_values(client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    r = client.get("/id/country/MNE", headers=headers)
    assert r.status_code == 200
    assert r.mimetype == expected
    assert r.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    "accept",
    [
        "image/png",
        "application/pdf, text/csv",
        "text/turtle;q=0, application/ld+json;q=0, text/html;q=0, "
        "application/n-triples;q=0, application/rdf+xml;q=0",
    ],
)
def test_nothing_acceptable_is_406_listing_the_offered_types(client, accept):
    r = client.get("/id/country/MNE", headers={"Accept": accept})
    assert r.status_code == 406
    assert r.headers["Vary"] == "Accept"
    body = r.get_data(as_text=True)
    for media in MEDIA.values():
        assert media in body, (media, body)


@pytest.mark.parametrize("suffix", ALL_SUFFIXES)
def test_revalidation_gives_304(client, suffix):
    path = "/id/chapter/23" + suffix
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Vary"] == "Accept"
    several = client.get(path, headers={"If-None-Match": f'"nope", {etag}'})
    assert several.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"nope"'}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    older = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": older}).status_code == 200
    # RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present
    both = client.get(path, headers={"If-None-Match": '"nope"', "If-Modified-Since": modified})
    assert both.status_code == 200 and both.data == first.data


def test_revalidation_by_accept(client):
    first = client.get("/id/country/MNE", headers={"Accept": "application/ld+json"})
    r = client.get(
        "/id/country/MNE",
        headers={"Accept": "application/ld+json", "If-None-Match": first.headers["ETag"]},
    )
    assert r.status_code == 304
    other = client.get(
        "/id/country/MNE", headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 200 and other.mimetype == "text/turtle"


def test_unknown_iri_is_a_helpful_404_in_every_format(client):
    r = client.get("/id/country/MNEE", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert r.headers["Vary"] == "Accept"

    page = Page(r.get_data(as_text=True))
    assert ("/id/country/MNE", "Montenegro") in page.links  # did you mean
    for href in ("/", "/sparql", "/queries"):
        assert href in {h for h, _ in page.links}
    for suffix in (".ttl", ".nt"):
        r = client.get("/id/country/MNEE" + suffix)
        assert r.status_code == 404 and r.mimetype == MEDIA[suffix]
        text = r.get_data(as_text=True)
        assert "<https://w3id.org/eu-enlargement/id/country/MNE>" in text
        assert len(parse_rdf(client, r.data, suffix)) == 0  # comments only: an empty graph
    r = client.get("/id/country/MNEE.rdf")
    assert r.status_code == 404 and len(parse_rdf(client, r.data, ".rdf")) == 0
    r = client.get("/id/country/MNEE", headers={"Accept": "application/ld+json"})
    assert r.status_code == 404 and r.mimetype == "application/ld+json"
    doc = json.loads(r.data)
    assert BASE + "id/country/MNE" in doc["error"]["did_you_mean"]
    assert len(Graph().parse(data=r.data, format="json-ld")) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/id/chapter/99",
        "/id/nothing/here",
        "/id/country/MNE.xyz",
        "/id/",
        "/graph/kg/facts/QQQ",
        "/id/country/mne",
    ],
)
def test_unknown_paths_are_404(client, path):
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert r.mimetype == "text/turtle"


def test_case_and_typo_suggestions(client):

    page = Page(
        client.get("/id/country/mne", headers={"Accept": "text/html"}).get_data(as_text=True)
    )
    assert ("/id/country/MNE", "Montenegro") in page.links
    page = Page(
        client.get("/graph/kg/facts/MNEE", headers={"Accept": "text/html"}).get_data(as_text=True)
    )
    assert any(h == "/graph/kg/facts/MNE" for h, _ in page.links)


def test_named_graph_serves_its_content(client, app):
    """A named graph's IRI: exactly the graph's triples (documented choice)."""
    g = parse_rdf(client, client.get("/graph/kg/facts/XKX.nt").data, ".nt")
    rows = select(
        app,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        g=URIRef(BASE + "graph/kg/facts/XKX"),
    )
    assert len(g) == int(rows[0]["n"]) > 0
    assert all(str(s).startswith(BASE + "id/fact/XKX/") for s in g.subjects())


def test_head_and_cors(client):
    r = client.head("/id/country/MNE.ttl")
    assert r.status_code == 200 and r.data == b"" and r.headers["ETag"]
    assert client.get("/id/country/MNE.ttl").headers["Access-Control-Allow-Origin"] == "*"
