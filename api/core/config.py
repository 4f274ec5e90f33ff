"""Settings: defaults, overridden by environment variables, overridden by the caller."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    store_path: Path | None = None  #: on-disk store; None builds in memory from the package
    query_timeout: float = 10.0  #: seconds
    max_rows: int = 100_000
    max_body: int = 1_000_000  #: bytes, for POSTed queries and validation payloads
    query_workers: int = 2  #: killable worker processes per serving process
    service_allow: frozenset[str] = frozenset()
    writable: bool = False
    token: str | None = None  #: bearer token for writes (ENLARGEMENT_KG_TOKEN)
    cache_size: int = 4096
    base_url: str | None = None  #: public base of the service, for absolute links
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        s = cls(
            store_path=Path(env["ENLARGEMENT_KG_STORE"])
            if env.get("ENLARGEMENT_KG_STORE")
            else None,
            query_timeout=float(env.get("ENLARGEMENT_KG_QUERY_TIMEOUT", 10.0)),
            max_rows=int(env.get("ENLARGEMENT_KG_MAX_ROWS", 100_000)),
            max_body=int(env.get("ENLARGEMENT_KG_MAX_BODY", 1_000_000)),
            query_workers=int(env.get("ENLARGEMENT_KG_QUERY_WORKERS", 2)),
            service_allow=frozenset(
                filter(None, env.get("ENLARGEMENT_KG_SERVICE_ALLOW", "").split())
            ),
            token=env.get("ENLARGEMENT_KG_TOKEN") or None,
        )
        known = {f.name for f in fields(cls)}
        return replace(s, **{k: v for k, v in overrides.items() if k in known})
