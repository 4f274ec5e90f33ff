"""``/ontology``: the documentation page lists every term; the ontology IRI and its version IRI
negotiate between the page and the RDF serialisations; the diagram is on the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from enlargement_kg.core.namespaces import BASE, ENL, ONTOLOGY_IRI
from enlargement_kg.core.ontology_doc import MODULES
from enlargement_kg.core.validation import ontology_graph

NS = str(ENL._NS)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARSE = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def ontology_terms() -> dict[str, URIRef]:
    g = ontology_graph()
    return {
        str(s)[len(NS) :]: s
        for s in set(g.subjects())
        if isinstance(s, URIRef) and str(s).startswith(NS)
    }


VOID = ("br", "meta", "link", "img", "input", "hr", "wbr", "col", "source")


class Page(HTMLParser):
    """The parts of the page the tests look at: term sections (their id, text), headings
    with ids, and whether an <svg> sits inside the diagram block, with its links."""

    def __init__(self, html: str):
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.ids: set[str] = set()
        self.svg_links: list[str] = []
        self._stack: list[tuple[str, str | None]] = []
        self._in_diagram = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        section = self._attrs(tag, dict(attrs))
        if tag not in VOID:
            self._stack.append((tag, section))

    def handle_startendtag(self, tag, attrs):  # <rect .../> opens nothing
        self._attrs(tag, dict(attrs))

    def _attrs(self, tag: str, a: dict) -> str | None:
        if a.get("id"):
            self.ids.add(a["id"])
        section = a["id"] if tag == "section" and "term" in (a.get("class") or "") else None
        if section:
            self.sections[section] = []
        if tag == "div" and a.get("class") == "diagram":
            self._in_diagram = len(self._stack) + 1
        if self._in_diagram and tag == "a" and a.get("href"):
            self.svg_links.append(a["href"])
        return section

    def handle_endtag(self, tag):
        if tag not in [t for t, _ in self._stack]:
            return
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag:
                break
        if self._in_diagram and len(self._stack) < self._in_diagram:
            self._in_diagram = 0

    def handle_data(self, data):
        for _, section in reversed(self._stack):
            if section:
                self.sections[section].append(data)
                break

    def text(self, section: str) -> str:
        return " ".join(" ".join(self.sections[section]).split())


@pytest.fixture(scope="module")
def page(app) -> Page:
    r = app.test_client().get("/ontology", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html"
    return Page(r.get_data(as_text=True))


def test_every_class_and_property_has_its_section(page):
    terms = ontology_terms()
    assert len(terms) > 100
    assert set(page.sections) == set(terms)


def test_each_section_gives_label_iri_and_definition(page):
    g = ontology_graph()
    for name, iri in ontology_terms().items():
        text = page.text(name)
        label = next(str(v) for v in g.objects(iri, RDFS.label) if isinstance(v, Literal))
        definition = str(g.value(iri, SKOS.definition))
        assert label in text and str(iri) in text, name
        assert " ".join(definition.split()) in text, name


def test_sections_show_hierarchy_domain_range_and_fact_codes(page):
    opened = page.text("ChapterOpened")
    assert "enl:AccessionEvent" in opened and "chapter-opened" in opened
    assert "enl:ChapterProvisionallyClosed" in opened  # disjoint with
    chapter = page.text("Chapter")
    assert "enl:chapterNumber" in chapter and "enl:chapter" in chapter  # domain of, range of
    prop = page.text("chapter")
    assert "enl:Fact" in prop and "enl:Chapter" in prop and "functional" in prop
    fact = page.text("Fact")
    assert "dcterms:source" in fact and "some" in fact and "enl:SourceDocument" in fact


def test_page_is_grouped_by_module(page):
    assert {f"module-{m.key}" for m in MODULES} <= page.ids
    assert "module-other" not in page.ids


def test_page_shows_the_diagram_linked_to_the_terms(page):
    assert "#Fact" in page.svg_links and "#Chapter" in page.svg_links
    assert all(link.startswith("#") and link[1:] in page.sections for link in page.svg_links)


def test_turtle_is_the_served_ontology(client):
    r = client.get("/ontology.ttl")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    assert isomorphic(g, ontology_graph())
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g


@pytest.mark.parametrize("path", ["/ontology", "/ontology/0.2.0"])
@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
        ("*/*", "text/turtle"),
        (None, "text/turtle"),
        (BROWSER, "text/html"),
    ],
)
def test_ontology_iri_negotiates(client, path, accept, media_type):
    r = client.get(path, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.data[:200]
    assert r.mimetype == media_type
    assert r.headers["Vary"] == "Accept"
    assert r.headers["Content-Location"].startswith(path + ".")
    if media_type in PARSE:
        g = Graph().parse(data=r.data, format=PARSE[media_type])
        assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.2.0")) in g
        assert isomorphic(g, ontology_graph())


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
        (".html", "text/html"),
    ],
)
def test_suffix_picks_the_format_whatever_accept_says(client, suffix, media_type):
    for path in ("/ontology", "/ontology/0.2.0"):
        r = client.get(path + suffix, headers={"Accept": "image/png"})
        assert r.status_code == 200 and r.mimetype == media_type


def test_version_iri_of_the_ontology_dereferences(client):
    version_iri = str(ontology_graph().value(ONTOLOGY_IRI, OWL.versionIRI))
    path = version_iri[len(BASE) - 1 :]
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert (ONTOLOGY_IRI, OWL.versionIRI, URIRef(version_iri)) in Graph().parse(
        data=r.data, format="turtle"
    )


def test_unknown_version_suffix_and_media_type_are_refused(client):
    r = client.get("/ontology/9.9.9", headers={"Accept": "text/plain"})
    assert r.status_code == 404 and b"0.2.0" in r.data
    r = client.get("/ontology.docx")
    assert r.status_code == 404 and b".ttl" in r.data
    r = client.get("/ontology", headers={"Accept": "image/png"})
    assert r.status_code == 406 and b"text/turtle" in r.data


def test_revalidation_and_head(client):
    r = client.get("/ontology.ttl")
    etag = r.headers["ETag"]
    assert client.get("/ontology.ttl", headers={"If-None-Match": etag}).status_code == 304
    h = client.head("/ontology", headers={"Accept": "text/turtle"})
    assert h.status_code == 200 and h.data == b"" and h.headers["ETag"] == etag


@pytest.mark.live
def test_live_server_serves_the_ontology(live):
    import requests

    r = requests.get(f"{live.url}/ontology", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=r.text, format="turtle"), ontology_graph())
    r = requests.get(f"{live.url}/ontology", headers={"Accept": BROWSER}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert set(Page(r.text).sections) == set(ontology_terms())
