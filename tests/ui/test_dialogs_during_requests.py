"""Dialogs opened while a real Sandbox request runs never block it or lose its result.

Each dialog is the real one, found among the top-level widgets and answered there; a nested event
loop (static getter, `.exec()`) would stall the coroutine driving it and fail `until`.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from workbench.sandbox import shared_sandbox
from workbench.ui.generate.panel import GeneratePanel

UI = Path(__file__).resolve().parents[2] / "workbench" / "ui"
APP = UI.parent / "app.py"
FORBIDDEN = re.compile(r"QFileDialog\.get\w+\(|QMessageBox\.(question|warning|information|critical)\(|\.exec\(\)")


def open_dialogs(kind):
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, kind) and w.isVisible()]


async def answer(until, kind, accept: bool = False):
    await until(lambda: open_dialogs(kind), timeout=5)
    dialog = open_dialogs(kind)[0]
    if accept:
        dialog.accept()
    else:
        dialog.reject()
    await until(lambda: not open_dialogs(kind), timeout=5)


def test_every_dialog_opens_while_a_request_runs_and_the_result_is_kept(window, ops, qloop, until):
    panel = window.generate_panel
    marker = "dialogmarker-heron"
    window.editor.setPlainText(f"A grey {marker} by a pond [sandbox:slow=3]")
    panel.form.set_params({"quality": "low", "n": 1})
    moderation = window.moderation_panel
    sandbox = shared_sandbox()

    async def scenario():
        panel.generate_button.click()
        await until(lambda: any(r.prompt and marker in r.prompt for r in list(sandbox.requests)), timeout=15)
        moderation.auto.setChecked(False)
        moderation.set_prompt(f"A grey {marker} [sandbox:slow=3]")
        moderation.check_now()
        await until(lambda: moderation.busy, timeout=5)

        panel._on_add_reference()
        await answer(until, QFileDialog)
        panel._on_choose_mask()
        await answer(until, QFileDialog)
        question = qloop.create_task(GeneratePanel.confirm_hard_block(window))
        await until(lambda: open_dialogs(QMessageBox), timeout=5)
        open_dialogs(QMessageBox)[0].reject()
        assert await question is False
        history = window.history_view
        for slot in ("_on_export", "_on_backup"):
            if hasattr(history, slot):
                getattr(history, slot)()
                await answer(until, QFileDialog)
        assert panel.running  # still in flight after every dialog above
        await until(lambda: not panel.running, timeout=30)
        await until(lambda: not moderation.busy and moderation.bars.rows(), timeout=30)

    qloop.run_until_complete(scenario())
    rows = ops.history.store().search(marker).rows
    assert [row.outcome for row in rows] == ["ok"]
    assert moderation.bars.rows() and "Sandbox" in moderation.status.text()


def test_a_confirmation_is_answered_by_its_buttons(window, qloop, until):
    async def scenario():
        question = qloop.create_task(GeneratePanel.confirm_hard_block(window))
        await until(lambda: open_dialogs(QMessageBox), timeout=5)
        box = open_dialogs(QMessageBox)[0]
        send = next(b for b in box.buttons() if b.text() == "Send anyway")
        send.click()
        return await question

    assert qloop.run_until_complete(scenario()) is True


def test_no_blocking_dialog_call_in_the_ui():
    offenders = []
    for path in [*sorted(UI.rglob("*.py")), APP]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if FORBIDDEN.search(code):
                offenders.append(f"{path.relative_to(UI.parent)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_forbidden_pattern_catches_what_it_should():
    assert FORBIDDEN.search("name, _ = QFileDialog.getOpenFileName(self)")
    assert FORBIDDEN.search("if dialog.exec() != QDialog.DialogCode.Accepted:")
    assert FORBIDDEN.search("QMessageBox.question(parent, 'a', 'b')")
    assert not FORBIDDEN.search("dialog.open()")
    assert QDialog  # the real dialog classes, not stand-ins
