"""Mentions: words that are no risk alone (resources/rules/mentions.toml) count only with harm near."""

from __future__ import annotations

import pytest

from workbench.core.rewrite import desensitize
from workbench.core.screening import scan


@pytest.mark.parametrize("text, word", [
    ("a knight holding a sword in a castle courtyard", "sword"),
    ("a fantasy battle between two armies on a plain, oil painting", "battle"),
    ("fashion editorial of an adult model in a red swimsuit on a beach", "swimsuit"),
    ("a hunter with a rifle walking through the snowy forest", "rifle"),
    ("fireworks explosion over the harbour", "explosion"),
    ("a maid costume with black stockings and a white apron", "stockings"),
])
def test_a_mention_alone_is_an_info_note(text, word):
    result = scan(text)
    assert result.verdict == "clear", result
    note = next(n for n in result.notes if n.text.lower().startswith(word))
    assert note.scope == "mention" and note.severity == "info"
    assert "Alone this is not a risk" in note.message


@pytest.mark.parametrize("text, word", [
    ("a knight holding a sword dripping with blood over a dead body", "sword"),
    ("a battle with gore and severed limbs everywhere", "battle"),
    ("a sexy woman in a tiny swimsuit", "swimsuit"),
    ("a hunter with a rifle aiming at a woman", "rifle"),
])
def test_a_mention_with_harm_near_counts_and_says_why(text, word):
    result = scan(text)
    found = next(f for f in result.findings if f.text.lower().startswith(word))
    assert found.stage == "context" and "counts here because of" in found.message
    assert result.verdict != "clear"


def test_harm_far_away_does_not_make_a_mention_count():
    text = "a knight holding a sword. " + "A quiet meadow with flowers and a stream. " * 12 + "blood"
    result = scan(text)
    assert not [f for f in result.findings if f.text == "sword"]
    assert [n for n in result.notes if n.text == "sword" and n.scope == "mention"]


def test_a_disguised_mention_is_never_a_mere_mention():
    result = scan("a knight holding a s-w-o-r-d")
    assert [f.text for f in result.findings] == ["s-w-o-r-d"]


def test_a_stylised_child_is_a_mention_but_not_in_a_sexual_scene():
    assert scan("photorealistic lighting, an anime girl waving, cartoon style").verdict == "clear"
    assert scan("an anime schoolgirl in lingerie, cartoon style").verdict == "hard_block"


def test_desensitize_rewrites_the_harm_and_leaves_the_mention():
    result = desensitize("a knight holding a bloody sword")
    assert "sword" in result.rewritten and "bloody" not in result.rewritten
    assert result.verdict == "clear"
