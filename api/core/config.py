"""Settings: defaults, overridden by environment variables, overridden by the caller.

This module is the only reader of the environment (a test checks it, and that every variable
of :data:`ENVIRONMENT` is documented in docs/api.md). Everything else takes a
:class:`Settings`, or asks :func:`Settings.from_env` for one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _flag(text: str) -> bool:
    if text.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if text.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{text!r} is not a switch: 1 or 0")


def _words(text: str) -> frozenset[str]:
    return frozenset(filter(None, text.split()))


#: Environment variable -> (the setting it sets, how its text is read).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "ENLARGEMENT_KG_STORE": ("store_path", Path),
    "ENLARGEMENT_KG_KG": ("kg_dir", Path),
    "ENLARGEMENT_KG_QUERY_TIMEOUT": ("query_timeout", float),
    "ENLARGEMENT_KG_MAX_ROWS": ("max_rows", int),
    "ENLARGEMENT_KG_MAX_BODY": ("max_body", int),
    "ENLARGEMENT_KG_QUERY_WORKERS": ("query_workers", int),
    "ENLARGEMENT_KG_SERVICE_ALLOW": ("service_allow", _words),
    "ENLARGEMENT_KG_TOKEN": ("token", str),
    "ENLARGEMENT_KG_BASE_URL": ("base_url", str),
    "ENLARGEMENT_KG_CACHE_BYTES": ("cache_bytes", int),
    "ENLARGEMENT_KG_FAST_PATHS": ("fast_paths", _flag),
    "ENLARGEMENT_KG_DUMPS": ("dumps_dir", Path),
    "ENLARGEMENT_KG_RELEASES": ("releases_dir", Path),
    "XDG_CACHE_HOME": ("cache_home", Path),
}


def _default_cache_home() -> Path:
    return Path.home() / ".cache"


@dataclass(frozen=True)
class Settings:
    store_path: Path | None = None  #: on-disk store; None builds in memory from the package
    kg_dir: Path | None = None  #: kg folder to build from instead of the packaged one
    query_timeout: float = 10.0  #: seconds
    max_rows: int = 100_000
    max_body: int = 1_000_000  #: bytes, for POSTed queries and validation payloads
    query_workers: int = 2  #: killable worker processes per serving process
    service_allow: frozenset[str] = frozenset()
    writable: bool = False
    token: str | None = None  #: bearer token for writes (ENLARGEMENT_KG_TOKEN)
    cache_size: int = 4096  #: answers the query service keeps per process (0: none)
    #: bytes all answer caches of a serving process may hold together; 0 sizes it to the
    #: graph (:func:`answer_budget`)
    cache_bytes: int = 0
    #: the measured fast paths in front of the store (docs/architecture.md); 0 turns every
    #: one off, for debugging: each request then takes the plain path
    fast_paths: bool = True
    workers: int = 1  #: serving processes (gunicorn workers) sharing the answers
    base_url: str | None = None  #: public base of the service, for absolute links
    dumps_dir: Path | None = None  #: where the dumps are kept (default: the user cache)
    releases_dir: Path = Path("releases")  #: the release folders and their index
    cache_home: Path = field(default_factory=_default_cache_home)  #: XDG cache home
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("store_path", "kg_dir", "dumps_dir", "releases_dir", "cache_home"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):  # a str from a mapping
                object.__setattr__(self, name, Path(value))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The defaults, then the environment (:data:`ENVIRONMENT`), then ``overrides``."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, (setting, parse) in ENVIRONMENT.items():
            text = env.get(name)
            if text:  # an empty variable is as good as unset
                try:
                    values[setting] = parse(text)
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        known = {f.name for f in fields(cls)}
        values.update({k: v for k, v in overrides.items() if k in known})
        return replace(cls(), **values)


def answer_budget(settings: Settings, triples: int) -> int:
    """The bytes all answer caches of one serving process may hold together: the setting, or
    sized to the graph when it is 0. An answer is at most the graph in a results format
    (about 300 bytes a triple in SPARQL JSON); the budget holds a few of the largest and
    every small one, between 16 MB and 256 MB.

    >>> answer_budget(Settings(), 11_000) == 16_000_000
    True
    >>> answer_budget(Settings(), 1_000_000)
    256000000
    >>> answer_budget(Settings(cache_bytes=5_000_000), 1_000_000)
    5000000
    """
    if settings.cache_bytes > 0:
        return settings.cache_bytes
    return max(16_000_000, min(256_000_000, triples * 300 * 4))
