"""Ask which category and severity a term added to the user's block-list should carry."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from workbench.core.screening.models import CATEGORIES, SEVERITIES
from workbench.ui import dialogs, labels


class BlockTermDialog(QDialog):
    def __init__(self, term: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to my block-list")
        self.term = QLineEdit(term)
        self.category = QComboBox()
        for cat in CATEGORIES:
            self.category.addItem(labels.category(cat), cat)
        self.severity = QComboBox()
        for sev in SEVERITIES:
            self.severity.addItem(labels.severity(sev), sev)
        self.severity.setCurrentIndex(SEVERITIES.index("high"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why (shown when hovering the word)")
        note = QLabel("Your block-list is layered over the shipped lexicon and applies to every prompt.")
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        note.setProperty("hint", True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Term", self.term)
        form.addRow("Category", self.category)
        form.addRow("Severity", self.severity)
        form.addRow("Reason", self.reason)
        form.addRow(note)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str, str]:
        return (
            self.term.text().strip(),
            self.category.currentData(),
            self.severity.currentData(),
            self.reason.text().strip(),
        )

    @classmethod
    async def ask(cls, term: str, parent=None) -> tuple[str, str, str, str] | None:
        """(term, category, severity, reason), or None if cancelled. Tests replace this."""
        dialog = cls(term, parent)
        if not await dialogs.run(dialog):
            return None
        values = dialog.values()
        return values if values[0] else None
