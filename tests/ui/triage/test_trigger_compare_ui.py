"""Find the trigger and Compare windows, driven for real against the in-process Sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.core.trigger.test_search import prompt_with


def test_find_the_trigger_from_the_editor_marks_the_span(window, ops, qloop, until):
    text = prompt_with(6, count=12)
    window.editor.setPlainText(text)
    window.trigger_action.trigger()
    dialog = next(w for w in window.children() if w.objectName() == "triggerDialog")
    assert not dialog.isModal() and "free" in dialog.plan.text()
    dialog.mode.setCurrentIndex(dialog.mode.findData("moderation"))

    async def scenario():
        dialog.start_button.click()
        await until(lambda: dialog.result is not None, timeout=30)

    qloop.run_until_complete(scenario())
    assert dialog.result.status == "narrowed"
    assert dialog.probes.count() == len(dialog.result.probes)
    assert any("decapitated" in t for t in dialog.result.texts)
    assert dialog.text.extraSelections()  # highlighted in the dialog
    dialog.editor_button.click()
    marks = window.editor.extraSelections()
    assert marks
    cursor = marks[0].cursor
    assert "decapitated" in cursor.selectedText()
    window.editor.insertPlainText("x")  # an edit clears the stale marks
    assert window.editor.extraSelections() == []
    dialog.close()


def test_cancelling_a_budgeted_trigger_run(window, ops, qloop, until):
    text = "[sandbox:slow=1.5] " + prompt_with(3, count=8)
    dialog = window.show_trigger(text)
    dialog.mode.setCurrentIndex(dialog.mode.findData("image"))
    dialog.budget.setValue(0.5)
    assert "$" in dialog.plan.text()

    async def scenario():
        dialog.start_button.click()
        await until(lambda: dialog.cancel_button.isEnabled(), timeout=5)
        import asyncio
        await asyncio.sleep(0.3)
        dialog.cancel_button.click()
        await until(lambda: dialog.result is not None, timeout=20)

    qloop.run_until_complete(scenario())
    assert dialog.result.status == "cancelled"
    assert dialog.result.spent <= 0.5
    assert dialog.start_button.isEnabled()
    dialog.close()


def test_compare_grid_fills_cell_by_cell(window, ops, qloop, until):
    win = window.show_compare("A knight, decapitated, on the battlefield")
    win.rewrites.setPlainText("A knight resting on the battlefield")
    win.models.setText("gpt-image-1, gpt-image-2")
    assert [t.label for t in win.targets()] == ["Sandbox · gpt-image-1", "Sandbox · gpt-image-2"]

    async def scenario():
        win.run_button.click()
        await until(lambda: win.grid is not None, timeout=30)

    qloop.run_until_complete(scenario())
    assert win.table.rowCount() == 2 and win.table.columnCount() == 2
    first = win.table.item(0, 0)
    assert first.text().startswith("Blocked (input)") and "violence" in first.text()
    assert win.table.item(1, 1).text().startswith("OK")
    history_id = win.table.item(1, 0).data(Qt.ItemDataRole.UserRole)
    assert ops.history.store().get(history_id).parent_id == win.table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    assert "2 ok, 2 blocked" in win.status.text()
    win.close()
