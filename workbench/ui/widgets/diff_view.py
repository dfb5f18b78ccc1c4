"""Phrase-level changes between two prompts, for a proposal that comes without edits (the LLM).

Desensitize has its own edits (spans with replacements) and never needs this. A proposed text
does not, so it is diffed by words and the changes are then grouped into phrases: changes
separated only by spaces or a short connecting word are one unit ("Greg Rutkowski" →
"dramatic lighting"), never "~~Greg~~dramatic ~~Rutkowski~~lighting".
"""

from __future__ import annotations

import difflib
import re

from workbench.core.rewrite import Edit

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_GLUE_CHARS = 3  # an unchanged run this short between two changes ("a", "of") joins them


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in {'=', '-', '+'}; concatenating '=' and '+' gives `new`."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return out


def phrase_changes(old: str, new: str) -> list[Edit]:
    """The changes from `old` to `new` as phrase units: Edit(start, end) index `old`."""
    units: list[list] = []  # [start, end, before, after] being built
    pos = 0
    pending_glue = ""  # a short unchanged run after the last unit, joined if another change follows
    for op, text in word_diff(old, new):
        if op == "=":
            if units and units[-1][1] == pos and len(text.strip()) <= _GLUE_CHARS and "\n" not in text:
                pending_glue = text
            else:
                pending_glue = ""
            pos += len(text)
            continue
        if units and pending_glue and units[-1][1] + len(pending_glue) == pos:
            unit = units[-1]
            unit[1] = pos
            unit[2] += pending_glue
            unit[3] += pending_glue
        elif not units or units[-1][1] != pos:
            units.append([pos, pos, "", ""])
        pending_glue = ""
        unit = units[-1]
        if op == "-":
            unit[1] = pos + len(text)
            unit[2] += text
            pos += len(text)
        else:
            unit[3] += text
    return [_trimmed(start, before, after) for start, _end, before, after in units]


def _trimmed(start: int, before: str, after: str) -> Edit:
    """Drop the spaces both sides share at the ends, so a unit reads as its words."""
    lead = len(before) - len(before.lstrip())
    lead = min(lead, len(after) - len(after.lstrip()))
    before, after, start = before[lead:], after[lead:], start + lead
    tail = min(len(before) - len(before.rstrip()), len(after) - len(after.rstrip()))
    if tail:
        before, after = before[:-tail], after[:-tail]
    return Edit(start, start + len(before), before, after, "", "")
