"""The composition root: no-display refusal, screenshot mode, the crash dialog."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from workbench.app import display_problem
from workbench.ui import messages


def test_display_problem_is_reported_before_qt_can_abort():
    assert display_problem({}, "linux") is not None
    assert "DISPLAY" in display_problem({}, "linux")
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux") is not None
    assert display_problem({"QT_QPA_PLATFORM": "wayland"}, "linux") is not None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "win32") is None
    assert display_problem({}, "darwin") is None


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def test_no_display_gives_a_clear_message_not_an_abort():
    out = subprocess.run([sys.executable, "-m", "workbench"], capture_output=True, text=True, timeout=60,
                         env=_clean_env())
    assert out.returncode == 2
    assert "no display available" in out.stderr
    assert "Traceback" not in out.stderr and "Aborted" not in out.stderr


def test_screenshot_mode_saves_a_png_of_the_editor(tmp_path, workbench_home):
    target = tmp_path / "shot.png"
    out = subprocess.run([sys.executable, "-m", "workbench", "--screenshot", str(target), "--tab", "editor"],
                         capture_output=True, text=True, timeout=120, env=_clean_env())
    assert out.returncode == 0, out.stderr[-3000:]
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1280, 800)
    # The demonstration state really went through the Sandbox into this WORKBENCH_HOME.
    from workbench.core.store import HistoryStore

    with HistoryStore.open() as store:
        outcomes = {row.outcome for row in store.search("", limit=50).rows}
    assert {"ok", "blocked_input", "blocked_output"} <= outcomes


def test_message_bridge_keeps_messages_until_someone_listens(qapp):
    messages.reset_bridge()
    messages.warning("early")
    seen = []
    messages.bridge().connect_handler(seen.append)
    messages.info("late")
    assert [(m.level, m.text) for m in seen] == [("warning", "early"), ("info", "late")]
    messages.reset_bridge()


def test_user_errors_become_messages_and_bugs_pass_through(qapp):
    from workbench.core.errors import UserFacingError

    messages.reset_bridge()
    with messages.handle_user_errors("Saving"):
        raise UserFacingError("disk full")
    assert [(m.level, m.text) for m in messages.bridge().history] == [("error", "Saving: disk full")]
    try:
        with messages.handle_user_errors("Saving"):
            raise KeyError("bug")
    except KeyError:
        pass
    else:
        raise AssertionError("a bug must not be turned into a message")
    messages.reset_bridge()


def test_uncaught_exceptions_open_a_crash_dialog_with_a_copyable_traceback(qapp):
    previous = messages.install_excepthook()
    try:
        try:
            raise ValueError("boom in a slot")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    dialogs = [w for w in QApplication.topLevelWidgets() if w.objectName() == "crashDialog" and w.isVisible()]
    assert dialogs
    dialog = dialogs[-1]
    assert "ValueError: boom in a slot" in dialog.details.toPlainText()
    dialog.copy_details()
    assert "boom in a slot" in QApplication.clipboard().text()
    dialog.close()


def test_the_app_starts_shows_its_window_and_quits_cleanly(workbench_home):
    code = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from workbench.app import main\n"
        "def shown(window):\n"
        "    print('shown', window.windowTitle(), window.isVisible(), flush=True)\n"
        "    QTimer.singleShot(300, window.close)\n"
        "sys.exit(main(on_shown=shown))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=_clean_env(QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "shown Prompt Workbench True" in out.stdout
    assert "Traceback" not in out.stderr
