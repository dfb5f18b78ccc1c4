"""Guard against the PySide6 6.12.0 reference-counting bug (why pyproject pins 6.11.x).

In PySide6 6.12.0 every void method and `Signal.emit()` called from Python returned `None` /
`True` without a new reference; on Python 3.11 the interpreter then aborts with
"Fatal Python error: bool_dealloc" after a few thousand calls — a few hundred keystrokes in the
editor. This test fails on such a release.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Source(QObject):
    changed = Signal(object)
source = Source()
source.changed.connect(lambda value: None)
before = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(20_000):
    source.changed.emit(None)
    source.setObjectName("x")
after = sys.getrefcount(None), sys.getrefcount(True)
print(after[0] - before[0], after[1] - before[1])
"""


def test_qt_calls_do_not_lose_references_to_none_and_true():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    lost_none, lost_true = map(int, out.stdout.split())
    assert abs(lost_none) < 100 and abs(lost_true) < 100
