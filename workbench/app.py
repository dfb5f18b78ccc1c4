"""Composition root of the desktop app: QApplication, the qasync loop, crash hook, main window.

`main()` is what `workbench` (no sub-command) runs. It refuses cleanly when there is no display
instead of letting Qt abort, installs the crash dialog, builds the operations and the main
window, and runs until the window closes. `main(screenshot=PATH, tab=…)` starts offscreen with a
demonstration state (see `workbench.ui.demo`), saves a PNG of the window and exits.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

NO_DISPLAY_MESSAGE = (
    "workbench: no display available ({why}).\n"
    "Run it in a desktop session, or under a virtual display: xvfb-run -a workbench\n"
    "Without a display you can still use the command line (workbench --help) or save a\n"
    "screenshot offscreen: workbench --screenshot out.png"
)

DESKTOP_ID = "io.github.promptworkbench.PromptWorkbench"


def display_problem(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why Qt could not open a window here, or None. Checked before Qt can abort the process."""
    env = os.environ if environ is None else environ
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have a window system
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    has_x11 = bool(env.get("DISPLAY", "").strip())
    has_wayland = bool(env.get("WAYLAND_DISPLAY", "").strip())
    if chosen in ("offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay", "minimalegl"):
        return None
    if chosen == "xcb" and not has_x11:
        return NO_DISPLAY_MESSAGE.format(why="QT_QPA_PLATFORM=xcb but DISPLAY is not set")
    if chosen.startswith("wayland") and not has_wayland:
        return NO_DISPLAY_MESSAGE.format(why=f"QT_QPA_PLATFORM={chosen} but WAYLAND_DISPLAY is not set")
    if not chosen and not has_x11 and not has_wayland:
        return NO_DISPLAY_MESSAGE.format(why="DISPLAY and WAYLAND_DISPLAY are not set")
    if (chosen == "xcb" or (not chosen and has_x11 and not has_wayland)):
        return _xcb_plugin_problem()
    return None


def _xcb_plugin_problem() -> str | None:
    """Load Qt's X11 plugin library ourselves: a missing system library then gives a clear line."""
    import ctypes
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        missing = str(exc).split(":")[0] if ":" in str(exc) else str(exc)
        return (
            f"workbench: Qt's X11 platform plugin cannot load ({missing}).\n"
            "On Debian/Ubuntu: sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 "
            "libxkbcommon-x11-0"
        )
    return None


def main(
    screenshot: str | None = None,
    tab: str = "editor",
    on_shown: Callable[[object], None] | None = None,
) -> int:
    """Run the desktop app; returns the process exit code.

    Args:
        screenshot: save a PNG of the window here (offscreen, demonstration state) and exit.
        tab: the tab shown for the screenshot (editor, history, appeals, dashboard).
        on_shown: called with the main window once it is first shown (benchmarks, smoke tests).
    """
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    import qasync
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from workbench import paths
    from workbench.cli import shared_sandbox_url
    from workbench.core.api import sandbox_url
    from workbench.logsetup import setup_logging
    from workbench.ui import gc_guard, messages, theme, uistate

    setup_logging()
    sandbox_url.set_provider(shared_sandbox_url)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(paths.APP_NAME)
    app.setApplicationDisplayName("Prompt Workbench")
    app.setDesktopFileName(DESKTOP_ID)  # matches packaging/linux/<id>.desktop
    app.setWindowIcon(QIcon(str(paths.resource("icons", "workbench.svg"))))
    gc_guard.install(app)  # Qt objects are freed on the GUI thread only
    theme.install(app, uistate.load_theme())
    previous_hook = messages.install_excepthook()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(_run(app, screenshot, tab, on_shown))
    finally:
        sys.excepthook = previous_hook
        asyncio.set_event_loop(None)


async def _run(app, screenshot: str | None, tab: str, on_shown) -> int:
    from PySide6.QtCore import QCoreApplication, QEvent

    from workbench.ui.main_window import MainWindow
    from workbench.ui.operations import Operations

    if screenshot:
        from workbench.ui import demo

        demo.use_temporary_home_if_unset()

    ops = Operations()
    window = MainWindow(ops)
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    window.closed.connect(quit_event.set)
    try:
        if screenshot:
            return await _screenshot(window, ops, Path(screenshot), tab)
        window.show()
        if on_shown is not None:
            on_shown(window)
        window.start_background_work()
        await quit_event.wait()
        return 0
    finally:
        # Destroy the widgets while the loop and worker threads still run, so their own
        # clean-up (closing connections on worker threads) can still happen.
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        await ops.close()


async def _screenshot(window, ops, path: Path, tab: str) -> int:
    from workbench.ui import demo

    window.resize(*demo.SCREENSHOT_SIZE)
    window.show()
    await demo.populate(window, ops)
    window.show_tab(tab)
    await demo.settle(window)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path), "PNG"):
        print(f"workbench: could not write the screenshot to {path}", file=sys.stderr)
        return 1
    print(f"Saved {path}")
    window.close()
    return 0
