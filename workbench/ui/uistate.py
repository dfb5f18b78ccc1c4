"""What the desktop app remembers between runs: geometry, splitters, last tab, theme, gallery size.

Stored with QSettings in an INI file under `paths.config_dir()` (see `paths.ui_state_path`),
so `WORKBENCH_HOME` moves it with everything else. Nothing secret goes here.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from workbench import paths
from workbench.ui.theme import THEMES


def settings() -> QSettings:
    return QSettings(str(paths.ui_state_path()), QSettings.Format.IniFormat)


def load_theme() -> str:
    value = settings().value("appearance/theme", "system")
    return value if value in THEMES else "system"


def save_theme(mode: str) -> None:
    s = settings()
    s.setValue("appearance/theme", mode)
    s.sync()


def save_window(window: QMainWindow, splitters: list[QSplitter], tab: int) -> None:
    s = settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("window/tab", tab)
    for splitter in splitters:
        s.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
    s.sync()


def restore_window(window: QMainWindow, splitters: list[QSplitter]) -> int | None:
    """Restore geometry and splitters; returns the last tab index, or None on a first run."""
    s = settings()
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    state = s.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state)
    for splitter in splitters:
        value = s.value(f"splitters/{splitter.objectName()}")
        if isinstance(value, QByteArray) and not value.isEmpty():
            splitter.restoreState(value)
    tab = s.value("window/tab")
    try:
        return int(tab) if tab is not None else None
    except (TypeError, ValueError):
        return None


def load_gallery_side(default: int) -> int:
    """The gallery board's thumbnail size the user chose last (pixels)."""
    try:
        return int(settings().value("gallery/thumbnail_side", default))
    except (TypeError, ValueError):
        return default


def save_gallery_side(side: int) -> None:
    s = settings()
    s.setValue("gallery/thumbnail_side", int(side))
    s.sync()
