"""Light and dark appearance: Fusion palette, a small style sheet, and the category colours.

"system" follows the desktop's colour scheme (and its changes while running). Style sheets
live in `resources/styles/` so they can be edited without touching code.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from workbench import paths

THEMES = ("system", "light", "dark")

# Underline colour per screening category (light theme); dark theme uses lighter variants.
CATEGORY_COLORS = {
    "violence": "#d62828",
    "violence/graphic": "#9d0208",
    "sexual": "#c2185b",
    "sexual/minors": "#6a1b9a",
    "self-harm": "#e76f00",
    "hate": "#7a4b2a",
    "minors": "#d99100",
    "public-figure": "#1e6fd9",
    "copyrighted-ip": "#00897b",
    "living-artist": "#7b4fd6",
    "illicit": "#5f7f1a",
    "harassment": "#d81b60",
    "evasion": "#546e7a",
}
DEFAULT_CATEGORY_COLOR = "#888888"

VERDICT_COLORS = {
    "clear": "#2e7d32",
    "caution": "#b26a00",
    "likely_blocked": "#d84315",
    "hard_block": "#8e0000",
}
VERDICT_LABELS = {
    "clear": "Clear",
    "caution": "Caution",
    "likely_blocked": "Likely blocked",
    "hard_block": "Hard block",
}


class ThemeManager(QObject):
    """Applies a theme to the application and re-applies it when the system scheme changes.

    Signals:
        changed(bool): the effective theme changed; the argument is True for dark.
    """

    changed = Signal(bool)

    def __init__(self, app: QApplication, mode: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self._mode = mode if mode in THEMES else "system"
        self._base_style = QStyleFactory.create("Fusion")
        self._dark = False
        app.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def dark(self) -> bool:
        return self._dark

    def set_mode(self, mode: str) -> None:
        self._mode = mode if mode in THEMES else "system"
        self.apply()

    def apply(self) -> None:
        dark = self._effective_dark()
        self._app.setStyle(QStyleFactory.create("Fusion"))
        self._app.setPalette(dark_palette() if dark else light_palette())
        self._app.setStyleSheet(load_style_sheet("dark" if dark else "light"))
        changed = dark != self._dark
        self._dark = dark
        if changed:
            self.changed.emit(dark)

    def _effective_dark(self) -> bool:
        if self._mode == "system":
            return self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark
        return self._mode == "dark"

    def _on_system_scheme_changed(self, _scheme) -> None:
        if self._mode == "system":
            self.apply()


_manager: ThemeManager | None = None


def install(app: QApplication, mode: str = "system") -> ThemeManager:
    global _manager
    _manager = ThemeManager(app, mode)
    _manager.apply()
    return _manager


def manager() -> ThemeManager | None:
    return _manager


def is_dark() -> bool:
    return _manager.dark if _manager is not None else False


def category_color(category: str, dark: bool | None = None) -> QColor:
    color = QColor(CATEGORY_COLORS.get(category, DEFAULT_CATEGORY_COLOR))
    if is_dark() if dark is None else dark:
        color = color.lighter(160)
    return color


def verdict_color(verdict: str) -> QColor:
    return QColor(VERDICT_COLORS.get(verdict, DEFAULT_CATEGORY_COLOR))


def load_style_sheet(name: str) -> str:
    """The shared style sheet followed by the light or dark one; empty if missing."""
    parts = []
    for file in ("common.qss", f"{name}.qss"):
        try:
            parts.append(paths.resource("styles", file).read_text(encoding="utf-8"))
        except (FileNotFoundError, OSError):
            continue
    return "\n".join(parts)


def light_palette() -> QPalette:
    palette = QStyleFactory.create("Fusion").standardPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f4f5f7"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f0f2f5"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f6fde"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffff4"))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor("#1c1c1c"))
    return palette


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#26282c",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1c1d20",
        QPalette.ColorRole.AlternateBase: "#2b2d31",
        QPalette.ColorRole.ToolTipBase: "#33363b",
        QPalette.ColorRole.ToolTipText: "#f0f0f0",
        QPalette.ColorRole.PlaceholderText: "#8a8d93",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#303236",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#7aa7ff",
        QPalette.ColorRole.Highlight: "#3d6fd6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Light: "#3a3d42",
        QPalette.ColorRole.Midlight: "#33363a",
        QPalette.ColorRole.Mid: "#2a2c30",
        QPalette.ColorRole.Dark: "#18191b",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, color in roles.items():
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f7277"))
    return p
