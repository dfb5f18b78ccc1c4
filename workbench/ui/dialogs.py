"""Every question the app asks, without blocking: opened with `.open()`, answered by a future.

A static `QFileDialog` getter, `QMessageBox.question` or a dialog's `exec` spins a nested event loop;
under qasync a request finishing inside it has its callbacks run re-entrantly and its result can be
lost. Here each dialog is shown window-modal with `.open()` and its `finished` signal resolves an
asyncio future the caller awaits, so the one event loop keeps running requests meanwhile.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


def _future() -> asyncio.Future:
    return asyncio.get_event_loop().create_future()


async def run(dialog: QDialog) -> bool:
    """Show `dialog` with `.open()`; True if it was accepted. The dialog is deleted afterwards."""
    future = _future()

    def finished(result: int) -> None:
        if not future.done():
            future.set_result(result == QDialog.DialogCode.Accepted)

    dialog.finished.connect(finished)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.open()
    try:
        return await future
    finally:
        dialog.deleteLater()


def _file_dialog(parent: QWidget | None, title: str, start: Path, file_filter: str, name: str) -> QFileDialog:
    dialog = QFileDialog(parent, title, str(start), file_filter)
    dialog.setObjectName(name)
    # Qt's own widget dialog: a native one cannot be found or driven among top-level widgets.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    return dialog


async def open_files(parent: QWidget | None, title: str, folder: Path, file_filter: str,
                     many: bool = False) -> list[Path]:
    """The chosen existing file(s); empty if cancelled."""
    dialog = _file_dialog(parent, title, folder, file_filter, "openFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles if many else QFileDialog.FileMode.ExistingFile)
    accepted = await run(dialog)
    return [Path(name) for name in dialog.selectedFiles()] if accepted else []


async def open_file(parent: QWidget | None, title: str, folder: Path, file_filter: str) -> Path | None:
    files = await open_files(parent, title, folder, file_filter)
    return files[0] if files else None


async def save_file(parent: QWidget | None, title: str, suggested: Path, file_filter: str) -> Path | None:
    """Where to write; None if cancelled. The dialog asks before overwriting."""
    dialog = _file_dialog(parent, title, suggested, file_filter, "saveFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(str(suggested))
    accepted = await run(dialog)
    files = dialog.selectedFiles()
    return Path(files[0]) if accepted and files else None


async def directory(parent: QWidget | None, title: str, folder: Path) -> Path | None:
    dialog = _file_dialog(parent, title, folder, "", "directoryDialog")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    accepted = await run(dialog)
    files = dialog.selectedFiles()
    return Path(files[0]) if accepted and files else None


async def confirm(parent: QWidget | None, title: str, text: str, action: str = "OK",
                  destructive: bool = False) -> bool:
    """True only if the user pressed `action`; Cancel is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, "", QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("confirmBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    role = QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    yes = box.addButton(action, role)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    future = _future()
    box.finished.connect(lambda _result: future.done() or future.set_result(box.clickedButton() is yes))
    box.open()
    try:
        return await future
    finally:
        box.deleteLater()


def message(parent: QWidget | None, title: str, text: str, warning: bool = False) -> QMessageBox:
    """Show a plain-text message and return at once; it closes itself when dismissed."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("messageDialog")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
