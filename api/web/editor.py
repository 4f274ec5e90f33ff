"""The query editor a browser gets at ``/sparql``: YASGUI (vendored in
``static/vendor/yasgui``, served by :mod:`.assets`) with the project's prefixes and the canned
queries as its examples; without JavaScript, a plain form. Machine clients never see it: the
endpoint (:mod:`.sparql`) asks :func:`wants_editor` first."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from flask import Response, render_template, request, url_for

from ..core import formats
from ..core.iris import ENLARGEMENT_COUNTRIES
from ..core.namespaces import BASE, PREFIXES, sparql_prologue
from ..core.queries import bind, catalogue, substitute
from .assets import asset_url
from .negotiate import wants_html

#: The editor's first query: the project's prefixes and the enlargement countries.
DEFAULT_QUERY = (
    sparql_prologue()
    + "\nSELECT ?country ?label WHERE {\n"
    + "  ?country a enl:EnlargementCountry ; skos:prefLabel ?label .\n"
    + "} ORDER BY ?label\n"
)


def wants_editor() -> bool:
    """A browser opening a query (``/sparql?query=...``, YASGUI's share link) gets the
    editor, which runs it; ``format=`` asks for the answer itself, as do all other clients."""
    return request.method in ("GET", "HEAD") and "format" not in request.args and wants_html()


def editor_page(query: str | None) -> Response:
    """The editor (YASGUI, vendored in ``static/vendor/yasgui``), with the canned queries as
    its examples; without JavaScript, a plain form."""
    endpoint = url_for("sparql.endpoint")
    examples, texts = editor_examples(dt.datetime.now(dt.UTC).date())  # as queries.bind
    config = {
        "endpoint": endpoint,
        "root": request.script_root,
        "base": BASE,
        "prefixes": PREFIXES,
        "defaultQuery": DEFAULT_QUERY,
        "examples": texts,
    }
    page = Response(
        render_template(
            "sparql.html",
            endpoint=endpoint,
            query=DEFAULT_QUERY if query is None else query,
            examples=[
                {**e, "page": url_for("queries.run", name=e["name"], **e["args"])} for e in examples
            ],
            config=config,
            asset=asset_url,
        ),
        content_type=formats.HTML.content_type,
    )
    page.headers["Vary"] = "Accept"
    return page


@lru_cache(maxsize=2)
def editor_examples(today: dt.date) -> tuple[list[dict], dict[str, str]]:
    """The canned queries for the gallery (name, title, example arguments) and each one's
    text with its example parameters bound (``months`` parameters depend on ``today``)."""
    examples, texts = [], {}
    for name, q in catalogue().items():
        args = q.example_args()
        bound = substitute(q.text, bind(q, args, countries=set(ENLARGEMENT_COUNTRIES), today=today))
        body = "\n".join(ln for ln in bound.splitlines() if not _HEADER.match(ln)).lstrip()
        given = ", ".join(f"{k}={v}" for k, v in args.items()) or "none"
        texts[name] = f"# {q.title}\n# parameters: {given} (/queries/{name})\n{body}"
        examples.append({"name": name, "title": q.title, "args": args})
    return examples, texts


_HEADER = re.compile(r"^#\s*[a-z]+:")
