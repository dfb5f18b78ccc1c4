"""The real editor learns from history: badge and hover per target model, the Generate panel
choosing the profile, and a pinned profile that is remembered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from workbench.core import calibration
from workbench.core.api.records import ErrorRecord
from workbench.core.screening import scan
from workbench.ui import uistate
from workbench.ui.editor.judging import PIN_KEY
from workbench.ui.editor.panel import EditorPanel
from workbench.ui.generate.panel import GeneratePanel

ARTIST = "A castle at dusk in the style of Greg Rutkowski"
ZOMBIE = "a zombie in a quiet field"


@pytest.fixture(autouse=True)
def no_active_snapshot():
    calibration.set_active(None)
    yield
    calibration.set_active(None)


def fill(ops, prompt: str, model: str, passes: int = 0, blocks: int = 0) -> None:
    findings = scan(prompt).findings
    error = ErrorRecord(kind="blocked", message="Your request was rejected by the safety system.", stage="input",
                        categories=["violence"], http_status=400, code="moderation_blocked")
    store = ops.history.store()
    with store.transaction():
        for i in range(passes + blocks):
            ok = i < passes
            store.record_completed(prompt, {"model": model}, outcome="ok" if ok else "blocked_input",
                                   error=None if ok else error, provider="openai", findings=findings)


@pytest.fixture
def panels(qtbot, ops):
    editor_panel = EditorPanel(ops)
    generate = GeneratePanel(ops, lambda: editor_panel.editor.result)
    for widget in (editor_panel, generate):
        qtbot.addWidget(widget)
    editor_panel.resize(900, 500)
    editor_panel.show()
    qtbot.waitExposed(editor_panel)
    return editor_panel, generate


def hover(editor, text: str) -> str:
    """What the real tooltip shows over the middle of `text` in the editor."""
    cursor = QTextCursor(editor.document())
    cursor.setPosition(editor.text().index(text) + len(text) // 2)
    point = editor.cursorRect(cursor).center() + QPoint(1, 0)
    QApplication.sendEvent(editor.viewport(),
                           QHelpEvent(QEvent.Type.ToolTip, point, editor.viewport().mapToGlobal(point)))
    return QToolTip.text()


def choose_model(generate, model: str) -> None:
    generate.form.set_params({"model": model})


def test_passes_on_gpt_image_2_change_the_badge_and_the_hover_there_only(panels, ops, qloop):
    editor_panel, generate = panels
    editor = editor_panel.editor
    choose_model(generate, "gpt-image-2")
    editor.setPlainText(ARTIST)
    assert editor_panel.badge.text() == "Likely blocked on gpt-image-2 · 1 finding"
    assert "No outcomes of this on gpt-image-2 in your history yet" in hover(editor, "Rutkowski")

    fill(ops, ARTIST, "gpt-image-2", passes=14, blocks=1)
    qloop.run_until_complete(ops.judging.load_calibration())
    assert editor_panel.badge.text() == "Caution on gpt-image-2 · 1 finding"
    tip = hover(editor, "Rutkowski")
    assert "passed 14 of 15 times on gpt-image-2 in your history" in tip
    assert "How sure: 65% your history" in tip
    assert "Other models:" in tip and "gpt-image-1.x high" in tip  # no evidence there: the profile alone

    choose_model(generate, "gpt-image-1.5")  # the Generate panel's model chooses the profile
    assert editor_panel.badge.text() == "Likely blocked on gpt-image-1.x · 1 finding"
    tip = hover(editor, "Rutkowski")
    assert "No outcomes of this on gpt-image-1.x" in tip and "gpt-image-2 medium" in tip


def test_repeated_blocks_make_a_low_term_likely_blocked_on_that_model(panels, ops, qloop):
    editor_panel, generate = panels
    choose_model(generate, "gpt-image-2")
    editor_panel.editor.setPlainText(ZOMBIE)
    assert editor_panel.badge.text().startswith("Caution on gpt-image-2")
    fill(ops, ZOMBIE, "gpt-image-2", blocks=5)
    qloop.run_until_complete(ops.judging.load_calibration())
    assert editor_panel.badge.text().startswith("Likely blocked on gpt-image-2")
    assert "passed 0 of 5 times on gpt-image-2 in your history (5 blocked: input 5)" in hover(
        editor_panel.editor, "zombie")
    choose_model(generate, "gpt-image-1")
    assert editor_panel.badge.text().startswith("Caution on gpt-image-1.x")


def test_a_pinned_profile_wins_over_the_generate_panel_and_is_remembered(panels, ops):
    editor_panel, generate = panels
    choose_model(generate, "gpt-image-2")
    editor_panel.editor.setPlainText("a portrait of Taylor Swift")
    assert editor_panel.badge.text().startswith("Caution on gpt-image-2")
    menu = editor_panel.badge.build_menu()
    pin = next(a for a in menu.actions() if a.data() == "dall-e-3")
    pin.trigger()
    assert editor_panel.badge.text().startswith("Likely blocked on dall-e-3")
    assert uistate.settings().value(PIN_KEY) == "dall-e-3"
    from workbench.ui.editor.judging import Judging

    assert Judging(ops).policy().profile.id == "dall-e-3"  # a new session starts pinned
    menu = editor_panel.badge.build_menu()
    next(a for a in menu.actions() if a.data() == "").trigger()  # back to automatic
    assert editor_panel.badge.text().startswith("Caution on gpt-image-2")
