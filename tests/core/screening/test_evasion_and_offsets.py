"""Disguised spellings are found, reported, and offsets always point into the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.screening import scan
from workbench.core.screening.models import SEVERITIES, VERDICTS


def only(result, category=None):
    found = [f for f in result.findings if category is None or f.category == category]
    assert found, result
    return found[0]


@pytest.mark.parametrize("text, disguised", [
    ("a man covered in b-l-o-o-d", "b-l-o-o-d"),
    ("n.u.d.e woman", "n.u.d.e"),
    ("n u d e woman", "n u d e"),
    ("he wants to k1ll them", "k1ll"),
    ("a n4k3d model", "n4k3d"),
    ("a photo of a nаked man", "nаked"),  # Cyrillic а
    ("ｎｕｄｅ woman", "ｎｕｄｅ"),  # full-width letters
])
def test_disguised_spellings_are_found_with_original_offsets(text, disguised):
    finding = only(scan(text))
    assert finding.text == disguised
    assert text[finding.start:finding.end] == disguised
    assert "Disguised spelling" in finding.message


def test_zero_width_characters_are_reported_and_do_not_hide_words():
    text = "a nu\u200bde figure covered in bl\u200cood"
    result = scan(text)
    words = [f for f in result.findings if f.category != "evasion"]
    assert [f.text for f in words] == ["nu\u200bde", "bl\u200cood"]
    hidden = [f for f in result.findings if f.category == "evasion"]
    assert [(f.start, f.end) for f in hidden] == [(4, 5), (28, 29)]
    assert "zero width space" in hidden[0].message


def test_bidi_controls_are_reported():
    text = "sunset \u202egnihtemos\u202c over the sea"
    hidden = [f for f in scan(text).findings if f.category == "evasion"]
    assert len(hidden) == 2
    assert all(text[f.start:f.end] in ("\u202e", "\u202c") for f in hidden)


def test_emoji_joiners_are_not_evasion():
    assert scan("a family 👨\u200d👩\u200d👧 at the beach").findings == ()


def test_accents_fold_but_offsets_stay_on_original():
    text = "Ça va — a nûde statue, très jolie"
    finding = only(scan(text), "sexual")
    assert text[finding.start:finding.end] == "nûde"


def test_leetspeak_does_not_fire_on_ordinary_numbers():
    assert scan("a 4k 3d render of a 1940s street at 8pm").findings == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_scanning_arbitrary_text_never_raises_and_spans_are_valid(text):
    result = scan(text)
    assert result.verdict in VERDICTS
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert f.text == text[f.start:f.end]
        assert f.severity in SEVERITIES


WORDS = st.sampled_from(["gun", "nude", "child", "photorealistic", "killer whale", "Obama", "the",
                         "a", "photo", "shoot", "in the style of", "Ada Lovelace", "bikini",
                         "k1ll", "g-u-n", "\u200b", "ｎｕｄｅ", "movie still:", "blood", ",", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=25).map(" ".join))
def test_prompt_like_text_spans_are_valid(text):
    result = scan(text)
    for f in result.findings:
        assert f.text == text[f.start:f.end]
        assert f.start < f.end


def test_huge_prompt_is_scanned():
    text = "a quiet meadow with gore and flowers. " * 20000  # ~760k characters
    result = scan(text)
    assert len(result.findings) == 20000
    assert result.verdict == "likely_blocked"
