"""Things with a [start, end) span, sorted, for "which of them stand near this?" in log time.

The scanner's combination pools (token spans), the scene stage's clause words (token spans) and
the policy stage's neighbouring findings (character spans) all ask it. Walking every item for
every question is quadratic, and a 30,000-character tag list has thousands of each.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class SpanIndex(Generic[T]):
    """`items` sorted by start; `near(lo, hi)` gives, in order, every item that overlaps or
    touches [lo, hi] (and a few that merely start near it: callers check their own distance)."""

    def __init__(self, items: Iterable[T], start: Callable[[T], int], end: Callable[[T], int]):
        self.items = sorted(items, key=start)
        self.starts = [start(item) for item in self.items]
        self.longest = max((end(item) - start(item) for item in self.items), default=0)

    def __bool__(self) -> bool:
        return bool(self.items)

    def near(self, lo: int, hi: int) -> list[T]:
        """Items with start <= hi and end >= lo (an item ends at most `longest` after it starts)."""
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_right(self.starts, hi)
        return self.items[first:last]
