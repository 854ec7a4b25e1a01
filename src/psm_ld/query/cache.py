"""A bounded least-recently-used cache of values with a byte size.

A release never changes while it is served, so whatever is computed from it alone (a rendered page,
an RDF document, a query result) can be kept and reused until the server restarts on a new release.
The bound is on bytes, not entries: one large result must not crowd out thousands of small pages.
The key counts too: keys come from requests (a query text of up to 1 MiB, a Host header), so a
cache of small values under large keys is bounded as well.
"""

from __future__ import annotations

import dataclasses
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
        size = self.size_of(value) + key_size(key)
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


def key_size(key: object) -> int:
    """The bytes a key holds, roughly: its strings (recursively through tuples and dataclasses)."""
    if isinstance(key, str | bytes):
        return len(key)
    if isinstance(key, tuple | frozenset):
        return sum(key_size(part) for part in key)
    if dataclasses.is_dataclass(key) and not isinstance(key, type):
        return sum(key_size(getattr(key, f.name)) for f in dataclasses.fields(key))
    return 8
