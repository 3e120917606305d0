"""What many readers ask the database for alike, reused for a moment per process.

The organisation and the department list are read on every page but change a few
times a year. Each process keeps them for `SECONDS`; a change made through this
process is seen at once, one made through another process within `SECONDS`.

A board page's ideas are the same for everyone who asks for the same view: `Shared`
keeps them for a second, and forgets them the moment this process commits any write.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from ideaboard.db import current_engine, generation

T = TypeVar("T")
SECONDS = 5.0


class Recent(Generic[T]):
    def __init__(self, load: Callable[[], Awaitable[T]], *, keep: Callable[[T], bool]) -> None:
        self._load = load
        self._keep = keep
        self._engine: Any = None
        self._value: T | None = None
        self._expires = 0.0

    async def get(self) -> T:
        engine = current_engine()  # a new app (or test) on another database starts afresh
        if engine is self._engine and time.monotonic() < self._expires:
            return self._value  # type: ignore[return-value]
        value = await self._load()
        if self._keep(value):
            self._engine, self._value, self._expires = engine, value, time.monotonic() + SECONDS
        return value

    def forget(self) -> None:
        self._expires = 0.0


class Shared(Generic[T]):
    """Answers by key, each good while this process has written nothing since it was
    read and for at most `seconds` (what other processes write shows within that).

    Take `stamp()` before reading and give it to `put()`: a write committed while the
    read was under way leaves the answer stale, and so it is never used."""

    def __init__(self, *, seconds: float, size: int) -> None:
        self._seconds = seconds
        self._size = size
        self._engine: Any = None
        self._entries: OrderedDict[Hashable, tuple[int, float, T]] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        engine = current_engine()
        if engine is not self._engine:  # another app (or test) on another database
            self._engine = engine
            self._entries.clear()
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        written, expires, value = entry
        if written != generation() or time.monotonic() > expires:
            del self._entries[key]
            return None
        return value

    @staticmethod
    def stamp() -> int:
        return generation()

    def put(self, key: Hashable, value: T, stamp: int) -> None:
        self._entries[key] = (stamp, time.monotonic() + self._seconds, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
