"""Facts about the served graph: the statistics VoID §4.6 counts (totals, class and property
partitions, one subset per named graph), the vocabularies used (VoID §4.4) and the spatial
coverage the catalogue gives (``dcterms:spatial``).

Every figure comes from a SPARQL query in ``core/rq/`` (``stats_*.rq``,
``spatial_coverage.rq``) run through the store interface with bound variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef

from ..describe import internal_query
from ..namespaces import BASE, EUCOUNTRY
from ..store import Store


@dataclass(frozen=True)
class Partition:
    iri: URIRef
    count: int


@dataclass(frozen=True)
class GraphStats:
    """What VoID §4.6 counts, computed with SPARQL through the store interface."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: tuple[Partition, ...]
    property_partitions: tuple[Partition, ...]
    named_graphs: tuple[Partition, ...]

    @property
    def vocabularies(self) -> tuple[URIRef, ...]:
        """The namespaces of the classes and properties used (VoID §4.4)."""
        out = {namespace_of(p.iri) for p in self.classes + self.property_partitions}
        return tuple(URIRef(v) for v in sorted(out))


def namespace_of(iri: str) -> str:
    s = str(iri)
    if "#" in s:
        return s.rsplit("#", 1)[0] + "#"
    return s.rsplit("/", 1)[0] + "/"


def _int(row: dict, key: str) -> int:
    v = row.get(key)
    return int(v.toPython()) if v is not None else 0


def _select(store: Store, name: str, **bindings: Literal) -> list[dict]:
    """The rows of ``core/rq/{name}.rq`` with ``bindings`` bound."""
    return store.select(internal_query(name), bindings=bindings or None)


def graph_stats(store: Store) -> GraphStats:
    """Counts and partitions of the served dataset (union of the named graphs)."""
    totals = _select(store, "stats_totals")[0]
    entities = _select(store, "stats_entities", space=Literal(BASE))[0]
    classes = tuple(Partition(r["class"], _int(r, "n")) for r in _select(store, "stats_classes"))
    props = tuple(Partition(r["p"], _int(r, "n")) for r in _select(store, "stats_properties"))
    graphs = tuple(
        Partition(r["g"], _int(r, "n"))
        for r in _select(store, "stats_graphs")
        if isinstance(r.get("g"), URIRef)
    )
    return GraphStats(
        triples=_int(totals, "triples"),
        entities=_int(entities, "n"),
        distinct_subjects=_int(totals, "subjects"),
        distinct_objects=_int(totals, "objects"),
        properties=_int(totals, "properties"),
        classes=classes,
        property_partitions=props,
        named_graphs=graphs,
    )


def spatial_coverage(store: Store) -> tuple[URIRef, ...]:
    """The EU Publications Office country IRIs of the enlargement countries in the graph."""
    rows = _select(store, "spatial_coverage", prefix=Literal(str(EUCOUNTRY)))
    return tuple(r["authority"] for r in rows)
