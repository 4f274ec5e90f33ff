"""The ontology as documentation: every class and property with what the page and the
diagram show of it, grouped by module. Pure: it reads an rdflib graph, never Flask.

What is shown follows the ontology's own axioms (OWL 2 Web Ontology Language Mapping to RDF
Graphs, §3.2): ``rdfs:subClassOf`` (named classes and ``owl:Restriction`` nodes),
``owl:disjointWith`` and ``owl:AllDisjointClasses``, ``rdfs:domain`` / ``rdfs:range``,
``rdfs:subPropertyOf`` and the property characteristics. The module of a term is derived:
a class belongs to the module of its nearest root class in :data:`MODULES`; a property to the
module named for it in :data:`PROPERTY_MODULES`, else to its domain's, else to its range's.
A term that none of these place falls into :data:`OTHER`, which a test keeps empty.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .namespaces import ENL, GRAPH, ONTOLOGY_IRI, PREFIXES
from .store import Store

NS = str(ENL._NS)
VANN = "http://purl.org/vocab/vann/"

KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}
CHARACTERISTICS = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.TransitiveProperty: "transitive",
    OWL.SymmetricProperty: "symmetric",
}


@dataclass(frozen=True)
class ModuleSpec:
    """A module of the ontology: a title, what it covers, and its root classes."""

    key: str
    title: str
    description: str
    roots: tuple[str, ...]


#: The modules, in page order. A class sits in the module of its nearest root (ties go to
#: the module listed later, the more specific one: a Security and Defence Partnership
#: signed is an agreement event and a defence tie, and belongs to security and defence).
MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "countries",
        "Countries and status",
        "Countries with their ISO 3166 keys, the organisations the graph names, and "
        "the stages of the accession process.",
        ("Country", "Organisation", "AccessionStatus"),
    ),
    ModuleSpec(
        "structure",
        "Negotiation structure",
        "Clusters, chapters and the other negotiation items as SKOS concepts, and the "
        "per-country negotiation of each.",
        (
            "NegotiationItem",
            "Cluster",
            "NegotiationStatus",
            "ChapterNegotiation",
            "ClusterNegotiation",
        ),
    ),
    ModuleSpec(
        "facts",
        "Facts and events",
        "Facts are nodes with a date at the precision its source gives, one or more "
        "sources and the date they were last confirmed; events are facts that happened "
        "on a date; a one-off event has one preferred date and the ranked claims of "
        "its sources.",
        ("Fact", "DatePrecision", "FactStatus", "Derived", "Claim", "ClaimRank", "EventStep"),
    ),
    ModuleSpec(
        "assessments",
        "Assessments and CFSP",
        "Yearly observations (the Commission's level of preparation, CFSP alignment "
        "rates, each with the body that measured it) and alignment with CFSP acts.",
        ("Observation", "PreparationLevel", "CFSPAct", "CFSPNonAlignment"),
    ),
    ModuleSpec(
        "security",
        "Security and defence",
        "Defence ties (NATO, Partnership for Peace, EU agreements, CSDP missions, "
        "European Peace Facility, SAFE), industrial capabilities, military-mobility "
        "corridors and acquisitions of non-Western systems.",
        (
            "DefenceTie",
            "DefenceBody",
            "CSDPMission",
            "Acquisition",
            "IndustrialCapability",
            "CapabilityType",
            "MobilityCorridor",
            "DualUseStatus",
        ),
    ),
    ModuleSpec(
        "instruments",
        "Instruments",
        "EU instruments (SAFE, the European Peace Facility, the revised methodology "
        "...), their dated steps, amounts and checkable rules, and SAFE procurements "
        "with their origin shares.",
        (
            "Instrument",
            "InstrumentEvent",
            "InstrumentAmount",
            "InstrumentRule",
            "SAFEProcurement",
            "OriginShare",
            "OriginArea",
        ),
    ),
    ModuleSpec(
        "governance",
        "Governance",
        "Benchmarks, the ladder of access tiers to EU defence bodies, access grants, "
        "methodology rules and the derived governance assessment.",
        ("Benchmark", "AccessTier", "AccessGrant", "GovernanceAssessment", "MethodologyRule"),
    ),
    ModuleSpec(
        "sources",
        "Sources",
        "The documents every fact cites, with their kind and reliability tier.",
        ("SourceDocument", "SourceKind", "ReliabilityTier"),
    ),
)
OTHER = ModuleSpec("other", "Other terms", "Terms no module claims.", ())

#: Properties whose module is not that of their domain or range.
PROPERTY_MODULES: dict[str, str] = {
    "factTypeCode": "facts",
    "defenceTieKind": "security",
    "impliesStatus": "countries",
    "blockedBy": "facts",
    "mission": "security",
    "instrument": "instruments",
    "amountEUR": "instruments",
    "statusSince": "structure",
    "safeEligible": "governance",
    "derivedFrom": "facts",
    "rule": "governance",
    "occursOnce": "facts",
    "periodStart": "assessments",
    "periodEnd": "assessments",
}


@dataclass(frozen=True)
class Ref:
    """A link to a term: of this ontology (``name`` set, an anchor on the page) or not; or
    an ``owl:unionOf`` class expression (``members`` set, ``iri`` empty)."""

    iri: str
    label: str
    curie: str
    name: str | None = None  #: local name, for terms of this ontology
    members: tuple[Ref, ...] = ()  #: the classes of a union

    @property
    def named(self) -> tuple[Ref, ...]:
        """The named classes this stands for: itself, or the members of its union."""
        return self.members or (self,)


@dataclass(frozen=True)
class Restriction:
    """``owl:Restriction``: ``only`` (allValuesFrom) or ``some`` (someValuesFrom)."""

    on_property: Ref
    kind: str
    filler: Ref


@dataclass(frozen=True)
class Term:
    iri: str
    name: str
    curie: str
    kind: str
    label: str
    definition: str
    module: str
    comments: tuple[str, ...] = ()
    superclasses: tuple[Ref, ...] = ()
    subclasses: tuple[Ref, ...] = ()
    disjoint_with: tuple[Ref, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    domain: tuple[Ref, ...] = ()
    range: tuple[Ref, ...] = ()
    superproperties: tuple[Ref, ...] = ()
    subproperties: tuple[Ref, ...] = ()
    characteristics: tuple[str, ...] = ()
    fact_type_code: str | None = None
    defence_tie_kind: str | None = None
    implies_status: tuple[Ref, ...] = ()
    domain_of: tuple[Ref, ...] = ()  #: properties whose rdfs:domain is this class
    range_of: tuple[Ref, ...] = ()  #: properties whose rdfs:range is this class
    restricted_in: tuple[Ref, ...] = ()  #: classes with a restriction onto this class

    @property
    def is_class(self) -> bool:
        return self.kind == "class"


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    description: str
    classes: tuple[Term, ...]
    properties: tuple[Term, ...]


@dataclass(frozen=True)
class DisjointGroup:
    """An ``owl:AllDisjointClasses`` axiom (with its ``rdfs:comment``) or one
    ``owl:disjointWith`` pair (no comment)."""

    members: tuple[Ref, ...]
    comment: str


@dataclass(frozen=True)
class OntologyDoc:
    """The documentation of one ontology graph."""

    iri: str
    version_iri: str
    version: str
    title: str
    definition: str
    description: str
    license: str
    creators: tuple[str, ...]
    created: str
    modified: str
    prefix: str
    namespace: str
    modules: tuple[Module, ...]
    disjoint_groups: tuple[DisjointGroup, ...]
    graph: Graph = field(repr=False, compare=False)

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(t for m in self.modules for t in m.classes + m.properties)

    def term(self, name: str) -> Term:
        for t in self.terms:
            if t.name == name:
                return t
        raise KeyError(f"the ontology has no term {name!r}")


#: The triples of the named graphs the build loads from ``ontology/``: those whose name
#: starts with ``?prefix`` (bound by the caller; projected, as a bound variable must be).
SERVED_ONTOLOGY = """
SELECT ?s ?p ?o ?prefix
WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), STR(?prefix))) }
"""


def served_ontology(store: Store) -> Graph:
    """The ontology exactly as the store serves it: the union of its ``graph/ontology/...``
    named graphs (the blank nodes of restrictions and axioms kept: labels are stable within
    one result)."""
    g = Graph()
    for row in store.select(SERVED_ONTOLOGY, bindings={"prefix": GRAPH["ontology/"]}):
        g.add((row["s"], row["p"], row["o"]))
    return g


def curie(iri: str) -> str:
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{p}:{iri[len(ns) :]}"
    return iri


def _text(g: Graph, s, p) -> str:
    vals = [v for v in g.objects(s, p) if isinstance(v, Literal)]
    en = [v for v in vals if v.language == "en"] or vals
    return str(sorted(en)[0]) if en else ""


def document(graph: Graph) -> OntologyDoc:
    """Document ``graph`` (an ontology): every ``enl:`` class and property, by module."""
    g = graph
    names = _term_names(g)
    classes = [n for n in names if (URIRef(NS + n), RDF.type, OWL.Class) in g]
    disjoint, groups = _disjointness(g)
    restrictions, restricted_in = _restrictions(g, classes)
    axioms = _Axioms(class_modules(g, classes), disjoint, restrictions, restricted_in)
    terms = [_term(g, n, axioms) for n in names]
    return _ontology_doc(g, _modules(terms), groups)


def _ref(g: Graph, node) -> Ref:
    """A link to ``node``: a term of this ontology, another IRI, or a union of classes."""
    if isinstance(node, BNode):
        members = tuple(_ref(g, m) for m in Collection(g, g.value(node, OWL.unionOf)))
        return Ref(
            "",
            " or ".join(m.label for m in members),
            " ∪ ".join(m.curie for m in members),
            None,
            members,
        )
    iri = str(node)
    if iri.startswith(NS):
        name = iri[len(NS) :]
        return Ref(iri, _text(g, node, RDFS.label) or name, "enl:" + name, name)
    return Ref(iri, curie(iri), curie(iri))


def _refs(g: Graph, nodes) -> tuple[Ref, ...]:
    """Named terms and unions of them (other anonymous expressions are not shown)."""
    keep = {
        n
        for n in nodes
        if isinstance(n, URIRef) or (isinstance(n, BNode) and g.value(n, OWL.unionOf) is not None)
    }
    return tuple(
        sorted(
            {_ref(g, n) for n in keep}, key=lambda r: (r.name is None and not r.members, r.curie)
        )
    )


def _term_names(g: Graph) -> list[str]:
    """The local names of the typed ``enl:`` terms, sorted."""
    return sorted(
        {
            str(s)[len(NS) :]
            for s in g.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(NS)
        }
    )


def _disjointness(g: Graph) -> tuple[dict[URIRef, set[URIRef]], list[DisjointGroup]]:
    """Each class's disjoint classes, and the disjointness axioms as groups (largest first)."""
    disjoint: dict[URIRef, set[URIRef]] = {}
    groups = []
    for a, b in g.subject_objects(OWL.disjointWith):
        disjoint.setdefault(a, set()).add(b)
        disjoint.setdefault(b, set()).add(a)
        groups.append(DisjointGroup((_ref(g, a), _ref(g, b)), ""))
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        head = g.value(axiom, OWL.members)
        members = list(Collection(g, head)) if head is not None else []
        for a in members:
            disjoint.setdefault(a, set()).update(m for m in members if m != a)
        groups.append(
            DisjointGroup(tuple(_ref(g, m) for m in members), _text(g, axiom, RDFS.comment))
        )
    groups.sort(key=lambda d: (-len(d.members), [m.curie for m in d.members]))
    return disjoint, groups


def _restrictions(
    g: Graph, classes: list[str]
) -> tuple[dict[str, list[Restriction]], dict[URIRef, set[URIRef]]]:
    """The ``owl:Restriction`` superclasses of each class, and for each filler the classes
    restricted onto it."""
    restricted_in: dict[URIRef, set[URIRef]] = {}
    restrictions: dict[str, list[Restriction]] = {}
    for n in classes:
        out = []
        for sup in g.objects(URIRef(NS + n), RDFS.subClassOf):
            if not isinstance(sup, BNode) or (sup, RDF.type, OWL.Restriction) not in g:
                continue
            prop = g.value(sup, OWL.onProperty)
            for kind, p in (("only", OWL.allValuesFrom), ("some", OWL.someValuesFrom)):
                filler = g.value(sup, p)
                if prop is not None and filler is not None:
                    out.append(Restriction(_ref(g, prop), kind, _ref(g, filler)))
                    restricted_in.setdefault(filler, set()).add(URIRef(NS + n))
        restrictions[n] = sorted(out, key=lambda r: (r.on_property.curie, r.kind))
    return restrictions, restricted_in


@dataclass(frozen=True)
class _Axioms:
    """What :func:`document` gathers over all classes before it describes each term."""

    module_of: dict[str, str]  #: class name -> module key
    disjoint: dict[URIRef, set[URIRef]]
    restrictions: dict[str, list[Restriction]]  #: class name -> its restrictions
    restricted_in: dict[URIRef, set[URIRef]]  #: filler -> classes restricted onto it


def _term(g: Graph, n: str, axioms: _Axioms) -> Term:
    """The term ``enl:n``: a class, or a property (or anything else typed)."""
    s = URIRef(NS + n)
    kinds = [KINDS[t] for t in g.objects(s, RDF.type) if t in KINDS]
    kind = kinds[0] if kinds else "term"
    common = dict(
        iri=str(s),
        name=n,
        curie="enl:" + n,
        kind=kind,
        label=_text(g, s, RDFS.label) or n,
        definition=_text(g, s, SKOS.definition),
        comments=tuple(sorted(str(c) for c in g.objects(s, RDFS.comment))),
    )
    if kind == "class":
        return _class_term(g, s, common, axioms)
    return _property_term(g, s, common, axioms.module_of)


def _class_term(g: Graph, s: URIRef, common: dict, axioms: _Axioms) -> Term:
    n = common["name"]
    return Term(
        **common,
        module=axioms.module_of.get(n, OTHER.key),
        superclasses=_refs(g, g.objects(s, RDFS.subClassOf)),
        subclasses=_refs(g, g.subjects(RDFS.subClassOf, s)),
        disjoint_with=_refs(g, axioms.disjoint.get(s, ())),
        restrictions=tuple(axioms.restrictions.get(n, ())),
        fact_type_code=_text(g, s, ENL.factTypeCode) or None,
        defence_tie_kind=_text(g, s, ENL.defenceTieKind) or None,
        implies_status=_refs(g, g.objects(s, ENL.impliesStatus)),
        domain_of=_refs(
            g, (p for p, d in g.subject_objects(RDFS.domain) if s in (d, *union_members(g, d)))
        ),
        range_of=_refs(
            g, (p for p, r in g.subject_objects(RDFS.range) if s in (r, *union_members(g, r)))
        ),
        restricted_in=_refs(g, axioms.restricted_in.get(s, ())),
    )


def _property_term(g: Graph, s: URIRef, common: dict, module_of: dict[str, str]) -> Term:
    domain, rng = _refs(g, g.objects(s, RDFS.domain)), _refs(g, g.objects(s, RDFS.range))
    module = PROPERTY_MODULES.get(common["name"])
    for cls in (m for r in domain + rng for m in r.named):
        if module is None and cls.name in module_of:
            module = module_of[cls.name]
    return Term(
        **common,
        module=module or OTHER.key,
        domain=domain,
        range=rng,
        superproperties=_refs(g, g.objects(s, RDFS.subPropertyOf)),
        subproperties=_refs(g, g.subjects(RDFS.subPropertyOf, s)),
        characteristics=tuple(
            sorted(CHARACTERISTICS[t] for t in g.objects(s, RDF.type) if t in CHARACTERISTICS)
        ),
    )


def _modules(terms: list[Term]) -> tuple[Module, ...]:
    """The terms by module, in page order; :data:`OTHER` only when it has terms."""
    modules = []
    for spec in MODULES + (OTHER,):
        mine = [t for t in terms if t.module == spec.key]
        if spec is OTHER and not mine:
            continue
        modules.append(
            Module(
                spec.key,
                spec.title,
                spec.description,
                tuple(t for t in mine if t.is_class),
                tuple(t for t in mine if not t.is_class),
            )
        )
    return tuple(modules)


def _ontology_doc(
    g: Graph, modules: tuple[Module, ...], groups: list[DisjointGroup]
) -> OntologyDoc:
    """The documentation: the ontology header's metadata around ``modules``."""
    o = ONTOLOGY_IRI
    return OntologyDoc(
        iri=str(o),
        version_iri=str(g.value(o, OWL.versionIRI) or ""),
        version=str(g.value(o, OWL.versionInfo) or ""),
        title=_text(g, o, RDFS.label),
        definition=_text(g, o, SKOS.definition),
        description=_text(g, o, DCTERMS.description),
        license=str(g.value(o, DCTERMS.license) or ""),
        creators=tuple(sorted(str(c) for c in g.objects(o, DCTERMS.creator))),
        created=str(g.value(o, DCTERMS.created) or ""),
        modified=str(g.value(o, DCTERMS.modified) or ""),
        prefix=str(g.value(o, URIRef(VANN + "preferredNamespacePrefix")) or "enl"),
        namespace=str(g.value(o, URIRef(VANN + "preferredNamespaceUri")) or NS),
        modules=modules,
        disjoint_groups=tuple(groups),
        graph=g,
    )


def union_members(g: Graph, node) -> tuple:
    """The classes of an ``owl:unionOf`` blank node; () for anything else."""
    head = g.value(node, OWL.unionOf) if isinstance(node, BNode) else None
    return tuple(Collection(g, head)) if head is not None else ()


def class_modules(g: Graph, classes: list[str]) -> dict[str, str]:
    """The module of each class: that of its nearest root (breadth-first up
    ``rdfs:subClassOf``); at equal distance, the module listed later in :data:`MODULES`."""
    root_module = {r: i for i, spec in enumerate(MODULES) for r in spec.roots}
    out = {}
    for n in classes:
        seen, queue, best = {n}, deque([(n, 0)]), None
        while queue:
            c, d = queue.popleft()
            if best is not None and d > best[0]:
                break
            if c in root_module and (best is None or root_module[c] > best[1]):
                best = (d, root_module[c])
            for sup in g.objects(URIRef(NS + c), RDFS.subClassOf):
                s = str(sup)
                if s.startswith(NS) and s[len(NS) :] not in seen:
                    seen.add(s[len(NS) :])
                    queue.append((s[len(NS) :], d + 1))
        if best is not None:
            out[n] = MODULES[best[1]].key
    return out
