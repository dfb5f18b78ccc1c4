"""The Fix panel reads as edits, keeps Apply in view, and says when there is no rewrite.

Driven through the real main window at 1280×800 (the smallest display the app must fit) and
the real desensitize engine.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea

LONG_PROMPT = (
    "Cinematic photo of two knights fighting in the rain, swords drawn, blood on the armour, "
    "in the style of Greg Rutkowski, with Mickey Mouse watching from the castle wall, a rifle "
    "on the parapet, gore on the stones, a seductive bikini-clad archer, Darth Vader at the gate, "
    "a dagger in the mud and a decapitated statue"
)
SCENE_PROMPT = "a man pointing a gun at a crowd of children"


@pytest.fixture
def win(make_window):
    window = make_window()
    window.resize(1280, 800)
    window.side_tabs.setCurrentIndex(0)
    return window


def scroll_ancestors(widget, stop) -> list:
    found, parent = [], widget.parentWidget()
    while parent is not None and parent is not stop:
        if isinstance(parent, QAbstractScrollArea):
            found.append(parent)
        parent = parent.parentWidget()
    return found


def test_each_edit_is_one_phrase_old_to_new(win):
    win.editor.setPlainText(LONG_PROMPT)
    win.fix_panel.preview_desensitize()
    fix = win.fix_panel
    proposal = fix._proposal
    assert fix.edit_list.count() == len(proposal.edits) >= 5
    for index, edit in enumerate(proposal.edits):
        row = fix.edit_list.row(index)
        assert LONG_PROMPT[edit.start:edit.end] == edit.before  # a span of the prompt, not a re-diff
        assert row.before.text() == " ".join(edit.before.split())
        assert row.after.text() == " ".join(edit.after.split())
        assert row.before.font().strikeOut() and not row.after.font().strikeOut()
    texts = [fix.edit_list.row(i).text() for i in range(fix.edit_list.count())]
    artist = next(t for t in texts if "Greg Rutkowski" in t)
    assert artist.index("Rutkowski") < artist.index("→")  # the whole name, then its replacement


def test_apply_and_discard_stay_in_view_at_1280x800_with_one_scroll_area(win, qtbot):
    win.editor.setPlainText(LONG_PROMPT)
    win.fix_panel.preview_desensitize()
    fix = win.fix_panel
    qtbot.waitUntil(lambda: fix.apply_button.isVisible())
    window_rect = QRect(QPoint(0, 0), win.size())
    for button in (fix.apply_button, fix.discard_button):
        assert button.isVisible()
        assert not scroll_ancestors(button, win)  # outside every scroll area: never scrolled off
        top_left = button.mapTo(win, QPoint(0, 0))
        assert window_rect.contains(QRect(top_left, button.size()))
        assert button.visibleRegion().boundingRect().size() == button.size()  # not clipped
    # the edits scroll in the panel's one scroll area, with no scroller nested inside it
    assert scroll_ancestors(fix.edit_list, win) == [fix.scroll]
    assert not fix.scroll.widget().findChildren(QAbstractScrollArea)
    fix.scroll.verticalScrollBar().setValue(fix.scroll.verticalScrollBar().maximum())
    assert fix.apply_button.visibleRegion().boundingRect().size() == fix.apply_button.size()
    fix.discard_button.click()
    assert not fix.preview.isVisible() and not fix.actions.isVisible()


def test_a_scene_gets_a_clear_no_rewrite_message(win, qtbot):
    win.editor.setPlainText(SCENE_PROMPT)
    fix = win.fix_panel
    assert fix.desensitize_button.isEnabled()
    fix.desensitize_button.click()
    assert fix.no_rewrite.isVisible()
    assert "No rewrite is offered" in fix.no_rewrite.text.text()
    assert "gun" in fix.no_rewrite.text.text()
    assert not fix.preview.isVisible() and not fix.actions.isVisible()
    assert win.editor.toPlainText() == SCENE_PROMPT
    qtbot.keyClicks(win.editor, " at dusk")
    assert not fix.no_rewrite.isVisible()  # it spoke of the earlier prompt


def test_edits_to_the_depiction_say_the_scene_stays(win):
    win.editor.setPlainText(SCENE_PROMPT + ", in the style of Greg Rutkowski")
    fix = win.fix_panel
    fix.preview_desensitize()
    assert fix.preview.isVisible() and fix.edit_list.count() >= 1
    assert fix.preview_note.isVisible() and "No rewrite is offered for the scene" in fix.preview_note.text()
    assert all("gun" not in fix.edit_list.row(i).edit.before for i in range(fix.edit_list.count()))
