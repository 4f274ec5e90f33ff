"""The baseline: a bare Flask handler that answers ``/sparql`` with a constant SPARQL JSON
document, served by gunicorn with the settings ``enlargement-kg serve`` uses
(api/web/server.py: 2 workers of 4 threads behind the same front, api/web/front.py, with its
default limits; app preloaded, keep-alive 5 s, a listening socket per worker).
``--front gthread`` serves it with plain gthread instead, as before the front.

Nothing is parsed and nothing is queried: its req/s is the ceiling of Flask + gunicorn on
this machine, against which the service's uncached point lookups are compared.

    python bench/bare_flask.py --port 8001
"""

from __future__ import annotations

import argparse
import sys

from flask import Flask, Response

BODY = (
    b'{"head":{"vars":["p","o"]},"results":{"bindings":[{"p":{"type":"uri","value":'
    b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#type"},"o":{"type":"uri","value":'
    b'"https://w3id.org/eu-enlargement/ontology#ChapterOpened"}}]}}'
)

#: api/web/server.py's gunicorn options (kept in step by hand: compare when that file changes)
GUNICORN = {
    "workers": 2,
    "threads": 4,
    "worker_class": "gthread",
    "preload_app": True,
    "timeout": 120,
    "graceful_timeout": 5,
    "keepalive": 5,
    "accesslog": None,
    "loglevel": "warning",
    "reuse_port": True,
}


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql():
        return Response(BODY, content_type="application/sparql-results+json; charset=utf-8")

    return app


def main(argv: list[str] | None = None) -> int:
    from gunicorn.app.base import BaseApplication

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--front", choices=("front", "gthread"), default="front")
    a = p.parse_args(argv)
    app = create_app()
    opts = {"bind": f"{a.host}:{a.port}", **GUNICORN}
    if a.front == "front":
        from enlargement_kg.web.front import Limits, front_class

        opts["worker_class"] = front_class(
            Limits(), lambda: b'{"status": "ok"}', lambda s, m, _: ("text/plain", m.encode())
        )

    class Server(BaseApplication):
        def load_config(self):
            for k, v in opts.items():
                self.cfg.set(k, v)

        def load(self):
            return app

    Server().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
