"""Longest-match lookup of word phrases: the token trie behind the lexicon, scene and foreign
matchers.

A phrase is a tuple of tokens ("killer", "whale"). Looking one up at a token costs a dictionary
step per word of the longest phrase starting there, whatever the size of the table; most tokens
of a prompt start no phrase at all and are ruled out by one dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar, cast

V = TypeVar("V")


class _Node(Generic[V]):
    __slots__ = ("next", "value", "end")

    def __init__(self) -> None:
        self.next: dict[str, _Node[V]] = {}
        self.value: V | None = None
        self.end = False  # a phrase ends here (its value is `value`)


class PhraseIndex(Generic[V]):
    """Phrases (token tuples) → values, matched leftmost-longest over a token list."""

    def __init__(self, table: Mapping[tuple[str, ...], V]):
        self._root: dict[str, _Node[V]] = {}
        for phrase, value in table.items():
            nodes = self._root
            node: _Node[V] | None = None
            for token in phrase:
                node = nodes.setdefault(token, _Node())
                nodes = node.next
            if node is not None:
                node.value, node.end = value, True

    def __bool__(self) -> bool:
        return bool(self._root)

    def longest(self, words: Sequence[str], i: int) -> tuple[int, V] | None:
        """(length in tokens, value) of the longest phrase at words[i], or None."""
        node = self._root.get(words[i])
        best: tuple[int, V] | None = None
        k = i
        while node is not None:
            k += 1
            if node.end:
                best = (k - i, cast(V, node.value))  # set together with `end`
            if k >= len(words):
                break
            node = node.next.get(words[k])
        return best

    def scan(self, words: Sequence[str]) -> list[tuple[int, int, V]]:
        """(i, j, value) of each match, left to right; a match's tokens start no other."""
        starts = self._root  # a token that is no key here starts no phrase
        out: list[tuple[int, int, V]] = []
        free = 0  # tokens before this are inside the match just taken
        for i in [k for k, word in enumerate(words) if word in starts]:
            if i < free:
                continue
            found = self.longest(words, i)
            if found is not None:
                free = i + found[0]
                out.append((i, free, found[1]))
        return out
