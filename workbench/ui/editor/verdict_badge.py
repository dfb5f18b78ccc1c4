"""A coloured pill with the prompt's verdict and what it is based on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from workbench.core.screening.models import ScanResult
from workbench.ui import labels, theme
from workbench.ui.messages import plain_tooltip


class VerdictBadge(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBadge")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.verdict = ""
        self.set_result(ScanResult(""))

    def set_result(self, result: ScanResult) -> None:
        verdict = result.verdict
        count = len(result.findings)
        text = theme.VERDICT_LABELS.get(verdict, verdict)
        if count:
            text += f" · {count} finding{'s' if count != 1 else ''}"
        self.setText(text)
        cats = ", ".join(labels.category(c) for c in result.categories[:4])
        self.setToolTip(
            plain_tooltip(
                "Local screening verdict (runs on every keystroke, offline)."
                + (f"\nCategories: {cats}" if cats else "")
            )
        )
        if verdict != self.verdict:
            self.verdict = verdict
            self.restyle()

    def restyle(self) -> None:
        """Colour the badge for its verdict and the current theme (light or dark)."""
        # A flat tinted tag with coloured text, not a filled white-on-colour pill that
        # reads as a button (issue 16): nothing here is clickable.
        color = theme.verdict_color(self.verdict)
        if theme.is_dark():
            color = color.lighter(170)  # readable on a dark window
        tint = f"rgba({color.red()}, {color.green()}, {color.blue()}, 38)"
        edge = f"rgba({color.red()}, {color.green()}, {color.blue()}, 110)"
        self.setStyleSheet(
            f"QLabel#verdictBadge {{ background: {tint}; color: {color.name()}; border: 1px solid {edge};"
            " border-radius: 3px; padding: 1px 8px; font-weight: 600; }"
        )
