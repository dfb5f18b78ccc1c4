"""Misspellings of high-severity words: a word of five or more letters one edit (insert,
delete, substitute, swap) away from a lexicon word of five or more letters ("nakedd",
"decapitaed"; shorter words are too easily another word).

A word counts only when it is not itself an English word (simplemma's English dictionary is the
guard, so "hated", "glory" or "naled" never match), and it is looked up through a
symmetric-delete index, so a scan does a handful of dictionary look-ups per unknown word.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

MIN_LENGTH = 5
_CACHE_SIZE = 200_000  # words remembered per engine (a few MB at most)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by exactly one insert, delete, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return short in _deletes(long_)


@lru_cache(maxsize=4096)
def is_english_word(word: str) -> bool:
    import simplemma  # loaded on first use: most prompts never reach this

    return bool(simplemma.is_known(word, lang="en"))


class Misspellings:
    """Single-word spellings (lower case ASCII, 5+ letters) → the spelling they are one edit from.

    `words` maps each spelling to its lexicon entry, so "nakedd" (one edit from both "naked"
    and "nakeds") is still one word, while a typo between two different entries is left alone."""

    def __init__(self, words: dict[str, int]):
        self.entry = {w: e for w, e in words.items() if len(w) >= MIN_LENGTH and w.isascii() and w.isalpha()}
        self.words = frozenset(self.entry)
        # One edit changes a length by at most one: a longer token misspells nothing, and is
        # never taken apart (a 30,000-letter "word" would cost 30,000 deletes of 30,000 letters).
        self._longest = max(map(len, self.words), default=0) + 1
        # Prompts repeat their words: answer each once. Shared between threads; a dict store of
        # a word's own answer is atomic, so a race only computes an answer twice.
        self._seen: dict[str, str | None] = {}
        self._fine: set[str] = set()  # words known to misspell nothing: most of every prompt
        self._by_delete: dict[str, set[str]] = defaultdict(set)
        for word in self.words:
            self._by_delete[word].add(word)
            for d in _deletes(word):
                self._by_delete[d].add(word)

    def __bool__(self) -> bool:
        return bool(self.words)

    def corrections(self, words: set[str]) -> dict[str, str]:
        """word → the lexicon word it misspells, for those of `words` that misspell one. Words
        already known to be fine are set aside in one set difference, not looked at again."""
        out: dict[str, str] = {}
        for word in words - self._fine:
            right = self.correct(word)
            if right is not None:
                out[word] = right
            elif len(self._fine) < _CACHE_SIZE:
                self._fine.add(word)
        return out

    def correct(self, token: str) -> str | None:
        """The lexicon word `token` misspells, or None (also None for real English words)."""
        if not MIN_LENGTH <= len(token) <= self._longest or not token.isalpha() or token in self.words:
            return None
        try:
            return self._seen[token]
        except KeyError:
            pass
        answer = self._correct(token)
        if len(self._seen) < _CACHE_SIZE:
            self._seen[token] = answer
        return answer

    def _correct(self, token: str) -> str | None:
        cands: set[str] = set(self._by_delete.get(token, ()))
        for d in _deletes(token):
            cands |= self._by_delete.get(d, set())
        matches = sorted(w for w in cands if one_edit(token, w))
        if not matches or len({self.entry[w] for w in matches}) > 1 or is_english_word(token):
            return None  # none, or ambiguous between two risky words: say nothing
        return matches[0]
