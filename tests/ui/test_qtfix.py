"""The PySide6 6.12.0 reference bugs must not crash the interpreter (see workbench.ui.qtfix)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workbench.ui import qtfix

SCRIPT = """
import sys
import workbench.ui  # installs the guard
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Source(QObject):
    changed = Signal(object)
source = Source()
source.changed.connect(lambda value: None)
for _ in range(200_000):  # far more than the normal reference counts of True and None
    source.changed.emit(None)  # emit() loses a reference to True
    source.setObjectName("x")  # every void method loses a reference to None
print("ok")
"""


@pytest.mark.skipif(not qtfix.needed(), reason="True is immortal on this Python")
def test_many_qt_calls_do_not_crash_python():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
