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


def _bytes(text: str) -> int:
    """A size in bytes, or with a binary suffix: ``1073741824``, ``1024M``, ``1G``."""
    number, unit = text.strip().upper().rstrip("IB"), 1
    if number[-1:] in ("K", "M", "G"):
        number, unit = number[:-1], 1 << (10 * (1 + "KMG".index(number[-1])))
    try:
        return int(float(number) * unit)
    except ValueError:
        raise ValueError(f"{text!r} is not a size: bytes, or a number with K, M or G") from None


#: Environment variable -> (the setting it sets, how its text is read).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "ENLARGEMENT_KG_STORE": ("store_path", Path),
    "ENLARGEMENT_KG_STORE_URL": ("store_url", str),
    "ENLARGEMENT_KG_STORE_GSP_URL": ("store_gsp_url", str),
    "ENLARGEMENT_KG_STORE_USER": ("store_user", str),
    "ENLARGEMENT_KG_STORE_PASSWORD": ("store_password", str),
    "ENLARGEMENT_KG_STORE_TOKEN": ("store_token", str),
    "ENLARGEMENT_KG_STORE_VERSION_TTL": ("store_version_ttl", float),
    "ENLARGEMENT_KG_KG": ("kg_dir", Path),
    "ENLARGEMENT_KG_QUERY_TIMEOUT": ("query_timeout", float),
    "ENLARGEMENT_KG_MAX_ROWS": ("max_rows", int),
    "ENLARGEMENT_KG_MAX_BODY": ("max_body", int),
    "ENLARGEMENT_KG_QUERY_WORKERS": ("query_workers", int),
    "ENLARGEMENT_KG_QUERY_WAIT": ("query_wait", float),
    "ENLARGEMENT_KG_CLIENT_QUERIES": ("client_queries", int),
    "ENLARGEMENT_KG_QUERY_MEMORY": ("query_memory", _bytes),
    "ENLARGEMENT_KG_TRUSTED_PROXIES": ("trusted_proxies", int),
    "ENLARGEMENT_KG_SERVICE_ALLOW": ("service_allow", _words),
    "ENLARGEMENT_KG_TOKEN": ("token", str),
    "ENLARGEMENT_KG_BASE_URL": ("base_url", str),
    "ENLARGEMENT_KG_CACHE_BYTES": ("cache_bytes", int),
    "ENLARGEMENT_KG_FAST_PATHS": ("fast_paths", _flag),
    "ENLARGEMENT_KG_DUMPS": ("dumps_dir", Path),
    "ENLARGEMENT_KG_HEADER_TIMEOUT": ("header_timeout", float),
    "ENLARGEMENT_KG_BODY_TIMEOUT": ("body_timeout", float),
    "ENLARGEMENT_KG_IDLE_TIMEOUT": ("idle_timeout", float),
    "ENLARGEMENT_KG_CLIENT_CONNECTIONS": ("client_connections", int),
    "ENLARGEMENT_KG_MAX_CONNECTIONS": ("max_connections", int),
    "ENLARGEMENT_KG_RELEASES": ("releases_dir", Path),
    "XDG_CACHE_HOME": ("cache_home", Path),
}


def _default_cache_home() -> Path:
    return Path.home() / ".cache"


@dataclass(frozen=True)
class Settings:
    store_path: Path | None = None  #: on-disk store; None builds in memory from the package
    #: a remote SPARQL 1.1 query endpoint to serve instead (core/remote_store.py); with
    #: optionally its Graph Store Protocol endpoint, credentials (basic, or a bearer
    #: token), and the seconds its graph version is trusted before it is read again
    store_url: str | None = None
    store_gsp_url: str | None = None
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    store_token: str | None = field(default=None, repr=False)
    store_version_ttl: float = 30.0
    kg_dir: Path | None = None  #: kg folder to build from instead of the packaged one
    query_timeout: float = 10.0  #: seconds
    max_rows: int = 100_000
    max_body: int = 1_000_000  #: bytes, for POSTed queries and validation payloads
    query_workers: int = 2  #: killable worker processes per serving process
    #: seconds a query waits for a free worker before it is refused (503, Retry-After)
    query_wait: float = 0.5
    #: costly queries one client may have at once per serving process, beyond that 429;
    #: 0 sizes it to the workers (:func:`client_queries`)
    client_queries: int = 0
    #: bytes a query worker may map beyond the store (RLIMIT_AS); 0 sizes it to the graph
    #: (:func:`query_memory`)
    query_memory: int = 0
    #: reverse proxies in front of the service: 0 counts clients by the peer address; n by
    #: the n-th address from the right of X-Forwarded-For (the one the outermost of them saw)
    trusted_proxies: int = 0
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
    #: the front (web/front.py), per serving process: seconds a request head may take from
    #: its first byte, a body from its head, a kept-alive connection may stay idle; the
    #: connections one client (IP address) may hold (0: no cap), and all of them
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 5.0
    client_connections: int = 64
    max_connections: int = 1000
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


def client_queries(settings: Settings) -> int:
    """The costly queries one client may have at once in a serving process: the setting,
    or half the query workers (at least one), so that one client never holds them all.

    >>> client_queries(Settings()), client_queries(Settings(query_workers=8))
    (1, 4)
    """
    if settings.client_queries > 0:
        return settings.client_queries
    return max(1, settings.query_workers // 2)


GIB = 1 << 30


def query_memory(settings: Settings, triples: int) -> int:
    """The bytes a query worker may map beyond what it holds once the store is open: the
    setting, or sized to the graph when it is 0: 8 KiB a triple, at least 1 GiB (the real
    graph's queries add at most 222 MB of address space and 40 MB resident:
    docs/performance.md, "Memory of a query").

    >>> query_memory(Settings(), 21_000) == GIB
    True
    >>> query_memory(Settings(), 1_000_000) // (1 << 20)
    7812
    >>> query_memory(Settings(query_memory=512 << 20), 1_000_000) // (1 << 20)
    512
    """
    if settings.query_memory > 0:
        return settings.query_memory
    return max(GIB, triples * 8192)
