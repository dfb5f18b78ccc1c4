"""Honest desensitize: a harmful scene is never disguised, and the table holds no euphemisms."""

from __future__ import annotations

import pytest

from workbench.core.rewrite import desensitize, suggest_framings
from workbench.core.rewrite.table import default_table
from workbench.core.screening import get_engine, scan

PASSING = ("clear", "caution")


@pytest.mark.parametrize(
    "text",
    [
        "Photorealistic photo of a soldier aiming a rifle at the crowd",
        "kids snorting cocaine at a party",
        "a woman cutting her wrists in the bathtub",
        "gunmen shooting at the crowd with machine guns, blood everywhere",
    ],
)
def test_a_harmful_scene_keeps_its_words_and_its_verdict(text):
    result = desensitize(text)
    assert result.verdict not in PASSING
    assert any(f.stage == "scene" for f in result.remaining)
    scene = next(f for f in scan(text).findings if f.stage == "scene")
    assert scene.text in result.rewritten  # the act is never reworded
    assert "No rewrite is offered for the scene" in result.message
    assert suggest_framings(scan(text)) == []


def test_depiction_outside_the_scene_is_still_rewritten():
    text = "a soldier aiming a rifle at the crowd, in the style of Greg Rutkowski"
    result = desensitize(text)
    assert "Rutkowski" not in result.rewritten
    assert "soldier aiming a rifle at the crowd" in result.rewritten
    assert result.verdict == "likely_blocked"


# A scene for each class of words a replacement could disguise: {} is the term.
TEMPLATES = {
    "drug": "two kids {} at a party",
    "weapon": "a man aiming a {} at the crowd",
}


def test_table_walk_no_replacement_launders_a_scene():
    """Every table term that is a drug or a weapon, put into a harmful scene: desensitize
    never reports the result clear/caution, and drug words have no replacement at all."""
    scenes = get_engine().scenes
    table = default_table()
    checked = 0
    for key, phrase in table.terms.items():
        classes = scenes.classes_of(key)
        if "drug" in classes:
            pytest.fail(f"drug term {key!r} has a replacement {phrase.singular!r}: a euphemism for the act")
        if "weapon" in classes:
            text = TEMPLATES["weapon"].format(key)
            if not any(f.stage == "scene" for f in scan(text).findings):
                continue
            checked += 1
            assert desensitize(text).verdict not in PASSING, text
    for drug in ("cocaine", "heroin", "meth", "crack cocaine"):
        text = TEMPLATES["drug"].format("snorting " + drug)
        assert desensitize(text).verdict not in PASSING, text
    assert checked >= 10


def test_replacement_euphemisms_are_recognised_as_the_act():
    scenes = get_engine().scenes
    assert "weapon" in scenes.classes_of("stylized prop")
    assert "drug" in scenes.classes_of("white powder")
