"""One place for what the user is told: info/warning/error messages and the crash dialog.

Any module can call `messages.info/warning/error(...)` without holding a widget. Messages are
queued until the main window connects (`bridge().connect_handler`), like qutebrowser's
message bridge. Expected failures (`UserFacingError`) become messages where they are caught,
through `handle_user_errors`; bugs reach `sys.excepthook`, which `install_excepthook` turns into
a crash dialog with a copyable traceback. Text is always shown as plain text.
"""

from __future__ import annotations

import contextlib
import html
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import UserFacingError

LEVELS = ("info", "warning", "error")


@dataclass(frozen=True)
class Message:
    level: str  # one of LEVELS
    text: str


class MessageBridge(QObject):
    """Routes messages to whoever shows them; keeps them until someone does.

    Signals:
        posted(Message): a message for the user.
    """

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[Message] = []
        self._connected = False
        self.history: list[Message] = []  # everything said this session (tests read it)

    def post(self, level: str, text: str) -> None:
        message = Message(level, text)
        self.history.append(message)
        if self._connected:
            self.posted.emit(message)
        else:
            self._pending.append(message)

    def connect_handler(self, handler: Callable[[Message], None]) -> None:
        """Connect the UI and flush what accumulated while nobody listened."""
        self.posted.connect(handler)
        self._connected = True
        pending, self._pending = self._pending, []
        for message in pending:
            self.posted.emit(message)


_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    global _bridge
    if _bridge is None:
        _bridge = MessageBridge()
    return _bridge


def reset_bridge() -> None:
    """Forget the current bridge (a new main window, a new test)."""
    global _bridge
    _bridge = None


def info(text: str) -> None:
    bridge().post("info", text)


def warning(text: str) -> None:
    bridge().post("warning", text)


def error(text: str) -> None:
    bridge().post("error", text)


@contextlib.contextmanager
def handle_user_errors(context: str) -> Iterator[None]:
    """Turn an expected `UserFacingError` into an error message; let bugs through.

    Args:
        context: what was being done, e.g. "Saving the key" (prefixes the message).
    """
    try:
        yield
    except UserFacingError as exc:
        error(f"{context}: {exc.user_message}" if context else exc.user_message)


def show_message_box(parent: QWidget | None, message: Message) -> QMessageBox:
    """A non-blocking message box (never `exec()`: nested loops break running asyncio tasks)."""
    icon = {
        "info": QMessageBox.Icon.Information,
        "warning": QMessageBox.Icon.Warning,
        "error": QMessageBox.Icon.Critical,
    }[message.level]
    box = QMessageBox(icon, "Prompt Workbench", "", QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message.text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("messageBox")
    box.open()
    return box


def plain_html(text: str) -> str:
    """Escape untrusted text for the few places Qt insists on rich text (tooltips)."""
    return html.escape(text).replace("\n", "<br>")


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` literally (Qt would otherwise guess it might be markup)."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


# --- crash dialog ---------------------------------------------------------------------------


class CrashDialog(QDialog):
    """Shows a bug's traceback so it can be copied into a report, then continue or quit."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Prompt Workbench: unexpected error")
        self.setObjectName("crashDialog")
        self.resize(720, 420)
        intro = QLabel(
            "Something went wrong inside the workbench. This is a bug, not something you did.\n"
            "Your history is saved as you go. Copy the details below into a bug report."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.details = QPlainTextEdit(text)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox()
        copy = QPushButton("Copy details")
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.DestructiveRole)
        quit_button.clicked.connect(QApplication.quit)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


_open_crash_dialogs: list[CrashDialog] = []


def format_exception(exc_type, exc, tb) -> str:
    from workbench import __version__

    lines = traceback.format_exception(exc_type, exc, tb)
    return f"Prompt Workbench {__version__}, Python {sys.version.split()[0]}\n\n" + "".join(lines)


def install_excepthook() -> Callable:
    """Route uncaught exceptions (including qasync slot failures) to the crash dialog.

    Returns the previous hook so callers (tests) can restore it.
    """
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        text = format_exception(exc_type, exc, tb)
        sys.stderr.write(text)
        if QApplication.instance() is None:
            return
        if issubclass(exc_type, UserFacingError):
            error(exc.user_message)  # escaped from a slot; still the user's world, not a bug
            return
        dialog = CrashDialog(text, QApplication.activeWindow())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _open_crash_dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: _open_crash_dialogs.remove(d))
        dialog.open()

    sys.excepthook = hook
    return previous
