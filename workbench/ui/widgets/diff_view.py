"""A read-only word-level diff of two prompts (deletions struck through, insertions marked).

Built with text cursors and character formats, never HTML, so prompt text cannot inject markup.
"""

from __future__ import annotations

import difflib
import re

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from workbench.ui import theme

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in {'=', '-', '+'}; concatenating '=' and '+' gives `new`."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return out


class DiffView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setObjectName("diffView")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)

    def show_diff(self, old: str, new: str) -> None:
        self.clear()
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        removed = QTextCharFormat()
        removed.setFontStrikeOut(True)
        removed.setForeground(QColor("#e57373" if theme.is_dark() else "#b3261e"))
        added = QTextCharFormat()
        green = QColor("#2e7d32")
        tint = QColor(green)
        tint.setAlpha(60 if theme.is_dark() else 40)
        added.setBackground(tint)
        added.setForeground(QColor("#81c784") if theme.is_dark() else green)
        for op, text in word_diff(old, new):
            cursor.insertText(text, {"=": plain, "-": removed, "+": added}[op])
        self.moveCursor(QTextCursor.MoveOperation.Start)
