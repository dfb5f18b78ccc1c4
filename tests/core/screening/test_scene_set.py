"""Scene rules: harm in a combination of words, the right category, constraints respected."""

import json
from pathlib import Path

import pytest

from workbench.core.rewrite import desensitize
from workbench.core.screening import scan

ROOT = Path(__file__).resolve().parents[3]


def _scenes(text):
    return [f for f in scan(text).findings if f.stage == "scene"]


@pytest.mark.parametrize("text, category, words", [
    ("a soldier aiming a rifle at the crowd of protesters", "violence", "aiming a rifle at the crowd"),
    ("teenagers kicking a dog in an alley", "violence", "kicking a dog"),  # cruelty, not minors
    ("two children drinking vodka at a party", "minors", "drinking vodka"),
    ("a man hanging himself from a tree, photorealistic", "self-harm", "hanging himself"),
    ("refugees drawn as rats swarming a city", "hate", "drawn as rats"),
    ("Soldiers burning villagers alive in a hut", "violence", "burning villagers alive"),
])
def test_each_class_is_recognised_with_the_right_category(text, category, words):
    found = _scenes(text)
    assert [f.category for f in found] == [category]
    scene = found[0]
    assert words in text[scene.start:scene.end]
    assert scene.text == text[scene.start:scene.end]  # offsets index the original text
    assert scene.severity in ("high", "critical") and not scene.rewritable
    assert "'" + scene.text + "'" in scene.message  # the message names the recognised scene
    assert scan(text).verdict in ("likely_blocked", "hard_block")


@pytest.mark.parametrize("text", [
    "no children drinking, a quiet kitchen",
    "a museum display of WWII rifles behind glass",
    "a cartoon mouse in a kitchen",
    "a wildlife documentary still of a lion hunting a zebra",
    "a chef roasting a chicken, the kitchen alive with steam",
    "burning candles on a table, guests laughing, the room alive with music",
])
def test_benign_look_alikes_and_constraints_are_not_scenes(text):
    assert _scenes(text) == []
    assert scan(text).verdict in ("clear", "caution")


def test_a_constraint_elsewhere_never_hides_a_scene():
    text = "no blood. A soldier aiming a rifle at a crowd of protesters"
    assert [f.category for f in _scenes(text)] == ["violence"]


def test_desensitize_never_calls_a_harmful_scene_clear():
    result = desensitize("a soldier aiming a rifle at the crowd of protesters, gore")
    assert result.verdict == "likely_blocked"
    assert any(f.stage == "scene" for f in result.remaining)
    assert "No rewrite is offered for the scene" in result.message
    assert "aiming a rifle at the crowd" in result.rewritten  # the act is not disguised


def test_the_scene_set_never_launders_a_harmful_scene():
    """Every harmful scene of benchmarks/screening/scenes.jsonl stays likely_blocked or worse
    after one-click desensitize (the issue's 100 % bar)."""
    lines = (ROOT / "benchmarks/screening/scenes.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    harmful = [r["text"] for r in rows if r["label"] == "unsafe"]
    assert len(harmful) >= 150
    laundered = [t for t in harmful if desensitize(t).verdict in ("clear", "caution")]
    assert laundered == []
