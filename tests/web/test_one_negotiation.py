"""One owner of content negotiation (``web/negotiate.py``) and one negotiated-RDF responder
(``web/respond.py``): no other web module reads ``Accept``, writes ``Link`` alternates or
keeps rdflib's format names (they come from ``core/formats.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from enlargement_kg.core.formats import HTML, by_name
from enlargement_kg.web import negotiate
from enlargement_kg.web.respond import digest, rdf_response

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
TURTLE, JSONLD = by_name("turtle"), by_name("jsonld")


def modules(*allowed: str) -> list[tuple[str, ast.AST]]:
    return [
        (str(p.relative_to(WEB)), ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(WEB.rglob("*.py"))
        if str(p.relative_to(WEB)) not in allowed
    ]


def reads_accept(node: ast.AST) -> bool:
    """``request.accept_mimetypes``, ``parse_accept_header``, ``headers.get("Accept")`` or
    ``headers["Accept"]``."""
    if isinstance(node, ast.Attribute) and node.attr == "accept_mimetypes":
        return True
    if isinstance(node, ast.Name | ast.alias) and "parse_accept_header" in ast.dump(node):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target, args = node.func, node.args
        if target.attr == "get" and args and isinstance(args[0], ast.Constant):
            return args[0].value == "Accept" and "headers" in ast.dump(target.value)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value == "Accept" and isinstance(node.ctx, ast.Load)
    return False


def test_only_negotiate_reads_the_accept_header():
    offenders = [
        f"{name}:{node.lineno}"
        for name, tree in modules("negotiate.py")
        for node in ast.walk(tree)
        if reads_accept(node)
    ]
    assert offenders == []


def test_the_check_sees_a_reader():
    tree = ast.parse(
        "a = request.accept_mimetypes.best\n"
        "b = request.headers.get('Accept', '')\n"
        "c = request.headers['Accept']\n"
        "from werkzeug.http import parse_accept_header\n"
    )
    assert sum(reads_accept(n) for n in ast.walk(tree)) == 4
    assert not any(reads_accept(n) for n in ast.walk(ast.parse("h['Vary'] = 'Accept'")))


def test_only_respond_writes_link_alternates():
    """The ``Link: <...>; rel="alternate"`` header is composed in one place."""
    offenders = [
        f"{name}:{node.lineno}"
        for name, tree in modules("respond.py")
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        and any(
            isinstance(v, ast.Constant) and '; rel="alternate"' in str(v.value) for v in node.values
        )
    ]
    assert offenders == []


def test_no_route_names_an_rdflib_format():
    """``serialize``/``parse`` take ``fmt.rdflib``, never a name of their own."""
    offenders = [
        f"{name}:{node.lineno}"
        for name, tree in modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("serialize", "parse")
        and any(k.arg == "format" and isinstance(k.value, ast.Constant) for k in node.keywords)
    ]
    assert offenders == []


@pytest.fixture()
def app():
    return Flask(__name__)


@pytest.mark.parametrize(
    ("accept", "first", "browsers"),
    [
        (None, TURTLE, TURTLE),
        ("*/*", TURTLE, TURTLE),
        ("text/html", HTML, HTML),
        ("application/ld+json", JSONLD, JSONLD),
        # the two page rules differ when a browser names text/html below a wildcard
        ("text/html;q=0.5, */*", TURTLE, HTML),
    ],
)
def test_representation_page_rules(app, accept, first, browsers):
    rdf = (TURTLE, JSONLD)
    headers = {"Accept": accept} if accept else {}
    with app.test_request_context(headers=headers):
        assert negotiate.representation(rdf, default=TURTLE, page=negotiate.PAGE_FIRST) is first
        assert (
            negotiate.representation(rdf, default=TURTLE, page=negotiate.PAGE_FOR_BROWSERS)
            is browsers
        )


def test_representation_refuses_with_the_page_listed(app):
    with app.test_request_context(headers={"Accept": "image/png"}):
        with pytest.raises(negotiate.NotAcceptableFormat) as exc:
            negotiate.representation([TURTLE], default=TURTLE, page=negotiate.PAGE_FIRST)
        assert exc.value.offered == [TURTLE, HTML]
        with pytest.raises(negotiate.NotAcceptableFormat) as exc:
            negotiate.representation([TURTLE], default=TURTLE)
        assert exc.value.offered == [TURTLE]


def test_lenient_representation_ignores_parameters(app):
    with app.test_request_context(headers={"Accept": "text/turtle; charset=latin1"}):
        with pytest.raises(negotiate.NotAcceptableFormat):
            negotiate.representation([TURTLE, JSONLD], default=TURTLE)
        assert negotiate.representation([JSONLD, TURTLE], default=JSONLD, lenient=True) is TURTLE


def test_raw_media_types(app):
    with app.test_request_context(headers={"Accept": "text/plain;q=0.5, application/json"}):
        assert negotiate.best_media_type(["text/plain", "application/json"]) == "application/json"
        assert negotiate.best_media_type(["text/csv"], default="x") == "x"
        assert negotiate.first_choice() == "application/json"
        assert negotiate.quality("text/plain") == 0.5


def test_rdf_response_headers_and_revalidation(app):
    body = b"<a> <b> <c> .\n"
    kw = dict(
        path="/doc",
        alternates_of=(TURTLE, JSONLD, HTML),
        content_location=True,
        cache_control="public, no-cache",
        etag=digest(body),
    )
    with app.test_request_context():
        resp = rdf_response(TURTLE, body, **kw)
    assert resp.status_code == 200 and resp.get_data() == body
    assert resp.headers["Content-Type"] == TURTLE.content_type
    assert resp.headers["Vary"] == "Accept"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Link"] == (
        '</doc.jsonld>; rel="alternate"; type="application/ld+json", '
        '</doc.html>; rel="alternate"; type="text/html"'
    )
    assert resp.headers["Content-Location"] == "/doc.ttl"
    assert resp.headers["ETag"] == f'"{digest(body)}"'
    with app.test_request_context(headers={"If-None-Match": resp.headers["ETag"]}):
        assert rdf_response(TURTLE, body, **kw).status_code == 304
    with app.test_request_context():  # not 200: no validators, no Content-Location
        missing = rdf_response(TURTLE, b"# 404\n", status=404, path="/doc", etag=None)
    assert missing.status_code == 404 and "Content-Location" not in missing.headers


def test_a_lazy_body_is_not_made_on_revalidation(app):
    made = []

    def make() -> bytes:
        made.append(1)
        return b"x"

    with app.test_request_context(headers={"If-None-Match": '"tag"'}):
        resp = rdf_response(TURTLE, make, etag="tag", cors=False)
    assert resp.status_code == 304 and made == []
    assert "Access-Control-Allow-Origin" not in resp.headers
    with app.test_request_context():
        assert rdf_response(TURTLE, make, etag="tag").get_data() == b"x" and made == [1]
