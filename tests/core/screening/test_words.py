"""The shared word list: the words and their offsets are exactly what `finditer` would place."""

import random

import pytest

from workbench.core.screening.words import WORD, Words, words_of

SAMPLES = [
    "",
    "a",
    "   ",
    "___",
    "one two  three",
    "snake_case, hyphen-ated; it's 3d-printed 1girl",
    "naïve café über straße",
    "猫が好き and 中文 mixed, 日本語。",
    "emoji 😀 between",
    "ends with a word",
    ",starts after a comma",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_offsets_are_those_finditer_places(text):
    words = Words(text)
    assert words.words == [m.group() for m in WORD.finditer(text)]
    assert list(zip(words.starts, words.ends, strict=True)) == [m.span() for m in WORD.finditer(text)]


def test_offsets_on_random_text_with_every_kind_of_separator():
    rng = random.Random(7)
    alphabet = "ab1é猫 _-.,;\n\t'😀"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        words = Words(text)
        assert [text[s:e] for s, e in zip(words.starts, words.ends, strict=True)] == words.words
        assert list(zip(words.starts, words.ends, strict=True)) == [m.span() for m in WORD.finditer(text)]


def test_a_text_is_read_once_for_the_stages_that_share_it():
    text = "a knight with a sword, at the museum " + str(random.random())
    assert words_of(text) is words_of(text)

