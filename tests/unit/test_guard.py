"""The query guard: what the query operation refuses, decided on tokens."""

import pytest

from enlargement_kg.core.guard import check_query, check_update, query_form
from enlargement_kg.core.store import QueryRefused


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://e/> SELECT * WHERE { SERVICE ex:endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p <file:///etc/passwd> }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
        "PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "DROP ALL",
        "CLEAR DEFAULT",
    ],
)
def test_refused(query):
    with pytest.raises(QueryRefused):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/>" }',
        "PREFIX ex: <http://e/> SELECT ?service WHERE { ?service ex:service ?o }",
        "# SERVICE <http://example.org/> in a comment\nSELECT * WHERE { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE <https://w3id.org/eu-enlargement/id/country/MNE>",
    ],
)
def test_allowed(query):
    check_query(query)


def test_service_allow_list():
    q = "SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }"
    check_query(q, service_allow=frozenset({"http://allowed.example/sparql"}))
    with pytest.raises(QueryRefused):
        check_query(q, service_allow=frozenset({"http://other.example/sparql"}))


def test_update_guard_refuses_load_and_file():
    with pytest.raises(QueryRefused):
        check_update("LOAD <http://example.org/x.ttl> INTO GRAPH <http://e/g>")
    with pytest.raises(QueryRefused):
        check_update("INSERT DATA { <file:///x> <http://e/p> 1 }")
    check_update("INSERT DATA { <http://e/a> <http://e/p> 1 }")


@pytest.mark.parametrize(
    "query,form",
    [
        ("PREFIX a: <http://a/> SELECT * {}", "SELECT"),
        ("ask {}", "ASK"),
        ("BASE <http://e/> CONSTRUCT {} WHERE {}", "CONSTRUCT"),
        ("DESCRIBE <http://e/>", "DESCRIBE"),
        ("INSERT DATA {}", "INSERT"),
        ("", ""),
    ],
)
def test_query_form(query, form):
    assert query_form(query) == form
