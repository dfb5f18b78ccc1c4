"""Constraint scope: the stretches of a prompt that say what must *not* be in the image.

"no gore, no nudity", "without weapons", "avoid blood", "Negative prompt: …", "不要血": a term
inside such a stretch is mentioned, not requested. Scope starts at a cue and ends at the
clause boundary (NegEx style), so "no blood. A knife fight" keeps the knife fight.

`constraint_spans(text)` is the one call: (start, end) offsets into the original text.
"""

from __future__ import annotations

import functools
import re

from workbench.core.screening import clauses as clause_split
from workbench.core.screening.normalize import lower_same_length

# The patterns read lower-cased text (one `lower()` per text is far cheaper than `(?i)` at every
# position). Cues that open a constraint; the scope runs from the cue to the end of its clause, or to a
# turn ("but", "while") or a comma that starts a new description (more than a short list item).
_CUE = re.compile(
    r"\b(?:no(?!\s+(?:more|less|longer|matter|doubt|one)\b)(?!\.\s*\d)|not(?!\s+only\b)|never|"
    r"without|avoid(?:ing|s)?|exclude[sd]?|excluding|free of|rather than|instead of|non-|"
    r"do(?:es)? not (?:include|show|add|depict|draw|render)|don'?t (?:include|show|add|depict|draw|render)|"
    r"negative(?:[ _]prompts?)?\s*[:：]|sin|ohne|kein\w*|sans|pas de|sem|nenhum\w*|aucun\w*)(?=\W)"
    r"|不要|禁止|不含|没有|无|なし|無し"
)
_TURN = re.compile(r"\b(?:but|however|while|whereas|yet|instead|except)\b")
_COMMA = re.compile(r"[,，、]")
_LIST_ITEM_WORDS = 4  # "no text, logos, or watermarks": short items stay in the constraint
_LIST_ITEM_CJK = 6  # characters: "不要背景人物，一个裸体女人…" — the second item is a new description
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# "Avoid:", "Negative:", "Exclude:" open a list after the colon; after a phrase cue ("Without
# blood or weapons: …", "No filters: …") a colon starts the request itself, so it ends the scope.
_HEADER = re.compile(r"[ \t]*[:：]")
_COLON = re.compile(r"[:：]")
_LABEL = re.compile(r"(?:^|(?<=[.;\n]))\s*[a-z][a-z ]{0,24}[:：]")  # "Prompt:", "Positive:" after a break


def constraint_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are constraints, in order."""
    return list(_spans(text))


@functools.lru_cache(maxsize=4)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """Cached: the scope and scene stages of one scan both ask for the same text."""
    out: list[tuple[int, int]] = []
    low = lower_same_length(text)
    for clause in clause_split.split(text):
        pos = clause.start
        while pos < clause.end:
            m = _CUE.search(low, pos, clause.end)
            if m is None:
                break
            header = _HEADER.match(low, m.end(), clause.end)
            if header is not None or m.group().endswith(":"):  # "Avoid: blood, gore"
                end = _header_end(low, header.end() if header else m.end(), clause.end)
            else:
                end = _scope_end(low, m.end(), clause.end)
            out.append((m.start(), end))
            pos = max(end, m.end())
    return tuple(out)


def _header_end(text: str, start: int, limit: int) -> int:
    """A header's list ("Negative prompt: a, b") runs to the clause end or the next label."""
    label = _LABEL.search(text, start, limit)
    return label.start() if label is not None else limit


def _scope_end(text: str, start: int, limit: int) -> int:
    """Where a scope that opened at `start` ends: a colon, a turn word, or a comma followed by
    a long item."""
    colon = _COLON.search(text, start, limit)
    if colon is not None:
        limit = colon.start()
    turn = _TURN.search(text, start, limit)
    if turn is not None:
        limit = turn.start()
    for comma in _COMMA.finditer(text, start, limit):
        nxt = _COMMA.search(text, comma.end(), limit)
        item = text[comma.end() : nxt.start() if nxt else limit]
        if _CUE.search(item) is None and _long_item(item):
            return comma.start()
    return limit


def _long_item(item: str) -> bool:
    if _CJK.search(item):
        return len(item.strip()) > _LIST_ITEM_CJK
    return len(item.split()) > _LIST_ITEM_WORDS


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies wholly inside one of `spans`."""
    return any(s <= start and end <= e for s, e in spans)

