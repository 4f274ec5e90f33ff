"""Read W3C SPARQL 1.1 test manifests (the ``mf:``, ``ht:``, ``cnt:`` and ``ut:``
vocabularies) into dataclasses, with rdflib.

The Protocol manifest describes each test as an ``ht:Connection`` whose ``ht:requests`` list
holds ``ht:Request`` nodes (method, absolute path, headers, a ``cnt:ContentAsText`` body)
each with an ``ht:resp`` carrying the expectation: ``mf:expectedStatus`` (status-code
classes from the ``http-statusCodes`` vocabulary), ``mf:expectedFormat`` (``"boolean"``,
``"tabular"`` or ``"RDF"``) and ``mf:expectedBoolean``; ``ut:graphData`` names the data the
test needs in the store (``ut:graph`` the file, ``rdfs:label`` the graph name). The Service
Description manifest has names only: its entries are implemented by the runner's table.

Nothing here knows about the service under test; :mod:`w3c_http` sends and checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
HTS = "http://www.w3.org/2011/http-statusCodes#"

_STATUS_CLASS = re.compile(r"^StatusCode([1-5])xx$")


class ManifestError(Exception):
    """The manifest uses a construct this reader does not understand."""


@dataclass(frozen=True)
class GraphData:
    """A file the test needs loaded into the store as the named graph ``name``."""

    file: Path
    name: str


@dataclass(frozen=True)
class ExpectedResponse:
    """``ht:resp``: the acceptable status classes (2 for ``2xx``), the result format and,
    for ASK, the boolean."""

    status_classes: frozenset[int]
    result_format: str | None = None  #: "boolean", "tabular" or "RDF"
    boolean: bool | None = None


@dataclass(frozen=True)
class HttpRequest:
    """One ``ht:Request``. ``path`` is the manifest's ``ht:absolutePath`` (it starts with
    ``/sparql/``, which a runner replaces with the endpoint's path)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    body_encoding: str | None
    expected: ExpectedResponse

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


@dataclass(frozen=True)
class ManifestEntry:
    iri: str
    key: str  #: the entry's local name (the fragment of its IRI)
    types: frozenset[str]
    name: str
    approval: str | None
    graph_data: tuple[GraphData, ...]
    requests: tuple[HttpRequest, ...]


@dataclass(frozen=True)
class Manifest:
    path: Path
    label: str
    entries: tuple[ManifestEntry, ...]


def read_manifest(*, path: Path) -> Manifest:
    """Parse ``path`` and return its ``mf:entries`` in manifest order."""
    g = Graph()
    g.parse(path, format="turtle", publicID=path.resolve().as_uri())
    manifests = list(g.subjects(RDF.type, MF.Manifest))
    if len(manifests) != 1:
        raise ManifestError(f"{path}: expected one mf:Manifest, found {len(manifests)}")
    m = manifests[0]
    head = g.value(m, MF.entries)
    if head is None:
        raise ManifestError(f"{path}: the manifest has no mf:entries")
    entries = tuple(_entry(g, e, path.parent) for e in Collection(g, head))
    return Manifest(path, str(g.value(m, RDFS.label) or path.parent.name), entries)


def _entry(g: Graph, e: Node, folder: Path) -> ManifestEntry:
    iri = str(e)
    key = iri.rsplit("#", 1)[-1]
    graph_data = tuple(_graph_data(g, gd, folder) for gd in g.objects(e, UT.graphData))
    requests: tuple[HttpRequest, ...] = ()
    action = g.value(e, MF.action)
    if action is not None and (action, RDF.type, HT.Connection) in g:
        head = g.value(action, HT.requests)
        if head is None:
            raise ManifestError(f"{key}: ht:Connection without ht:requests")
        requests = tuple(_request(g, r, key) for r in Collection(g, head))
    approval = g.value(e, DAWGT.approval)
    return ManifestEntry(
        iri,
        key,
        frozenset(str(t) for t in g.objects(e, RDF.type)),
        str(g.value(e, MF.name) or key),
        str(approval) if approval is not None else None,
        tuple(sorted(graph_data, key=lambda d: d.name)),
        requests,
    )


def _graph_data(g: Graph, gd: Node, folder: Path) -> GraphData:
    file_iri, label = g.value(gd, UT.graph), g.value(gd, RDFS.label)
    if file_iri is None or label is None:
        raise ManifestError("ut:graphData needs ut:graph and rdfs:label")
    file = Path(url2pathname(urlparse(str(file_iri)).path))
    if file.parent.resolve() != folder.resolve():
        raise ManifestError(f"ut:graph {file_iri} is outside the manifest's folder")
    return GraphData(file, str(label))


def _request(g: Graph, r: Node, key: str) -> HttpRequest:
    method = g.value(r, HT.methodName)
    path = g.value(r, HT.absolutePath)
    resp = g.value(r, HT.resp)
    if method is None or path is None or resp is None:
        raise ManifestError(f"{key}: ht:Request needs ht:methodName, ht:absolutePath, ht:resp")
    headers: list[tuple[str, str]] = []
    hhead = g.value(r, HT.headers)
    if hhead is not None:
        for h in Collection(g, hhead):
            headers.append((str(g.value(h, HT.fieldName)), str(g.value(h, HT.fieldValue))))
    body, encoding = None, None
    b = g.value(r, HT.body)
    if b is not None:
        if (b, RDF.type, CNT.ContentAsText) not in g:
            raise ManifestError(f"{key}: only cnt:ContentAsText bodies are supported")
        encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(b, CNT.chars)).encode(encoding)
    return HttpRequest(
        str(method), str(path), tuple(headers), body, encoding, _expected(g, resp, key)
    )


def _expected(g: Graph, resp: Node, key: str) -> ExpectedResponse:
    classes = set()
    for s in g.objects(resp, MF.expectedStatus):
        m = _STATUS_CLASS.match(str(s)[len(HTS) :]) if str(s).startswith(HTS) else None
        if m is None:
            raise ManifestError(f"{key}: unsupported mf:expectedStatus {s}")
        classes.add(int(m.group(1)))
    if not classes:
        raise ManifestError(f"{key}: ht:resp without mf:expectedStatus")
    fmt = g.value(resp, MF.expectedFormat)
    boolean = g.value(resp, MF.expectedBoolean)
    if fmt is not None and str(fmt) not in ("boolean", "tabular", "RDF"):
        raise ManifestError(f"{key}: unknown mf:expectedFormat {fmt!r}")
    return ExpectedResponse(
        frozenset(classes),
        str(fmt) if fmt is not None else None,
        bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
    )


def graph_names(*, manifest: Manifest) -> dict[str, Path]:
    """Every named graph the manifest's tests need, with its file."""
    out: dict[str, Path] = {}
    for e in manifest.entries:
        for gd in e.graph_data:
            if out.setdefault(gd.name, gd.file) != gd.file:
                raise ManifestError(f"graph {gd.name} is given two different files")
    return out


__all__ = [
    "ExpectedResponse",
    "GraphData",
    "HttpRequest",
    "Manifest",
    "ManifestEntry",
    "ManifestError",
    "URIRef",
    "graph_names",
    "read_manifest",
]
