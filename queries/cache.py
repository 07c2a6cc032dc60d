"""Answers of library queries kept per version of the data, so the same question is not recomputed.

Analysts ask the same named questions again and again, and on a million triples the engine
needs from a fraction of a second to seconds for the aggregate ones. The key holds the store's
generation, so a load or update (which publishes a new generation) makes every older answer
unreachable at once; nothing has to be invalidated by hand, and least recently used answers
fall out when the cache is full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from innograph.queries.running import Engine

MAX_ENTRIES = 256
MAX_BYTES = 64 << 20


class ResultCache:
    """A bounded LRU map from (data version, query text, media type) to the answer's bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def wrap(self, engine: Engine, version: Callable[[], str | None]) -> Engine:
        """`engine` with its answers cached under the data version that `version` reports."""

        def cached(sparql: str, media_type: str) -> bytes:
            current = version()
            if current is None:  # a store that cannot say when its data changes is never cached
                return engine(sparql, media_type)
            key = (current, sparql, media_type)
            with self._lock:
                body = self._entries.get(key)
                if body is not None:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return body
                self.misses += 1
            body = engine(sparql, media_type)
            self._keep(key, body)
            return body

        return cached

    def _keep(self, key: tuple[str, str, str], body: bytes) -> None:
        if len(body) > self.max_bytes // 4:  # one huge answer would push out everything else
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = body
            self._size += len(body)
            while len(self._entries) > self.max_entries or self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)
