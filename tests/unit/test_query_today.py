"""An optional date left out of a canned query is today, bound by ``core.queries.bind``: no
query reads the clock, so every engine (pyoxigraph, Virtuoso's local-time ``NOW()``) sees the
same day, and the bound text, the key of every answer cache, changes at midnight. And a
remote store's booleans are written ``true``/``false`` (Virtuoso 7 writes ``1``/``0``)."""

from __future__ import annotations

import datetime as dt

import pytest

from enlargement_kg.core.guard import _TOKEN
from enlargement_kg.core.queries import ParameterError, bind, catalogue, substitute
from enlargement_kg.core.remote_store import normalise_term

BLOCKED = catalogue()["blocked-chapters"]
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def test_an_omitted_optional_date_is_today():
    day = dt.date(2025, 12, 13)
    bound = bind(BLOCKED, {"country": "MNE"}, countries={"MNE"}, today=day)
    assert bound["date"].n3() == f'"2025-12-13"^^<{XSD_DATE}>'
    assert bind(BLOCKED, {"date": "2024-01-31"}, countries=set(), today=day)["date"].n3() == (
        f'"2024-01-31"^^<{XSD_DATE}>'
    )


def test_by_default_today_is_the_utc_day():
    before = dt.datetime.now(dt.UTC).date()
    got = bind(BLOCKED, {}, countries=set())["date"].toPython()
    assert before <= got <= dt.datetime.now(dt.UTC).date()


def test_the_bound_text_changes_with_the_day():
    texts = {
        day: substitute(BLOCKED.text, bind(BLOCKED, {}, countries=set(), today=day))
        for day in (dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    }
    assert texts[dt.date(2026, 3, 1)] != texts[dt.date(2026, 3, 2)]
    assert all("?date" not in t and "2026-03-0" in t for t in texts.values())


def test_other_optional_parameters_stay_unbound():
    assert "country" not in bind(BLOCKED, {}, countries=set(), today=dt.date(2026, 3, 1))
    with pytest.raises(ParameterError, match="'date' must be a date"):
        bind(BLOCKED, {"date": "yesterday"}, countries=set())


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_no_canned_query_reads_the_clock(name):
    words = {
        m.group().upper() for m in _TOKEN.finditer(catalogue()[name].text) if m.lastgroup == "word"
    }
    assert "NOW" not in words, name


@pytest.mark.parametrize(
    ("written", "canonical"), [("1", "true"), ("0", "false"), ("true", "true"), ("false", "false")]
)
def test_a_remote_boolean_is_written_true_or_false(written, canonical):
    term = {"type": "typed-literal", "datatype": XSD_BOOLEAN, "value": written}
    assert normalise_term(term) == ("literal", canonical, XSD_BOOLEAN, None)


def test_a_remote_integer_stays_as_written():
    term = {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert normalise_term({**term, "value": "1"})[1] == "1"
