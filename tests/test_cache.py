"""The bounded LRU cache behind the result and document caches (psm_ld.cache)."""

from __future__ import annotations

from psm_ld.query.cache import LRUCache


def test_least_recently_used_goes_first_when_bytes_run_out() -> None:
    cache: LRUCache[bytes] = LRUCache(max_bytes=10, size_of=len, max_item_bytes=10)
    cache.put("a", b"aaaa")
    cache.put("b", b"bbbb")
    assert cache.get("a") == b"aaaa"  # now "b" is the least recently used
    cache.put("c", b"cccc")
    assert cache.get("b") is None and cache.get("a") == b"aaaa" and cache.get("c") == b"cccc"
    assert cache.stats() == {"entries": 2, "bytes": 10, "hits": 3, "misses": 1}  # keys count too


def test_an_item_over_the_item_limit_is_returned_but_not_kept() -> None:
    cache: LRUCache[bytes] = LRUCache(max_bytes=100, size_of=len)  # items up to 100 // 8 bytes
    assert cache.put("big", b"x" * 13) == b"x" * 13
    assert cache.get("big") is None and cache.bytes == 0
    cache.put("small", b"x" * 7)  # 12 bytes with its key
    assert cache.get("small") == b"x" * 7


def test_keys_count_so_large_keys_cannot_grow_the_cache() -> None:
    cache: LRUCache[bytes] = LRUCache(max_bytes=1000, size_of=len, max_item_bytes=1000)
    for n in range(1000):  # small values under large keys, as a Host header or a query text gives
        cache.put((f"host-{n}.example" + "x" * 100, "text/html"), b"v")
    assert cache.bytes <= 1000 and len(cache._items) < 10
