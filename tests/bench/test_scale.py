"""The scale benchmark's pure parts (bench/scale.py): memory read from /proc texts, the
classification of an answer, Virtuoso's settings, and the tables it prints."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from scale import (  # noqa: E402
    Memory,
    Side,
    Timing,
    bust,
    facts_in,
    kb_fields,
    latency_table,
    load_table,
    refusal,
    rows_cell,
    summarise,
    virtuoso_settings,
)
from servers import virtuoso_ini  # noqa: E402

ROLLUP = """\
55d1c0a3e000-7ffd3e9f4000 ---p 00000000 00:00 0                          [rollup]
Rss:              412340 kB
Pss:               98765 kB
Pss_Anon:          20000 kB
Pss_File:          78765 kB
Shared_Clean:     380000 kB
"""

STATUS = """\
Name:\tgunicorn
VmPeak:\t  900000 kB
VmSize:\t  800000 kB
VmHWM:\t  420000 kB
VmRSS:\t  412340 kB
Threads:\t4
"""


def test_kb_fields_reads_pss_and_rss_in_bytes_not_their_variants():
    got = kb_fields(ROLLUP, ("Pss", "Rss"))
    assert got == {"Pss": 98765 * 1024, "Rss": 412340 * 1024}
    assert kb_fields(STATUS, ("VmPeak", "VmHWM", "Threads")) == {
        "VmPeak": 900000 * 1024,
        "VmHWM": 420000 * 1024,
    }


def test_summarise_sums_the_tree_and_takes_the_largest_growth():
    idle = {
        1: {"Pss": 100, "Rss": 300, "VmSize": 1000, "VmPeak": 1000, "VmHWM": 300},
        2: {"Pss": 50, "Rss": 300, "VmSize": 2000, "VmPeak": 2000, "VmHWM": 300},
    }
    now = {
        1: {"Pss": 120, "Rss": 310, "VmSize": 1000, "VmPeak": 1500, "VmHWM": 320},
        2: {"Pss": 80, "Rss": 330, "VmSize": 2000, "VmPeak": 2100, "VmHWM": 900},
        3: {"Pss": 10, "Rss": 20, "VmSize": 500, "VmPeak": 9000, "VmHWM": 20},  # new: no idle
    }
    m = summarise(now, idle)
    assert (m.pss, m.rss, m.processes, m.peak_rss, m.growth) == (210, 660, 3, 900, 500)
    assert summarise(now).growth is None


def test_an_answer_over_the_limit_is_not_an_error():
    ours = b'{"error": "the query ran past the time limit of 60 s and was stopped"}'
    assert refusal(503, ours).status == "over"
    assert refusal(504, b"").status == "over"
    assert refusal(500, b"Virtuoso S1T00 Error SR171: Transaction timed out").status == "over"
    busy = refusal(503, b"no query worker was free within 0.5 s")
    assert busy.status == "error" and "HTTP 503" in busy.note
    assert refusal(413, b"more than 100000 rows").status == "error"


def test_every_bust_is_unique_and_keeps_the_query():
    a, b = bust("SELECT * WHERE { ?s ?p ?o }"), bust("SELECT * WHERE { ?s ?p ?o }")
    assert a != b
    assert a.startswith("#bust-") and a.endswith("\nSELECT * WHERE { ?s ?p ?o }")


def test_virtuoso_buffers_follow_its_guidance_and_the_ini_takes_them(tmp_path):
    conf = virtuoso_settings(2 << 30, 60.0)
    # 2/3 of 2 GiB in 8 KB buffers: the stock 2 GB line of virtuoso.ini is 170000 / 130000
    assert conf["NumberOfBuffers"] == 174762
    assert conf["MaxDirtyBuffers"] == 174762 * 3 // 4
    assert conf["MaxQueryExecutionTime"] == 60
    ini = virtuoso_ini(tmp_path, 1111, 2222, conf)
    assert "NumberOfBuffers = 174762\n" in ini and "MaxQueryExecutionTime = 60\n" in ini
    assert "NumberOfBuffers = 170000" in virtuoso_ini(tmp_path, 1111, 2222)  # run.py's default


def test_virtuoso_ini_refuses_a_key_it_does_not_hold_once(tmp_path):
    import pytest

    with pytest.raises(ValueError):
        virtuoso_ini(tmp_path, 1, 2, {"NoSuchKey": 1})
    with pytest.raises(ValueError):
        virtuoso_ini(tmp_path, 1, 2, {"ServerThreads": 8})  # in two sections


def test_facts_in_reads_synthetic_facts_with_a_source(tmp_path):
    fact = "https://w3id.org/eu-enlargement/id/fact/SRB/x/1"
    graph = "https://w3id.org/eu-enlargement/graph/synthetic/facts/SRB-1"
    other = "https://w3id.org/eu-enlargement/graph/reference"
    src = "<http://purl.org/dc/terms/source>"
    (tmp_path / "d.nq").write_text(
        f"<{fact}0> {src} <https://example.org/d> <{other}> .\n"
        f"<{fact}> {src} <https://example.org/d> <{graph}> .\n"
        f"<{fact}> {src} <https://example.org/e> <{graph}> .\n"
    )
    assert facts_in(tmp_path / "d.nq") == [fact]


def test_rows_flag_a_column_that_differs():
    same = {"engine": Timing(rows=5), "ours": Timing(rows=5), "virtuoso": Timing(rows=5)}
    assert rows_cell(same) == "5"
    odd = {**same, "virtuoso": Timing(rows=4)}
    assert rows_cell(odd) == "5 (**differs**, virtuoso: 4)"
    assert rows_cell({"ours": Timing("over")}) == "n/a"


def test_latency_table_shows_medians_cold_runs_limits_and_ratios():
    ok = Timing("ok", cold_ms=30.0, median_ms=20.0, rows=3)
    queries = [
        {
            "name": "q1",
            "timings": {
                "ours": ok,
                "engine": Timing("ok", 12.0, 10.0, 3),
                "virtuoso": Timing("ok", 50.0, 40.0, 3),
                "ours-virtuoso": Timing("ok", 60.0, 44.0, 3),
            },
        },
        {"name": "q2", "timings": {"ours": Timing("over"), "engine": Timing("error")}},
    ]
    lines = latency_table("1m", queries, 60.0)
    assert lines[0].startswith("| query (1m) | rows | (a) ours, embedded |")
    assert lines[2] == (
        "| q1 | 3 | 20.0 (cold 30.0) | 10.0 (cold 12.0) | 40.0 (cold 50.0) | "
        "44.0 (cold 60.0) | 2.0x | 1.1x |"
    )
    assert lines[3] == "| q2 | n/a | over 60 s | error | n/a | n/a | n/a | n/a |"
    assert lines[4].startswith("| sum of medians, the 1 queries all four answered | | 20.0 |")


def test_load_table_has_a_row_per_figure_and_a_column_per_backend():
    emb = Side(load_s=12.3, disk=300 << 20, start_s=1.9, settings="2 workers")
    emb.idle = Memory(pss=200 << 20, rss=1 << 30, processes=7)
    emb.after = Memory(pss=300 << 20, rss=2 << 30, processes=7, peak_rss=90 << 20, growth=None)
    res = {"size": "1m", "triples": 1_000_010, "embedded": emb, "virtuoso": None, "remote": None}
    lines = load_table(res)
    assert lines[0].startswith("| 1m: 1,000,010 triples | embedded")
    assert "| load | 12.3 s | n/a | n/a |" in lines
    assert "| on disk | 300 MiB | n/a | n/a |" in lines
    assert (
        "| memory after the queries | PSS 300 MiB (RSS 2.00 GiB), 7 processes | n/a | n/a |"
        in lines
    )
    assert "| most address space one process added | n/a | n/a | n/a |" in lines


def test_measure_takes_the_cold_run_apart_and_stops_at_the_budget():
    from scale import Outcome, cell, measure

    times = iter([50.0, 10.0, 30.0, 20.0])
    seen = []

    def run(text):
        seen.append(text)
        return Outcome("ok", next(times), 7)

    t = measure(run, "SELECT 1", runs=3)
    assert (t.cold_ms, t.median_ms, t.rows, t.runs) == (50.0, 20.0, 7, 3)
    assert len(set(seen)) == 4  # every run unique
    assert cell(t, 60) == "20.0 (cold 50.0)"

    def slow(text):
        import time

        time.sleep(0.02)
        return Outcome("ok", 20.0, 1)

    t = measure(slow, "SELECT 1", runs=3, budget=0.01)
    assert t.runs == 1 and cell(t, 60) == "20.0 (cold 20.0; 1 run)"
    over = measure(lambda text: Outcome("over"), "SELECT 1", runs=3)
    assert over.status == "over" and cell(over, 60) == "over 60 s"


def test_a_refusal_by_virtuosos_cost_estimate_is_neither_over_nor_an_error():
    from scale import cell

    direct = b"Virtuoso 42000 Error The estimated execution time 465 (sec) exceeds the limit"
    ours = b'{"error": {"status": 504, "message": "the store ... refused a costly query: x"}}'
    assert refusal(500, direct).status == "refused"
    assert refusal(504, ours).status == "refused"
    assert cell(Timing("refused"), 60) == "refused (cost estimate)"


def test_a_saved_run_renders_the_same_tables():
    from scale import as_json, from_json, report

    emb = Side(load_s=1.0, disk=1 << 20, start_s=1.0, settings="s")
    emb.idle, emb.after = Memory(pss=1, rss=2, processes=1), Memory(pss=3, rss=4, processes=1)
    res = {
        "size": "1m",
        "triples": 10,
        "notes": ["n"],
        "embedded": emb,
        "virtuoso": None,
        "remote": None,
        "queries": [{"name": "q", "label": "q", "timings": {"ours": Timing("ok", 2.0, 1.0, 3)}}],
    }
    saved = as_json([res])
    assert "idle_snapshot" not in saved[0]["embedded"]
    assert report(from_json(saved), 60) == report([res], 60)
    assert saved == as_json([res])  # reading a saved run leaves it as it was
