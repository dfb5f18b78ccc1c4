"""Scene findings in the editor: one soft band over the clause, distinct from term underlines,
with the scene's message as the hover text."""

from __future__ import annotations

from PySide6.QtGui import QTextCharFormat

from workbench.ui.editor.prompt_editor import tooltip_for

NONE = QTextCharFormat.UnderlineStyle.NoUnderline
TEXT = "Night street. A soldier aiming a rifle at the crowd, smoke."




def formats(editor):
    return editor.document().firstBlock().layout().formats()


def scene_of(editor):
    scenes = [f for f in editor.result.findings if f.stage == "scene"]
    assert len(scenes) == 1
    return scenes[0]


def test_a_scene_is_one_band_over_its_clause_without_an_underline(editor):
    editor.setPlainText(TEXT)
    scene = scene_of(editor)
    assert TEXT[scene.start : scene.end] == "soldier aiming a rifle at the crowd"
    inside = [r for r in formats(editor) if scene.start <= r.start < scene.end]
    covered = sum(r.length for r in inside)
    assert covered == scene.end - scene.start  # the whole clause span is painted, no gap
    band = [r for r in inside if r.format.underlineStyle() == NONE]
    assert band and all(r.format.background().color().alpha() > 0 for r in band)


def test_term_underlines_stay_visible_on_the_band(editor):
    editor.setPlainText(TEXT)
    rifle = TEXT.index("rifle")
    painted = [r for r in formats(editor) if r.start <= rifle < r.start + r.length]
    assert painted and painted[0].format.underlineStyle() != NONE  # the term keeps its underline
    assert painted[0].format.background().color().alpha() > 0  # on a tinted background


def test_scene_band_differs_from_any_term_format(editor):
    hl = editor.highlighter
    band = hl.format_for("violence", "high", "scene")
    term = hl.format_for("violence", "high")
    assert band.underlineStyle() == NONE
    assert term.underlineStyle() != NONE


def test_hover_text_is_the_scene_message_explaining_the_combination(editor):
    editor.setPlainText(TEXT)
    scene = scene_of(editor)
    tip = tooltip_for(scene)
    assert "A weapon aimed at people" in tip
    assert "No rewrite is offered" in tip
    position = TEXT.index("the crowd")
    assert editor.finding_at(position) is scene  # off the underlined words, the band answers


def test_no_band_when_the_scene_is_a_constraint(editor):
    editor.setPlainText("A quiet park at dusk, no children drinking beer.")
    assert not [f for f in editor.result.findings if f.stage == "scene"]
    assert not [r for r in formats(editor) if r.format.background().color().alpha() > 0]
