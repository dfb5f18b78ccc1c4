"""Python string indices (what the screening engine reports) ↔ Qt positions (UTF-16 units).

They differ only when the text holds characters outside the Basic Multilingual Plane (emoji),
which count as one Python character but two UTF-16 units. The common case is the identity.
"""

from __future__ import annotations

import bisect


class OffsetMap:
    """Converts offsets for one version of a text."""

    __slots__ = ("_astral",)

    def __init__(self, text: str) -> None:
        # Python indices of astral characters, ascending; empty for almost every prompt.
        if text.isascii():
            self._astral: list[int] = []
        else:
            self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def to_qt(self, index: int) -> int:
        """Python index → UTF-16 position."""
        if not self._astral:
            return index
        return index + bisect.bisect_left(self._astral, index)

    def to_py(self, position: int) -> int:
        """UTF-16 position → Python index (a position inside a surrogate pair rounds down)."""
        if not self._astral:
            return position
        lo, hi = 0, position
        while lo < hi:  # largest index whose Qt position is <= position
            mid = (lo + hi + 1) // 2
            if self.to_qt(mid) <= position:
                lo = mid
            else:
                hi = mid - 1
        return lo
