"""IRIs are minted in one module, from official keys (docs/iri-policy.md)."""

import pytest
from rdflib import URIRef

from enlargement_kg.core import iris


def test_country_chapter_cluster():
    assert str(iris.country("MNE")) == "https://w3id.org/eu-enlargement/id/country/MNE"
    assert str(iris.chapter(5)) == "https://w3id.org/eu-enlargement/id/chapter/5"
    assert str(iris.cluster(6)) == "https://w3id.org/eu-enlargement/id/cluster/6"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: iris.country("Montenegro"),
        lambda: iris.country("mne"),
        lambda: iris.chapter(0),
        lambda: iris.chapter(36),
        lambda: iris.cluster(7),
        lambda: iris.mission("eufor althea"),
    ],
)
def test_bad_keys_raise(bad):
    with pytest.raises(ValueError):
        bad()


def test_source_is_stable_per_url():
    a = iris.source("https://example.org/a")
    assert a == iris.source(" https://example.org/a ")
    assert a != iris.source("https://example.org/b")


def test_graph_for_file():
    assert (
        str(iris.graph_for("kg/facts/MNE.ttl"))
        == "https://w3id.org/eu-enlargement/graph/kg/facts/MNE"
    )


def test_eli_and_label_from_a_celex_number():
    assert iris.eli("32022D0338") == URIRef("http://data.europa.eu/eli/dec/2022/338/oj")
    assert iris.eli("32024R1252") == URIRef("http://data.europa.eu/eli/reg/2024/1252/oj")
    assert iris.act_label("32026D1201") == "Decision 2026/1201"
    for bad in ("2022/338", "32022D338", "52022DC0338", "32022X0338"):
        with pytest.raises(ValueError):
            iris.eli(bad)
