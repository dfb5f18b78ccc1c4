"""Notes in the editor: a term inside a constraint or a mention is shown (dotted, grey) and its
hover says why it is not a risk; a finding's underline always wins over a note."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCharFormat

DOT = QTextCharFormat.UnderlineStyle.DotLine




def _underlines_at(editor, index):
    ranges = editor.document().firstBlock().layout().formats()
    return [r.format.underlineStyle() for r in ranges if r.start <= index < r.start + r.length]


def _hover_at(editor, index):
    cursor = editor.textCursor()
    cursor.setPosition(index)
    rect = editor.cursorRect(cursor)
    return editor.hover_text(QPoint(rect.x() + 3, rect.center().y()))


@pytest.mark.parametrize("text, word, heading", [
    ("A knight holding a sword in the courtyard.", "sword", "nothing harmful stands near it"),
    ("A quiet street at night, no gore, no blood.", "gore", "asks to leave out"),
])
def test_a_note_is_dotted_and_explains_itself(editor, text, word, heading):
    editor.setPlainText(text)
    assert editor.result.verdict == "clear"
    index = text.index(word) + 1
    assert _underlines_at(editor, index) == [DOT]
    tip = _hover_at(editor, index)
    assert heading in tip and word in tip


def test_a_finding_wins_over_a_note(editor):
    text = "A knight holding a bloody sword."
    editor.setPlainText(text)
    index = text.index("sword") + 1
    assert DOT not in _underlines_at(editor, index) and _underlines_at(editor, index)
    assert "counts here because of" in _hover_at(editor, index)
