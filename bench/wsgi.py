"""CPU time per request through the WSGI app, in process, without HTTP: uncached point
lookups (every request unique) through our app, the same through Flask alone (the lane and
the response cache bypassed), and the bare Flask handler of ``bare_flask.py``.

Under load on 2 vCPUs the req/s of ``run.py`` move by 20-50% from round to round; this
measures the Python work of one request with nothing else running, to tell what a change to
the request path did.

    python bench/wsgi.py [--size 100k] [--requests 5000]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_flask  # noqa: E402
from flask import Flask  # noqa: E402
from generate import generate  # noqa: E402
from servers import make_store  # noqa: E402
from workload import point_lookup  # noqa: E402

ACCEPT = "application/sparql-results+json"


def environ(query: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/sparql",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "query=" + urllib.parse.quote(query),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "HTTP_ACCEPT": ACCEPT,
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def per_request_us(app, queries: list[str]) -> float:
    """Median over 3 passes of the process CPU time per request, in µs."""

    def call(env: dict) -> None:
        status = []
        body = b"".join(app(env, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"{status[0]}: {body[:300]!r}")

    passes = []
    for k in range(3):
        envs = [environ(f"#bust-{k}-{i}\n{q}") for i, q in enumerate(queries)]
        t0 = time.process_time()
        for env in envs:
            call(env)
        passes.append((time.process_time() - t0) / len(envs) * 1e6)
    return sorted(passes)[1]


def main(argv: list[str] | None = None) -> int:
    from enlargement_kg.core.config import Settings
    from enlargement_kg.web import create_app

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="100k")
    p.add_argument("--requests", type=int, default=5000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="enlargement-kg-wsgi-") as tmp:
        g = generate(size=a.size, out=Path(tmp) / "data.nq", seed=a.seed)
        make_store(g.path, Path(tmp) / "store", version=g.digest)
        app = create_app(Settings(store_path=Path(tmp) / "store"))
        subjects = g.sample_subjects
        queries = [point_lookup(subjects[i % len(subjects)]).text for i in range(a.requests)]
        per_request_us(app, queries[:200])  # warm: the local store, the caches' first entries
        ours = per_request_us(app, queries)
        flask_only = per_request_us(lambda e, s: Flask.wsgi_app(app, e, s), queries)
        bare = per_request_us(bare_flask.create_app(), queries)
        app.extensions["enlargement_kg"].store.close()
    print(
        json.dumps(
            {
                "size": a.size,
                "requests": a.requests,
                "ours_us": round(ours, 1),
                "ours_flask_only_us": round(flask_only, 1),
                "bare_flask_us": round(bare, 1),
            }
        )
    )
    print(
        f"uncached point lookup, CPU per request in process ({a.size}): ours {ours:.0f} µs "
        f"(through Flask alone {flask_only:.0f} µs), bare Flask {bare:.0f} µs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
