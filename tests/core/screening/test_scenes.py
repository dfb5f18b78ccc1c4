"""Scene rules: each class, the right category, constraints, offsets, the message."""

from __future__ import annotations

import pytest

from workbench.core.screening import build_engine


@pytest.fixture(scope="module")
def engine():
    return build_engine(foreign_files=[])


def scenes(engine, text):
    return [f for f in engine.scan(text).findings if f.stage == "scene"]


@pytest.mark.parametrize(
    "text, category",
    [
        ("A soldier aiming a rifle at the crowd", "violence"),
        ("gunmen opening fire on worshippers in a church", "violence"),
        ("a firing squad executing prisoners at dawn", "violence"),
        ("a truck plowing into a crowd of pedestrians", "violence"),
        ("thugs beating a homeless man under a bridge", "violence"),
        ("a woman cutting her wrists in the bathtub", "self-harm"),
        ("a man about to jump off a bridge at night, hopeless", "self-harm"),
        ("two kids drinking vodka at a party", "minors"),
        ("a child holding a loaded pistol", "minors"),
        ("immigrants depicted as rats swarming the city", "hate"),
        ("a heroic poster celebrating the school shooter", "violence"),
        ("teenagers kicking a dog in an alley", "violence"),  # cruelty, not minors
        ("a sexy schoolgirl posing in lingerie", "sexual/minors"),
    ],
)
def test_each_class_is_recognised_with_the_right_category(engine, text, category):
    found = scenes(engine, text)
    assert [f.category for f in found] == [category]
    assert engine.scan(text).verdict in ("likely_blocked", "hard_block")


@pytest.mark.parametrize(
    "text",
    [
        "a photographer aiming a camera at the crowd",
        "parents drinking wine while the kids play",
        "a lion killing a zebra on the savanna",
        "a boy throwing a ball for his dog",
        "kids having a pillow fight",
        "a memorial for the victims of the holocaust",
        "a diver jumping off a cliff into the sea",
        "a close-up shot of a person smiling",
    ],
)
def test_benign_look_alikes_are_no_scene(engine, text):
    assert scenes(engine, text) == []


def test_no_scene_inside_a_constraint(engine):
    assert scenes(engine, "a sunny park, no children drinking beer") == []
    assert scenes(engine, "no children drinking beer. Two kids drinking vodka.")[0].text == "kids drinking vodka"


def test_span_and_message_name_the_scene(engine):
    text = "Night. A soldier aiming a rifle at the crowd, smoke."
    (f,) = scenes(engine, text)
    assert text[f.start : f.end] == f.text == "soldier aiming a rifle at the crowd"
    assert f.message.startswith("A weapon aimed at people: 'soldier aiming a rifle at the crowd'")
    assert f.severity == "high" and not f.rewritable


def test_sexual_content_with_minors_is_critical(engine):
    (f,) = scenes(engine, "barely legal girl with a childlike body posing nude")
    assert (f.category, f.severity) == ("sexual/minors", "critical")


def test_disguised_spelling_still_makes_the_scene(engine):
    assert scenes(engine, "a man sh00ting at the crowd") or scenes(engine, "a soldier aiming a r1fle at the crowd")


def test_a_tie_between_scenes_never_depends_on_hash_order(tmp_path):
    """Two rules can match the same stretch with equal severity and priority ("poachers
    skinning alive a baby seal": cruelty, and cruelty to a named animal). The rules are tried
    in set order, which changes with PYTHONHASHSEED; the chosen scene must not."""
    import os
    import subprocess
    import sys

    code = ("from workbench.core.screening import build_engine\n"
            "r = build_engine(foreign_files=[]).scan('Poachers skinning alive a baby seal on the ice')\n"
            "print([(f.start, f.end, f.rule) for f in r.findings if f.stage == 'scene'])")
    seen = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "WORKBENCH_HOME": str(tmp_path)}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        seen.add(out.stdout.strip())
    assert len(seen) == 1, seen
    assert "scene:" in seen.pop()
