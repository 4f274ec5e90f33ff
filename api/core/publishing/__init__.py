"""Publishing the graph, one module per specification it implements:

- :mod:`.dumps`: the full dataset in every RDF format, plain and gzipped, with size and
  SHA-256, cached once per graph version (:class:`DumpCache`);
- :mod:`.statistics`: what VoID counts (``core/rq/stats_*.rq``) and the spatial coverage;
- :mod:`.void`: the VoID description served at ``/.well-known/void``;
- :mod:`.dcat`: the DCAT-AP 3.0.1 catalogue served at ``/catalog``;
- :mod:`.releases`: release folders, the release index and the catalogue entries of the
  current graph and of each release;
- :mod:`.identity`: what VoID and DCAT both say about the dataset (title, licence,
  publisher).
"""

from __future__ import annotations

from .dcat import CATALOG, SERVICE, SHA256, DatasetVersion, catalog_graph
from .dumps import (
    DUMP_FORMATS,
    FORMAT_TITLE,
    DumpCache,
    DumpFile,
    DumpSet,
    dump_name,
    serialize_dump,
    write_dumps,
)
from .identity import DATASET, LICENCE, normalise_base
from .releases import (
    PublishError,
    ReleaseIndex,
    ReleaseManifest,
    ReleaseResult,
    current_version,
    default_releases_dir,
    make_release,
    release_iri,
)
from .statistics import GraphStats, graph_stats, spatial_coverage
from .void import void_graph

__all__ = [
    "CATALOG",
    "DATASET",
    "DUMP_FORMATS",
    "FORMAT_TITLE",
    "LICENCE",
    "SERVICE",
    "SHA256",
    "DumpCache",
    "DumpFile",
    "DumpSet",
    "DatasetVersion",
    "GraphStats",
    "PublishError",
    "ReleaseIndex",
    "ReleaseManifest",
    "ReleaseResult",
    "catalog_graph",
    "current_version",
    "default_releases_dir",
    "dump_name",
    "graph_stats",
    "make_release",
    "normalise_base",
    "release_iri",
    "serialize_dump",
    "spatial_coverage",
    "void_graph",
    "write_dumps",
]
