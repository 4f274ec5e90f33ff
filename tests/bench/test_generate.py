"""The benchmark generator (bench/generate.py) makes valid data of the requested size:
one named graph per synthetic file, only the ontology's terms, every fact sourced, the
same bytes for the same seed, and no violation of the shapes."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate import SYNTHETIC_GRAPH, generate, parse_size  # noqa: E402

ENL = "https://w3id.org/eu-enlargement/ontology#"


def load(path: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("size", ["10k", "25k"])
def test_size_within_ten_percent(tmp_path, size):
    g = generate(size=size, out=tmp_path / "g.nq")
    store = load(g.path)
    target = parse_size(size)
    assert abs(len(store) - target) <= target * 0.10
    assert len(store) == g.triples  # no duplicate quads: the count it reports is the truth
    graphs = {n.value for n in store.named_graphs()}
    synthetic = {x for x in graphs if x.startswith(SYNTHETIC_GRAPH + "facts/")}
    # every enlargement country gets its own file, each file its own named graph
    assert {x.rsplit("/", 1)[1][:3] for x in synthetic} == {
        "ALB",
        "BIH",
        "GEO",
        "MDA",
        "MKD",
        "MNE",
        "SRB",
        "TUR",
        "UKR",
        "XKX",
    }
    assert any(x.endswith("/graph/ontology/enlargement") for x in graphs)
    assert all(store.query(f"ASK {{ GRAPH <{x}> {{ ?s ?p ?o }} }}") for x in synthetic)


def test_same_seed_same_bytes(tmp_path):
    a = generate(size=4000, out=tmp_path / "a.nq", seed=7)
    b = generate(size=4000, out=tmp_path / "b.nq", seed=7)
    c = generate(size=4000, out=tmp_path / "c.nq", seed=8)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.digest != c.digest


def test_only_ontology_terms_and_every_fact_sourced(tmp_path):
    g = generate(size="10k", out=tmp_path / "g.nq")
    store = load(g.path)
    undeclared = list(
        store.query(
            "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } "
            f'FILTER (STRSTARTS(STR(?t), "{ENL}")) '
            "FILTER NOT EXISTS { GRAPH <https://w3id.org/eu-enlargement/graph/ontology/enlargement>"
            " { ?t a ?kind } } }",
            use_default_graph_as_union=True,
        )
    )
    assert undeclared == []
    unsourced = list(
        store.query(
            "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/> "
            f"SELECT ?f WHERE {{ ?f <{ENL}lastConfirmed> ?c . "
            "MINUS { ?f dcterms:source/schema:url ?u } }",
            use_default_graph_as_union=True,
        )
    )
    assert unsourced == []
    assert g.facts > 500 and len(g.sample_subjects) == min(1000, g.facts)


@pytest.mark.slow
def test_conforms_to_the_shapes(tmp_path):
    from enlargement_kg.core.build import union_graph
    from enlargement_kg.core.oxigraph_store import OxigraphStore
    from enlargement_kg.core.validation import shapes_graph, validate

    g = generate(size=4000, out=tmp_path / "g.nq")
    report = validate(union_graph(OxigraphStore(load(g.path))), shapes=shapes_graph())
    assert report.conforms, report.to_text(limit=10)
