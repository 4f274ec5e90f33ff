"""Helpers for the linked-data tests: SPARQL lookups, RDF parsing of every
format (JSON-LD through the published context, fetched from the app as a JSON-LD processor's
document loader would), and an ``html.parser`` reader of the pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

from rdflib import Graph

BASE = "https://w3id.org/eu-enlargement/"
MEDIA = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".html": "text/html",
}
RDFLIB = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}
PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX enl: <https://w3id.org/eu-enlargement/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def served_store(app):
    """The store the app serves (to ask SPARQL what the pages should show)."""
    return app.extensions["enlargement_kg"].store


def select(app, query: str, **bindings) -> list[dict]:
    """Run a SELECT (prefixes added) on the store ``app`` serves, variables bound."""
    return served_store(app).select(PREFIXES + query, bindings=bindings or None)


def parse_rdf(client, body: bytes, suffix: str) -> Graph:
    """Parse a response body of the format ``suffix``. A JSON-LD document names its context
    by URL: it is fetched from the app (``/context.jsonld``) and put in place, as a
    processor's document loader would, so nothing leaves the test."""
    if suffix == ".jsonld":
        doc = json.loads(body)
        ref = doc["@context"]
        assert isinstance(ref, str) and ref.endswith("/context.jsonld"), ref
        ctx = client.get("/context.jsonld")
        assert ctx.status_code == 200
        doc["@context"] = json.loads(ctx.data)["@context"]
        return Graph().parse(data=json.dumps(doc), format="json-ld")
    return Graph().parse(data=body, format=RDFLIB[suffix])


@dataclass
class Element:
    tag: str
    attrs: dict
    text: str = ""
    children: list = field(default_factory=list)


class Page(HTMLParser):
    """A page read with html.parser: its title, h1, links (href, text) and the table rows
    and list items that carry ``data-*`` attributes (with their text and links)."""

    def __init__(self, html: str):
        super().__init__()
        self.title = ""
        self.h1 = ""
        self.links: list[tuple[str, str]] = []
        self.rows: list[Element] = []
        self.text_parts: list[str] = []
        self._stack: list[str] = []
        self._open_links: list[list] = []
        self._open_rows: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append(tag)
        if tag == "a":
            self._open_links.append([a.get("href", ""), ""])
        if tag in ("tr", "li") and any(k.startswith("data-") for k in a):
            self._open_rows.append(Element(tag, a))

    def handle_endtag(self, tag):
        if tag == "a" and self._open_links:
            href, text = self._open_links.pop()
            self.links.append((href, " ".join(text.split())))
            for row in self._open_rows:
                row.children.append((href, " ".join(text.split())))
        if tag in ("tr", "li") and self._open_rows and self._open_rows[-1].tag == tag:
            row = self._open_rows.pop()
            row.text = " ".join(row.text.split())
            self.rows.append(row)
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data):
        if "title" in self._stack:
            self.title += data
        if "h1" in self._stack:
            self.h1 += data
        for link in self._open_links:
            link[1] += data
        for row in self._open_rows:
            row.text += data
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def rows_where(self, **attrs) -> list[Element]:
        return [
            r
            for r in self.rows
            if all(r.attrs.get("data-" + k.replace("_", "-")) == v for k, v in attrs.items())
        ]
