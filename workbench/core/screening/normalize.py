"""Folding prompt text into a matchable form while keeping a map back to the original offsets.

Lower-cases, folds accents and look-alike letters (Cyrillic/Greek homoglyphs, full-width forms)
to ASCII, and removes invisible format characters (zero-width, bidi controls), recording where
they were so they can be shown to the user. ASCII text — the common case — takes a fast path
with an identity offset map.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from workbench.core.screening import confusables

# Letters that are not look-alikes but spell a Latin word letter for letter (ß = ss), and two
# near look-alikes missing from the Unicode confusables data. Look-alikes come from confusables.py.
_TRANSLITERATE = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "ð": "d", "þ": "th",
    "ω": "w", "ӏ": "l",
}


def lookalike(ch: str) -> str | None:
    """ASCII spelling of a look-alike or transliterated letter, None if `ch` is neither."""
    lower = ch.lower()
    if lower in _TRANSLITERATE:
        return _TRANSLITERATE[lower]
    # The data lists some letters only in one case (Greek Ε but not ε): try both.
    for form in (ch, lower, ch.upper()):
        if len(form) == 1:
            found = confusables.latin(form)
            if found is not None:
                return found
    return None


# Invisible characters that legitimately join emoji (👨‍👩‍👧) and are not evasion there.
_JOINERS = {"\u200c", "\u200d"}


@dataclass(frozen=True)
class Invisible:
    """A run of invisible characters in the original text."""

    start: int
    end: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class Folded:
    """Folded text plus, for each folded character, its span in the original text.

    `starts`/`ends` are None when the folding is the identity (plain ASCII input).
    """

    text: str
    starts: list[int] | None
    ends: list[int] | None
    invisible: tuple[Invisible, ...] = ()
    changed: bool = True  # False when folding only lower-cased ASCII (no look-alikes can hide)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of folded text back to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


_cache: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    """Folded form of one non-ASCII character ('' for invisible format characters)."""
    folded = _cache.get(ch)
    if folded is not None:
        return folded
    lower = ch.lower()
    alike = lookalike(ch)
    if alike is not None:
        folded = alike
    elif unicodedata.category(ch) == "Cf":
        folded = ""
    else:
        decomposed = unicodedata.normalize("NFKD", lower)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        stripped = "".join(c if c.isascii() else (lookalike(c) or c) for c in stripped).lower()
        # Keep a character we cannot fold as itself so offsets and non-Latin words survive.
        folded = stripped if stripped else lower
    if len(_cache) < 100_000:
        _cache[ch] = folded
    return folded


def _is_evasive_invisible(text: str, index: int) -> bool:
    ch = text[index]
    if ch == "\ufeff" and index == 0:
        return False  # a byte-order mark at the start of a file
    if ch in _JOINERS:
        before = text[index - 1] if index > 0 else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        return before.isalnum() or after.isalnum()
    return True


def _one_to_one(text: str) -> dict[str, str] | None:
    """The non-ASCII characters that fold to one other character (curly quotes, ×, accents,
    full-width forms) with what they fold to, when every non-ASCII character folds to exactly
    one (CJK folds to itself) and `_replace_folded` gives the exact folding; else None
    (invisible characters, ß → ss, a capital whose lower case is two characters)."""
    changes: dict[str, str] = {}
    for ch in set(text):
        if not ch.isascii():
            folded = _fold_char(ch)
            if len(folded) != 1 or folded != folded.lower() or (folded == ch and ch != ch.lower()):
                return None  # lower() at the end would change it: not a plain replacement
            if folded != ch:
                changes[ch] = folded
    if any(f in changes for f in changes.values()):
        return None  # a folded character that is itself folded: replacements would chain
    return changes


def _replace_folded(text: str, changes: dict[str, str]) -> str:
    """`text` folded: a few `str.replace` calls and one `lower()`, several times faster than
    `translate`, which looks every character up in a table."""
    for ch, folded in changes.items():
        text = text.replace(ch, folded)
    return text.lower()


@functools.lru_cache(maxsize=8)  # folding, constraint scope and scenes lower the same text
def lower_same_length(text: str) -> str:
    """`text.lower()` with every offset kept: a rare letter whose lower case is longer (İ)
    stays as it is."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def fold(text: str) -> Folded:
    """Fold `text` for matching; see the module docstring."""
    if text.isascii():
        return Folded(lower_same_length(text), None, None, changed=False)
    changes = _one_to_one(text)
    if changes is not None:  # every character folds to one: offsets stay the identity
        return Folded(_replace_folded(text, changes), None, None, changed=bool(changes))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    invisible: list[Invisible] = []
    run_start = -1
    run_names: list[str] = []
    for index, ch in enumerate(text):
        if ch.isascii():
            out.append(ch.lower())
            starts.append(index)
            ends.append(index + 1)
            folded = ch
        else:
            folded = _fold_char(ch)
            for c in folded:
                out.append(c)
                starts.append(index)
                ends.append(index + 1)
        if folded == "" and _is_evasive_invisible(text, index):
            if run_start < 0:
                run_start = index
            run_names.append(unicodedata.name(ch, f"U+{ord(ch):04X}"))
        elif run_start >= 0:
            invisible.append(Invisible(run_start, index, tuple(run_names)))
            run_start, run_names = -1, []
    if run_start >= 0:
        invisible.append(Invisible(run_start, len(text), tuple(run_names)))
    return Folded("".join(out), starts, ends, tuple(invisible))
