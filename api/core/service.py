"""The query service: the policy between callers and a :class:`~.store.Store`.

It refuses what must not run (:mod:`.guard`), applies the time limit and result cap, and
caches answers. The graph is immutable between builds, so an answer is cached under the
graph's version, the query text, the formats, the dataset and the bindings.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from rdflib.term import Node

from .formats import Format
from .guard import bounded_limit, bounded_query, check_query
from .pool import CLIENT
from .shared_cache import SharedCache
from .store import Dataset, QueryResult, QueryTimeout, Store, StoreError


@dataclass(frozen=True)
class Limits:
    """Every query has a time limit and a result cap; every request body a size cap."""

    timeout: float = 10.0
    max_rows: int = 100_000
    max_body: int = 1_000_000
    service_allow: frozenset[str] = frozenset()
    #: proxies in front of the service whose X-Forwarded-For is believed (:func:`client_of`)
    trusted_proxies: int = 0


def client_of(peer: str | None, forwarded_for: str | None, trusted_proxies: int = 0) -> str | None:
    """The client a request is counted against: the peer address, or behind
    ``trusted_proxies`` reverse proxies the address the outermost of them saw, the n-th from
    the right of ``X-Forwarded-For`` (each proxy appends its peer; the entries left of it
    are whatever the client sent, so never believed).

    >>> client_of("10.0.0.2", "1.2.3.4, 203.0.113.9", 0)
    '10.0.0.2'
    >>> client_of("10.0.0.2", "1.2.3.4, 203.0.113.9", 1)
    '203.0.113.9'
    >>> client_of("10.0.0.2", None, 1)
    '10.0.0.2'
    """
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    if trusted_proxies > 0 and len(hops) >= trusted_proxies:
        return hops[-trusted_proxies]
    return peer or None


_BOUNDS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, float("inf"))


@dataclass
class Metrics:
    """Counters exported at ``/-/metrics`` (Prometheus text format)."""

    queries: int = 0
    cache_hits: int = 0
    timeouts: int = 0
    errors: int = 0
    seconds_total: float = 0.0
    buckets: dict[float, int] = field(default_factory=lambda: dict.fromkeys(_BOUNDS, 0))

    def observe(self, seconds: float) -> None:
        self.seconds_total += seconds
        buckets = self.buckets
        for b in _BOUNDS[bisect_left(_BOUNDS, seconds) :]:  # cumulative: every bucket >= it
            buckets[b] += 1

    def hit(self, seconds: float) -> None:
        """A query answered from a cache in ``seconds``."""
        self.queries += 1
        self.cache_hits += 1
        self.observe(seconds)


T = TypeVar("T")
#: a named rewrite of an answer (:meth:`QueryService.run`)
Transform = tuple[str, Callable[[QueryResult], QueryResult]]


class VersionMemo:
    """Values derived from the graph (a page's lookup table, the served ontology's
    documentation ...), each made once per graph version and dropped when the version moves.
    Held by the query service, so that it is the app's, never a module's: two apps in one
    process (the tests) keep their own, and a write (``QueryService.advance``) invalidates
    them with the answers. ``make`` runs outside the lock: two threads may both make a value
    the first time; one of the two is kept."""

    def __init__(self, version: Callable[[], str]):
        self._version = version
        self._at: str | None = None
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, name: str, make: Callable[[], T]) -> T:
        version = self._version()
        with self._lock:
            if self._at != version:
                self._values.clear()
                self._at = version
            if name in self._values:
                return cast(T, self._values[name])
        value = make()
        with self._lock:
            if self._at == version:
                self._values.setdefault(name, value)
                return cast(T, self._values[name])
        return value


class LRUCache:
    """A segmented LRU of at most ``size`` answers and ``max_bytes`` bytes of them (as
    ``put`` reports their sizes). A new answer enters the *probation*
    segment; asked for again, it moves to the *protected* segment (four fifths of the
    room), which only answers asked for at least twice reach. A flood of one-off queries
    (every request unique: a crawler, cache-busting clients) therefore evicts other
    one-offs, never the canned queries being asked over and over (bench/: the mix kept its
    hit rate through the unique workloads only with this)."""

    def __init__(self, size: int, *, max_bytes: int | None = None):
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._sizes: dict[Hashable, int] = {}
        self._protected_size = size * 4 // 5
        self._probation: OrderedDict[Hashable, Any] = OrderedDict()
        self._protected: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected)

    def get(self, key: Hashable) -> Any:
        with self._lock:
            v = self._protected.get(key)
            if v is not None:
                self._protected.move_to_end(key)
                return v
            v = self._probation.pop(key, None)
            if v is None:
                return None
            if self._protected_size <= 0:
                self._probation[key] = v
                return v
            self._protected[key] = v
            while len(self._protected) > self._protected_size:
                old_key, old = self._protected.popitem(last=False)
                self._probation[old_key] = old  # demoted, as the newest on probation
            self._trim()
            return v

    def put(self, key: Hashable, value: Any, nbytes: int = 0) -> None:
        if self.size <= 0 or (self.max_bytes is not None and nbytes > self.max_bytes):
            return
        with self._lock:
            self.bytes += nbytes - self._sizes.get(key, 0)
            self._sizes[key] = nbytes
            if key in self._protected:
                self._protected[key] = value
                self._protected.move_to_end(key)
            else:
                self._probation[key] = value
                self._probation.move_to_end(key)
            self._trim()

    def _trim(self) -> None:
        def over() -> bool:
            return len(self._probation) + len(self._protected) > self.size or (
                self.max_bytes is not None and self.bytes > self.max_bytes
            )

        while over() and (self._probation or self._protected):
            old_key, _ = (self._probation or self._protected).popitem(last=False)
            self.bytes -= self._sizes.pop(old_key, 0)


class QueryService:
    def __init__(
        self,
        store: Store,
        *,
        limits: Limits | None = None,
        cache_size: int = 4096,
        cache_max_bytes: int = 32_000_000,
        cache_total_bytes: int = 256_000_000,
        shared: SharedCache | None = None,
    ):
        """The cache keeps up to ``cache_size`` answers of at most ``cache_max_bytes`` each
        and ``cache_total_bytes`` together (per serving process). A large answer is worth
        keeping most: it cost the most to make (bench/: a 2.4 MB canned answer at 100k
        triples took 0.7 s each time it was not). ``shared``, when given, is asked on a miss
        and keeps the costly answers for the other serving processes (:mod:`.shared_cache`).
        """
        self.store = store
        self.limits = limits or Limits()
        self.cache = LRUCache(cache_size, max_bytes=cache_total_bytes)
        self.cache_max_bytes = cache_max_bytes
        self.shared = shared
        self.metrics = Metrics()
        self._version: str | None = None
        #: values derived from the graph, made once per version (:class:`VersionMemo`)
        self.memo = VersionMemo(lambda: self.version)
        self._allowed: OrderedDict[str, None] = OrderedDict()  #: texts check_query passed

    @property
    def version(self) -> str:
        if self._version is None or self.store.version_ttl is not None:
            # a store others write to (a remote one) reads its version again itself, at
            # most every version_ttl seconds: the caches' keys follow it
            self._version = self.store.info().version
        return self._version

    def advance(self, version: str) -> None:
        """The graph is now ``version`` (a write committed it): every answer cache key starts
        with the version, so no answer of the graph before is served again. The one way a
        write moves the version (docs/architecture.md)."""
        self._version = version

    def _bounded(self, query: str) -> tuple[str, int | None]:
        """The text to run and the most rows its answer can have, when the query is one
        triple pattern (:func:`.guard.bounded_query`): without a ``LIMIT`` of its own, it
        gets one a row past the cap (enough to tell a capped answer); the store may use the
        bound to write the answer faster. Any other query runs as sent, unbounded."""
        if not bounded_query(query):
            return query, None
        cap, limit = self.limits.max_rows, bounded_limit(query)
        if limit is None:
            return (query, None) if not cap else (f"{query}\nLIMIT {cap + 1}", cap + 1)
        return query, (limit if not cap or limit <= cap + 1 else None)

    def run(
        self,
        query: str,
        *,
        result_format: Format,
        graph_format: Format,
        dataset: Dataset | None = None,
        substitutions: Mapping[str, Node] | None = None,
        use_cache: bool = True,
        transform: Transform | None = None,
        client: str | None = None,
    ) -> tuple[QueryResult, bool]:
        """Answer ``query``; returns the result and whether it came from the cache.

        ``client`` (:func:`client_of`) is who asks: a costly query counts against its share
        of the query workers (:class:`.pool.PooledStore`). ``transform``, a ``(name,
        function)`` pair, rewrites the store's answer before it is cached (the name is part
        of the cache key): the canned queries' sorted lists."""
        t0 = time.perf_counter()
        self._check(query)
        key = None
        # a one-pattern scan (bounded_query) costs less to make again than to share
        shared = self.shared if self.shared is not None and not bounded_query(query) else None
        if use_cache:
            subs = tuple(sorted((k, v.n3()) for k, v in (substitutions or {}).items()))
            formats_ = (result_format.name, graph_format.name)
            key = (self.version, query, *formats_, dataset, subs, transform and transform[0])
            hit = self._cached(key, shared)
            if hit is not None:
                self.metrics.hit(time.perf_counter() - t0)
                return hit, True
        text, row_bound = self._bounded(query)
        t1 = time.perf_counter()
        token = CLIENT.set(client)
        try:
            result = self.store.execute(
                text,
                result_format=result_format,
                graph_format=graph_format,
                dataset=dataset,
                substitutions=substitutions,
                max_rows=self.limits.max_rows,
                timeout=self.limits.timeout,
                row_bound=row_bound,
            )
        except QueryTimeout:
            self.metrics.timeouts += 1
            raise
        except StoreError:
            self.metrics.errors += 1
            raise
        finally:
            CLIENT.reset(token)
            self.metrics.queries += 1
            self.metrics.observe(time.perf_counter() - t0)
        if transform is not None:
            result = transform[1](result)
        if key is not None and len(result.body) <= self.cache_max_bytes:
            self.cache.put(key, result, len(result.body))
            if shared is not None:
                shared.put(key, result, time.perf_counter() - t1)
        return result, False

    def _check(self, query: str) -> None:
        """The guard (:func:`.guard.check_query`): its verdict on a text never changes, so a
        text it passed is not checked again."""
        if query not in self._allowed:
            check_query(query, service_allow=self.limits.service_allow)
            self._allowed[query] = None
            if len(self._allowed) > max(self.cache.size, 1024):
                self._allowed.popitem(last=False)

    def _cached(self, key: tuple[Any, ...], shared: SharedCache | None) -> QueryResult | None:
        """The answer this process keeps, or the one another serving process shared."""
        hit: QueryResult | None = self.cache.get(key)
        if hit is None and shared is not None:
            hit = shared.get(key)
            if hit is not None:
                self.cache.put(key, hit, len(hit.body))
        return hit
