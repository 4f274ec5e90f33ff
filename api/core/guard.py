"""What the query operation refuses, decided on the query's tokens (comments, strings and
IRIs are skipped, so ``"SERVICE"`` in a literal or ``ex:service`` is fine).

- ``SERVICE`` (federated query, SPARQL 1.1 Federated Query §2) unless its IRI is allowed;
- any update operation (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``,
  ``ADD``, ``MOVE``, ``COPY``) sent to the query operation (SPARQL 1.1 Protocol §2.1);
- ``file:`` IRIs anywhere, however written: any case, percent-encoded, or spelled with the
  ``\\u``/``\\U`` escapes that SPARQL replaces before it parses (§19.2), which the guard
  replaces too before it reads the tokens;
- brackets nested deeper than :data:`MAX_NESTING` (a parser that recursed 10,000 levels
  crashed its process): counted on the tokens, without recursion, before anything parses.

:func:`check_iri` says whether a text is an absolute IRI (RFC 3987) a store can take, for the
IRIs a request names outside a query (the dataset parameters, the linked-data paths).
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from functools import lru_cache
from urllib.parse import unquote

from .store import QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.]*:?[A-Za-z0-9_\-.:%]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}


Token = tuple[str, str]  #: (kind, text): kind is a group name of ``_TOKEN`` but space/comment


@lru_cache(maxsize=4096)
def tokens(query: str) -> tuple[Token, ...]:
    """The query's tokens without whitespace and comments: the one pass over its text that
    the guard, :func:`query_form`, :func:`has_dataset_clause` and :func:`bounded_query`
    share (cached: the endpoint asks all of them about each text)."""
    return tuple(
        (m.lastgroup, m.group())
        for m in _TOKEN.finditer(query)
        if m.lastgroup != "space" and m.lastgroup != "comment"
    )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape(text: str) -> str:
    """``text`` with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced, as SPARQL 1.1
    Query §19.2 does before the grammar applies (an escape of no code point is kept).

    >>> unescape(r"<\\u0066ile:x> \\U0000004cOAD")
    '<file:x> LOAD'
    """
    if "\\" not in text:
        return text

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _ESCAPE.sub(char, text)


def _is_file(iri: str) -> bool:
    """Whether ``iri`` names a local file in any spelling (case, percent-encoding, spaces)."""
    return unquote(iri).strip().lower().startswith("file:")


#: The deepest nesting of ``(``, ``[`` and ``{`` (and of ``!`` before an expression) a
#: request may have. Real queries stay far below; pyoxigraph's parser, which recurses once
#: per level, crashed its process between 1,000 and 3,000 levels (issue 17).
MAX_NESTING = 100
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


#: The most operators, separators and pattern keywords (``+ - * / & | . ; ,``, ``UNION``,
#: ``OPTIONAL``, ``MINUS``, ``FILTER``) a request may chain. Real queries stay far below;
#: pyoxigraph's parser crashed its process on a chain of 7,000 ``UNION``s or 10,000 ``+``
#: (and ran 5,000 chained patterns past the time limit).
MAX_TERMS = 4000
_CHAIN_OTHER = frozenset("+-*/&|.;,")
_CHAIN_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER"})


def measure(query: str) -> tuple[int, int]:
    """(the deepest nesting of brackets, the chained terms) of ``query`` outside strings,
    IRIs and comments, read from its tokens in one pass, no recursion; a run of ``!`` counts
    one level each.

    >>> measure("SELECT * { { FILTER(!!(1 = 1)) } }")  # FILTER and the * count
    (5, 2)
    >>> measure("SELECT * { ?s ?p ?o . ?o ?q ?r } ")
    (1, 2)
    """
    depth = deepest = bangs = terms = 0
    for kind, text in tokens(query):
        bangs = bangs + 1 if (kind, text) == ("other", "!") else 0
        if kind == "word":
            terms += text.upper() in _CHAIN_WORDS
        if kind != "other":
            continue
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth = max(0, depth - 1)
        elif text in _CHAIN_OTHER:
            terms += 1
        deepest = max(deepest, depth + bangs)
    return deepest, terms


def nesting(query: str) -> int:
    """The deepest nesting of brackets in ``query`` (:func:`measure`).

    >>> nesting("SELECT * { { FILTER(!!(1 = 1)) } }")
    5
    """
    return measure(query)[0]


@lru_cache(maxsize=4096)
def _scan(query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the keywords, upper case, with ``<IRI>`` for each IRI; the IRIs and the prefixed
    names that start with ``file:``) of ``query`` with its escapes replaced."""
    words: list[str] = []
    iris: list[str] = []
    for kind, text in tokens(unescape(query)):
        if kind == "word":
            if ":" not in text:
                words.append(text.upper())
            elif text.lower().startswith("file:"):
                iris.append(text)
        elif kind == "iri":
            iris.append(text[1:-1])
            words.append("<IRI>")
    return tuple(words), tuple(iris)


def _check_common(text: str, what: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What queries and updates share: the nesting and chain limits (checked first, on the
    tokens, before anything parses) and no ``file:`` IRI; returns :func:`_scan` of ``text``."""
    depth, terms = measure(unescape(text))
    if depth > MAX_NESTING:
        raise QueryRefused(
            f"the {what} nests brackets {depth} levels deep; at most {MAX_NESTING} are allowed"
        )
    if terms > MAX_TERMS:
        raise QueryRefused(
            f"the {what} chains {terms} operators and patterns; at most {MAX_TERMS} are allowed"
        )
    words, iris = _scan(text)
    if any(_is_file(iri) for iri in iris):
        raise QueryRefused("file: IRIs are refused: the service never reads local files")
    return words, iris


def check_query(query: str, *, service_allow: frozenset[str] = frozenset()) -> None:
    """Raise :class:`QueryRefused` if the query operation must not run ``query``."""
    words, iris = _check_common(query, "query")
    first = next((w for w in words if w not in ("PREFIX", "BASE", "<IRI>")), "")
    if first in UPDATE_KEYWORDS or first == "WITH":
        raise QueryRefused(
            f"{first} is a SPARQL Update operation; the query operation is "
            "read-only (send updates to the update operation, when enabled)"
        )
    for i, w in enumerate(words):
        if w == "SERVICE":
            target = words[i + 1] if i + 1 < len(words) else ""
            if target == "SILENT":
                target = words[i + 2] if i + 2 < len(words) else ""
            allowed = False
            if target == "<IRI>":
                # find which IRI this is: count IRIs before this position
                idx = sum(1 for x in words[: i + 1] if x == "<IRI>")
                if words[i + 1] == "SILENT":
                    idx = sum(1 for x in words[: i + 2] if x == "<IRI>")
                allowed = idx < len(iris) and iris[idx] in service_allow
            if not allowed:
                raise QueryRefused(
                    "SERVICE (federated query) is refused: this endpoint does "
                    "not call other endpoints unless their IRI is allow-listed"
                )


def check_update(update: str) -> None:
    """Refuse ``LOAD`` (it would fetch from the network), ``file:`` and too deep nesting in
    updates."""
    words, _ = _check_common(update, "update")
    if "LOAD" in words:
        raise QueryRefused("LOAD is refused: the service never fetches data from the network")
    if "SERVICE" in words:
        raise QueryRefused("SERVICE is refused in updates")


def query_form(query: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE`` or the first keyword found (an
    update keyword, or ``""``), read from the tokens after the prologue."""
    words, _ = _scan(query)
    for w in words:
        if w in ("PREFIX", "BASE", "<IRI>"):
            continue
        return w
    return ""


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (``FROM`` / ``FROM NAMED``), which then
    replaces the service's default dataset (SPARQL 1.1 Query §13.2)."""
    words, _ = _scan(query)
    return "FROM" in words


def _name(tok: tuple[str, str]) -> bool:
    """An IRI or a prefixed name (not a blank node label)."""
    kind, text = tok
    return kind == "iri" or (kind == "word" and ":" in text and not text.startswith("_:"))


def bounded_query(query: str) -> bool:
    """True when ``query`` is ``SELECT``/``ASK`` over exactly one triple pattern that has at
    least one constant term (an IRI, a prefixed name or a string literal), with no operator
    (no ``FILTER``, ``OPTIONAL``, path, subquery, ``GROUP BY``, ``ORDER BY``, ``DISTINCT``,
    ``OFFSET`` ...) and at most a ``LIMIT``: one index scan, streamed and cut at the result
    cap, so its time is bounded without a worker process. Anything else, or anything this
    reader is unsure of, is ``False``."""
    return _bounded(query)[0]


def bounded_limit(query: str) -> int | None:
    """The ``LIMIT`` of a :func:`bounded_query` (None when it has none)."""
    return _bounded(query)[1]


_NOT_BOUNDED = (False, None)


@lru_cache(maxsize=1024)
def _bounded(query: str) -> tuple[bool, int | None]:
    """(:func:`bounded_query`, :func:`bounded_limit`) of ``query``, read in one pass: the
    prologue, the query form, the one triple pattern, then nothing but a ``LIMIT``."""
    toks = tokens(query)
    i = _after_prologue(toks, 0)
    if i is not None:
        i = _after_form(toks, i)
    if i is not None:
        i = _after_one_pattern(toks, i)
    if i is None:
        return _NOT_BOUNDED
    ends, limit = _ends_with_limit(toks, i)
    return (True, limit) if ends else _NOT_BOUNDED


def _word(toks: tuple[Token, ...], k: int, *values: str) -> bool:
    """Whether ``toks[k]`` is one of the keywords ``values`` (any case)."""
    return k < len(toks) and toks[k][0] == "word" and toks[k][1].upper() in values


def _other(toks: tuple[Token, ...], k: int, value: str) -> bool:
    """Whether ``toks[k]`` is the punctuation ``value``."""
    return k < len(toks) and toks[k] == ("other", value)


def _after_prologue(toks: tuple[Token, ...], i: int) -> int | None:
    """Where the ``PREFIX`` and ``BASE`` declarations from ``i`` end; None when one of them
    is not the plain ``PREFIX p: <IRI>`` or ``BASE <IRI>``."""
    n = len(toks)
    while _word(toks, i, "PREFIX", "BASE"):
        if _word(toks, i, "PREFIX"):
            if not (
                i + 2 < n
                and toks[i + 1][0] == "word"
                and toks[i + 1][1].endswith(":")
                and toks[i + 2][0] == "iri"
            ):
                return None
            i += 3
        else:
            if not (i + 1 < n and toks[i + 1][0] == "iri"):
                return None
            i += 2
    return i


def _after_form(toks: tuple[Token, ...], i: int) -> int | None:
    """Where ``SELECT *``, ``SELECT ?v ..`` (variables only) or ``ASK`` at ``i``, and an
    optional ``WHERE``, end; None for any other query form or projection."""
    n = len(toks)
    if _word(toks, i, "SELECT"):
        i += 1
        if _other(toks, i, "*"):
            i += 1
        else:
            start = i
            while i < n and toks[i][0] == "var":
                i += 1
            if i == start:
                return None
    elif _word(toks, i, "ASK"):
        i += 1
    else:
        return None
    if _word(toks, i, "WHERE"):
        i += 1
    return i


def _after_one_pattern(toks: tuple[Token, ...], i: int) -> int | None:
    """Where the group ``{ s p o }`` (an optional ``.`` before ``}``) at ``i`` ends; None
    unless it is one triple pattern of plain terms, at least one of them a constant."""
    if not _other(toks, i, "{"):
        return None
    i += 1
    constants = 0
    for position in range(3):
        step = _after_term(toks, i, position)
        if step is None:
            return None
        i, constant = step
        constants += constant
    if _other(toks, i, "."):
        i += 1
    if not _other(toks, i, "}") or constants == 0:
        return None
    return i + 1


def _after_term(toks: tuple[Token, ...], i: int, position: int) -> tuple[int, bool] | None:
    """Where the term at ``i`` ends (``position`` 0, 1, 2: subject, predicate, object) and
    whether it is a constant. A term is a variable or a constant: an IRI or a prefixed name,
    ``a`` as the predicate, a string literal (with its language tag or datatype) as the
    object; None for anything else."""
    n = len(toks)
    if i >= n:
        return None
    kind, text = toks[i]
    if kind == "var":
        return i + 1, False
    if _name(toks[i]) or (kind == "word" and text == "a" and position == 1):
        return i + 1, True
    if kind == "string" and position == 2:
        i += 1
        if _other(toks, i, "@") and i + 1 < n and toks[i + 1][0] == "word":
            return i + 2, True
        if _other(toks, i, "^") and _other(toks, i + 1, "^") and i + 2 < n and _name(toks[i + 2]):
            return i + 3, True
        return i, True
    return None


def _ends_with_limit(toks: tuple[Token, ...], i: int) -> tuple[bool, int | None]:
    """Whether ``toks[i:]`` is nothing or exactly ``LIMIT <digits>``, and that limit."""
    rest = toks[i:]
    if not rest:
        return True, None
    if not (rest[0][0] == "word" and rest[0][1].upper() == "LIMIT"):
        return False, None
    digits = "".join(
        t
        for _, t in itertools.takewhile(
            lambda tok: tok[0] == "other" and tok[1].isdigit(), rest[1:]
        )
    )
    if not digits or len(rest) != 1 + len(digits):
        return False, None
    return True, int(digits)


_ABSOLUTE_IRI = re.compile(r"^<[A-Za-z][A-Za-z0-9+.\-]*:")


@lru_cache(maxsize=1024)
def scan_pattern(
    query: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], int | None] | None:
    """The simplest :func:`bounded_query`: ``SELECT ?v .. WHERE { s p o } LIMIT n`` where each
    of s, p, o is an absolute ``<IRI>`` or a variable, the variables distinct, at least one
    term an IRI, the projection some of the pattern's variables (no ``*``, no prefixes, no
    ``BASE``, no literal, no ``a``). Its answer is the matching quads of the union default
    graph, in the store's order: a store may read them without the SPARQL engine. Returns
    (projected variable names, the three terms as ("var", name) or ("iri", value), the
    ``LIMIT``), or None for any other query."""
    toks = tokens(query)
    n = len(toks)
    if not (n and toks[0][0] == "word" and toks[0][1].upper() == "SELECT"):
        return None
    i, projection = 1, []
    while i < n and toks[i][0] == "var":
        projection.append(toks[i][1][1:])
        i += 1
    if not projection or len(set(projection)) != len(projection):
        return None
    if i < n and toks[i][0] == "word" and toks[i][1].upper() == "WHERE":
        i += 1
    if i + 4 > n or toks[i] != ("other", "{"):
        return None
    terms = []
    for kind, text in toks[i + 1 : i + 4]:
        if kind == "var":
            terms.append(("var", text[1:]))
        elif kind == "iri" and _ABSOLUTE_IRI.match(text):
            terms.append(("iri", text[1:-1]))
        else:
            return None
    i += 4
    if i < n and toks[i] == ("other", "."):
        i += 1
    if i >= n or toks[i] != ("other", "}"):
        return None
    i += 1
    names = [v for kind, v in terms if kind == "var"]
    if len(names) == 3 or len(set(names)) != len(names) or not set(projection) <= set(names):
        return None
    ends, limit = _ends_with_limit(toks, i)
    return (tuple(projection), tuple(terms), limit) if ends else None


# -- IRIs named outside a query -----------------------------------------------------------------

_UCS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"{chr(p << 16)}-{chr((p << 16) | 0xFFFD)}" for p in range(1, 14))
    + "\U000e1000-\U000efffd"
)
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_PCT = r"%[0-9A-Fa-f]{2}"
_UNRESERVED = r"A-Za-z0-9\-._~" + _UCS
_SUB_DELIMS = r"!$&'()*+,;="
_IPCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_AUTHORITY = (
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"  # userinfo
    rf"(?P<host>\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"
    r"(?::[0-9]*)?"
)
_SEGMENTS = rf"(?:/{_IPCHAR}*)*"
_IRI = re.compile(
    r"[A-Za-z][A-Za-z0-9+\-.]*:"  # scheme
    rf"(?://{_AUTHORITY}{_SEGMENTS}|/(?:{_IPCHAR}+{_SEGMENTS})?|{_IPCHAR}+{_SEGMENTS}|)"
    rf"(?:\?(?:{_IPCHAR}|[/?{_PRIVATE}])*)?"
    rf"(?:#(?:{_IPCHAR}|[/?])*)?"
)


def check_iri(iri: str, *, what: str = "IRI") -> str:
    """``iri`` when it is an absolute IRI (RFC 3987 §2.2: a scheme; no spaces, control characters,
    backslash or ``<>"{}|^``; well-formed percent escapes and IPv6 hosts) that does not name a
    local file; else :class:`QueryRefused` naming ``what`` and the reason (a 400).

    >>> check_iri("https://w3id.org/eu-enlargement/id/country/MNE")
    'https://w3id.org/eu-enlargement/id/country/MNE'
    >>> try:
    ...     check_iri("x:a b")
    ... except QueryRefused as exc:
    ...     print(exc)
    the IRI 'x:a b' is not an absolute IRI (RFC 3987): ' ' at position 3 cannot be in an IRI
    """
    m = _IRI.fullmatch(iri)
    if m is None or (m.group("ipv6") and not _ipv6(m.group("ipv6"))):
        raise QueryRefused(f"the {what} {_shown(iri)} is not an absolute IRI (RFC 3987){_why(iri)}")
    if _is_file(iri):
        raise QueryRefused("file: IRIs are refused: the service never reads local files")
    return iri


def _ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _shown(iri: str, limit: int = 80) -> str:
    """``iri`` quoted for a message (cut short, escapes for what cannot be printed)."""
    return repr(iri if len(iri) <= limit else iri[:limit] + "...")


_BAD_CHAR = re.compile(rf"[^{_UNRESERVED}{_SUB_DELIMS}{_PRIVATE}:/?#\[\]@%]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _why(iri: str) -> str:
    """The first thing that keeps ``iri`` from being an IRI, for the message."""
    if not re.match(r"[A-Za-z][A-Za-z0-9+\-.]*:", iri):
        return ": it has no scheme (such as https:)"
    bad = _BAD_CHAR.search(iri)
    if bad:
        return f": {bad.group()!r} at position {bad.start()} cannot be in an IRI"
    escape = _BAD_ESCAPE.search(iri)
    if escape:
        return f": '%' at position {escape.start()} does not start a percent-escape (%XX)"
    return ""
