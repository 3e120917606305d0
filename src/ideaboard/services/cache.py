"""Board-wide facts that every page shows, reused for a few seconds per process.

The organisation and the department list are read on every page but change a few
times a year. Each process keeps them for `SECONDS`; a change made through this
process is seen at once, one made through another process within `SECONDS`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from ideaboard.db import current_engine

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
