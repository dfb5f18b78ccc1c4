"""The edits of a rewrite, one row each: "old → new" as a unit, with a checkbox to keep or drop it.

Rows come from the core's edits (phrase spans with their replacement), so an edit reads as
the phrase it replaces — "Greg Rutkowski → dramatic lighting" — never as a word-level diff
that runs deletions and insertions together. The list does not scroll by itself: it grows,
and the Fix panel's one scroll area scrolls it. Text is always plain (prompts are user data).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import labels, theme
from workbench.ui.messages import plain_tooltip
from workbench.ui.widgets.plain_label import plain_label

REMOVED, ADDED = "(removed)", "(added)"


def _tinted(label: QLabel, light: str, dark: str) -> QLabel:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(dark if theme.is_dark() else light))
    label.setPalette(palette)
    return label


class EditRow(QFrame):
    """One edit: [✓] old → new, and below it the category and why."""

    toggled = Signal()

    def __init__(self, edit, *, checkable: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editRow")
        self.edit = edit
        self.check = QCheckBox()
        self.check.setChecked(True)
        self.check.setVisible(checkable)
        self.check.setToolTip("Keep this edit")
        before = " ".join(edit.before.split())
        if before:
            self.before = _tinted(plain_label(before), "#b3261e", "#e57373")
            font = QFont(self.before.font())
            font.setStrikeOut(True)
            self.before.setFont(font)
        else:  # a pure insertion (an LLM proposal can add words)
            self.before = plain_label(ADDED, hint=True)
        self.arrow = QLabel("→")
        self.after = _tinted(plain_label(" ".join(edit.after.split()) or REMOVED), "#2e7d32", "#81c784")
        bold = QFont(self.after.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.after.setFont(bold)
        why = f"{labels.category(edit.category)}: {edit.reason}" if edit.category else edit.reason
        self.reason = plain_label(why, hint=True)
        self.reason.setVisible(bool(why))
        line = QHBoxLayout()  # the arrow right after the old phrase; the new one takes the rest
        line.setSpacing(6)
        line.addWidget(self.before, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.arrow, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.after, 1, Qt.AlignmentFlag.AlignTop)
        self.before.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.before.setMaximumWidth(240)  # a long phrase wraps instead of squeezing its replacement
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 3, 2, 3)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.check, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(line, 0, 1)
        grid.addWidget(self.reason, 1, 1)
        grid.setColumnStretch(1, 1)
        self.setToolTip(plain_tooltip(f"“{edit.before}” → “{edit.after}”\n{why}"))
        self.check.toggled.connect(lambda _on: self.toggled.emit())

    def text(self) -> str:
        """The row as read: "old → new"."""
        return f"{self.before.text()} → {self.after.text()}"

    @property
    def checked(self) -> bool:
        return self.check.isChecked()

    def set_checked(self, on: bool) -> None:
        self.check.setChecked(on)


class EditList(QWidget):
    """Signals:
        selection_changed(): an edit was checked or unchecked.
    """

    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editList")
        self._rows: list[EditRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)

    def set_edits(self, edits, *, checkable: bool = True) -> None:
        for row in self._rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self._rows = []
        for edit in edits:
            row = EditRow(edit, checkable=checkable)
            row.toggled.connect(self.selection_changed)
            self._layout.addWidget(row)
            self._rows.append(row)
        self.selection_changed.emit()

    def count(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> EditRow:
        return self._rows[index]

    def checked_edits(self) -> list:
        return [row.edit for row in self._rows if row.checked]

    def set_all(self, checked: bool) -> None:
        for row in self._rows:
            row.check.blockSignals(True)
            row.set_checked(checked)
            row.check.blockSignals(False)
        self.selection_changed.emit()
