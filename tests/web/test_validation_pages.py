"""/-/validation and POST /validate; serve refuses a graph with violations."""

import json
import shutil
from html.parser import HTMLParser

from rdflib import Graph
from rdflib.namespace import SH
from support import ROOT, cli

BAD = (
    "@prefix enl: <https://w3id.org/eu-enlargement/ontology#> .\n"
    "<https://w3id.org/eu-enlargement/id/fact/x> a enl:ChapterOpened ;\n"
    "  enl:country <https://w3id.org/eu-enlargement/id/country/MNE> .\n"
)


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_report_json_and_turtle(client):
    doc = client.get("/-/validation.json").get_json()
    assert doc["conforms"] is True and doc["violations"] == 0 and doc["warnings"] > 0
    g = Graph().parse(data=client.get("/-/validation.ttl").data, format="turtle")
    assert (None, SH.conforms, None) in g
    assert len(list(g.subjects(None, SH.ValidationResult))) == doc["warnings"]


def test_governance_matrix_for_every_country(client):
    page = Cells()
    html = client.get("/-/validation", headers={"Accept": "text/html"}).get_data(as_text=True)
    page.feed(html)
    header = next(r for r in page.rows if r and r[0] == "Rule")
    assert header[1:] == ["ALB", "BIH", "GEO", "MDA", "MKD", "MNE", "SRB", "TUR", "UKR", "XKX"]
    rules = [
        r
        for r in page.rows
        if r and r[0].startswith(("SAFE", "Chapters", "Clusters", "Chapter 31", "Access ladder"))
    ]
    assert len(rules) >= 8
    closed_after_opened = next(r for r in rules if r[0].startswith("Chapters: provisionally"))
    assert closed_after_opened[6].startswith("pass")  # MNE
    assert all(len(r) == 11 for r in rules)


def test_post_validate_reports_violations_without_changing_the_graph(client):
    before = client.get("/-/version").get_json()
    r = client.post(
        "/validate", data=BAD, headers={"Content-Type": "text/turtle", "Accept": "application/json"}
    )
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["conforms"] is False
    shapes = {
        x["shape"].rsplit("#", 1)[-1] for x in doc["results"] if x["shape"].startswith("http")
    }
    assert {"Fact", "Event", "ChapterEvent"} & shapes or doc["violations"] >= 3
    assert client.get("/-/version").get_json() == before
    ok = client.post(
        "/validate",
        data=json.dumps(
            {
                "@id": "https://w3id.org/eu-enlargement/id/country/MNE",
                "http://www.w3.org/2004/02/skos/core#altLabel": "Crna Gora",
            }
        ),
        headers={"Content-Type": "application/ld+json"},
    )
    assert ok.get_json()["conforms"] is True


def test_post_validate_bad_input(client):
    r = client.post("/validate", data="not turtle <<<", headers={"Content-Type": "text/turtle"})
    assert r.status_code == 400

    def post(data, ctype):
        return client.post("/validate", data=data, headers={"Content-Type": ctype}).status_code

    assert post("x", "text/plain") == 415
    assert post("# " + "x" * 1_100_000, "text/turtle") == 413
    assert post("", "text/turtle") == 400


def test_serve_refuses_a_graph_with_violations(tmp_path):
    kg = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", kg)
    (kg / "broken.ttl").write_text(BAD)
    res = cli("build", "--out", str(tmp_path / "s"), "--kg", str(kg))
    assert res.returncode == 1
    assert not (tmp_path / "s").exists()
    # the in-memory default refuses too (serve builds from ENLARGEMENT_KG_KG when given)
    res = cli("serve", "--port", "1", env={"ENLARGEMENT_KG_KG": str(kg)}, timeout=120)
    assert res.returncode == 1 and "refusing to serve" in res.stderr
