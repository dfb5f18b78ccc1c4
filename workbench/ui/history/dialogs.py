"""Questions the history, appeals and audit screens ask, behind classmethod seams.

Each `ask` is awaitable and opens its dialog with `.open()` (workbench.ui.dialogs): never a nested
event loop while a request runs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from workbench.ui import dialogs


class SaveFileDialog:
    """Where to write a file."""

    @classmethod
    async def ask(cls, parent: QWidget | None, title: str, suggested: Path, file_filter: str) -> Path | None:
        """The chosen path, or None if cancelled. `file_filter` like "Markdown (*.md)"."""
        return await dialogs.save_file(parent, title, suggested, file_filter)


class OpenFileDialog:
    """Which file to read."""

    @classmethod
    async def ask(cls, parent: QWidget | None, title: str, folder: Path, file_filter: str) -> Path | None:
        return await dialogs.open_file(parent, title, folder, file_filter)


def default_folder() -> Path:
    """Where file dialogs start: the user's documents or home folder."""
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class Confirm:
    """A yes/no question before something that cannot be undone."""

    @classmethod
    async def ask(cls, parent: QWidget | None, title: str, text: str, action: str = "Delete") -> bool:
        return await dialogs.confirm(parent, title, text, action, destructive=True)
