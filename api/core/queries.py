"""The canned analyst queries: one ``queries/<name>.rq`` per competency question.

Each file starts with a header of ``# key: value`` lines::

    # title: Status of every chapter for a country on a date
    # question: 2
    # description: ...
    # param: country iso3 required MNE The country
    # param: months:cutoff months required 24 N, the number of months
    # columns: chapter cluster status since

A parameter is ``name[:variable] type required|optional example description``; its value is
checked against its type, turned into an RDF term, and *substituted* for ``?variable``
everywhere in the query (SEP-0007 semantics, subqueries included), on the query's tokens:
only variable tokens are replaced, by the term's N-Triples form, so no user text ever
reaches the parser unescaped. (pyoxigraph's own ``substitutions=`` binds only at the top
level, which would leave a parameter used inside a subquery unbound there.) An optional
``date`` parameter left out is today (UTC), bound here like a given one: no query reads the
clock (``NOW()``), so every engine sees the same day, and the text, hence every answer cache
keyed on it, changes at midnight. The columns are a public contract; a test runs every query
and compares its variables with them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from . import iris
from .formats import Format
from .resources import data_dir
from .store import QueryResult, Term, serialize_rows

PARAM_TYPES = ("iso3", "date", "decimal", "int", "iri", "slug", "months")


class ParameterError(ValueError):
    """A missing, unknown or invalid parameter; the message names the valid values."""


@dataclass(frozen=True)
class Param:
    name: str  #: the name in the query string
    variable: str  #: the SPARQL variable it binds
    type: str
    required: bool
    example: str
    description: str


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    question: str
    columns: tuple[str, ...]
    params: tuple[Param, ...]
    text: str = field(repr=False)

    def example_args(self) -> dict[str, str]:
        return {p.name: p.example for p in self.params if p.required}


def parse(name: str, text: str) -> CannedQuery:
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"^#\s*([a-z]+):\s*(.*)$", line)
        if m:
            header.setdefault(m.group(1), []).append(m.group(2).strip())
        elif line.strip() and not line.startswith("#"):
            break
    params = []
    for spec in header.get("param", []):
        parts = spec.split(None, 4)
        if len(parts) < 4:
            raise ValueError(f"{name}.rq: bad param line {spec!r}")
        ident, ptype, req, example = parts[:4]
        pname, _, var = ident.partition(":")
        if ptype not in PARAM_TYPES or req not in ("required", "optional"):
            raise ValueError(f"{name}.rq: bad param line {spec!r}")
        params.append(
            Param(
                pname,
                var or pname,
                ptype,
                req == "required",
                example,
                parts[4] if len(parts) > 4 else "",
            )
        )
    for key in ("title", "description", "columns"):
        if key not in header:
            raise ValueError(f"{name}.rq: the header lacks '# {key}:'")
    return CannedQuery(
        name=name,
        title=header["title"][0],
        description=" ".join(header["description"]),
        question=header.get("question", [""])[0],
        columns=tuple(header["columns"][0].split()),
        params=tuple(params),
        text=text,
    )


@lru_cache(maxsize=4)
def catalogue(folder: Path | None = None) -> dict[str, CannedQuery]:
    """Every canned query, by name (the file's stem), in name order."""
    folder = folder or data_dir("queries")
    return {
        p.stem: parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))
    }


def substitute(text: str, bindings: dict[str, Node]) -> str:
    """Replace each bound ``?var``/``$var`` token by its term; strings, IRIs and comments
    are left alone. A parameter must not be a projected or ``AS`` variable."""
    from .guard import _TOKEN

    out: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if m.lastgroup == "var" and tok[1:] in bindings:
            prev = "".join(out).rstrip()
            if prev.upper().endswith(" AS"):
                raise ValueError(f"parameter ?{tok[1:]} is assigned with AS in the query")
            out.append(bindings[tok[1:]].n3())
        else:
            out.append(tok)
    return "".join(out)


#: The enlargement countries' ISO 3166 alpha-3 codes: the values an ``iso3`` parameter takes.
COUNTRY_CODES = (
    "SELECT ?code WHERE { ?c a <https://w3id.org/eu-enlargement/ontology#EnlargementCountry> ; "
    "<https://w3id.org/eu-enlargement/ontology#iso3166Alpha3> ?code }"
)


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``["country=MNE", ...]`` (the command line's ``--param``) -> ``{"country": "MNE"}``.

    >>> parse_params(["country=MNE", "date=2025-12-31"])
    {'country': 'MNE', 'date': '2025-12-31'}
    >>> parse_params(["country"])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    ParameterError: --param 'country' is not NAME=VALUE (e.g. country=MNE)
    """
    out: dict[str, str] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        name = name.strip()
        if not eq or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            raise ParameterError(f"--param {pair!r} is not NAME=VALUE (e.g. country=MNE)")
        if name in out:
            raise ParameterError(f"--param {name} is given twice")
        out[name] = value
    return out


def months_before(today: dt.date, months: int) -> dt.date:
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    m += 1
    import calendar

    return dt.date(y, m, min(today.day, calendar.monthrange(y, m)[1]))


def bind(
    query: CannedQuery, args: dict[str, str], *, countries: set[str], today: dt.date | None = None
) -> dict[str, Node]:
    """Check ``args`` against the query's parameters and return the variable bindings
    (an optional date left out is ``today``, by default today's date in UTC)."""
    today = today or dt.datetime.now(dt.UTC).date()
    known = {p.name for p in query.params}
    unknown = sorted(set(args) - known)
    if unknown:
        valid = ", ".join(sorted(known)) or "none"
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; {query.name} takes: {valid}"
        )
    out: dict[str, Node] = {}
    for p in query.params:
        raw = args.get(p.name, "").strip()
        if not raw:
            if p.required:
                raise ParameterError(
                    f"parameter '{p.name}' is required ({p.type}, e.g. {p.name}={p.example})"
                )
            if p.type != "date":
                continue
            raw = today.isoformat()
        out[p.variable] = _convert(p, raw, countries=countries, today=today)
    return out


def _convert(p: Param, raw: str, *, countries: set[str], today: dt.date) -> Node:
    if p.type == "iso3":
        code = raw.upper()
        if code not in countries:
            raise ParameterError(
                f"'{p.name}' must be one of {', '.join(sorted(countries))}; got {raw!r}"
            )
        return iris.country(code)
    if p.type == "date":
        try:
            return Literal(dt.date.fromisoformat(raw).isoformat(), datatype=XSD.date)
        except ValueError:
            raise ParameterError(f"'{p.name}' must be a date YYYY-MM-DD; got {raw!r}") from None
    if p.type == "decimal":
        try:
            return Literal(Decimal(raw))
        except InvalidOperation:
            raise ParameterError(f"'{p.name}' must be a number; got {raw!r}") from None
    if p.type in ("int", "months"):
        if not re.fullmatch(r"\d{1,4}", raw):
            raise ParameterError(f"'{p.name}' must be a whole number 0..9999; got {raw!r}")
        if p.type == "months":
            return Literal(months_before(today, int(raw)).isoformat(), datatype=XSD.date)
        return Literal(int(raw))
    if p.type == "iri":
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
            raise ParameterError(f"'{p.name}' must be an http(s) IRI; got {raw!r}")
        return URIRef(raw)
    if p.type == "slug":
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", raw):
            raise ParameterError(
                f"'{p.name}' must be lower-case words joined by hyphens, "
                f"e.g. {p.example}; got {raw!r}"
            )
        return Literal(raw)
    raise ParameterError(f"unsupported parameter type {p.type}")


#: Columns that join several values with this separator (``GROUP_CONCAT``): SPARQL leaves the
#: order of a group's values to the engine (pyoxigraph's varies from process to process), so
#: the canned queries' answers give them sorted.
LIST_SEPARATOR = " | "
LIST_COLUMNS = frozenset({"source"})


def sorted_lists(result: QueryResult, fmt: Format) -> QueryResult:
    """``result`` (SPARQL JSON) with the values of :data:`LIST_COLUMNS` sorted, written as
    ``fmt`` (a results format): the same answer, byte for byte, however the engine ordered a
    group's values.

    >>> from . import formats
    >>> body = b'{"head":{"vars":["source"]},"results":{"bindings":[{"source":'
    >>> body += b'{"type":"literal","value":"b | a"}}]}}'
    >>> sorted_lists(QueryResult("bindings", body, formats.by_name("json"), 1),
    ...              formats.by_name("csv")).body
    b'source\\r\\na | b\\r\\n'
    """
    doc = json.loads(result.body)
    variables = doc["head"]["vars"]
    rows: list[dict[str, Term]] = []
    for b in doc["results"]["bindings"]:
        row: dict[str, Term] = {}
        for var, t in b.items():
            value = t["value"]
            if var in LIST_COLUMNS and t["type"] == "literal":
                value = LIST_SEPARATOR.join(sorted(value.split(LIST_SEPARATOR)))
            row[var] = (t["type"], value, t.get("datatype"), t.get("xml:lang"))
        rows.append(row)
    return QueryResult("bindings", serialize_rows(variables, rows, fmt), fmt, len(rows))
