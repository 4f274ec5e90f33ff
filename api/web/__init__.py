"""The web layer: ``create_app(config)`` and one blueprint per concern."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response

from ..core.config import Settings
from ..core.store import Store


def create_app(config: Mapping | Settings | None = None) -> Flask:
    """Build the Flask app: settings, then the graph, then the blueprints.

    ``config`` is a :class:`Settings`, or a mapping of its field names; the mapping may also
    carry ``store``, a ready :class:`Store` (tests, benchmarks, the remote backend).
    """
    from importlib import import_module

    from . import errors, fastpath, state

    config = dict(config or {}) if not isinstance(config, Settings) else {"settings": config}
    store: Store | None = config.pop("store", None)
    settings = config.pop("settings", None) or Settings.from_env(**config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.json.sort_keys = False
    state.init_app(app, state.open_state(settings, store))
    errors.init_app(app)
    app.after_request(security_headers)
    for name in BLUEPRINTS:
        try:
            module = import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    fastpath.install(app, state.state_of(app))
    return app


#: What a page may load (every script from a static file of this origin, no inline script or
#: event handler, no plug-in, no framing): on every HTML response.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers(resp: Response) -> Response:
    """The one header hook: ``X-Content-Type-Options: nosniff`` on every response (errors
    and 304s too; the fast paths' answers carry it themselves, ``sparql.answer_headers``),
    and the :data:`CONTENT_SECURITY_POLICY` on HTML."""
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if resp.mimetype == "text/html":
        resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return resp


#: One blueprint per concern, registered in this order when its module exists.
BLUEPRINTS = (
    "assets",
    "system",
    "sparql",
    "writes",
    "gsp",
    "ld",
    "ontology_pages",
    "queries",
    "feed",
    "validation_pages",
    "publish",
    "openapi",
    "compare",
    "charts",
    "home",
)
