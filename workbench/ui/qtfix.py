"""Work around a reference-counting bug in PySide6 6.12.0 that crashes Python.

In this release, methods that return `None` (every void C++ method: `setEnabled`,
`setFormat`, …) and `SignalInstance.emit()` (which returns `True`) hand back the singleton
without taking a new reference to it. Every such call made from Python therefore drops the
interpreter-wide reference count of `None` (or `True`) by one. On Python 3.11 these are ordinary
objects: after enough calls their count reaches zero while references remain, and CPython
aborts with "Fatal Python error: none_dealloc" (or "bool_dealloc") — mid-session after a few
thousand keystrokes, or at exit.

Python 3.12+ makes these singletons immortal, so the bug is harmless there. On older CPython we
give `None`, `True` and `False` a very large reserve of references once, so the lost ones can
never exhaust it; the reserve is never released (these objects live for the whole process
anyway). `tests/ui/test_qtfix.py` proves the crash without the guard and its absence with it.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40  # far more calls than any process will ever make
SINGLETONS = (None, True, False)

_installed = False


def needed() -> bool:
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def install() -> None:
    """Add the reserve to the singletons' reference counts (once per process)."""
    global _installed
    if _installed or not needed():
        return
    for singleton in SINGLETONS:
        # ob_refcnt is the first field of every CPython object (non-debug builds).
        ctypes.c_ssize_t.from_address(id(singleton)).value += RESERVE
    _installed = True
