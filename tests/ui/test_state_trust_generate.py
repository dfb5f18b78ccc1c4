"""Results users can trust: a result or score of an older prompt is marked stale, and the
user's own Cancel is a neutral "Cancelled", not a red error. Real window, real Sandbox."""

from __future__ import annotations

from workbench.sandbox import shared_sandbox
from workbench.ui.generate.result_card import ERROR_RED
from workbench.ui.moderation.panel import ModerationPanel


def generate(window, qloop, until, prompt: str) -> None:
    panel = window.generate_panel
    window.editor.setPlainText(prompt)
    panel.form.set_params({"quality": "low", "n": 1})

    async def scenario():
        panel.generate_button.click()
        await until(lambda: panel.running, timeout=5)
        await until(lambda: not panel.running, timeout=30)

    qloop.run_until_complete(scenario())


def test_a_result_card_goes_stale_when_the_prompt_is_edited(window, qloop, until, qtbot):
    generate(window, qloop, until, "Two knights at the gate after the massacre")
    card = window.generate_panel.card
    assert card.isVisible() and not card.stale and not card.stale_note.isVisible()
    assert ERROR_RED in card.title.styleSheet()  # a block is shown as one
    qtbot.keyClicks(window.editor, " at dawn")
    assert card.stale and card.stale_note.isVisible()
    assert "earlier version of the prompt" in card.stale_note.text()
    assert ERROR_RED not in card.title.styleSheet()  # no longer the verdict on this text
    assert card.property("stale") is True
    window.editor.undo()  # back to the prompt that was sent
    assert window.editor.toPlainText() == "Two knights at the gate after the massacre"
    assert not card.stale and not card.stale_note.isVisible()


def test_the_users_own_cancel_is_neutral(window, ops, qloop, until):
    panel = window.generate_panel
    marker = "cancelmarker-pond"
    window.editor.setPlainText(f"A quiet {marker} at dawn [sandbox:slow=20]")
    panel.form.set_params({"quality": "low", "n": 1})
    sandbox = shared_sandbox()

    async def scenario():
        panel.generate_button.click()
        await until(lambda: any(r.prompt and marker in r.prompt for r in list(sandbox.requests)), timeout=15)
        panel.cancel_button.click()
        await until(lambda: not panel.running, timeout=10)

    qloop.run_until_complete(scenario())
    card = panel.card
    assert card.isVisible()
    assert card.title.text() == "Cancelled"
    assert "✗" not in card.title.text() and ERROR_RED not in card.title.styleSheet()
    assert card.objectName() == "card"  # not the red block/error card
    assert "You cancelled this request" in card.detail.text()
    assert not card.appeal_button.isVisibleTo(card)
    assert [r.outcome for r in ops.history.store().search(marker).rows] == ["cancelled"]


def test_moderation_scores_of_an_earlier_prompt_are_marked_stale(qtbot, ops, qloop, until):
    panel = ModerationPanel(ops.moderation)
    qtbot.addWidget(panel)
    panel.auto.setChecked(False)

    async def check(text: str) -> None:
        panel.set_prompt(text)
        panel.check_now()
        await until(lambda: panel.bars.rows() and not panel.stale and not panel.busy, timeout=15)

    qloop.run_until_complete(check("A knight after the massacre"))
    assert not panel.stale and not panel.bars.stale
    panel.set_prompt("A knight resting by a calm lake")
    assert panel.stale and panel.bars.stale
    assert "earlier version of the prompt" in panel.status.text() and "Check now" in panel.status.text()
    qloop.run_until_complete(check("A knight resting by a calm lake"))
    assert not panel.stale and not panel.bars.stale
    assert "earlier version" not in panel.status.text()
