"""Fix panel driving a real editor: desensitize preview and apply, framing chips, LLM rewrite."""

from __future__ import annotations

import pytest

from workbench.core.rewrite import find_framing
from workbench.ui.editor.panel import EditorPanel
from workbench.ui.fix.panel import FixPanel

PROMPT = "Two knights fighting in the rain, blood on the armour, with Mickey Mouse watching"


@pytest.fixture
def panels(qtbot, ops):
    editor_panel = EditorPanel(ops)
    fix = FixPanel(ops.rewriting, editor_panel.editor)
    editor_panel.scan_updated.connect(fix.set_scan)
    for widget in (editor_panel, fix):
        qtbot.addWidget(widget)
        widget.show()
    panels.keep = editor_panel  # the editor belongs to its panel; keep the panel alive
    return editor_panel.editor, fix


def test_desensitize_preview_apply_and_one_undo_restores(panels):
    editor, fix = panels
    editor.setPlainText(PROMPT)
    assert fix.desensitize_button.isEnabled()
    fix.desensitize_button.click()
    assert fix.preview.isVisible()
    assert fix.edit_list.count() >= 3
    assert editor.toPlainText() == PROMPT  # nothing applied by previewing
    proposal = fix._proposal
    rows = [fix.edit_list.row(i).text() for i in range(fix.edit_list.count())]
    assert rows[0] == f"{proposal.edits[0].before} → {proposal.edits[0].after}"
    assert any(row.startswith("fighting → ") for row in rows)
    assert fix.apply_preview()
    assert editor.toPlainText() == proposal.rewritten
    assert not fix.preview.isVisible()
    assert editor.result.verdict in ("clear", "caution")
    editor.undo()  # the whole desensitize is ONE undo step
    assert editor.toPlainText() == PROMPT


def test_unchecked_edits_are_not_applied(panels):
    editor, fix = panels
    editor.setPlainText(PROMPT)
    fix.preview_desensitize()
    edits = [fix.edit_list.row(i).edit for i in range(fix.edit_list.count())]
    fix.edit_list.row(0).check.click()
    assert "1 of" not in fix.preview_title.text() and f"{len(edits) - 1} of {len(edits)}" in fix.preview_title.text()
    assert fix.apply_preview()
    text = editor.toPlainText()
    assert edits[0].before in text
    assert all(edit.after in text for edit in edits[1:])


def test_preview_goes_stale_when_the_prompt_changes(panels, qtbot):
    editor, fix = panels
    editor.setPlainText(PROMPT)
    fix.preview_desensitize()
    assert fix.preview.isVisible()
    qtbot.keyClicks(editor, " now")
    assert not fix.preview.isVisible()


def test_hard_line_is_explained_and_no_rewrite_is_offered(panels):
    editor, fix = panels
    editor.setPlainText("a swastika flag over the knights fighting")
    assert fix.hard_line.isVisible()
    assert "Hate" in fix.hard_line_text.text()
    assert not fix.desensitize_button.isEnabled()
    assert not fix.llm_button.isEnabled()


def test_framing_chip_inserts_once_and_undo_removes_it(panels, qtbot):
    editor, fix = panels
    editor.setPlainText("two knights fighting in a castle courtyard")
    qtbot.waitUntil(lambda: fix.chips.count() > 0)
    chip = fix.chips.itemAt(0).widget()
    chip.click()
    framing = find_framing(editor.toPlainText())
    assert framing is not None
    qtbot.waitUntil(lambda: fix.chips.count() == 0 or not fix.chips.itemAt(0).widget().isEnabled())
    editor.undo()
    assert editor.toPlainText() == "two knights fighting in a castle courtyard"


def test_llm_rewrite_against_the_sandbox_is_shown_and_never_applied_unasked(panels, qloop, until):
    editor, fix = panels
    editor.setPlainText(PROMPT)

    async def scenario():
        fix.llm_button.click()
        await until(lambda: fix.preview.isVisible() or "failed" in fix.status.text(), timeout=20)

    qloop.run_until_complete(scenario())
    assert fix.preview.isVisible(), fix.status.text()
    assert editor.toPlainText() == PROMPT
    assert "Not applied" in fix.preview_title.text()
    proposed = fix._llm_text
    assert proposed and proposed != PROMPT
    assert fix.apply_preview()
    assert editor.toPlainText() == proposed
    editor.undo()
    assert editor.toPlainText() == PROMPT
