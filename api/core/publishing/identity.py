"""What the dataset is and who publishes it, as both the VoID description and the DCAT-AP
catalogue state it: title, description, licence, publisher, the dataset's IRI, the public
base and the prefixes their graphs are written with."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import VOID

from ..namespaces import ADMS, BASE, PREFIXES, SPDX

#: The dataset's licence (README: data CC BY 4.0).
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")

#: The dataset and its publisher: hash IRIs of the ``/catalog`` document, so each
#: dereferences to the catalogue that describes it.
DATASET = URIRef(BASE + "catalog#dataset")
PUBLISHER = URIRef(BASE + "catalog#publisher")

TITLE = "EU enlargement and defence-alignment knowledge graph"
DESCRIPTION = (
    "A linked-data knowledge graph of the EU accession negotiations of the ten enlargement "
    "countries (Albania, Bosnia and Herzegovina, Georgia, Kosovo, Moldova, Montenegro, North "
    "Macedonia, Serbia, Türkiye, Ukraine) and of their foreign, security and defence "
    "alignment: milestones, clusters and chapters opened, closed and blocked, CFSP alignment, "
    "NATO and Partnership for Peace, Security and Defence Partnerships, EDA arrangements, CSDP "
    "missions, European Peace Facility measures and SAFE. Every fact carries its source "
    "document (title, publisher, date, URL)."
)
PUBLISHER_NAME = "The enlargement-kg founding engineers"


def normalise_base(base_url: str | None) -> str:
    """The public base of the service, ending in ``/`` (default: the project's IRI space)."""
    b = (base_url or BASE).strip()
    return b if b.endswith("/") else b + "/"


def bound_graph() -> Graph:
    """An empty graph with the project's prefixes and those of VoID and DCAT-AP bound."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    g.bind("spdx", SPDX)
    g.bind("adms", ADMS)
    g.bind("void", VOID)
    return g
