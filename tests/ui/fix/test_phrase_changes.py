"""Phrase units for a proposal without edits (the LLM rewrite): whole phrases, and exact."""

from __future__ import annotations

import pytest

from workbench.core.rewrite import apply_edits
from workbench.ui.widgets.diff_view import phrase_changes

CASES = [
    ("in the style of Greg Rutkowski, with a moat", "in the style of dramatic lighting, with a moat"),
    ("two knights fighting in the rain", "two knights facing off in the rain"),
    ("a gun and a knife on a table", "a prop and a blade on a table"),
    ("hello world", "completely different text here"),
    ("keep this", "keep this, and add more"),
    ("drop the last words please", "drop the"),
    ("", "new"),
    ("same", "same"),
    ("line one\nline two", "line one\nline 2"),
]


@pytest.mark.parametrize(("old", "new"), CASES)
def test_the_units_rebuild_the_new_text_exactly(old, new):
    units = phrase_changes(old, new)
    assert apply_edits(old, units) == new
    assert all(old[u.start:u.end] == u.before for u in units)


def test_a_renamed_artist_is_one_unit_not_interleaved_words():
    units = phrase_changes(*CASES[0])
    assert [(u.before, u.after) for u in units] == [("Greg Rutkowski", "dramatic lighting")]


def test_changes_joined_by_a_short_word_are_one_phrase_and_others_stay_apart():
    units = phrase_changes("a gun or knife on a table", "a prop or blade on a table")
    assert [(u.before, u.after) for u in units] == [("gun or knife", "prop or blade")]
    units = phrase_changes(*CASES[2])
    assert [(u.before, u.after) for u in units] == [("gun", "prop"), ("knife", "blade")]


def test_unchanged_text_has_no_units():
    assert phrase_changes("same text", "same text") == []
