"""The shipped validation (api/core/prebuilt/) is that of the packaged inputs, and equals a
fresh derivation and validation: it can never let an unvalidated graph through."""

from rdflib import Graph

from enlargement_kg.core import build
from enlargement_kg.core.validation import ValidationReport


def test_prebuilt_matches_the_inputs_and_a_fresh_run():
    name = build._cache_file(build.content_version(build.sources()), None).name
    shipped = build.PREBUILT_DIR / name
    assert shipped.is_file(), "stale: run `enlargement-kg prebuilt` and commit api/core/prebuilt/"
    assert sorted(p.name for p in build.PREBUILT_DIR.iterdir()) == [
        name,
        shipped.with_suffix(".nt").name,
    ], "old prebuilt files left behind"
    store = build.OxigraphStore.memory()
    build.load(store, build.sources())
    derived, report = build.derive_and_validate(build.union_graph(store))
    assert report.conforms

    def key(r):  # a property shape is a blank node, named anew in every run
        return r.severity, r.shape if r.shape.startswith("http") else "", r.focus, r.message

    fresh = sorted(map(key, report.results))
    saved = ValidationReport.from_json(shipped.read_text(encoding="utf-8"))
    assert sorted(map(key, saved.results)) == fresh
    assert set(Graph().parse(shipped.with_suffix(".nt"), format="nt")) == set(derived)
