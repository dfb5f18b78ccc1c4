"""Is a Qt object still alive? Async slots check after every await: the window may have closed."""

from __future__ import annotations

import shiboken6


def alive(*objects) -> bool:
    """True if every object's C++ side still exists."""
    return all(obj is not None and shiboken6.isValid(obj) for obj in objects)
