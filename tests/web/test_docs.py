"""Every route of the service is documented in docs/api.md (a new route without docs fails)."""

import re
from pathlib import Path

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")


def normalise(rule: str) -> str:
    """The static part of a route: ``/catalog<any(...):suffix>`` and ``/catalog.<ext>``
    both become ``/catalog``."""
    return rule.split("<", 1)[0].rstrip(".")


def test_every_route_is_documented(app):
    documented = {normalise(m) for m in re.findall(r"`(/[^`\s]*)`", DOC)}
    missing = sorted({normalise(r.rule) for r in app.url_map.iter_rules()} - documented)
    assert missing == [], f"add these routes to docs/api.md: {missing}"
