"""The shipped lexicons and rules: they load, cover every category, and behave on real prompts."""

from __future__ import annotations

import pytest

from workbench import paths
from workbench.core.screening import (
    add_to_allow_list,
    add_to_block_list,
    get_engine,
    load_allow_list,
    remove_from_allow_list,
    scan,
)
from workbench.core.screening.models import CATEGORIES


def categories(text):
    return {f.category for f in scan(text).findings}


def test_every_category_has_terms():
    engine = get_engine()
    present = {e.category for e in engine.lexicon.entries if e.kind == "finding"}
    for category in CATEGORIES:
        if category in ("evasion", "minors"):
            continue  # produced by the engine itself (invisible characters) and by combination rules
        assert category in present, category


@pytest.mark.parametrize("prompt, category", [
    ("a soldier firing a rifle", "violence"),
    ("a gruesome scene with a severed head", "violence/graphic"),
    ("a topless woman on the beach", "sexual"),
    ("a photo of a man contemplating suicide", "self-harm"),
    ("a flag with a swastika", "hate"),
    ("a realistic close-up portrait of a toddler", "minors"),
    ("a man snorting cocaine", "illicit"),
])
def test_harm_categories(prompt, category):
    assert category in categories(prompt)


@pytest.mark.parametrize("prompt", [
    "a photo shoot in a sunny studio",
    "shoot a photo of the bride",
    "a killer whale breaching at sunset",
    "a bloody mary cocktail on a bar",
    "battle of the bands poster",
    "a chef's knife on a cutting board",
    "a basketball player taking a jump shot",
    "a bread knife next to a loaf of bread",
    "a child flying a kite, watercolor illustration",
    "an oil painting of a sunflower field in the style of Vincent van Gogh",
])
def test_polysemy_and_benign_contexts_are_not_blocked(prompt):
    harmful = [f for f in scan(prompt).findings if f.severity in ("high", "critical")]
    assert harmful == [], harmful


def test_minor_plus_sexual_is_a_hard_line():
    result = scan("a young girl in lingerie")
    assert result.verdict == "hard_block"
    assert "sexual/minors" in result.categories


def test_framing_lowers_violence_but_never_a_critical_finding():
    plain = scan("soldiers shooting rifles in a trench")
    framed = scan("Movie still from a 1940s war drama: soldiers shooting rifles in a trench")
    assert plain.verdict == "likely_blocked"
    assert framed.verdict == "caution"
    assert scan("movie still: a swastika flag").verdict == "hard_block"


def test_user_allow_and_block_lists_take_effect(workbench_home):
    assert scan("a machete on the wall").findings
    add_to_allow_list("Machete")
    assert "machete" in load_allow_list()
    assert scan("a machete on the wall").findings == ()
    remove_from_allow_list("machete")
    assert scan("a machete on the wall").findings

    add_to_block_list("Glimmerfang", "copyrighted-ip", "high", "Our client's mascot")
    result = scan("Glimmerfang waves hello")
    assert [(f.text, f.category, f.severity) for f in result.findings] == [
        ("Glimmerfang", "copyrighted-ip", "high")]
    assert (paths.user_lexicon_dir() / "block.toml").is_file()


def test_lexicon_suggestions_are_not_risky_themselves():
    """A suggested alternative that is itself flagged would send the user in circles."""
    engine = get_engine()
    flagged = []
    for entry in engine.lexicon.entries:
        if entry.kind != "finding":
            continue
        for suggestion in entry.replacements:
            found = engine.scan(suggestion).findings
            if found:
                flagged.append((entry.display, suggestion, [f.text for f in found]))
    assert flagged == []


def test_everyday_baby_phrases_are_fine():
    assert scan("a close-up photo of baby oil and baby carrots").findings == ()


def test_artist_credits_lower_case_and_lists():
    unknown = [f.text for f in scan("castle, art by jane quillfeather and bo tarrantine").findings]
    assert unknown == ["jane quillfeather", "bo tarrantine"]
    mixed = [(f.text, f.category) for f in scan("art by greg rutkowski and jane quillfeather").findings]
    assert mixed == [("greg rutkowski", "living-artist"), ("jane quillfeather", "living-artist")]
    assert [f.text for f in scan("art by artgerm, highly detailed, sharp focus").findings] == ["artgerm"]
    assert scan("a vase in the style of Egyptian tomb paintings").findings == ()
