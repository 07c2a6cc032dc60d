"""Answers kept per version of the data, so the same question is not recomputed: the library's
answers, and /sparql's (service/sparql.py).

Analysts ask the same named questions again and again, and on a million triples the engine
needs from a fraction of a second to seconds for the aggregate ones. The key holds the store's
generation, so a load or update (which publishes a new generation) makes every older answer
unreachable at once; nothing has to be invalidated by hand, and least recently used answers
fall out when the cache is full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from innograph.queries.running import SPARQL_JSON, Engine, plain_rows

T = TypeVar("T")
PlainAnswer = tuple[list[str], list[dict[str, Any]]]

MAX_ENTRIES = 256
MAX_BYTES = 128 << 20  # counted as the size of the SPARQL JSON answer, for parsed rows too


class ResultCache:
    """A bounded LRU map from (data version, query text, media type, ...) to the answer."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Hashable, ...], tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def wrap(self, engine: Engine, version: Callable[[], str | None]) -> Engine:
        """`engine` with its answers cached under the data version that `version` reports."""

        def cached(sparql: str, media_type: str) -> bytes:
            def compute() -> tuple[bytes, int]:
                body = engine(sparql, media_type)
                return body, len(body)

            return self.remember(version(), (sparql, media_type), compute)

        return cached

    def plain(self, engine: Engine, version: Callable[[], str | None]) -> Callable[[str], PlainAnswer]:
        """Run a query for its plain rows, kept parsed, so a page of a large answer is a slice, not a parse."""

        def cached(sparql: str) -> PlainAnswer:
            def compute() -> tuple[PlainAnswer, int]:
                body = engine(sparql, SPARQL_JSON)
                return plain_rows(body), len(body)

            return self.remember(version(), (sparql, "plain rows"), compute)

        return cached

    def kept(self, current: str | None, key: tuple[Hashable, ...]) -> Any | None:
        """The value kept under `key` for data version `current`, or None (values are never None)."""
        if current is None:
            return None
        key = (current, *key)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def remember(self, current: str | None, key: tuple[Hashable, ...], compute: Callable[[], tuple[T, int]]) -> T:
        """The value kept under `key` for data version `current`, else `compute()`'s (value, size), kept.

        `current` must be read before computing: the engine then answers from that version or a newer
        one, and an answer filed under an older version is harmless, never served for newer data.
        """
        if current is None:  # a store that cannot say when its data changes is never cached
            return compute()[0]
        kept = self.kept(current, key)
        if kept is not None:
            return kept
        key = (current, *key)
        with self._lock:
            self.misses += 1
        value, size = compute()
        if size <= self.max_bytes // 2:  # one huge answer would push out everything else
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = (value, size)
                    self._size += size
                while len(self._entries) > self.max_entries or self._size > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._size -= dropped
        return value
