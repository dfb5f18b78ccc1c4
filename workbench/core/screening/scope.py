"""Constraint scope: the stretches of a prompt that say what must *not* be in the image.

"no gore, no nudity", "without weapons", "avoid blood", "Negative prompt: …", "不要血": a term
inside such a stretch is mentioned, not requested. Scope starts at a cue and ends at the
clause boundary (NegEx style), so "no blood. A knife fight" keeps the knife fight.

`constraint_spans(text)` is the one call: (start, end) offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from workbench.core.screening import clauses as clause_split
from workbench.core.screening.models import Finding

# Cues that open a constraint; the scope runs from the cue to the end of its clause.
_CUE = re.compile(
    r"(?i)\b(?:no|not|never|without|avoid(?:ing)?|exclude|excluding|free of|do not (?:include|show|add|depict)|"
    r"don't (?:include|show|add|depict)|negative prompt\s*:)(?=\W)"
    r"|不要|禁止|不含|没有|なし|禁止"
)


def constraint_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are constraints, in order."""
    out: list[tuple[int, int]] = []
    for clause in clause_split.split(text):
        m = _CUE.search(text, clause.start, clause.end)
        if m is not None:
            out.append((m.start(), clause.end))
    return out


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies wholly inside one of `spans`."""
    return any(s <= start and end <= e for s, e in spans)


def set_aside(text: str, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(requests, notes): findings that sit after a cue inside a constraint become notes with
    severity "info" and scope "constraint". A term that contains the cue itself ("without
    clothes") stays a request, and so do findings of other stages (evasion stays visible)."""
    spans = constraint_spans(text)
    if not spans:
        return findings, []
    kept, notes = [], []
    for f in findings:
        if f.category != "evasion" and any(s < f.start and f.end <= e for s, e in spans):
            notes.append(replace(f, severity="info", scope="constraint", stage="context",
                                 message=f"Mentioned in a constraint, not requested: {f.message}"))
        else:
            kept.append(f)
    return kept, notes
