"""Run Python's cyclic garbage collector on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate — often a worker (thumbnail
decoding, history jobs, the Sandbox). If it frees an unreachable Qt widget there, Qt objects are
destroyed outside their thread and a timer of theirs later fires on freed memory: a
segmentation fault in `QTimerInfoList::activateTimers`, seen in the test suite. The usual
remedy for PySide/PyQt applications: switch automatic collection off and collect from a
timer on the GUI thread, with the interpreter's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

_guard: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Polls the allocation counters and collects on the GUI thread when they pass the thresholds."""

    INTERVAL_MS = 500

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(self.INTERVAL_MS)

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


def install(app: QObject) -> GuiThreadCollector:
    """Disable automatic collection and collect on the GUI thread (once per process)."""
    global _guard
    if _guard is None:
        gc.disable()
        _guard = GuiThreadCollector(app)
    return _guard
