"""Questions the history, appeals and audit screens ask, behind classmethod seams.

Tests replace `SaveFileDialog.ask`, `OpenFileDialog.ask` or `Confirm.ask` (monkeypatch) instead
of driving a modal dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class SaveFileDialog:
    """Where to write a file."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, suggested: Path, file_filter: str) -> Path | None:
        """The chosen path, or None if cancelled. `file_filter` like "Markdown (*.md)"."""
        name, _chosen = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
        return Path(name) if name else None


class OpenFileDialog:
    """Which file to read."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, folder: Path, file_filter: str) -> Path | None:
        name, _chosen = QFileDialog.getOpenFileName(parent, title, str(folder), file_filter)
        return Path(name) if name else None


def default_folder() -> Path:
    """Where file dialogs start: the user's documents or home folder."""
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class Confirm:
    """A yes/no question before something that cannot be undone."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, action: str = "Delete") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, "", QMessageBox.StandardButton.Cancel, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes
