"""Publishing: dumps at ``/export/``, VoID at ``/.well-known/void``, the DCAT-AP catalogue at
``/catalog``.

- ``/export/`` lists the dumps with byte size and SHA-256 (HTML for browsers, JSON for
  ``Accept: application/json``, ``?format=json`` or ``/export.json``); ``/export/<file>``
  serves a dump (``.gz`` too) with a strong ``ETag`` (its SHA-256), ``Last-Modified``,
  ``304`` on revalidation and byte ranges; ``/export/releases/<version>/<file>`` serves the
  files of a recorded release.
- ``/.well-known/void``: the VoID description (VoID §7.2 "Discovery via /.well-known/void"),
  Turtle by default, JSON-LD, N-Triples or RDF/XML by ``Accept`` or suffix.
- ``/catalog``: the DCAT-AP 3.0.1 catalogue of the current dataset and of every recorded
  release; Turtle, JSON-LD, RDF/XML or N-Triples by ``Accept`` or suffix (``.ttl``
  ``.jsonld`` ``.rdf`` ``.nt``), HTML for browsers (``.html``).

Dumps are generated lazily, once per graph version, into a cache folder shared by the
serving processes (:class:`~..core.publishing.DumpCache`); VoID and the catalogue are built once
per graph version (and release index) and kept in memory. Nothing is generated per request.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
)
from flask import json as flask_json
from rdflib import Graph

from ..core import formats, jsonld
from ..core.formats import HTML, Format
from ..core.namespaces import BASE, PREFIXES
from ..core.publishing import (
    DumpCache,
    DumpSet,
    GraphStats,
    ReleaseIndex,
    ReleaseManifest,
    catalog_graph,
    current_version,
    graph_stats,
    normalise_base,
    spatial_coverage,
    void_graph,
)
from ..core.publishing.dumps import default_cache_dir
from .negotiate import PAGE_FOR_BROWSERS, NotAcceptableFormat, pick, representation, wants_html
from .respond import digest, rdf_response
from .state import state

bp = Blueprint("publish", __name__)

RDF_OFFERED: list[Format] = [formats.by_name(n) for n in ("turtle", "jsonld", "rdfxml", "ntriples")]
LISTING_JSON = Format("listing-json", "application/json", "page", (".json",))
EXTENSION = "enlargement_kg_publish"
#: The other files of a release folder, served beside its dumps.
RELEASE_DOCUMENTS = {
    "CHANGES.md": "text/markdown; charset=utf-8",
    "void.ttl": RDF_OFFERED[0].content_type,
    "catalog.ttl": RDF_OFFERED[0].content_type,
    "release.json": "application/json",
}


@dataclass
class PublishState:
    """Per-app caches, keyed by the graph version (and the release index's mtime)."""

    dumps: DumpCache
    releases_dir: Path
    lock: threading.Lock = field(default_factory=threading.Lock)
    stats: dict[str, GraphStats] = field(default_factory=dict)
    spatial: dict[str, tuple] = field(default_factory=dict)
    documents: dict[tuple, bytes] = field(default_factory=dict)
    index_key: tuple | None = None
    index: list[ReleaseManifest] = field(default_factory=list)
    version: str | None = None

    def for_version(self, version: str) -> None:
        """Forget what was built for an older graph version (a write changed the graph)."""
        if version != self.version:
            with self.lock:
                if version != self.version:
                    self.stats.clear()
                    self.spatial.clear()
                    self.documents.clear()
                    self.version = version


def init_app(app: Flask) -> None:
    settings = app.extensions["enlargement_kg"].settings  # the app's, never the environment's
    app.extensions[EXTENSION] = PublishState(
        dumps=DumpCache(settings.dumps_dir or default_cache_dir(settings.cache_home)),
        releases_dir=settings.releases_dir,
    )


def pstate() -> PublishState:
    return current_app.extensions[EXTENSION]


# -- the data behind the pages ----------------------------------------------------------------


def current_dumps() -> DumpSet:
    gs = state()
    return pstate().dumps.get(gs.store, gs.service.version)


def releases() -> list[ReleaseManifest]:
    """The recorded releases (re-read when the index file changes)."""
    ps = pstate()
    path = ps.releases_dir / "index.json"
    try:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        key = (str(path), None, None)
    if key != ps.index_key:
        with ps.lock:
            ps.index = ReleaseIndex.load(path).manifests() if key[1] is not None else []
            ps.index_key = key
    return ps.index


def find_release(version: str) -> ReleaseManifest | None:
    for r in releases():
        if r.version == version:
            return r
    return None


def _stats(version: str) -> GraphStats:
    ps = pstate()
    ps.for_version(version)
    if version not in ps.stats:
        ps.stats[version] = graph_stats(state().store)
    return ps.stats[version]


def _spatial(version: str) -> tuple:
    ps = pstate()
    ps.for_version(version)
    if version not in ps.spatial:
        ps.spatial[version] = spatial_coverage(state().store)
    return ps.spatial[version]


def base_url() -> str:
    """The public base of every absolute URL the service writes (documents, listings, the
    service description, ``@context``, feeds), ending in ``/``: ``settings.base_url``, else
    the IRI base. Never the request's ``Host`` header, which any client sets (issue 17)."""
    return normalise_base(state().settings.base_url or BASE)


def context_url() -> str:
    """Where the service publishes the JSON-LD context (the ``@context`` of its documents)."""
    return base_url() + jsonld.CONTEXT_PATH


def serialize(g: Graph, fmt: Format) -> bytes:
    if fmt.name == "jsonld":
        return jsonld.compact(g, context_ref=context_url())
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)
    return g.serialize(format=fmt.rdflib, encoding="utf-8")


def _document(kind: str, fmt: Format, build) -> tuple[bytes, str]:
    """A serialised document, built once per graph version, release index and format."""
    version = state().service.version
    ps = pstate()
    ps.for_version(version)
    key = (kind, version, ps.index_key, fmt.name, context_url() if fmt.name == "jsonld" else "")
    body = ps.documents.get(key)
    if body is None:
        body = serialize(build(), fmt)
        with ps.lock:
            ps.documents[key] = body
    return body, version


def void_document() -> Graph:
    gs = state()
    version = gs.service.version
    info = gs.store.info()
    return void_graph(
        stats=_stats(version),
        dumps=current_dumps(),
        base_url=base_url(),
        modified=str(info.details.get("built_at") or ""),
        version=version,
    )


def catalog_versions():
    gs = state()
    rels = releases()
    cur = current_version(
        store=gs.store, dumps=current_dumps(), releases=rels, spatial=_spatial(gs.service.version)
    )
    return cur, [r.as_version() for r in rels]


def catalog_document() -> Graph:
    cur, rels = catalog_versions()
    return catalog_graph(current=cur, releases=rels, base_url=base_url())


# -- responses --------------------------------------------------------------------------------


def _rdf_response(kind: str, build, suffix: str | None, *, html: str | None = None):
    """Negotiate (suffix, then ``format=`` and Accept; HTML for browsers when ``html`` names
    a template), then answer (:func:`.respond.rdf_response`): the entity tag is known before
    the document is built, so a revalidation builds nothing."""
    offered = RDF_OFFERED + ([HTML] if html else [])
    if suffix:
        fmt = pick(offered, suffix=suffix)
        if fmt is None:
            abort(
                404,
                f"no {suffix} version of this document; offered: "
                + ", ".join(f.suffixes[0] for f in offered),
            )
    else:
        fmt = representation(
            RDF_OFFERED, default=RDF_OFFERED[0], page=PAGE_FOR_BROWSERS if html else None
        )
    version = state().service.version
    releases()  # re-read the index if it changed: the document depends on it
    key = (
        kind,
        version,
        repr(pstate().index_key),
        fmt.name,
        context_url() if fmt.name == "jsonld" else "",
    )
    path = request.path.rsplit(".", 1)[0] if suffix else request.path

    def make() -> bytes:
        if fmt is HTML:
            cur, rels = catalog_versions()
            page = render_template(html, current=cur, releases=rels, base=base_url(), path=path)
            return page.encode("utf-8")
        return _document(kind, fmt, build)[0]

    return rdf_response(
        fmt, make, path=path, alternates_of=offered, etag=digest("|".join(key).encode())
    )


@bp.get("/.well-known/void")
@bp.get("/.well-known/void<any(.ttl,.jsonld,.rdf,.nt):suffix>")
def void(suffix: str | None = None):
    """VoID §7.2: the dataset description at the well-known location."""
    return _rdf_response("void", void_document, suffix)


@bp.get("/catalog")
@bp.get("/catalog<any(.ttl,.jsonld,.rdf,.nt,.html):suffix>")
def catalog(suffix: str | None = None):
    """DCAT-AP 3.0.1: the catalogue of the current dataset and of every release."""
    return _rdf_response("catalog", catalog_document, suffix, html="catalog.html")


def _listing() -> dict:
    ds = current_dumps()
    base = base_url().rstrip("/")
    return {
        "graph_version": ds.version,
        "created": ds.created,
        "licence": "https://creativecommons.org/licenses/by/4.0/",
        "files": [
            {
                "name": f.name,
                "title": f.title,
                "format": f.format,
                "media_type": f.media_type,
                "content_media_type": f.rdf_format.media_type,
                "compressed": f.compressed,
                "named_graphs": f.keeps_graphs,
                "size": f.size,
                "sha256": f.sha256,
                "url": f"{base}/export/{f.name}",
            }
            for f in ds.files
        ],
        "releases": [
            {
                "version": r.version,
                "issued": r.issued,
                "graph_version": r.graph_version,
                "changes": r.changes,
                "files": [
                    {
                        "name": f.name,
                        "size": f.size,
                        "sha256": f.sha256,
                        "url": f"{base}/export/releases/{r.version}/{f.name}",
                    }
                    for f in r.files
                ],
            }
            for r in releases()
        ],
    }


@bp.get("/export/")
def export_index():
    """The dumps, with byte size and SHA-256: HTML for browsers, JSON for API clients."""
    if wants_html():
        fmt = HTML
    else:
        fmt = pick([LISTING_JSON, HTML], default=HTML)
        if fmt is None:
            raise NotAcceptableFormat([HTML, LISTING_JSON])
    return _export_index(fmt)


@bp.get("/export.json")
def export_index_json():
    return _export_index(LISTING_JSON)


def _export_index(fmt: Format):
    data = _listing()
    if fmt is HTML:
        resp = Response(
            render_template("export.html", listing=data), content_type=HTML.content_type
        )
    else:
        resp = Response(flask_json.dumps(data, indent=2) + "\n", content_type="application/json")
    resp.headers["Vary"] = "Accept"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def _send(path: Path, *, name: str, media_type: str, sha256: str):
    """A dump file: strong ETag = its SHA-256, Last-Modified, 304 on revalidation and byte
    ranges (RFC 9110 §8.8, §13, §14), ``Repr-Digest`` (RFC 9530)."""
    if not path.is_file():
        abort(
            404,
            f"{name} is missing from the dump folder; it will be written again for "
            "the next graph version",
        )
    resp = send_file(
        path,
        mimetype=media_type,
        as_attachment=True,
        download_name=name,
        etag=sha256,
        conditional=True,
        max_age=300,
    )
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Repr-Digest"] = (
        "sha-256=:" + base64.b64encode(bytes.fromhex(sha256)).decode() + ":"
    )
    return resp


@bp.get("/export/<name>")
def export_file(name: str):
    ds = current_dumps()
    f = ds.get(name)
    if f is None:
        abort(
            404,
            f"no dump called {name!r}; see /export/ for the list: "
            + ", ".join(x.name for x in ds.files),
        )
    return _send(ds.path(name), name=name, media_type=f.media_type, sha256=f.sha256)


@bp.get("/export/releases/<version>/<name>")
def release_file(version: str, name: str):
    rel = find_release(version)
    if rel is None or rel.folder is None:
        known = ", ".join(r.version for r in releases()) or "none"
        abort(404, f"no release {version!r} is recorded here (releases: {known})")
    for f in rel.files:
        if f.name == name:
            return _send(rel.folder / name, name=name, media_type=f.media_type, sha256=f.sha256)
    if name in RELEASE_DOCUMENTS and (rel.folder / name).is_file():
        path = rel.folder / name
        return _send(
            path,
            name=name,
            media_type=RELEASE_DOCUMENTS[name],
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    abort(404, f"release {version} has no file {name!r}")
