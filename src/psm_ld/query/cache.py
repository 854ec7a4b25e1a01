"""A bounded least-recently-used cache of values with a byte size.

A release never changes while it is served, so whatever is computed from it alone (a rendered page,
an RDF document, a query result) can be kept and reused until the server restarts on a new release.
The bound is on bytes, not entries: one large result must not crowd out thousands of small pages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    def __init__(
        self, max_bytes: int, size_of: Callable[[V], int], max_item_bytes: int | None = None
    ) -> None:
        self.max_bytes, self.size_of = max_bytes, size_of
        self.max_item_bytes = max_bytes // 8 if max_item_bytes is None else max_item_bytes
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self.bytes = self.hits = self.misses = 0

    def get(self, key: Hashable) -> V | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item[0]

    def put(self, key: Hashable, value: V) -> V:
        size = self.size_of(value)
        if size > self.max_item_bytes or key in self._items:
            return value
        self._items[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self.bytes -= dropped
        return value

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._items), "bytes": self.bytes, "hits": self.hits, "misses": self.misses}
