"""Dates at the precision their source gives: the one owner of how a date is stored, read,
compared and shown.

A fact's ``dcterms:date`` is typed by its precision: ``xsd:date`` for a day,
``xsd:gYearMonth`` for a month, ``xsd:gYear`` for a year. Nothing stores a placeholder day,
so nothing can print one. The lexical forms are ISO 8601 prefixes of one another
(``2013`` < ``2013-04`` < ``2013-04-15``), which gives the rules every query and shape uses:

* **order**: by the lexical form (``ORDER BY STR(?date)``); a month sorts before the days in it.
* **as of a day D** (``chapter-status`` on D, ``open-clusters``, the ranking): an event counts
  once its period has begun, ``STR(?date) <= STR(D)``: "April 2013" counts on 2013-04-01.
  The canned queries say so in their descriptions, and the precision column says which rows
  rest on a month or a year.
* **between D1 and D2** (``changes``): the event's period overlaps [D1, D2]:
  ``STR(?date) <= STR(D2) && ?date's period ends on or after D1``, which for the lexical
  forms is ``STR(?date) >= SUBSTR(STR(D1), 1, STRLEN(STR(?date)))``.
* **before/after at precision** (the shapes: a closing not before its opening): two dates are
  compared on their common prefix, ``SUBSTR(STR(?a), 1, n) <= SUBSTR(STR(?b), 1, n)`` with
  ``n`` the shorter length: "April 2013" is not taken to precede 15 April 2013.
"""

from __future__ import annotations

import datetime as dt
import re

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
DATATYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}
PRECISION_OF_DATATYPE = {v: k for k, v in DATATYPES.items()}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse(text: str) -> tuple[str, str]:
    """``YYYY[-MM[-DD]]`` → (the text, its precision); ValueError with the reason otherwise.

    >>> parse("2013-04")
    ('2013-04', 'month')
    >>> parse("2025-02-30")
    Traceback (most recent call last):
    ...
    ValueError: '2025-02-30' is not a valid date (day is out of range for month)
    """
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    y, mo, d = m.groups()
    try:
        dt.date(int(y), int(mo or 1), int(d or 1))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from None
    if mo and not 1 <= int(mo) <= 12:  # pragma: no cover - dt.date refuses it first
        raise ValueError(f"{text!r} is not a valid month")
    return text.strip(), "day" if d else ("month" if mo else "year")


def literal(text: str) -> Literal:
    """The typed literal of a date at its precision.

    >>> literal("2010-12").n3()
    '"2010-12"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    value, prec = parse(text)
    return Literal(value, datatype=DATATYPES[prec])


def precision(value: Node | str | None) -> str:
    """``day``, ``month`` or ``year``: from the datatype of a literal, else from its form.

    >>> precision(literal("1987")), precision("2013-04"), precision("2013-04-15")
    ('year', 'month', 'day')
    """
    if value is None:
        return "day"
    if isinstance(value, Literal) and value.datatype in PRECISION_OF_DATATYPE:
        return PRECISION_OF_DATATYPE[value.datatype]
    n = len(str(value))
    return "year" if n == 4 else "month" if n == 7 else "day"


def iso(value: Node | str) -> str:
    """The ISO form at the value's precision (never a day that was not given).

    >>> iso(literal("2013-04"))
    '2013-04'
    """
    return str(value)[: {"year": 4, "month": 7}.get(precision(value), 10)]


def display(value: Node | str | None) -> str:
    """For people: ``15 April 2013``, ``April 2013``, ``2013``.

    >>> display(literal("2013-04")), display("2013-04-15"), display("1987")
    ('April 2013', '15 April 2013', '1987')
    """
    if value is None or str(value) == "":
        return ""
    text = iso(value)
    m = _DATE.match(text)
    if not m:
        return text
    y, mo, d = m.groups()
    if d:
        return f"{int(d)} {MONTHS[int(mo) - 1]} {y}"
    if mo:
        return f"{MONTHS[int(mo) - 1]} {y}"
    return y


def contains(outer: str, inner: str) -> bool:
    """Whether the date ``inner`` lies within the period of ``outer`` (same or more precise).

    >>> contains("2010-12", "2010-12-17"), contains("2010-11", "2010-12-17")
    (True, False)
    """
    return iso(inner).startswith(iso(outer))


def earliest_day(value: Node | str) -> dt.date:
    """The first day of the value's period, for arithmetic (ages, staleness), never shown."""
    text = iso(value)
    y, mo, d = _DATE.match(text).groups()  # type: ignore[union-attr]
    return dt.date(int(y), int(mo or 1), int(d or 1))
