"""Evasion from the Unicode confusables data, misspellings and euphemisms (issue 11 item 5)."""

from __future__ import annotations

import pytest

from workbench.core.screening import scan
from workbench.core.screening.confusables import latin, table
from workbench.core.screening.misspell import Misspellings, one_edit


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


def test_a_word_longer_than_any_term_is_never_taken_apart():
    m = Misspellings({"naked": 1, "decapitated": 2})
    assert m.correct("decapitatedd") == "decapitated"  # the longest term plus one letter: read
    assert m.correct("decapitateddd") is None and m.correct("n" * 40_000) is None
    assert m._seen == {"decapitatedd": "decapitated"}  # the long ones were not even looked up


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


def _fold_reference(text: str) -> str:
    """Folding character by character: what every fast path of `fold` must agree with."""
    from workbench.core.screening.normalize import _fold_char

    return "".join(ch.lower() if ch.isascii() else _fold_char(ch) for ch in text)


@pytest.mark.parametrize("block", [(0x80, 0x250), (0x370, 0x530), (0x1D00, 0x1DC0), (0x1E00, 0x2000),
                                   (0x2000, 0x2400), (0x3000, 0x3100), (0xFF00, 0xFFF0),
                                   (0x1D400, 0x1D500)])
def test_every_fast_path_of_folding_agrees_with_folding_each_character(block):
    """Latin-1 and extended Latin, Greek, Cyrillic, phonetic small capitals, punctuation, CJK
    punctuation, full-width and mathematical letters: each character alone, next to ASCII
    capitals, and all of the block at once, fold exactly as one character at a time does."""
    from workbench.core.screening.normalize import fold

    chars = [chr(c) for c in range(*block)]
    for ch in chars:
        text = f"Ab{ch}Cd"
        assert fold(text).text == _fold_reference(text), (hex(ord(ch)), fold(text).text)
    text = "XY " + "".join(chars) + " Z"
    assert fold(text).text == _fold_reference(text)


@pytest.mark.parametrize("mapping, text", [
    ({"é": "è", "è": "é"}, "éè Abc"),  # folded characters that are themselves folded: would chain
    ({"é": "E"}, "é Abc"),  # folded to a capital: the final lower() would change it
])
def test_folding_data_a_plain_replacement_cannot_follow_still_folds_exactly(monkeypatch, mapping, text):
    """Today's data has no such character; an edit to the transliteration table could add one."""
    from workbench.core.screening import normalize

    for ch, folded in mapping.items():
        monkeypatch.setitem(normalize._cache, ch, folded)
    assert normalize.fold(text).text == _fold_reference(text)


def test_prepare_loads_the_english_dictionary_before_any_keystroke_needs_it():
    # The GUI's warm-up calls prepare() off the GUI thread; loading the dictionary on the first
    # misspelling candidate instead stalled a keystroke by ~0.2 s.
    import subprocess
    import sys

    code = ("from workbench.core import screening\n"
            "from workbench.core.screening.misspell import is_english_word\n"
            "assert is_english_word.cache_info().currsize == 0\n"
            "assert screening.prepare() is screening.get_engine()\n"
            "assert is_english_word.cache_info().currsize == 1\n")
    subprocess.run([sys.executable, "-c", code], check=True)
