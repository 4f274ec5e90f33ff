"""The W3C SPARQL 1.1 Protocol and Service Description test manifests, over real HTTP.

One test per manifest entry, read from the vendored manifests in
``tests/fixtures/w3c/sparql11/`` (see its SOURCE.md). The Protocol manifest describes each
request and its expected response in RDF (``ht:``/``mf:``): the runner sends exactly those
requests (:mod:`w3c_http`). What the manifest leaves to the runner is where to send them,
given in :data:`PROTOCOL_SERVERS` per entry IRI:

- ``graph``: the project's own graph (the ``live`` server), for tests that need no data;
- ``data``: a server whose store holds the manifest's ``data*.nt`` files as the named graphs
  its ``ut:graphData`` name;
- ``update``: a server started with ``--writable`` and a bearer token, over the same data;
  its tests run only when its service description advertises ``sd:SPARQL11Update``.

The Service Description manifest has names only: :data:`w3c_sd.CHECKS` implements each
entry. An entry missing from these tables fails with the reason, never passes silently.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
import requests
from rdflib import Literal, URIRef
from support import FIXTURES, start_server
from w3c_http import send
from w3c_manifest import DAWGT, MF, ManifestEntry, graph_names, read_manifest
from w3c_sd import CHECKS, SD, fetch, schema_problems
from w3c_servers import Served, build_store

pytestmark = pytest.mark.live

W3C = FIXTURES / "w3c" / "sparql11"
PROTOCOL = read_manifest(path=W3C / "protocol" / "manifest.ttl")
SERVICE_DESCRIPTION = read_manifest(path=W3C / "service-description" / "manifest.ttl")

P = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

#: Which server each Protocol entry runs against (see the module docstring). The bad_update
#: tests go to the writable server too: on a read-only one they would get 4xx for being
#: read-only, whatever the protocol layer does with them.
PROTOCOL_SERVERS: dict[str, str] = {
    P + "query_post_form": "graph",
    P + "query_dataset_default_graphs_get": "data",
    P + "query_dataset_default_graphs_post": "data",
    P + "query_dataset_named_graphs_post": "data",
    P + "query_dataset_named_graphs_get": "data",
    P + "query_dataset_full": "data",
    P + "query_multiple_dataset": "data",
    P + "query_get": "graph",
    P + "query_content_type_select": "graph",
    P + "query_content_type_ask": "graph",
    P + "query_content_type_describe": "graph",
    P + "query_content_type_construct": "graph",
    P + "update_dataset_default_graph": "update",
    P + "update_dataset_default_graphs": "update",
    P + "update_dataset_named_graphs": "update",
    P + "update_dataset_full": "update",
    P + "update_post_form": "update",
    P + "update_post_direct": "update",
    P + "update_base_uri": "update",
    P + "query_post_direct": "graph",
    P + "bad_query_method": "graph",
    P + "bad_multiple_queries": "graph",
    P + "bad_query_wrong_media_type": "graph",
    P + "bad_query_missing_form_type": "graph",
    P + "bad_query_missing_direct_type": "graph",
    P + "bad_query_non_utf8": "graph",
    P + "bad_query_syntax": "graph",
    P + "bad_update_get": "update",
    P + "bad_multiple_updates": "update",
    P + "bad_update_wrong_media_type": "update",
    P + "bad_update_missing_form_type": "update",
    P + "bad_update_non_utf8": "update",
    P + "bad_update_syntax": "update",
    P + "bad_update_dataset_conflict": "update",
}
SERVER_FIXTURES = {
    "graph": "w3c_graph_server",
    "data": "w3c_data_server",
    "update": "w3c_update_server",
}
UPDATE_UNAVAILABLE = "SPARQL Update not available in this build"


# -- servers ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def w3c_graph_server(live) -> Served:
    return Served(live.sparql)


@pytest.fixture(scope="session")
def w3c_data_server(tmp_path_factory):
    store = build_store(
        out=tmp_path_factory.mktemp("w3c") / "data", graphs=graph_names(manifest=PROTOCOL)
    )
    server = start_server("--store", str(store), "--timeout", "10")
    yield Served(server.sparql)
    server.stop()


@pytest.fixture(scope="session")
def w3c_update_server(tmp_path_factory):
    """A writable server over its own copy of the data; ``update`` says whether its service
    description advertises SPARQL 1.1 Update."""
    token = secrets.token_urlsafe(24)
    store = build_store(
        out=tmp_path_factory.mktemp("w3c") / "writable", graphs=graph_names(manifest=PROTOCOL)
    )
    server = start_server("--store", str(store), "--writable", env={"ENLARGEMENT_KG_TOKEN": token})
    try:
        graph = fetch(endpoint=server.sparql).graph
        yield Served(server.sparql, token, (None, SD.supportedLanguage, SD.SPARQL11Update) in graph)
    finally:
        server.stop()


# -- the manifests --------------------------------------------------------------------------


def _approved(entry: ManifestEntry) -> None:
    if entry.approval is not None and entry.approval != str(DAWGT.Approved):
        pytest.skip(f"not approved by the SPARQL Working Group ({entry.approval})")


def protocol_profile(entry: ManifestEntry) -> tuple[str | None, str | None]:
    """(the server profile to run ``entry`` on, None) or (None, why the runner cannot)."""
    if str(MF.ProtocolTest) not in entry.types:
        return None, f"{entry.iri}: the runner knows mf:ProtocolTest only, not {entry.types}"
    profile = PROTOCOL_SERVERS.get(entry.iri)
    if profile is None:
        return None, f"{entry.iri} has no runner profile: add it to PROTOCOL_SERVERS"
    if not entry.requests:
        return None, f"{entry.iri} describes no ht:Request the runner could send"
    if entry.graph_data and profile == "graph":
        return None, (
            f"{entry.iri} needs data ({[d.name for d in entry.graph_data]}) but is "
            "profiled to run on the project's graph"
        )
    return profile, None


def sd_check(entry: ManifestEntry) -> tuple[Callable[..., list[str]] | None, str | None]:
    """(the implementation of a Service Description entry, None) or (None, why not)."""
    if str(MF.ServiceDescriptionTest) not in entry.types:
        return None, f"{entry.iri}: not an mf:ServiceDescriptionTest ({entry.types})"
    check = CHECKS.get(entry.iri)
    if check is None:
        return None, f"{entry.iri} has no implementation: add it to w3c_sd.CHECKS"
    return check, None


@pytest.mark.parametrize("entry", PROTOCOL.entries, ids=lambda e: e.key)
def test_protocol(entry: ManifestEntry, request):
    """SPARQL 1.1 Protocol manifest: send each ht:Request in order, check its ht:resp."""
    profile, reason = protocol_profile(entry)
    if profile is None:
        pytest.fail(reason, pytrace=False)
    _approved(entry)
    served: Served = request.getfixturevalue(SERVER_FIXTURES[profile])
    if profile == "update" and not served.update:
        pytest.skip(UPDATE_UNAVAILABLE)
    auth = {"Authorization": f"Bearer {served.token}"} if served.token else {}
    with requests.Session() as session:
        for i, req in enumerate(entry.requests, 1):
            ex = send(request=req, endpoint=served.sparql, session=session, extra_headers=auth)
            if ex.problems:
                pytest.fail(
                    f"{entry.name}: request {i} of {len(entry.requests)}: " + ex.describe(),
                    pytrace=False,
                )


@pytest.mark.parametrize("entry", SERVICE_DESCRIPTION.entries, ids=lambda e: e.key)
def test_service_description(entry: ManifestEntry, w3c_graph_server: Served):
    """SPARQL 1.1 Service Description manifest, on the project's endpoint."""
    check, reason = sd_check(entry)
    if check is None:
        pytest.fail(reason, pytrace=False)
    _approved(entry)
    with requests.Session() as session:
        problems = check(endpoint=w3c_graph_server.sparql, session=session)
    if problems:
        pytest.fail(f"{entry.name}:\n" + "\n".join(problems), pytrace=False)


# -- the runner itself ----------------------------------------------------------------------


def test_runner_tables_match_the_manifests():
    """No table row for an entry the manifests no longer have (a stale row hides nothing,
    but it means the manifests changed under the runner)."""
    assert set(PROTOCOL_SERVERS) == {e.iri for e in PROTOCOL.entries}
    assert set(CHECKS) == {e.iri for e in SERVICE_DESCRIPTION.entries}
    assert set(SERVER_FIXTURES) >= set(PROTOCOL_SERVERS.values())


def test_a_new_manifest_entry_fails_until_it_is_implemented(tmp_path):
    """An entry the tables do not know is refused with its reason, in either manifest."""
    manifest = tmp_path / "manifest.ttl"
    manifest.write_text(
        """
        @prefix : <http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#> .
        @prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .
        @prefix ht: <http://www.w3.org/2011/http#> .
        @prefix hts: <http://www.w3.org/2011/http-statusCodes#> .
        <> a mf:Manifest ; mf:entries ( :query_new :sd_new ) .
        :query_new a mf:ProtocolTest ; mf:name "a new test" ;
            mf:action [ a ht:Connection ; ht:requests ( [ a ht:Request ;
                ht:methodName "GET" ; ht:absolutePath "/sparql/?query=ASK%7B%7D" ;
                ht:resp [ mf:expectedStatus hts:StatusCode2xx ] ] ) ] .
        :sd_new a mf:ServiceDescriptionTest ; mf:name "a new description test" .
        """,
        encoding="utf-8",
    )
    new_protocol, new_sd = read_manifest(path=manifest).entries
    assert new_protocol.requests[0].expected.status_classes == {2}
    assert protocol_profile(new_protocol) == (
        None,
        f"{new_protocol.iri} has no runner profile: add it to PROTOCOL_SERVERS",
    )
    assert sd_check(new_sd) == (
        None,
        f"{new_sd.iri} has no implementation: add it to w3c_sd.CHECKS",
    )
    assert "not an mf:ServiceDescriptionTest" in sd_check(new_protocol)[1]
    assert "knows mf:ProtocolTest only" in protocol_profile(new_sd)[1]
    assert all(protocol_profile(e)[0] for e in PROTOCOL.entries)
    assert all(sd_check(e)[0] for e in SERVICE_DESCRIPTION.entries)


def test_data_server_serves_the_manifest_graphs(w3c_data_server: Served):
    """The dataset tests are meaningful only if the named graphs hold the data: each
    ut:graphData graph is listed in the service description and answers its own triple."""
    names = graph_names(manifest=PROTOCOL)
    g = fetch(endpoint=w3c_data_server.sparql).graph
    described = {str(n) for n in g.objects(None, SD.name)}
    assert described == set(names)
    for name in names:
        r = requests.get(
            w3c_data_server.sparql,
            params={
                "query": "ASK { GRAPH ?g { ?g a <http://xmlns.com/foaf/0.1/Document> } }",
                "named-graph-uri": name,
            },
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.json()["boolean"] is True, name


def test_service_description_declares_what_the_service_offers(w3c_data_server: Served):
    """Issue 6: the description names the endpoint, languages, result formats, features,
    default dataset, named graphs (with their sizes) and the limits."""
    g = fetch(endpoint=w3c_data_server.sparql).graph
    svc = g.value(None, SD.endpoint, URIRef(w3c_data_server.sparql))
    assert svc is not None
    assert set(g.objects(svc, SD.supportedLanguage)) == {SD.SPARQL11Query}
    formats = {str(f).rsplit("/", 1)[-1] for f in g.objects(svc, SD.resultFormat)}
    assert formats == {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "TriG",
        "N-Quads",
    }
    assert SD.UnionDefaultGraph in set(g.objects(svc, SD.feature))
    assert SD.BasicFederatedQuery not in set(g.objects(svc, SD.feature))
    ds = g.value(svc, SD.defaultDataset)
    assert ds is not None and g.value(ds, SD.defaultGraph) is not None
    void_triples = URIRef("http://rdfs.org/ns/void#triples")
    assert g.value(g.value(ds, SD.defaultGraph), void_triples) == Literal(3)
    for ng in g.objects(ds, SD.namedGraph):
        assert g.value(g.value(ng, SD.graph), void_triples) == Literal(1), g.value(ng, SD.name)
    limits = " ".join(
        str(c) for c in g.objects(svc, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))
    )
    assert "time limit of 10 s" in limits and "100000 rows" in limits


def test_schema_check_catches_misuse_of_the_vocabulary():
    """conforms-to-schema can fail: a named graph without sd:name, an untyped dataset, a
    made-up sd: term and an unknown language are each reported."""
    from rdflib import BNode, Graph
    from rdflib.namespace import RDF

    g = Graph()
    svc, ds, ng = BNode(), BNode(), BNode()
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, URIRef("http://127.0.0.1/sparql")))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    assert schema_problems(graph=g) == []
    g.add((svc, SD.defaultDataset, ds))
    g.add((ds, SD.namedGraph, ng))
    g.add((ng, RDF.type, SD.NamedGraph))
    g.add((svc, SD.supportedLanguage, SD.SPARQL12Query))
    problems = "\n".join(schema_problems(graph=g))
    assert "SPARQL12Query is not a term" in problems
    for message in (
        "exactly one sd:name",
        "sd:defaultDataset is a single sd:Dataset",
        "the subject of sd:namedGraph is an sd:GraphCollection",
        "sd:supportedLanguage is one of",
    ):
        assert message in problems, message
