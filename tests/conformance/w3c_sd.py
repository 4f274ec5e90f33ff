"""The three tests of the W3C Service Description manifest, which names them and nothing
more; what each checks is the conformance criteria of SPARQL 1.1 Service Description §2
(https://www.w3.org/TR/sparql11-service-description/#conformance):

- ``returns-rdf``: ``GET`` on the endpoint without a query returns RDF (§2: "SPARQL
  services made available via the SPARQL Protocol should return a service description
  document at the service endpoint when dereferenced using the HTTP GET operation without
  any query parameter strings provided"), in each RDF syntax the client asks for;
- ``has-endpoint-triple``: that RDF holds ``?service sd:endpoint <U>`` for the URL ``U``
  that was dereferenced;
- ``conforms-to-schema``: the description uses the vocabulary of §3 as defined (checked
  with the SHACL shapes in ``sd-vocabulary-shapes.ttl`` and the list of defined terms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from rdflib import RDF, Graph, Namespace, URIRef

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SHAPES = Path(__file__).resolve().parent / "sd-vocabulary-shapes.ttl"

#: Every term the vocabulary defines (§3.2 classes, §3.3 instances, §3.4 properties).
SD_TERMS = frozenset(
    SD[t]
    for t in (
        # §3.2 classes
        "Service",
        "Language",
        "Function",
        "Aggregate",
        "EntailmentRegime",
        "EntailmentProfile",
        "GraphCollection",
        "Dataset",
        "Graph",
        "NamedGraph",
        "Feature",
        # §3.3 instances
        "SPARQL10Query",
        "SPARQL11Query",
        "SPARQL11Update",
        "DereferencesURIs",
        "UnionDefaultGraph",
        "RequiresDataset",
        "EmptyGraphs",
        "BasicFederatedQuery",
        # §3.4 properties
        "endpoint",
        "feature",
        "defaultEntailmentRegime",
        "entailmentRegime",
        "defaultSupportedEntailmentProfile",
        "supportedEntailmentProfile",
        "extensionFunction",
        "extensionAggregate",
        "languageExtension",
        "supportedLanguage",
        "propertyFeature",
        "defaultDataset",
        "availableGraphs",
        "resultFormat",
        "inputFormat",
        "defaultGraph",
        "namedGraph",
        "name",
        "graph",
    )
)

#: The RDF syntaxes a client may ask the description in, with their rdflib parser. ``None``
#: sends no Accept header; ``*/*`` is what most HTTP libraries send by default.
RDF_REQUESTS: tuple[tuple[str | None, str], ...] = (
    (None, ""),
    ("*/*", ""),
    ("text/turtle", "turtle"),
    ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
)
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


@dataclass(frozen=True)
class Description:
    """A service description as fetched: the URL, the media type and the parsed graph."""

    url: str
    media_type: str
    graph: Graph


def fetch(
    *, endpoint: str, accept: str | None = "text/turtle", session: requests.Session | None = None
) -> Description:
    """``GET`` the endpoint without a query and parse the answer as the media type says."""
    headers: dict[str, str | None] = {"Accept": accept}
    if session is None:
        with requests.Session() as own:
            r = own.get(endpoint, headers=headers, allow_redirects=False, timeout=30)
    else:
        r = session.get(endpoint, headers=headers, allow_redirects=False, timeout=30)
    if r.status_code != 200:
        raise AssertionError(
            f"GET {endpoint} (Accept: {accept}) -> {r.status_code}: {r.text[:300]}"
        )
    media = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media not in RDF_PARSERS:
        raise AssertionError(
            f"GET {endpoint} (Accept: {accept}) answered {media!r}, "
            f"not an RDF syntax ({', '.join(RDF_PARSERS)})"
        )
    g = Graph().parse(data=r.content, format=RDF_PARSERS[media])
    return Description(endpoint, media, g)


def returns_rdf(*, endpoint: str, session: requests.Session) -> list[str]:
    problems = []
    for accept, parser in RDF_REQUESTS:
        try:
            d = fetch(endpoint=endpoint, accept=accept, session=session)
        except AssertionError as exc:
            problems.append(str(exc))
            continue
        if parser and RDF_PARSERS[d.media_type] != parser:
            problems.append(f"asked for {accept}, got {d.media_type}")
        if (None, RDF.type, SD.Service) not in d.graph:
            problems.append(f"the {d.media_type} answer has no sd:Service")
    return problems


def has_endpoint_triple(*, endpoint: str, session: requests.Session) -> list[str]:
    problems = []
    for accept, _ in RDF_REQUESTS:
        d = fetch(endpoint=endpoint, accept=accept, session=session)
        if (None, SD.endpoint, URIRef(endpoint)) not in d.graph:
            found = sorted(str(o) for o in d.graph.objects(None, SD.endpoint))
            problems.append(
                f"{d.media_type}: no ?service sd:endpoint <{endpoint}>; sd:endpoint values: {found}"
            )
    return problems


def conforms_to_schema(*, endpoint: str, session: requests.Session) -> list[str]:
    return schema_problems(
        graph=fetch(endpoint=endpoint, accept="text/turtle", session=session).graph
    )


def schema_problems(*, graph: Graph) -> list[str]:
    """How ``graph`` departs from the vocabulary of §3: undefined ``sd:`` terms, and the
    SHACL report of ``sd-vocabulary-shapes.ttl`` (domains, ranges, cardinalities)."""
    from pyshacl import validate

    problems = [
        f"{t} is not a term of the Service Description vocabulary"
        for t in sorted(undefined_terms(graph))
    ]
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none", allow_warnings=False)
    if not conforms:
        problems.append(text)
    return problems


def undefined_terms(g: Graph) -> set[URIRef]:
    """IRIs in the ``sd:`` namespace that the vocabulary does not define."""
    used = {
        t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(SD))
    }
    return used - SD_TERMS


MANIFEST = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/service-description/manifest#"

#: The implementation of each Service Description manifest entry, keyed by the entry's IRI.
CHECKS: dict[str, Callable[..., list[str]]] = {
    MANIFEST + "returns-rdf": returns_rdf,
    MANIFEST + "has-endpoint-triple": has_endpoint_triple,
    MANIFEST + "conforms-to-schema": conforms_to_schema,
}
