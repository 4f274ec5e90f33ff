"""Rendered pages and representations of the graph, kept per graph version within a byte
budget (a fast path: a revalidation, ``304``, costs a dictionary look-up). One per app,
held by its :class:`..state.GraphState` (``gs.pages``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    status: int
    body: bytes
    content_type: str
    etag: str | None


class RenderCache:
    """Rendered representations of the immutable graph, by (graph version, IRI, format,
    context URL), within a byte budget: revalidation (``304``) costs a dictionary lookup.
    Only successful answers are kept (unknown IRIs are unbounded)."""

    def __init__(self, max_bytes: int = 32_000_000):
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, Rendered] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_render(self, key: tuple, render: Callable[[], Rendered]) -> Rendered:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit
        value = render()
        if value.status == 200 and len(value.body) <= self.max_bytes // 8:
            with self._lock:
                if key not in self._data:
                    self._data[key] = value
                    self._size += len(value.body)
                while self._size > self.max_bytes and self._data:
                    _, old = self._data.popitem(last=False)
                    self._size -= len(old.body)
        return value
