"""Namespaces, declared once. ``ENL`` mirrors ``ontology/enlargement.ttl`` term for term
(``_fail = True``: a typo raises instead of minting a new IRI); a test fails if they drift."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/eu-enlargement/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ENLSH = Namespace(BASE + "shapes#")
SCHEMA = Namespace("https://schema.org/")
#: The EU Vocabularies authority tables (countries, file types, data themes ...).
EU_AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
EUCOUNTRY = Namespace(EU_AUTHORITY + "country/")
WD = Namespace("http://www.wikidata.org/entity/")

# The publishing vocabularies (VoID, DCAT-AP 3, the SPARQL service description).
#: DCAT 3 terms rdflib's (DCAT 2) namespace object does not know.
DCAT3 = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
#: Unique URIs for file formats (W3C): ``formats:Turtle``, ``formats:SPARQL_Results_JSON`` ...
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")


class ENL(DefinedNamespace):
    """The enlargement-kg ontology, ``https://w3id.org/eu-enlargement/ontology#``."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    AAInForce: URIRef
    AASigned: URIRef
    AccessGrant: URIRef
    AccessTier: URIRef
    AccessionEvent: URIRef
    AccessionProcessHalted: URIRef
    AccessionStatus: URIRef
    Acquisition: URIRef
    AgreementEvent: URIRef
    Benchmark: URIRef
    BenchmarksMet: URIRef
    BlockLifted: URIRef
    CFSPAct: URIRef
    CFSPAlignmentRate: URIRef
    CFSPNonAlignment: URIRef
    Claim: URIRef
    ClaimRank: URIRef
    CSDPContribution: URIRef
    CSDPFrameworkParticipationAgreement: URIRef
    CSDPMission: URIRef
    CSDPMissionHosted: URIRef
    CandidateStatusGranted: URIRef
    CapabilityType: URIRef
    Chapter: URIRef
    ChapterBlocked: URIRef
    ChapterNegotiation: URIRef
    ChapterOpened: URIRef
    ChapterProvisionallyClosed: URIRef
    ClosingBenchmarksMet: URIRef
    ClosingBenchmarksSet: URIRef
    Cluster: URIRef
    ClusterNegotiation: URIRef
    ClusterOpened: URIRef
    CommissionOpinion: URIRef
    Country: URIRef
    DatePrecision: URIRef
    DecisionToOpenNegotiations: URIRef
    DefenceBody: URIRef
    DefenceTie: URIRef
    Derived: URIRef
    DualUseStatus: URIRef
    EDAAdministrativeArrangement: URIRef
    EPFAssistanceMeasure: URIRef
    EnlargementCountry: URIRef
    Event: URIRef
    EventStep: URIRef
    Fact: URIRef
    FactStatus: URIRef
    GovernanceAssessment: URIRef
    IndustrialCapability: URIRef
    Instrument: URIRef
    InstrumentAdopted: URIRef
    InstrumentAmount: URIRef
    InstrumentEvent: URIRef
    InstrumentInForce: URIRef
    InstrumentProposed: URIRef
    InstrumentRule: URIRef
    IntergovernmentalConference: URIRef
    InterimBenchmarksMet: URIRef
    MemberState: URIRef
    MembershipApplication: URIRef
    MethodologyRule: URIRef
    MobilityCorridor: URIRef
    NATOAccession: URIRef
    NegotiatingFrameworkAdopted: URIRef
    NegotiationItem: URIRef
    NegotiationStatus: URIRef
    Observation: URIRef
    Organisation: URIRef
    OriginArea: URIRef
    OriginShare: URIRef
    PartnershipForPeaceAccession: URIRef
    PotentialCandidateStatusGranted: URIRef
    PreparationAssessment: URIRef
    PreparationLevel: URIRef
    ReliabilityTier: URIRef
    SAAInForce: URIRef
    SAASigned: URIRef
    SAFEParticipation: URIRef
    SAFEProcurement: URIRef
    ScreeningCompleted: URIRef
    SecurityDefencePartnershipSigned: URIRef
    SecurityOfInformationAgreement: URIRef
    SourceDocument: URIRef
    SourceKind: URIRef

    # properties
    amountEUR: URIRef
    celex: URIRef
    legalAct: URIRef
    blockedBy: URIRef
    body: URIRef
    capabilityType: URIRef
    cfspAct: URIRef
    chapter: URIRef
    chapterNumber: URIRef
    claim: URIRef
    claimOf: URIRef
    cluster: URIRef
    clusterNumber: URIRef
    conferenceNumber: URIRef
    country: URIRef
    crosses: URIRef
    datePrecision: URIRef
    defenceTieKind: URIRef
    derivedFrom: URIRef
    dualUseStatus: URIRef
    effectiveFrom: URIRef
    evidencedBy: URIRef
    factTypeCode: URIRef
    grantsAccessTo: URIRef
    impliesStatus: URIRef
    inCluster: URIRef
    instrument: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    lastConfirmed: URIRef
    levelRank: URIRef
    measuredBy: URIRef
    meetsBenchmark: URIRef
    minimumEligibleOriginShare: URIRef
    minimumRate: URIRef
    mission: URIRef
    negotiationStatus: URIRef
    occursOnce: URIRef
    originArea: URIRef
    originShare: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    preparationLevel: URIRef
    rank: URIRef
    rankReason: URIRef
    rate: URIRef
    refYear: URIRef
    reliabilityTier: URIRef
    requiresBenchmark: URIRef
    requiresTie: URIRef
    rule: URIRef
    safeEligible: URIRef
    share: URIRef
    sourceKind: URIRef
    status: URIRef
    step: URIRef
    statusSince: URIRef
    supplier: URIRef
    system: URIRef
    tier: URIRef
    tierRank: URIRef


PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "enl": str(ENL._NS),
    "enlsh": str(ENLSH),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": str(SCHEMA),
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every namespace in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))
