"""Framing suggestions (chosen and ranked by category) and insertion that never duplicates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rewrite_fakes import fake_scan

from workbench.core.rewrite import (
    apply_edits,
    apply_framing,
    best_framing,
    desensitize,
    find_framing,
    known_framings,
    suggest_framings,
    with_framing,
)
from workbench.core.screening import scan
from workbench.core.screening.models import Finding, ScanResult

FRAMINGS = known_framings()


def _scan_of(*categories_severities, subject="soldiers"):
    text = "x " * len(categories_severities) + subject
    findings = tuple(
        Finding(2 * k, 2 * k + 1, "x", cat, sev, "m") for k, (cat, sev) in enumerate(categories_severities)
    )
    return ScanResult(text, findings)


def test_violence_suggests_the_war_and_game_framings_with_rationales():
    ids = [s.id for s in suggest_framings(_scan_of(("violence", "high")))]
    assert ids[:2] == ["war-drama-still", "game-cutscene"]
    for s in suggest_framings(_scan_of(("violence", "high"))):
        assert s.rationale and "\n" not in s.rationale
        assert s.categories == ("violence",)


def test_ranking_follows_the_categories_present():
    assert suggest_framings(_scan_of(("minors", "high"), subject="a child"))[0].id == "storybook-illustration"
    assert suggest_framings(_scan_of(("sexual", "medium"), subject="a woman"))[0].id == "oil-painting"
    graphic = [s.id for s in suggest_framings(_scan_of(("violence", "medium"), ("violence/graphic", "high")))]
    assert graphic[0] == "game-cutscene"  # answers both, graphic weighs more


def test_no_suggestion_for_hard_lines_names_or_clean_prompts():
    assert suggest_framings(_scan_of(("violence", "high"), ("sexual/minors", "critical"))) == []
    assert suggest_framings(_scan_of(("public-figure", "high"))) == []
    assert suggest_framings(ScanResult("a quiet meadow")) == []


def test_no_suggestion_when_a_framing_is_present():
    text = "museum diorama of two knights with swords"
    assert suggest_framings(ScanResult(text, fake_scan(text).findings)) == []


@pytest.mark.parametrize(
    "text, framing, expected",
    [
        ("A soldier running", "Museum diorama", "Museum diorama of a soldier running"),
        ("Soldiers running", "Movie still from a 1940s war drama:", "Movie still from a 1940s war drama: Soldiers running"),
        ("two knights", "comic book panel", "Comic book panel: two knights"),
        ("Paris at night", "Watercolor sketch", "Watercolor sketch: Paris at night"),
        ("Paris at night", "Postcard art of", "Postcard art of Paris at night"),
        ("  a fox", "Oil painting", "  Oil painting of a fox"),
        ("", "Oil painting", ""),
    ],
)
def test_apply_framing_inserts_naturally(text, framing, expected):
    assert apply_framing(text, framing) == expected


@pytest.mark.parametrize("framing", FRAMINGS, ids=lambda f: f.id)
def test_a_known_framing_is_never_duplicated_in_any_case(framing):
    for phrase in framing.detect:
        for variant in (phrase, phrase.upper(), phrase.title()):
            text = f"two knights, {variant}, dusk"
            assert find_framing(text) is not None
            for other in FRAMINGS:
                assert apply_framing(text, other) == text
    framed = apply_framing("two knights", framing)
    assert framed != "two knights"
    assert apply_framing(framed.upper(), framing) == framed.upper()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(FRAMINGS), st.sampled_from(FRAMINGS))
def test_framing_twice_adds_nothing(text, first, second):
    once = apply_framing(text, first)
    assert apply_framing(once, second) == once
    assert apply_framing(once, first.text) == once


def test_custom_framing_is_not_duplicated_either():
    once = apply_framing("two knights", "Tapestry scene")
    assert once == "Tapestry scene: two knights"
    assert apply_framing(once, "TAPESTRY SCENE") == once


def test_with_framing_adds_one_composed_edit_and_rescreens():
    text = "A knight with a sword"
    result = with_framing(desensitize(text, scanner=fake_scan), "Museum diorama", scanner=fake_scan)
    assert result.rewritten == "Museum diorama of a knight with an ornate ceremonial blade"
    assert result.framing == "Museum diorama of"
    assert apply_edits(text, result.edits) == result.rewritten
    assert "framing" in {e.category for e in result.edits}
    assert with_framing(result, "Comic book panel", scanner=fake_scan) is result


def test_hard_block_gets_no_framing():
    result = desensitize("a sword and a nudechild", scanner=fake_scan)
    assert with_framing(result, "Museum diorama", scanner=fake_scan) is result


def test_best_framing_never_makes_the_verdict_worse():
    text = "kids playing in the yard, they shoot water pistols"
    result = desensitize(text)
    suggestions = suggest_framings(ScanResult(text, result.findings))
    framed = best_framing(result, suggestions)
    order = ("clear", "caution", "likely_blocked", "hard_block")
    assert order.index(framed.verdict) <= order.index(result.verdict)
    assert scan(framed.rewritten).findings == framed.remaining
