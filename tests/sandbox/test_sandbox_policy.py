"""The Sandbox policy file, prompt switches and placeholder images."""

from __future__ import annotations

import pytest

from workbench.core.errors import UserFacingError
from workbench.sandbox import images
from workbench.sandbox.policy import OMNI_CATEGORIES, load_policy, parse_switches, switches_from_config


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def test_shipped_policy_has_input_and_output_rules(policy):
    stages = {rule.stage for rule in policy.rules}
    assert stages == {"input", "output"}
    assert all(rule.terms and rule.categories for rule in policy.rules)
    assert all(set(rule.scores) <= set(OMNI_CATEGORIES) for rule in policy.rules)


def test_matching_is_word_bounded_and_case_insensitive(policy):
    assert [r.id for r in policy.verdict("A MASSACRE at dawn").rules] == ["violent-acts"]
    assert policy.verdict("massacres").rules == ()  # whole words only
    assert policy.verdict("a mass acre of wheat").rules == ()
    assert [r.stage for r in policy.verdict("a boudoir portrait").rules] == ["output"]


def test_scores_are_deterministic(policy):
    assert policy.scores("a calm lake") == policy.scores("a calm lake")
    assert policy.scores("a stabbing")["violence"] == pytest.approx(0.83)
    image_only = policy.scores("a hate rally: ethnic cleansing", allowed=frozenset({"violence"}))
    assert image_only["hate"] == 0.0


def test_rewrite_replaces_terms(policy):
    assert policy.rewrite("a Murder at noon") == "a tense confrontation at noon"


def test_switch_parsing():
    text, sw = parse_switches("a cat [sandbox:429x2, retry-after=0.5] [sandbox:slow=1.5][sandbox:proxy] end")
    assert text == "a cat end"
    assert (sw.status, sw.fail_times, sw.retry_after, sw.slow, sw.proxy) == (429, 2, 0.5, 1.5, True)
    _, sw = parse_switches("[sandbox:output-block] [sandbox:unknown-thing] [sandbox:500]")
    assert sw.output_block and sw.status == 500 and sw.fail_times is None
    merged = switches_from_config(["503x1", "slow=0.1"]).merged(sw)
    assert merged.status == 500 and merged.slow == 0.1


def test_bad_policy_file_is_one_clear_error(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[[rule]]\nterms = ["x"]\nstage = "sideways"\n', encoding="utf-8")
    with pytest.raises(UserFacingError, match="malformed"):
        load_policy(path)


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("jpeg", b"\xff\xd8\xff"), ("webp", b"RIFF")])
def test_placeholders_have_the_requested_size_and_format(fmt, magic):
    data = images.render("a walrus", 320, 192, fmt=fmt)
    assert data.startswith(magic) and images.image_size(data) == (320, 192)


def test_placeholders_carry_the_prompt_and_differ():
    a = images.render("first prompt", 128, 128)
    b = images.render("second prompt", 128, 128)
    assert a != b
    assert images.embedded_prompt(a) == "first prompt"
    assert images.embedded_prompt(images.render("jpeg prompt", 64, 64, fmt="jpeg")) == "jpeg prompt"
    assert images.embedded_prompt(b"garbage") is None
    transparent = images.render("glass", 64, 64, transparent=True)
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(transparent)) as picture:
        assert picture.mode == "RGBA" and picture.getpixel((0, 0))[3] == 0


def test_policy_covers_the_real_categories_and_every_omni_category():
    """Image blocks use OpenAI's coarse labels; moderation scores cover all 13 omni categories,
    graphic violence and gore included (each flagged by at least one rule)."""
    from workbench.core.api.results import OMNI_CATEGORIES
    from workbench.sandbox.policy import load_policy

    policy = load_policy()
    labels = {c for rule in policy.rules for c in rule.categories}
    assert {"sexual", "violence", "harassment", "hate", "self-harm", "other"} <= labels
    flagged = {cat for rule in policy.rules for cat, score in rule.scores.items() if score >= 0.5}
    assert set(OMNI_CATEGORIES) <= flagged
    assert {rule.stage for rule in policy.rules} == {"input", "output"}


@pytest.mark.parametrize(("prompt", "categories", "stage"), [
    ("a gory battlefield with a severed head", ["violence"], "input"),
    ("war photography of the front line", ["violence"], "output"),
    ("a terrorist recruitment poster", ["violence", "hate"], "input"),
])
def test_graphic_violence_and_gore_are_blocked(prompt, categories, stage):
    from workbench.sandbox.policy import load_policy

    hits = load_policy().verdict(prompt).blocking(stage)
    assert hits and sorted({c for r in hits for c in r.categories}) == sorted(categories)
