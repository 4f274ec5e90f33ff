"""The ten enlargement countries side by side on a day: every country's status on each of
the 35 chapters and on each of the six clusters (the ``/compare`` page, and its CSV and
JSON, which hold the same cells).

Pure core (no Flask). The cells are those of a country's page
(:class:`.negotiation_pages.ChapterCell`, :class:`.negotiation_pages.ClusterCell`), so both
pages agree; the rules are those of ``core/negotiation.py``: on a day D an event counts once
its period has begun (an event known only to its month counts from the month's first day,
and is still told as the month).

- :func:`day_asked`: the day a reader asks for (``?date=YYYY-MM-DD``), today by default.
- :func:`compare_view`: the matrix on that day.
- :func:`chapter_records`, :func:`cluster_records`, :func:`as_json`: the same cells as rows
  for CSV and JSON.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from . import dates
from .labels import format_date
from .negotiation import (
    ChapterStatus,
    CountryStatus,
    StructureItem,
    chapter_statuses,
    country_statuses,
)
from .negotiation import negotiating_structure as structure_of
from .negotiation_pages import ChapterCell, ClusterCell, chapter_cells, cluster_cells
from .store import Store

#: How a day is compared with a date known only to its month or year, in the words the
#: pages, the CSV's documentation and the JSON carry.
RULE = (
    "An event counts on a day once its period has begun: an event known only to its month "
    "(or year) counts from the first day of that month (or year), and is shown as the month."
)
CHAPTER_COLUMNS = (
    "country",
    "countryName",
    "chapter",
    "chapterName",
    "cluster",
    "status",
    "blocked",
    "since",
    "facts",
)
CLUSTER_COLUMNS = (
    "country",
    "countryName",
    "cluster",
    "clusterName",
    "state",
    "blocked",
    "chaptersOpened",
    "chaptersClosed",
    "chapters",
    "facts",
)


def day_asked(text: str | None, *, today: str) -> str:
    """The day of ``?date=``: ``today`` when absent or empty; ValueError with the reason
    when it is not a day (a month or a year is not a day to look at).

    >>> day_asked(None, today="2026-12-03"), day_asked("2015-06-29", today="2026-12-03")
    ('2026-12-03', '2015-06-29')
    >>> day_asked("2015-06", today="2026-12-03")
    Traceback (most recent call last):
    ...
    ValueError: date '2015-06' is not a day: use YYYY-MM-DD
    """
    if text is None or not text.strip():
        return today
    value, precision = dates.parse(text)
    if precision != "day":
        raise ValueError(f"date {text!r} is not a day: use YYYY-MM-DD")
    return value


@dataclass(frozen=True)
class CompareRow:
    country: CountryStatus
    cells: tuple[ChapterCell, ...]
    clusters: tuple[ClusterCell, ...]


@dataclass(frozen=True)
class CompareView:
    """Every enlargement country's cells on the day ``on``."""

    on: str
    chapters: tuple[StructureItem, ...]
    rows: tuple[CompareRow, ...]

    @property
    def on_label(self) -> str:
        return format_date(self.on)

    @property
    def clusters(self) -> tuple[ClusterCell, ...]:
        """The clusters, as the first row has them (for the headers)."""
        return self.rows[0].clusters if self.rows else ()


def compare_view(store: Store, *, on: str) -> CompareView:
    """The matrix on the day ``on`` (YYYY-MM-DD): the countries in name order, the chapters
    in number order, the clusters by number."""
    structure = structure_of(store)
    chapters = tuple(i for i in structure if i.is_chapter)
    per: dict[str, list[ChapterStatus]] = {}
    for st in chapter_statuses(store, on=on):
        per.setdefault(st.country.iri or "", []).append(st)
    rows = []
    for cs in country_statuses(store, on=on):
        cells = chapter_cells(per.get(cs.country.iri or "", []), chapters, cs.country)
        rows.append(CompareRow(cs, cells, cluster_cells(cells)))
    return CompareView(on, chapters, tuple(rows))


def chapter_records(view: CompareView) -> list[dict[str, Any]]:
    """One record per (country, chapter), :data:`CHAPTER_COLUMNS`; ``since`` at the
    precision of its source, ``facts`` the IRIs behind the cell."""
    out = []
    for row in view.rows:
        for c in row.cells:
            since = c.since
            out.append(
                {
                    "country": row.country.iso,
                    "countryName": row.country.country.label,
                    "chapter": c.item.number,
                    "chapterName": c.item.name,
                    "cluster": c.item.cluster_number,
                    "status": c.slug,
                    "blocked": c.blocked,
                    "since": since.date_iso if since else None,
                    "facts": [e.fact for e in c.facts],
                }
            )
    return out


def cluster_records(view: CompareView) -> list[dict[str, Any]]:
    """One record per (country, cluster), :data:`CLUSTER_COLUMNS`."""
    out = []
    for row in view.rows:
        for cl in row.clusters:
            opened, closed, total = cl.counts
            out.append(
                {
                    "country": row.country.iso,
                    "countryName": row.country.country.label,
                    "cluster": cl.number,
                    "clusterName": cl.cluster.label.partition(": ")[2] or cl.cluster.label,
                    "state": cl.state,
                    "blocked": cl.blocked,
                    "chaptersOpened": opened,
                    "chaptersClosed": closed,
                    "chapters": total,
                    "facts": [e.fact for e in cl.facts],
                }
            )
    return out


def as_csv(records: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """``records`` as CSV (RFC 4180, CRLF): booleans ``true``/``false``, nothing for none,
    the facts separated by spaces."""

    def cell(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return " ".join(map(str, v))
        return "" if v is None else str(v)

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in records:
        w.writerow([cell(r[c]) for c in columns])
    return buf.getvalue()


def as_json(view: CompareView) -> dict[str, Any]:
    """The matrix as JSON: the day and its rule, the countries, chapters and clusters, and
    the cells of both tables (the CSV's records)."""
    return {
        "date": view.on,
        "rule": RULE,
        "countries": [
            {
                "iso": r.country.iso,
                "name": r.country.country.label,
                "iri": r.country.country.iri,
                "status": r.country.status or None,
                "statusSince": r.country.since_iso or None,
            }
            for r in view.rows
        ],
        "chapters": [
            {"number": i.number, "name": i.name, "iri": i.iri, "cluster": i.cluster_number}
            for i in view.chapters
        ],
        "clusters": [
            {"number": c.number, "name": c.cluster.label, "iri": c.cluster.iri}
            for c in view.clusters
        ],
        "chapterCells": chapter_records(view),
        "clusterCells": cluster_records(view),
    }
