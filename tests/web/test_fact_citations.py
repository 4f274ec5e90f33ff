"""Cite this (issue 15, 4): every fact page offers a ready citation, as text on the page and
as BibTeX and CSL-JSON by suffix or by ``Accept``, listed with the other representations."""

import datetime as dt
import json
import re

import pytest

FACT = "/id/fact/MNE/chapter-provisionally-closed/ch3"
GOV_ME = "https://www.gov.me/en/article/montenegro-closes-five-negotiating-chapters-today"


@pytest.fixture()
def version(client):
    return client.get("/-/version").get_json()["graph_version"]


def test_a_fact_page_has_a_cite_this_section(client, version):
    r = client.get(FACT, headers={"Accept": "text/html"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'id="cite"' in page and "Cite this" in page
    # the preferred, official source first, with its day; the graph with its version
    first = re.search(r'<li class="citation-text">(.*?)</li>', page).group(1)
    assert first.startswith("Government of Montenegro. 2025. ")
    assert "December 16, 2025" in first and GOV_ME in first
    assert f"version {version}" in page
    assert f'href="{FACT}.bib"' in page and f'href="{FACT}.csl.json"' in page
    assert "<script" not in page.split('id="cite"', 1)[1].split("</section>", 1)[0]


def test_bibtex_by_suffix_and_by_accept(client, version):
    r = client.get(FACT + ".bib")
    assert r.status_code == 200 and r.mimetype == "application/x-bibtex"
    text = r.get_data(as_text=True)
    assert text.startswith("@misc{GovernmentOfMontenegro2025,")
    assert "month = dec" in text and "date = {2025-12-16}" in text
    assert f"version = {{{version}}}" in text
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"urldate = {{{today}}}" in text
    negotiated = client.get(FACT, headers={"Accept": "application/x-bibtex"})
    assert negotiated.status_code == 200 and negotiated.data == r.data
    assert negotiated.headers["Content-Location"] == FACT + ".bib"
    assert "Accept" in negotiated.headers["Vary"]


def test_csl_json_by_suffix_and_by_accept(client, version):
    r = client.get(FACT + ".csl.json")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.citationstyles.csl+json"
    items = json.loads(r.data)
    assert items[0]["URL"] == GOV_ME and items[0]["issued"] == {"date-parts": [[2025, 12, 16]]}
    assert items[0]["author"] == [{"literal": "Government of Montenegro"}]
    assert items[-1]["type"] == "dataset" and items[-1]["version"] == version
    accept = "application/vnd.citationstyles.csl+json"
    assert client.get(FACT, headers={"Accept": accept}).data == r.data


def test_the_link_header_lists_the_citations_for_a_fact_only(client):
    link = client.get(FACT + ".ttl").headers["Link"]
    assert f'<{FACT}.bib>; rel="alternate"; type="application/x-bibtex"' in link
    assert f'<{FACT}.csl.json>; rel="alternate"' in link
    assert ".bib" not in client.get("/id/country/MNE.ttl").headers["Link"]
    page = client.get(FACT, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'type="application/x-bibtex"' in page.split("</head>", 1)[0]


def test_turtle_stays_the_default_of_a_fact(client):
    r = client.get(FACT, headers={"Accept": "*/*"})
    assert r.mimetype == "text/turtle"


def test_no_citation_for_what_is_not_a_fact(client):
    r = client.get("/id/fact/MNE/no-such-fact.bib")
    assert r.status_code == 404 and r.mimetype == "application/x-bibtex"
    assert r.get_data(as_text=True).startswith("% 404")
    r = client.get("/id/fact/MNE/no-such-fact.csl.json")
    assert r.status_code == 404 and json.loads(r.data)["error"]["status"] == 404
    page = client.get("/id/country/MNE", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="cite"' not in page
