"""PromptEditor with the real screening engine: live underlines, quick fixes, undo, tooltips."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor

from workbench.core import screening
from workbench.ui.editor.block_term_dialog import BlockTermDialog
from workbench.ui.editor.panel import EditorPanel
from workbench.ui.editor.prompt_editor import match_case, tooltip_for


async def returns(value):
    """An answer for an awaitable dialog seam."""
    return value




def underlines(editor, block_number=0):
    """(start, length, underline style) painted in a block."""
    block = editor.document().findBlockByNumber(block_number)
    return [
        (r.start, r.length, r.format.underlineStyle())
        for r in block.layout().formats()
        if r.format.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline
    ]


def point_of(editor, position: int) -> QPoint:
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    rect = editor.cursorRect(cursor)
    return QPoint(rect.x() + 3, rect.center().y())


def test_typing_underlines_a_risky_word_and_deleting_it_clears_it(editor, qtbot):
    qtbot.keyClicks(editor, "two knights fighting")
    assert [f.text for f in editor.result.findings] == ["fighting"]
    assert underlines(editor) == [(12, 8, QTextCharFormat.UnderlineStyle.WaveUnderline)]
    for _ in range(len("fighting")):
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert editor.result.findings == ()
    assert underlines(editor) == []


def test_severity_sets_the_underline_style(editor):
    editor.setPlainText("a gore and a swastika")
    styles = {start: style for start, _length, style in underlines(editor)}
    assert styles[2] == QTextCharFormat.UnderlineStyle.SingleUnderline  # high: solid
    assert styles[13] == QTextCharFormat.UnderlineStyle.SingleUnderline  # critical: solid + tint
    block = editor.document().firstBlock()
    tints = {r.start: r.format.background().color().alpha() for r in block.layout().formats()}
    assert tints[13] > tints[2] > 0


def test_findings_on_later_lines_and_after_emoji_land_on_the_right_characters(editor, qtbot):
    editor.setPlainText("calm sea\n\U0001F600 fighting")
    assert underlines(editor, 0) == []
    # The emoji is one Python character but two UTF-16 units: the span starts at 3, not 2.
    assert underlines(editor, 1) == [(3, 8, QTextCharFormat.UnderlineStyle.WaveUnderline)]
    qtbot.waitUntil(lambda: editor.document().findBlockByNumber(1).userState() != -1)


def test_quick_fix_replaces_the_word_and_undo_restores(editor):
    editor.setPlainText("Fighting knights")
    menu = editor.build_context_menu(point_of(editor, 2))
    replace = [a for a in menu.actions() if a.objectName() == "replaceAction"]
    assert replace, [a.text() for a in menu.actions()]
    replace[0].trigger()
    assert editor.toPlainText().startswith("Dramatic standoff")  # capital kept
    assert all(f.category != "violence" for f in editor.result.findings)
    editor.undo()
    assert editor.toPlainText() == "Fighting knights"
    assert [f.text for f in editor.result.findings] == ["Fighting"]
    editor.redo()
    assert editor.toPlainText().startswith("Dramatic standoff")


def test_critical_findings_offer_no_replacement_and_cannot_be_allowed(editor):
    editor.setPlainText("a swastika flag")
    menu = editor.build_context_menu(point_of(editor, 4))
    names = {a.objectName(): a for a in menu.actions()}
    assert "replaceAction" not in names
    assert not names["allowAction"].isEnabled()
    assert any("Hard line" in a.text() for a in menu.actions())


def test_ignore_once_hides_that_occurrence_only_while_text_changes_around_it(editor, qtbot):
    editor.setPlainText("fighting and fighting")
    first = editor.result.findings[0]
    editor.ignore_once(first)
    assert [f.start for f in editor.result.findings] == [13]
    cursor = editor.textCursor()
    cursor.setPosition(0)
    editor.setTextCursor(cursor)
    qtbot.keyClicks(editor, "Two ")
    assert [f.start for f in editor.result.findings] == [17]  # the ignored one stays ignored


def test_always_allow_writes_the_allow_list_and_the_word_is_no_longer_flagged(qtbot, ops):
    panel = EditorPanel(ops)
    qtbot.addWidget(panel)
    panel.editor.setPlainText("knights fighting")
    finding = panel.editor.result.findings[0]
    panel.editor.allow_requested.emit(finding)
    assert panel.editor.result.findings == ()
    assert "fight" in screening.load_allow_list()


def test_add_to_block_list_flags_the_term_from_now_on(qtbot, ops, monkeypatch, qloop, until):
    monkeypatch.setattr(BlockTermDialog, "ask", classmethod(lambda cls, term, parent=None: returns((term, "violence", "high", ""))))
    panel = EditorPanel(ops)
    qtbot.addWidget(panel)
    panel.editor.setPlainText("a quiet teapot")
    assert panel.editor.result.findings == ()
    menu = panel.editor.build_context_menu(point_of(panel.editor, 9))
    block = [a for a in menu.actions() if a.objectName() == "blockTermAction"]
    assert block and "teapot" in block[0].text()
    block[0].trigger()
    qloop.run_until_complete(until(lambda: panel.editor.result.findings, timeout=5))
    assert [(f.text, f.category, f.severity) for f in panel.editor.result.findings] == [("teapot", "violence", "high")]


def test_invisible_characters_are_counted_shown_and_removed_in_one_undo_step(qtbot, ops):
    panel = EditorPanel(ops)
    qtbot.addWidget(panel)
    panel.show()
    panel.editor.setPlainText("a g\u200bun\u00a0here")
    assert panel.invisible_strip.isVisible()
    assert "2 invisible characters" in panel.invisible_label.text()
    panel.remove_invisible_button.click()
    assert panel.editor.toPlainText() == "a gun here"
    assert not panel.invisible_strip.isVisible()
    panel.editor.undo()
    assert panel.editor.text() == "a g\u200bun\u00a0here"


def test_findings_list_jumps_to_the_span(qtbot, ops):
    panel = EditorPanel(ops)
    qtbot.addWidget(panel)
    panel.show()
    panel.editor.setPlainText("a calm lake\nwith Mickey Mouse")
    assert panel.findings.model().rowCount() == 1
    assert panel.badge.text().startswith("Caution")  # a character in a neutral scene, on gpt-image
    panel.findings.clicked.emit(panel.findings.model().index(0))
    cursor = panel.editor.textCursor()
    assert cursor.selectedText() == "Mickey Mouse"


def test_tooltips_escape_prompt_text():
    from workbench.core.screening.models import Finding

    finding = Finding(0, 8, "<b>x</b>", "violence", "medium", "because <i>", ("a & b",))
    tip = tooltip_for(finding)
    assert "<b>x</b>" not in tip and "&lt;b&gt;x&lt;/b&gt;" in tip
    assert "&lt;i&gt;" in tip and "a &amp; b" in tip


def test_match_case():
    assert match_case("FIGHT", "standoff") == "STANDOFF"
    assert match_case("Fight", "standoff") == "Standoff"
    assert match_case("fight", "standoff") == "standoff"


def test_apply_edits_is_one_undo_step_and_refuses_a_changed_text(editor):
    editor.setPlainText("one two three")
    assert editor.apply_edits([(0, 3, "1"), (8, 13, "3")], "one two three")
    assert editor.toPlainText() == "1 two 3"
    assert not editor.apply_edits([(0, 1, "x")], "one two three")
    editor.undo()
    assert editor.toPlainText() == "one two three"


def test_huge_pastes_are_screened_after_a_pause_not_per_keystroke(editor, qtbot):
    from workbench.ui.editor.prompt_editor import LIVE_SCAN_LIMIT

    text = ("calm meadow " * (LIVE_SCAN_LIMIT // 12 + 10)) + "a gory scene"
    editor.setPlainText(text)
    assert editor.result.text == ""  # not scanned synchronously
    qtbot.waitUntil(lambda: editor.result.text == text, timeout=3000)
    assert [f.text for f in editor.result.findings] == ["gory"]
