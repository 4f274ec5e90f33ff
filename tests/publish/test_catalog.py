"""The DCAT-AP 3 catalogue and the VoID description: valid against the SEMIC DCAT-AP 3.0.1
shapes, true to the dumps and to the graph, and listing every recorded release."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, VOID
from support import cli
from support.publish import KG_V1, KG_V2, jsonld_with_context, validate_dcat_ap

from enlargement_kg.core.namespaces import SPDX
from enlargement_kg.core.publishing import (
    CATALOG,
    DATASET,
    LICENCE,
    SERVICE,
    SHA256,
    catalog_graph,
    release_iri,
)

DCAT3 = "http://www.w3.org/ns/dcat#"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
TEN = ("ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "1A0")
ENL = "https://w3id.org/eu-enlargement/ontology#"


@pytest.fixture(scope="module")
def papp(built_store, tmp_path_factory):
    from enlargement_kg.web import create_app

    tmp = tmp_path_factory.mktemp("publish-catalog")
    application = create_app(
        {
            "store_path": built_store,
            "query_workers": 1,
            "dumps_dir": tmp / "dumps",
            "releases_dir": tmp / "releases",
        }
    )
    application.config["RELEASES_DIR"] = tmp / "releases"
    yield application
    application.extensions["enlargement_kg"].store.close()


@pytest.fixture()
def client(papp):
    return papp.test_client()


def turtle(client, url: str, **headers) -> Graph:
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.data[:300]
    return Graph().parse(data=r.data, format="turtle")


def test_catalogue_has_no_dcat_ap_violations(client):
    outcome = validate_dcat_ap(turtle(client, "/catalog.ttl"))
    assert outcome.violations == []
    # the project is not an EU body: the profile warns that the publisher is not in the
    # EU corporate-bodies list, and that is all it has to say
    assert outcome.results == outcome.warnings


def test_the_validation_can_fail(client):
    """The shapes do bite: a distribution whose format is not in the EU file-type list, and
    a dataset without a title, are violations."""
    g = turtle(client, "/catalog.ttl")
    ft = URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_N_QUADS")
    g.remove((ft, SKOS.inScheme, None))
    g.remove((DATASET, DCTERMS.title, None))
    outcome = validate_dcat_ap(g)
    assert any(str(DATASET) in v and "title" in v for v in outcome.violations)
    assert any("dist-enlargement-kg.nq" in v and "format" in v for v in outcome.violations)


def test_catalogue_describes_the_dataset(client):
    g = turtle(client, "/catalog.ttl")
    assert (CATALOG, RDF.type, DCAT.Catalog) in g
    assert (CATALOG, DCAT.dataset, DATASET) in g
    for p in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.publisher,
        DCTERMS.issued,
        DCTERMS.modified,
        URIRef(DCAT3 + "version"),
    ):
        assert g.value(DATASET, p) is not None, p
    assert (DATASET, DCTERMS.license, LICENCE) in g
    themes = set(g.objects(DATASET, DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/INTR") in themes
    spatial = set(g.objects(DATASET, DCTERMS.spatial))
    assert spatial == {URIRef(EU_COUNTRY + c) for c in TEN}  # Kosovo is 1A0 there
    assert g.value(URIRef(EU_COUNTRY + "1A0"), SKOS.inScheme) == URIRef(EU_COUNTRY[:-1])


def test_sparql_endpoint_is_a_data_service(client):
    g = turtle(client, "/catalog.ttl")
    assert (SERVICE, RDF.type, DCAT.DataService) in g
    assert (CATALOG, DCAT.service, SERVICE) in g
    assert (SERVICE, DCAT.servesDataset, DATASET) in g
    assert str(g.value(SERVICE, DCAT.endpointURL)).endswith("/sparql")


def test_one_distribution_per_dump_with_size_and_checksum(client):
    g = turtle(client, "/catalog.ttl")
    files = client.get("/export.json").get_json()["files"]
    dists = set(g.objects(DATASET, DCAT.distribution))
    assert len(dists) == len(files) == 10
    by_url = {str(g.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]: d for d in dists}
    for f in files:
        d = by_url[f["name"]]
        with client.get(f"/export/{f['name']}") as r:
            body = r.get_data()
        assert g.value(d, DCAT.byteSize) == Literal(
            str(len(body)), datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
        )
        checksum = g.value(d, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SHA256
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        media = str(g.value(d, DCAT.mediaType))
        assert media == "https://www.iana.org/assignments/media-types/" + f["content_media_type"]
        assert (d, DCAT.compressFormat, None) in g if f["compressed"] else True
        assert str(g.value(d, DCAT.accessURL)).endswith("/export/")
        assert str(g.value(d, DCTERMS.format)).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )


@pytest.mark.parametrize(
    "suffix,accept,media",
    [
        (".ttl", None, "text/turtle"),
        (".jsonld", None, "application/ld+json"),
        (".rdf", None, "application/rdf+xml"),
        (".nt", None, "application/n-triples"),
        ("", "text/turtle", "text/turtle"),
        ("", "application/ld+json", "application/ld+json"),
        ("", "application/rdf+xml", "application/rdf+xml"),
        ("", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("", None, "text/turtle"),
    ],
)
def test_catalogue_formats(client, suffix, accept, media):
    r = client.get("/catalog" + suffix, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.mimetype == media
    assert "Accept" in r.headers.get("Vary", "")
    if media == "text/html":
        assert b"Current dataset" in r.data and b"/export/enlargement-kg.nq" in r.data
        return
    fmt = {
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/n-triples": "nt",
    }.get(media)
    g = jsonld_with_context(r.data) if fmt is None else Graph().parse(data=r.data, format=fmt)
    assert isomorphic(g, turtle(client, "/catalog.ttl"))


def test_catalogue_revalidates_and_refuses_what_it_cannot_serve(client):
    r = client.get("/catalog.ttl")
    again = client.get("/catalog.ttl", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/catalog.csv").status_code == 404


def test_void_counts_match_the_graph(papp, client):
    g = turtle(client, "/.well-known/void")
    store = papp.extensions["enlargement_kg"].store
    triples = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    )[0]["n"]
    assert int(g.value(DATASET, VOID.triples)) == int(triples)
    assert int(g.value(DATASET, VOID.entities)) > 500
    parts = {
        g.value(p, VOID["class"]): int(g.value(p, VOID.entities))
        for p in g.objects(DATASET, VOID.classPartition)
    }
    assert parts[URIRef(ENL + "EnlargementCountry")] == 10
    props = {
        g.value(p, VOID.property): int(g.value(p, VOID.triples))
        for p in g.objects(DATASET, VOID.propertyPartition)
    }
    assert sum(props.values()) == int(triples)
    assert props[DCTERMS.source] > 100
    assert str(g.value(DATASET, VOID.sparqlEndpoint)).endswith("/sparql")
    dumps = {str(u).rsplit("/", 1)[-1] for u in g.objects(DATASET, VOID.dataDump)}
    assert dumps == {f["name"] for f in client.get("/export.json").get_json()["files"]}
    assert (DATASET, DCTERMS.license, LICENCE) in g
    vocabularies = set(g.objects(DATASET, VOID.vocabulary))
    assert URIRef(ENL) in vocabularies and URIRef(str(SKOS)) in vocabularies
    subsets = {
        g.value(s, URIRef("http://www.w3.org/ns/sparql-service-description#name")): int(
            g.value(s, VOID.triples)
        )
        for s in g.objects(DATASET, VOID.subset)
    }
    assert len(subsets) >= 15 and all(n > 0 for n in subsets.values())


def test_void_negotiates_json_ld(client):
    r = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    assert r.headers["Vary"] == "Accept"
    assert isomorphic(jsonld_with_context(r.data), turtle(client, "/.well-known/void"))
    assert client.get("/.well-known/void.jsonld").data == r.data
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_catalogue_lists_every_recorded_release(papp, client):
    releases = papp.config["RELEASES_DIR"]
    for version, kg, day in (("1.1.0", KG_V1, "2026-11-21"), ("1.2.0", KG_V2, "2026-11-22")):
        res = cli("release", version, "--kg", str(kg), "--releases", str(releases), "--date", day)
        assert res.returncode == 0, res.stderr
    g = turtle(client, "/catalog.ttl")
    r1, r2 = release_iri("1.1.0"), release_iri("1.2.0")
    assert {DATASET, r1, r2} == set(g.objects(CATALOG, DCAT.dataset))
    assert {r1, r2} == set(g.objects(DATASET, DCTERMS.hasVersion))
    assert (r2, URIRef(DCAT3 + "previousVersion"), r1) in g
    assert str(g.value(r2, URIRef(DCAT3 + "version"))) == "1.2.0"
    assert str(g.value(r2, DCTERMS.issued)) == "2026-11-22"
    assert "1 facts added, 1 changed, 1 retracted" in str(
        g.value(r2, URIRef("http://www.w3.org/ns/adms#versionNotes"))
    )
    # the fixture releases cover Montenegro and Serbia only
    assert set(g.objects(r2, DCTERMS.spatial)) == {
        URIRef(EU_COUNTRY + "MNE"),
        URIRef(EU_COUNTRY + "SRB"),
    }
    dists = list(g.objects(r2, DCAT.distribution))
    assert len(dists) == 10
    for d in dists:
        url = str(g.value(d, DCAT.downloadURL))
        assert "/export/releases/1.2.0/" in url
        with client.get(url.split("/eu-enlargement", 1)[1]) as r:
            assert r.status_code == 200
            digest = hashlib.sha256(r.get_data()).hexdigest()
        assert str(g.value(g.value(d, SPDX.checksum), SPDX.checksumValue)) == digest
    assert validate_dcat_ap(g).violations == []
    page = client.get("/catalog", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Release 1.2.0" in page and "Release 1.1.0" in page
    changes = client.get("/export/releases/1.2.0/CHANGES.md")
    assert changes.status_code == 200 and b"Serbia: Candidate status granted" in changes.data
    changes.close()


def test_release_folder_catalogue_is_valid_too(tmp_path):
    res = cli("release", "1.0.0", "--kg", str(KG_V1), "--releases", str(tmp_path))
    assert res.returncode == 0, res.stderr
    g = Graph().parse(tmp_path / "1.0.0" / "catalog.ttl", format="turtle")
    assert validate_dcat_ap(g).violations == []
    assert (CATALOG, DCAT.dataset, release_iri("1.0.0")) in g


def test_catalog_graph_without_releases_or_current_is_still_a_catalogue():
    g = catalog_graph(current=None, releases=[])
    assert (CATALOG, RDF.type, DCAT.Catalog) in g
    assert validate_dcat_ap(g).violations == []
