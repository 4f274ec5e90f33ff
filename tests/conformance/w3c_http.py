"""Send the requests a W3C Protocol manifest entry describes to a live endpoint and check
each response against its ``ht:resp`` (SPARQL 1.1 Protocol §2.1 query, §2.2 update, §3
responses; SPARQL 1.1 Query Results JSON/XML/CSV/TSV formats).

Requests go out as the manifest writes them: its method, headers and body bytes, no
``Accept`` header unless the manifest sets one, no redirects followed. The manifest's
``/sparql/`` path prefix is replaced by the endpoint's path, as its header comment asks.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from rdflib import Graph
from w3c_manifest import ExpectedResponse, HttpRequest, ManifestError

SRX = "{http://www.w3.org/2005/sparql-results#}"

#: Media types of SPARQL results a response may use, by what they can carry.
BOOLEAN_TYPES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": "csv", "text/tab-separated-values": "tsv"}
#: RDF syntaxes the manifest's CONSTRUCT/DESCRIBE tests accept ("RDF/XML, Turtle, N-Triples,
#: RDFa"), with the rdflib parser for each.
RDF_TYPES = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
}

MANIFEST_PREFIX = "/sparql/"


@dataclass
class Exchange:
    """One request sent and what came back, with every mismatch found."""

    method: str
    url: str
    status: int
    content_type: str
    body: bytes
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = self.body[:300].decode("utf-8", "replace")
        return (
            f"{self.method} {self.url} -> {self.status} {self.content_type!r}: "
            f"{'; '.join(self.problems)}\n    body: {text!r}"
        )


def endpoint_url(*, endpoint: str, manifest_path: str) -> str:
    """The manifest's ``/sparql/...`` path and query string, moved onto ``endpoint``."""
    if not manifest_path.startswith(MANIFEST_PREFIX):
        raise ManifestError(
            f"ht:absolutePath {manifest_path!r} does not start with {MANIFEST_PREFIX!r}"
        )
    rest = manifest_path[len(MANIFEST_PREFIX) :]
    parts = urlsplit(endpoint)
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    if rest.startswith("?") or not rest:
        return base + rest
    return f"{base}/{rest}"


def send(
    *,
    request: HttpRequest,
    endpoint: str,
    session: requests.Session,
    extra_headers: dict[str, str] | None = None,
    timeout: float = 20.0,
) -> Exchange:
    """Send ``request`` to ``endpoint`` exactly as the manifest describes it; no answer
    within ``timeout`` seconds is a problem of the exchange, not an error of the runner."""
    url = endpoint_url(endpoint=endpoint, manifest_path=request.path)
    headers: dict[str, str | None] = {"Accept": None, "Accept-Encoding": None}
    headers.update(dict(request.headers))
    headers.update(extra_headers or {})
    try:
        r = session.request(
            request.method,
            url,
            data=request.body,
            headers=headers,
            allow_redirects=False,
            timeout=timeout,
        )
    except requests.Timeout:
        return Exchange(request.method, url, 0, "", b"", [f"no answer within {timeout:g} s"])
    ex = Exchange(request.method, url, r.status_code, r.headers.get("Content-Type", ""), r.content)
    ex.problems = check(response=r, expected=request.expected)
    return ex


def check(*, response: requests.Response, expected: ExpectedResponse) -> list[str]:
    """Every way ``response`` differs from ``expected`` (empty when it conforms)."""
    problems: list[str] = []
    if response.status_code // 100 not in expected.status_classes:
        classes = " or ".join(f"{c}xx" for c in sorted(expected.status_classes))
        problems.append(f"status {response.status_code}, expected {classes}")
        return problems
    if response.status_code // 100 != 2 or expected.result_format is None:
        return problems
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if expected.result_format == "boolean":
        if media not in BOOLEAN_TYPES:
            return [
                f"an ASK answer as {media or 'no media type'}, expected one of "
                f"{sorted(BOOLEAN_TYPES)}"
            ]
        try:
            value = parse_boolean(response.content, BOOLEAN_TYPES[media])
        except ValueError as exc:
            return [f"not a SPARQL boolean result: {exc}"]
        if expected.boolean is not None and value is not expected.boolean:
            problems.append(f"the answer is {value}, expected {expected.boolean}")
    elif expected.result_format == "tabular":
        if media not in TABULAR_TYPES:
            return [
                f"a SELECT answer as {media or 'no media type'}, expected one of "
                f"{sorted(TABULAR_TYPES)}"
            ]
        try:
            parse_table(response.content, TABULAR_TYPES[media])
        except ValueError as exc:
            problems.append(f"not a SPARQL result table: {exc}")
    elif expected.result_format == "RDF":
        if media not in RDF_TYPES:
            return [
                f"a graph answer as {media or 'no media type'}, expected one of {sorted(RDF_TYPES)}"
            ]
        try:
            Graph().parse(data=response.content, format=RDF_TYPES[media])
        except Exception as exc:  # noqa: BLE001 - any parser error means "not RDF"
            problems.append(f"the body does not parse as {media}: {exc}")
    return problems


def parse_boolean(body: bytes, syntax: str) -> bool:
    """The boolean of a SPARQL JSON (§3.2 of the JSON format) or XML (§2.3.2) answer."""
    if syntax == "json":
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise ValueError(f"invalid JSON ({exc})") from None
        if (
            not isinstance(doc, dict)
            or "head" not in doc
            or not isinstance(doc.get("boolean"), bool)
        ):
            raise ValueError("no 'head' and boolean 'boolean' member")
        return doc["boolean"]
    root = _xml(body)
    node = root.find(f"{SRX}boolean")
    if node is None or (node.text or "").strip() not in ("true", "false"):
        raise ValueError("no <boolean>true|false</boolean>")
    return (node.text or "").strip() == "true"


def parse_table(body: bytes, syntax: str) -> tuple[list[str], list[dict[str, str]]]:
    """(variables, rows) of a SELECT answer in JSON, XML, CSV or TSV."""
    if syntax == "json":
        try:
            doc = json.loads(body)
            variables = list(doc["head"]["vars"])
            rows = [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not SPARQL JSON results ({exc!r})") from None
        return variables, rows
    if syntax == "xml":
        root = _xml(body)
        head, results = root.find(f"{SRX}head"), root.find(f"{SRX}results")
        if head is None or results is None:
            raise ValueError("no <head> and <results>")
        variables = [v.get("name", "") for v in head.findall(f"{SRX}variable")]
        rows = [
            {b.get("name", ""): "".join(b.itertext()) for b in r.findall(f"{SRX}binding")}
            for r in results.findall(f"{SRX}result")
        ]
        return variables, rows
    text = body.decode("utf-8")
    if syntax == "csv":
        table = list(csv.reader(io.StringIO(text)))
        if not table:
            raise ValueError("empty CSV")
        return table[0], [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    lines = text.split("\n")
    if not lines or not all(v.startswith("?") for v in lines[0].split("\t") if v):
        raise ValueError("the TSV header is not a list of ?variables")
    variables = [v[1:] for v in lines[0].split("\t") if v]
    return variables, [
        dict(zip(variables, line.split("\t"), strict=True)) for line in lines[1:] if line
    ]


def _xml(body: bytes) -> ET.Element:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ValueError(f"invalid XML ({exc})") from None
    if root.tag != f"{SRX}sparql":
        raise ValueError(f"the root element is {root.tag}, not sparql-results#sparql")
    return root
