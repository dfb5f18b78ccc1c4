"""Evasion from the Unicode confusables data, misspellings and euphemisms (issue 11 item 5)."""

from __future__ import annotations

import pytest

from workbench.core.screening import scan
from workbench.core.screening.confusables import latin, table
from workbench.core.screening.misspell import one_edit


@pytest.mark.parametrize("text, word", [
    ("a n\u057dde woman", "n\u057dde"),  # Armenian seh
    ("\u0274\u1d1c\u1d05\u1d07 woman", "\u0274\u1d1c\u1d05\u1d07"),  # small capitals
    ("a \U0001d427\U0001d41a\U0001d424\U0001d41e\U0001d41d man", "\U0001d427\U0001d41a\U0001d424\U0001d41e\U0001d41d"),
    ("a nak\u03b5d woman", "nak\u03b5d"),  # Greek epsilon
    ("a n\u13aaked woman", "n\u13aaked"),  # Cherokee A
])
def test_look_alike_letters_from_other_scripts_are_read(text, word):
    result = scan(text)
    found = [f for f in result.findings if f.category == "sexual"]
    assert found, result
    if word:
        assert found[0].text == word and text[found[0].start:found[0].end] == word
    assert "look-alike letters" in found[0].message


def test_the_table_comes_from_unicode_data_and_leaves_other_scripts_alone():
    assert len(table()) > 500
    assert latin("\u0430") == "a" and latin("\u057d") == "u" and latin("\u1d0f") == "o"
    for ch in "東京の少女가나다عربيעברית":
        assert latin(ch) is None
    assert scan("東京の街並み、ネオンの夜").verdict == "clear"


@pytest.mark.parametrize("text", ["a nakedd woman", "a decapitaed man", "a pornograpy scene",
                                  "a woman in a nakde pose", "NAKEDD woman"])
def test_misspellings_of_high_severity_words_are_found(text):
    result = scan(text)
    assert result.verdict in ("likely_blocked", "hard_block"), result
    assert any("misspelling" in f.message for f in result.findings)


@pytest.mark.parametrize("text", ["a woman hated by all", "the glory of rome", "a nailed tree",
                                  "in the style of Ernst Fuchs", "nubes sobre el mar azul",
                                  "a gorgeous sunset over the hills", "the murderous crows (a band)"])
def test_real_words_names_and_other_languages_are_not_misspellings(text):
    assert not [f for f in scan(text).findings if "misspelling" in f.rule]


def test_one_edit():
    assert one_edit("nakedd", "naked") and one_edit("nakde", "naked") and one_edit("nakef", "naked")
    assert not one_edit("naked", "naked") and not one_edit("nkaedd", "naked")


@pytest.mark.parametrize("text, category", [
    ("a woman in her birthday suit on a beach", "sexual"),
    ("he wants to unalive himself", "self-harm"),
    ("a model posing au naturel", "sexual"),
])
def test_euphemisms_are_read_as_what_they_mean(text, category):
    assert category in scan(text).categories
