"""A coloured pill with the prompt's verdict and the target it is judged for ("Likely blocked on
gpt-image-2"); a click opens the "Judge for" menu that pins a policy profile."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QActionGroup, QCursor
from PySide6.QtWidgets import QLabel, QMenu

from workbench.core.screening.models import ScanResult
from workbench.ui import labels, theme
from workbench.ui.messages import plain_tooltip


class VerdictBadge(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBadge")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verdict = ""
        self._judging = None  # ui.editor.judging.Judging: the pin menu, once set
        self.set_result(ScanResult(""))

    def set_judging(self, judging) -> None:
        self._judging = judging
        self.setCursor(QCursor(Qt.CursorShape.PointingHandCursor))

    def set_result(self, result: ScanResult) -> None:
        verdict = result.verdict
        count = len(result.findings)
        text = theme.VERDICT_LABELS.get(verdict, verdict)
        if result.profile:
            text += f" on {result.profile}"
        if count:
            text += f" · {count} finding{'s' if count != 1 else ''}"
        self.setText(text)
        cats = ", ".join(labels.category(c) for c in result.categories[:4])
        self.setToolTip(plain_tooltip(
            "Local screening verdict (runs on every keystroke, offline)."
            + (f"\nJudged for the {result.profile} policy profile, {self._why()}" if result.profile else "")
            + (f"\nCategories: {cats}" if cats else "")
        ))
        if verdict != self.verdict:
            self.verdict = verdict
            self.restyle()

    def restyle(self) -> None:
        """Colour the badge for its verdict and the current theme (light or dark)."""
        # A flat tinted tag with coloured text, not a filled white-on-colour pill that
        # reads as a button (issue 16); its "Judge for" menu is a secondary click.
        color = theme.verdict_color(self.verdict)
        if theme.is_dark():
            color = color.lighter(170)  # readable on a dark window
        tint = f"rgba({color.red()}, {color.green()}, {color.blue()}, 38)"
        edge = f"rgba({color.red()}, {color.green()}, {color.blue()}, 110)"
        self.setStyleSheet(
            f"QLabel#verdictBadge {{ background: {tint}; color: {color.name()}; border: 1px solid {edge};"
            " border-radius: 3px; padding: 1px 8px; font-weight: 600; }"
        )

    def _why(self) -> str:
        j = self._judging
        if j is None:
            return "corrected by what your history shows."
        if j.pinned:
            return "pinned by you (click to change)."
        model = j.model_name or "the default model"
        return f"chosen by the Generate panel's model ({model}); click to pin another."

    def build_menu(self) -> QMenu:
        """The "Judge for" menu: follow the Generate panel, or pin one profile."""
        menu = QMenu(self)
        menu.setObjectName("judgeForMenu")
        title = menu.addAction("Judge the verdict for")
        title.setEnabled(False)
        group = QActionGroup(menu)
        j = self._judging
        auto = menu.addAction(f"Automatic: the Generate panel's model ({j.model_name or 'default'})")
        auto.setCheckable(True)
        auto.setChecked(j.pinned is None)
        auto.setData("")
        group.addAction(auto)
        menu.addSeparator()
        for profile_id, name in j.choices():
            act = menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(j.pinned == profile_id)
            act.setData(profile_id)
            group.addAction(act)
        group.triggered.connect(lambda act: j.pin(act.data() or None))
        return menu

    def mousePressEvent(self, event) -> None:
        if self._judging is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        menu = self.build_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.mapToGlobal(QPoint(0, self.height())))
