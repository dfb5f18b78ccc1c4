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
            color = theme.verdict_color(verdict).name()
            self.setStyleSheet(
                f"QLabel#verdictBadge {{ background: {color}; color: white; border-radius: 10px;"
                " padding: 3px 12px; font-weight: 600; }"
            )
