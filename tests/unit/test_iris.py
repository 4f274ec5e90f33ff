"""IRIs are minted in one module, from official keys (docs/iri-policy.md)."""

import pytest

from enlargement_kg.core import iris


def test_country_chapter_cluster():
    assert str(iris.country("MNE")) == "https://w3id.org/eu-enlargement/id/country/MNE"
    assert str(iris.chapter(5)) == "https://w3id.org/eu-enlargement/id/chapter/5"
    assert str(iris.cluster(6)) == "https://w3id.org/eu-enlargement/id/cluster/6"


@pytest.mark.parametrize("bad", [lambda: iris.country("Montenegro"), lambda: iris.country("mne"),
                                 lambda: iris.chapter(0), lambda: iris.chapter(36),
                                 lambda: iris.cluster(7), lambda: iris.mission("eufor althea")])
def test_bad_keys_raise(bad):
    with pytest.raises(ValueError):
        bad()


def test_source_is_stable_per_url():
    a = iris.source("https://example.org/a")
    assert a == iris.source(" https://example.org/a ")
    assert a != iris.source("https://example.org/b")


def test_graph_for_file():
    assert str(iris.graph_for("kg/facts/MNE.ttl")) == \
        "https://w3id.org/eu-enlargement/graph/kg/facts/MNE"
