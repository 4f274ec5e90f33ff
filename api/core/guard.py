"""What the query operation refuses, decided on the query's tokens (comments, strings and
IRIs are skipped, so ``"SERVICE"`` in a literal or ``ex:service`` is fine).

- ``SERVICE`` (federated query, SPARQL 1.1 Federated Query §2) unless its IRI is allowed;
- any update operation (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``,
  ``ADD``, ``MOVE``, ``COPY``) sent to the query operation (SPARQL 1.1 Protocol §2.1);
- ``file:`` IRIs anywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .store import QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.]*:?[A-Za-z0-9_\-.:%]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}


@lru_cache(maxsize=4096)
def _scan(query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words: list[str] = []
    iris: list[str] = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup
        if kind == "word":
            w = m.group()
            if ":" not in w:
                words.append(w.upper())
            elif w.lower().startswith("file:"):
                iris.append(w)
        elif kind == "iri":
            iris.append(m.group()[1:-1])
            words.append("<IRI>")
    return tuple(words), tuple(iris)


def check_query(query: str, *, service_allow: frozenset[str] = frozenset()) -> None:
    """Raise :class:`QueryRefused` if the query operation must not run ``query``."""
    words, iris = _scan(query)
    for iri in iris:
        if iri.lower().startswith("file:"):
            raise QueryRefused("file: IRIs are refused: the service never reads local files")
    first = next((w for w in words if w not in ("PREFIX", "BASE", "<IRI>")), "")
    if first in UPDATE_KEYWORDS or first == "WITH":
        raise QueryRefused(f"{first} is a SPARQL Update operation; the query operation is "
                           "read-only (send updates to the update operation, when enabled)")
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
                raise QueryRefused("SERVICE (federated query) is refused: this endpoint does "
                                   "not call other endpoints unless their IRI is allow-listed")


def check_update(update: str) -> None:
    """Refuse ``LOAD`` (it would fetch from the network) and ``file:`` in updates."""
    words, iris = _scan(update)
    for iri in iris:
        if iri.lower().startswith("file:"):
            raise QueryRefused("file: IRIs are refused: the service never reads local files")
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
