"""The data changelog: which facts were added, changed and retracted between two graphs.

A *fact* is a node typed ``enl:Fact`` or any subclass of it (``ontology/enlargement.ttl``,
"Facts: the sourced, dated statements of the graph"). Two versions of a fact are the same
fact when they have the same IRI; a fact *changed* when its own triples (the triples with it
as subject) differ. The changelog groups facts per country (``enl:country``) and cites each
fact's sources (title, publisher, date, URL), taken from the graph the fact is in.

Inputs (:func:`load_graph_source`): dump files (``.nq .trig .ttl .nt .jsonld .rdf``, each
optionally ``.gz``), release folders (their N-Quads dump), store folders written by
``enlargement-kg build`` and kg folders (built without validation).
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from .namespaces import ENL, SCHEMA

SUFFIX_FORMAT = {
    ".nq": "nquads",
    ".trig": "trig",
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
}
OTHER = "EU"  #: group of facts about no single enlargement country


class ChangelogError(Exception):
    """An input cannot be read; ``code`` is the CLI exit code (2: unreadable input)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class GraphSource:
    """One side of a comparison: the union of its triples and where it came from."""

    graph: Graph
    label: str


def _parse_bytes(data: bytes, fmt: str) -> Graph:
    """Parse with the embedded store (fast, every syntax the service serves), then hand the
    union of the named graphs to rdflib."""
    from .formats import by_name
    from .oxigraph_store import OxigraphStore

    store = OxigraphStore.memory()
    store.load_bytes(data, by_name(fmt))
    union = Graph()
    union.parse(data=store.dump(by_name("ntriples")).decode("utf-8"), format="nt")
    return union


def _read_file(path: Path) -> Graph:
    name = path.name
    compressed = name.endswith(".gz")
    suffix = Path(name[:-3]).suffix if compressed else path.suffix
    fmt = SUFFIX_FORMAT.get(suffix.lower())
    if fmt is None:
        raise ChangelogError(
            f"cannot read {path}: unknown file type {suffix or '(none)'}; "
            "expected .nq .trig .ttl .nt .jsonld .rdf, optionally .gz"
        )
    try:
        data = path.read_bytes()
        if compressed:
            data = gzip.decompress(data)
        return _parse_bytes(data, fmt)
    except (OSError, EOFError, SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise ChangelogError(f"cannot parse {path}: {exc}") from None


def load_graph_source(path: Path) -> GraphSource:
    """Read a dump file, a release folder, a store folder or a kg folder."""
    path = Path(path)
    if not path.exists():
        raise ChangelogError(f"cannot read {path}: no such file or folder")
    if path.is_file():
        return GraphSource(_read_file(path), str(path))
    for name in (
        "enlargement-kg.nq",
        "enlargement-kg.nq.gz",
        "enlargement-kg.trig",
        "enlargement-kg.trig.gz",
    ):
        if (path / name).is_file():  # a release folder or a dump cache folder
            return GraphSource(_read_file(path / name), str(path))
    from .formats import by_name
    from .oxigraph_store import META_FILE, OxigraphStore

    if (path / META_FILE).is_file():  # a store written by `build`
        store = OxigraphStore.open(path)
        return GraphSource(_parse_bytes(store.dump(by_name("ntriples")), "ntriples"), str(path))
    from .build import BuildError, build_memory

    try:  # a kg folder
        res = build_memory(kg_dir=path, validate_data=False)
    except BuildError as exc:
        raise ChangelogError(f"cannot read the kg folder {path}: {exc}") from None
    return GraphSource(_parse_bytes(res.store.dump(by_name("ntriples")), "ntriples"), str(path))


# -- facts ------------------------------------------------------------------------------------


def fact_classes(*graphs: Graph) -> set[URIRef]:
    """``enl:Fact`` and every class below it, from the packaged ontology and the graphs."""
    from .validation import ontology_graph

    sub: dict[Node, set[Node]] = defaultdict(set)
    for g in (ontology_graph(), *graphs):
        for c, parent in g.subject_objects(RDFS.subClassOf):
            sub[parent].add(c)
    out, todo = {ENL.Fact}, [ENL.Fact]
    while todo:
        for c in sub.get(todo.pop(), ()):
            if isinstance(c, URIRef) and c not in out:
                out.add(c)
                todo.append(c)
    return out


def _term_key(g: Graph, o: Node):
    """A comparable form of an object; a blank node stands for its own triples."""
    if isinstance(o, BNode):
        return ("_:", tuple(sorted((str(p), _plain(x)) for p, x in g.predicate_objects(o))))
    return o


def _plain(o: Node):
    return ("_:",) if isinstance(o, BNode) else o


def fact_triples(g: Graph, classes: set[URIRef]) -> dict[URIRef, frozenset]:
    """Every fact of ``g`` with the set of its (predicate, object) pairs."""
    from .labels import most_specific

    facts = {s for c in classes for s in g.subjects(RDF.type, c) if isinstance(s, URIRef)}
    out = {}
    for f in facts:
        # the asserted class only: a graph with the derived graph also types a fact with its
        # superclasses (docs/modelling.md), which is no change of the fact
        types = set(most_specific(g.objects(f, RDF.type)))
        out[f] = frozenset(
            (p, _term_key(g, o)) for p, o in g.predicate_objects(f) if p != RDF.type or o in types
        )
    return out


@dataclass(frozen=True)
class SourceRef:
    iri: str
    title: str
    publisher: str
    date: str
    url: str

    def to_markdown(self) -> str:
        meta = ", ".join(x for x in (self.publisher, self.date) if x)
        head = f"[{self.title}]({self.url})" if self.url else self.title
        return head + (f" ({meta})" if meta else "")


@dataclass(frozen=True)
class FactChange:
    """One fact in the changelog; ``added``/``removed`` list its triples that changed."""

    iri: str
    kind: str  #: added, changed or retracted
    country: str  #: ISO 3166 alpha-3, or EU for facts about no single country
    country_label: str
    types: tuple[str, ...]
    label: str
    date: str
    sources: tuple[SourceRef, ...]
    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict:
        return {
            "iri": self.iri,
            "kind": self.kind,
            "country": self.country,
            "country_label": self.country_label,
            "types": list(self.types),
            "label": self.label,
            "date": self.date,
            "sources": [s.__dict__ for s in self.sources],
            "added": [list(t) for t in self.added],
            "removed": [list(t) for t in self.removed],
        }


@dataclass
class ChangeSet:
    """The facts added, changed and retracted from OLD to NEW, and the other triples."""

    added: list[FactChange] = field(default_factory=list)
    changed: list[FactChange] = field(default_factory=list)
    retracted: list[FactChange] = field(default_factory=list)
    unchanged: int = 0
    other_added: int = 0
    other_removed: int = 0
    first: bool = False  #: no OLD side: everything is new

    def counts(self) -> dict:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "retracted": len(self.retracted),
            "unchanged": self.unchanged,
            "other_triples_added": self.other_added,
            "other_triples_removed": self.other_removed,
        }

    def by_country(self) -> dict[str, dict[str, list[FactChange]]]:
        out: dict[str, dict[str, list[FactChange]]] = {}
        for kind in ("added", "changed", "retracted"):
            for fc in getattr(self, kind):
                out.setdefault(fc.country, {"added": [], "changed": [], "retracted": []})
                out[fc.country][kind].append(fc)
        return dict(sorted(out.items(), key=lambda kv: (kv[0] == OTHER, kv[0])))

    def to_json(self, *, old_label: str | None = None, new_label: str | None = None) -> dict:
        return {
            "old": old_label,
            "new": new_label,
            "counts": self.counts(),
            "added": [f.to_json() for f in self.added],
            "changed": [f.to_json() for f in self.changed],
            "retracted": [f.to_json() for f in self.retracted],
        }

    def to_markdown(self, *, title: str, old_label: str | None, new_label: str | None) -> str:
        lines = [f"# {title}", ""]
        if self.first or old_label is None:
            lines.append(
                f"First release{f' ({new_label})' if new_label else ''}: no earlier "
                "release to compare with, so every fact is listed as added."
            )
        else:
            lines.append(f"From {old_label} to {new_label}.")
        lines += [
            "",
            f"- {len(self.added)} fact(s) added",
            f"- {len(self.changed)} fact(s) changed",
            f"- {len(self.retracted)} fact(s) retracted",
            f"- {self.unchanged} fact(s) unchanged",
            f"- outside the facts (reference data, sources, ontology): "
            f"{self.other_added} triple(s) added, {self.other_removed} removed",
            "",
        ]
        groups = self.by_country()
        if not groups:
            lines += ["No fact was added, changed or retracted.", ""]
        for code, kinds in groups.items():
            first = next(fc for k in ("added", "changed", "retracted") for fc in kinds[k])
            heading = (
                "EU-wide and other facts" if code == OTHER else f"{first.country_label} ({code})"
            )
            lines += [f"## {heading}", ""]
            for kind, name in (
                ("added", "Added"),
                ("changed", "Changed"),
                ("retracted", "Retracted"),
            ):
                items = kinds[kind]
                if not items:
                    continue
                lines += [f"### {name} ({len(items)})", ""]
                for fc in items:
                    when = f" ({fc.date})" if fc.date else ""
                    lines.append(f"- **{_md(fc.label)}**{when}  ")
                    lines.append(f"  <{fc.iri}>  ")
                    if fc.sources:
                        src = "; ".join(s.to_markdown() for s in fc.sources)
                        lines.append(f"  Source{'s' if len(fc.sources) > 1 else ''}: {src}")
                    else:
                        lines.append("  Source: none recorded")
                    for p, o in fc.removed:
                        lines.append(f"  - removed: {p} = {o}")
                    for p, o in fc.added if kind == "changed" else ():
                        lines.append(f"  - added: {p} = {o}")
                lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"


def _md(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_")


def _label(g: Graph, node: Node) -> str:
    for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
        v = g.value(node, p)
        if v is not None:
            return str(v)
    s = str(node)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(node, URIRef) else s


def _show(g: Graph, labels: Graph, o) -> str:
    if isinstance(o, tuple):  # a blank node's own triples
        return "[" + "; ".join(f"{_local(p)} {_show(g, labels, x)}" for p, x in o[1]) + "]"
    if isinstance(o, Literal):
        return f'"{o}"' + (f"@{o.language}" if o.language else "")
    if isinstance(o, URIRef):
        lab = _label(labels, o)
        return f"{lab} <{o}>" if lab != _local(o) else f"<{o}>"
    return str(o)


def _local(p) -> str:
    return str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _describe(g: Graph, iri: URIRef, kind: str, labels: Graph, added=(), removed=()) -> FactChange:
    country = g.value(iri, ENL.country)
    if country is not None:
        code = str(g.value(country, ENL.iso3166Alpha3) or _local(country))
        country_label = _label(labels, country)
    else:
        parts = str(iri).split("/id/fact/", 1)
        code = parts[1].split("/", 1)[0] if len(parts) == 2 else OTHER
        country_label = code
        if code != OTHER:
            cand = URIRef(str(iri).split("/id/fact/", 1)[0] + "/id/country/" + code)
            if (cand, None, None) in labels:
                country_label = _label(labels, cand)
            else:
                code, country_label = OTHER, OTHER
    sources = []
    for src in sorted(g.objects(iri, DCTERMS.source), key=str):
        pub = g.value(src, DCTERMS.publisher)
        sources.append(
            SourceRef(
                iri=str(src),
                title=_label(g, src) if (src, None, None) in g else str(src),
                publisher=_label(g, pub) if pub is not None else "",
                date=str(g.value(src, DCTERMS.date) or ""),
                url=str(g.value(src, SCHEMA.url) or ""),
            )
        )
    fmt = [(_local(p), _show(g, labels, o)) for p, o in sorted(added, key=_sort_key)]
    rem = [(_local(p), _show(g, labels, o)) for p, o in sorted(removed, key=_sort_key)]
    return FactChange(
        iri=str(iri),
        kind=kind,
        country=code,
        country_label=country_label,
        types=tuple(sorted(_local(t) for t in g.objects(iri, RDF.type))),
        label=_label(g, iri),
        date=str(g.value(iri, DCTERMS.date) or ""),
        sources=tuple(sources),
        added=tuple(fmt),
        removed=tuple(rem),
    )


def _sort_key(po) -> tuple:
    return (str(po[0]), str(po[1]))


def changes_between(old: GraphSource | None, new: GraphSource) -> ChangeSet:
    """Compare the facts of ``old`` and ``new`` (``old`` None: a first release)."""
    old_g = old.graph if old is not None else Graph()
    new_g = new.graph
    classes = fact_classes(old_g, new_g)
    before = fact_triples(old_g, classes)
    after = fact_triples(new_g, classes)
    labels = Graph()
    labels += old_g
    labels += new_g
    cs = ChangeSet(first=old is None)
    for iri in sorted(after.keys() - before.keys(), key=str):
        cs.added.append(_describe(new_g, iri, "added", labels))
    for iri in sorted(before.keys() - after.keys(), key=str):
        cs.retracted.append(_describe(old_g, iri, "retracted", labels))
    for iri in sorted(before.keys() & after.keys(), key=str):
        if before[iri] == after[iri]:
            cs.unchanged += 1
            continue
        cs.changed.append(
            _describe(
                new_g,
                iri,
                "changed",
                labels,
                added=after[iri] - before[iri],
                removed=before[iri] - after[iri],
            )
        )
    for lst in (cs.added, cs.changed, cs.retracted):
        lst.sort(key=lambda f: (f.country == OTHER, f.country, f.date, f.iri))
    fact_nodes = set(before) | set(after)
    old_other = {t for t in old_g if t[0] not in fact_nodes}
    new_other = {t for t in new_g if t[0] not in fact_nodes}
    ground_old = {t for t in old_other if not any(isinstance(x, BNode) for x in t)}
    ground_new = {t for t in new_other if not any(isinstance(x, BNode) for x in t)}
    # triples with blank nodes cannot be matched by identity: count what differs in number
    blank_diff = (len(new_other) - len(ground_new)) - (len(old_other) - len(ground_old))
    cs.other_added = len(ground_new - ground_old) + max(0, blank_diff)
    cs.other_removed = len(ground_old - ground_new) + max(0, -blank_diff)
    return cs
