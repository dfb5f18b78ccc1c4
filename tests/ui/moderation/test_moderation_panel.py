"""Moderation panel: debounced, stale checks cancelled, cached, labelled as a second opinion."""

from __future__ import annotations

from workbench.core.api.profiles import Profile
from workbench.ui.moderation.panel import EXPLANATION, ModerationPanel


def test_typing_runs_one_check_after_the_pause_and_shows_scores(qtbot, ops, qloop, until):
    panel = ModerationPanel(ops.moderation)
    qtbot.addWidget(panel)

    async def scenario():
        for text in ("A", "A knight", "A knight after the massacre"):
            panel.set_prompt(text)
        await until(lambda: panel.bars.rows(), timeout=15)

    qloop.run_until_complete(scenario())
    assert panel.calls_started == 1  # the keystrokes before the pause never reached the network
    rows = dict((name, score) for name, score, _flagged in panel.bars.rows())
    assert len(rows) == 13 and rows["violence"] > 0.5
    assert "Flagged" in panel.status.text() and "Sandbox" in panel.status.text()
    assert "different system" in EXPLANATION


def test_a_newer_prompt_cancels_the_check_in_flight(qtbot, ops, qloop, until):
    panel = ModerationPanel(ops.moderation)
    qtbot.addWidget(panel)
    panel.auto.setChecked(False)

    async def scenario():
        panel.set_prompt("A slow check [sandbox:slow=10]")
        panel.check_now()
        await until(lambda: panel.busy, timeout=5)
        first = panel._task
        panel.set_prompt("A calm lake")
        await until(lambda: first.cancelled() or first.done(), timeout=5)
        assert first.cancelled()
        panel.check_now()
        await until(lambda: panel.bars.rows(), timeout=15)

    qloop.run_until_complete(scenario())
    assert "Not flagged" in panel.status.text()


def test_results_are_cached_by_input(qtbot, ops, qloop, until):
    panel = ModerationPanel(ops.moderation)
    qtbot.addWidget(panel)
    panel.auto.setChecked(False)

    async def scenario():
        panel.set_prompt("A red fox in the snow")
        panel.check_now()
        await until(lambda: panel.bars.rows(), timeout=15)
        panel.set_prompt("something else")
        panel.set_prompt("A red fox in the snow")
        panel.check_now()
        await until(lambda: "cached" in panel.status.text(), timeout=5)

    qloop.run_until_complete(scenario())


def test_without_a_key_it_says_how_to_get_scores(qtbot, ops, qloop, until):
    ops.profiles.set_active_profile("OpenAI")
    panel = ModerationPanel(ops.moderation)
    qtbot.addWidget(panel)
    panel.set_prompt("A red fox")

    async def scenario():
        panel.check_now()
        await until(lambda: "API key" in panel.status.text(), timeout=5)

    qloop.run_until_complete(scenario())
    assert panel.bars.rows() == []


def test_azure_profiles_have_no_moderation_endpoint(qtbot, ops, qloop, until):
    ops.profiles.save_profile(Profile(name="Contoso", kind="azure", azure_endpoint="https://contoso.openai.azure.com"))
    ops.profiles.set_active_profile("Contoso")
    panel = ModerationPanel(ops.moderation)
    qtbot.addWidget(panel)
    panel.set_prompt("A red fox")

    async def scenario():
        panel.check_now()
        await until(lambda: "Azure" in panel.status.text(), timeout=5)

    qloop.run_until_complete(scenario())
