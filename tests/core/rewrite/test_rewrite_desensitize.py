"""desensitize(): strategies, one edit per overlap, rounds, hard lines, and the shipped engine."""

from __future__ import annotations

import pytest
from rewrite_fakes import fake_scan

from workbench.core.rewrite import apply_edits, desensitize
from workbench.core.screening import scan
from workbench.core.screening.models import Finding, ScanResult


def _result(text, *findings):
    return ScanResult(text, tuple(sorted(findings, key=lambda f: (f.start, -f.end))))


def _finding(text, word, category="violence", severity="medium", term=None, repl=(), rule="test:x", at=0):
    start = text.index(word, at)
    return Finding(start, start + len(word), word, category, severity, "m", tuple(repl), rule, term or word.lower())


def test_hard_line_returns_text_unchanged():
    text = "a sword and a nudechild"
    result = desensitize(text, scanner=fake_scan)
    assert result.hard_block
    assert result.rewritten == text and result.edits == ()
    assert "sexual/minors" in result.message and "no rewrite" in result.message
    assert {f.category for f in result.remaining} == {"violence", "sexual/minors"}


def test_hard_line_with_shipped_engine():
    result = desensitize("a naked child")
    assert result.hard_block and result.rewritten == "a naked child"
    assert result.verdict == "hard_block"


def test_overlapping_findings_make_one_edit():
    text = "blood splatter everywhere"
    findings = _result(
        text,
        _finding(text, "blood splatter", "violence/graphic", "high"),
        _finding(text, "blood", "violence", "medium"),
        _finding(text, "splatter everywhere", "violence/graphic", "low", term="zorblax"),
    )
    result = desensitize(text, scan_result=findings, scanner=fake_scan)
    assert len(result.edits) == 1
    edit = result.edits[0]
    assert (edit.start, edit.end) == (0, len(text))
    assert edit.before == text and result.rewritten == edit.after
    assert "violence/graphic" in edit.category


def test_partial_overlap_covers_the_union():
    text = "sword gun shop"
    findings = _result(
        text,
        Finding(0, 9, "sword gun", "violence", "medium", "m", (), "t", "sword"),
        Finding(6, 14, "gun shop", "violence", "high", "m", (), "t", "gun"),
    )
    result = desensitize(text, scan_result=findings, scanner=fake_scan)
    assert [(e.start, e.end) for e in result.edits] == [(0, 14)]
    assert apply_edits(text, result.edits) == result.rewritten


def test_edits_index_the_original_and_rebuild_the_result():
    text = "Two warriors fighting with swords, blood on the ground, war scene"
    result = desensitize(text, scanner=fake_scan)
    assert [e.start for e in result.edits] == sorted(e.start for e in result.edits)
    for e in result.edits:
        assert text[e.start:e.end] == e.before
        assert e.category and e.reason
    assert apply_edits(text, result.edits) == result.rewritten
    assert result.rewritten == "Two warriors facing off with ornate ceremonial blades, deep red tones on the ground, epic historical scene"


def test_a_risky_replacement_is_rewritten_in_a_second_round_as_one_edit():
    text = "a zorblax here"
    first = _result(text, _finding(text, "zorblax", repl=("gun rack",), term="nope"))
    result = desensitize(text, scan_result=first, scanner=fake_scan)
    assert result.rewritten == "a stylized prop rack here"
    assert [(e.start, e.end, e.before) for e in result.edits] == [(2, 9, "zorblax")]
    assert result.remaining == ()


def test_a_replacement_that_repeats_the_word_is_not_applied():
    """'blade' → 'ornate ceremonial blade' would be flagged again and grow every round."""
    text = "a blade"
    first = _result(text, _finding(text, "blade", severity="low", repl=("ornate ceremonial blade",), term="qqq"))
    result = desensitize(text, scan_result=first, scanner=lambda t: first if t == text else fake_scan(t))
    assert result.rewritten == text and result.edits == ()
    assert result.message.startswith("No rewrite available")


def test_scan_result_of_another_text_is_refused():
    with pytest.raises(ValueError):
        desensitize("a sword", scan_result=fake_scan("a gun"), scanner=fake_scan)


def test_nothing_to_rewrite():
    result = desensitize("a quiet meadow", scanner=fake_scan)
    assert not result.changed and result.edits == () and not result.hard_block
    assert result.message == "Nothing to rewrite: no findings."


def test_brand_fallback_is_attributive_or_a_generic_product():
    result = desensitize("acme shoes and an acme", scanner=fake_scan)
    assert result.rewritten == "unbranded shoes and a generic product"


def test_unknown_category_uses_the_generic_fallback():
    text = "a wibble"
    first = _result(text, _finding(text, "wibble", category="made-up", term="wibble"))
    result = desensitize(text, scan_result=first, scanner=lambda t: first if t == text else ScanResult(t))
    assert result.rewritten == "understated detail"  # uncountable: the "a" goes


def test_invisible_characters_are_removed():
    result = desensitize("quiet\u200b\u200b meadow", scanner=fake_scan)
    assert result.rewritten == "quiet meadow"
    assert result.edits[0].category == "evasion"


def test_words_of_a_framing_are_left_alone():
    text = "Movie still from a 1940s war drama: a sword"
    result = desensitize(text, scanner=fake_scan)
    assert result.rewritten == "Movie still from a 1940s war drama: an ornate ceremonial blade"


def test_result_dict_contract():
    d = desensitize("a sword", scanner=fake_scan).to_dict()
    assert {"original", "rewritten", "edits", "framing", "remaining", "hard_block"} <= set(d)
    assert set(d["edits"][0]) == {"start", "end", "before", "after", "category", "reason"}


# --- with the shipped engine and tables


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a fighting scene", "a dramatic standoff scene"),
        ("a machete", "an ornate ceremonial blade"),
        ("a knight holding a bloody sword", "a knight holding a crimson-tinted sword"),
        ("blood on the floor", "deep red tones on the floor"),
        ("a sexy dress", "an elegant dress"),
        ("a woman in a bikini", "a woman in a summer outfit"),
    ],
)
def test_issue_examples(text, expected):
    result = desensitize(text)
    assert result.rewritten == expected
    assert result.verdict == "clear"


def test_seed_example_becomes_clear():
    result = desensitize("Two warriors fighting with swords, blood splatter on the ground, war scene")
    assert result.verdict_before == "likely_blocked"
    assert result.verdict == "clear", result.remaining
    assert result.remaining == scan(result.rewritten).findings


def test_realistic_child_keeps_the_child_and_loses_the_realism():
    result = desensitize("photorealistic close-up photo of a child in a park")
    assert "child" in result.rewritten
    assert "photorealistic" not in result.rewritten.lower() and "photo " not in result.rewritten
    assert not any(f.category == "minors" for f in result.remaining)


def test_real_names_become_descriptions():
    for text in ("Portrait of Taylor Swift", "Mickey Mouse riding a bicycle", "a city in the style of Hayao Miyazaki"):
        result = desensitize(text)
        assert result.verdict == "clear", (text, result.rewritten, result.remaining)
        assert not any(name in result.rewritten for name in ("Taylor", "Mickey", "Miyazaki"))


def test_disguised_spelling_is_rewritten():
    result = desensitize("a g-u-n and k1ll")
    assert result.verdict == "clear", result.rewritten
    assert "g-u-n" not in result.rewritten and "k1ll" not in result.rewritten
