"""The words of a lower-cased text and where they stand, found once for the stages that read
words (scenes, policy contexts) rather than the lexicon's folded tokens.

A word is a run of letters and digits (`[^\\W_]+`). Placing words with `finditer` builds a match
object per word, most of the cost on a long prompt; splitting on the capturing pattern gives
separators and words in turn, so the running sum of their lengths is every boundary, in C.
"""

from __future__ import annotations

import functools
import re
from itertools import accumulate

WORD = re.compile(r"[^\W_]+")
_SPLIT = re.compile(f"({WORD.pattern})")


def words_in(phrase: str) -> list[str]:
    """The words of a phrase as the scanning stages see them (lower-cased first, as they lower
    the prompt): how scene vocabulary and context phrases are read from their files."""
    return WORD.findall(phrase.lower())


class Words:
    """`words` of one lower-cased text; `starts` and `ends` computed on first use (most
    prompts are judged without placing a single word)."""

    __slots__ = ("text", "words", "_placed")

    def __init__(self, text: str):
        self.text = text
        self.words: list[str] = WORD.findall(text)
        self._placed: tuple[list[int], list[int]] | None = None

    @property
    def starts(self) -> list[int]:
        return self._place()[0]

    @property
    def ends(self) -> list[int]:
        return self._place()[1]

    def _place(self) -> tuple[list[int], list[int]]:
        if self._placed is None:  # separator, word, separator, …, separator
            bounds = list(accumulate(map(len, _SPLIT.split(self.text))))
            self._placed = bounds[0:-1:2], bounds[1::2]
        return self._placed


@functools.lru_cache(maxsize=4)
def words_of(low: str) -> Words:
    """The words of `low` (already lower-cased), shared by the stages that scan the same text."""
    return Words(low)
