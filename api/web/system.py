"""System pages under the reserved ``/-/`` prefix."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import __version__
from .state import state

bp = Blueprint("system", __name__)


@bp.get("/-/health")
def health():
    """Liveness and readiness: the store answers a trivial query."""
    gs = state()
    gs.store.info()
    return jsonify({"status": "ok", "version": gs.service.version})


@bp.get("/-/version")
def version():
    info = state().store.info()
    return jsonify(
        {
            "package": "enlargement-kg",
            "package_version": __version__,
            "ontology_version": info.details.get("ontology_version"),
            "graph_version": info.version,
            "triples": info.triples,
            "quads": info.details.get("quads", info.triples),
            "named_graphs": info.graphs,
            "backend": info.backend,
            "built_at": info.details.get("built_at"),
        }
    )


@bp.get("/-/metrics")
def metrics():
    """Prometheus text exposition format 0.0.4."""
    gs = state()
    m = gs.service.metrics
    lines = [
        "# HELP enlargement_kg_queries_total SPARQL queries answered.",
        "# TYPE enlargement_kg_queries_total counter",
        f"enlargement_kg_queries_total {m.queries}",
        "# HELP enlargement_kg_cache_hits_total Answers served from the result cache.",
        "# TYPE enlargement_kg_cache_hits_total counter",
        f"enlargement_kg_cache_hits_total {m.cache_hits}",
        "# HELP enlargement_kg_query_timeouts_total Queries stopped at the time limit.",
        "# TYPE enlargement_kg_query_timeouts_total counter",
        f"enlargement_kg_query_timeouts_total {m.timeouts}",
        "# HELP enlargement_kg_query_errors_total Queries that failed.",
        "# TYPE enlargement_kg_query_errors_total counter",
        f"enlargement_kg_query_errors_total {m.errors}",
        "# HELP enlargement_kg_query_seconds Query latency.",
        "# TYPE enlargement_kg_query_seconds histogram",
    ]
    for b, n in m.buckets.items():
        le = "+Inf" if b == float("inf") else repr(b)
        lines.append(f'enlargement_kg_query_seconds_bucket{{le="{le}"}} {n}')
    lines += [
        f"enlargement_kg_query_seconds_sum {m.seconds_total:.6f}",
        f"enlargement_kg_query_seconds_count {m.queries}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain; version=0.0.4")
