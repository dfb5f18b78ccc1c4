"""Edits as data: applying them, and composing two rounds of edits into one set.

Desensitizing can take more than one round (a disguised word is first spelled plainly, then
replaced); the caller still sees one list of edits whose offsets index the original text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TypedDict

from workbench.core.rewrite.models import Edit


class _Group(TypedDict):
    """Second-round edits that overlap, with the first-round edits (by index) they touch; lo/hi
    are offsets in the first-round text."""
    lo: int
    hi: int
    second: list[Edit]
    first: set[int]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (any subset of a result's edits) to the original text.

    Raises:
        ValueError: if edits overlap or do not match the text.
    """
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos or edit.end > len(text) or edit.start > edit.end:
            raise ValueError(f"edit {edit.start}:{edit.end} overlaps another or lies outside the text")
        if text[edit.start : edit.end] != edit.before:
            raise ValueError(f"edit {edit.start}:{edit.end} does not match the text it replaces")
        out.append(text[pos : edit.start])
        out.append(edit.after)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


def _join(values: Iterable[str]) -> str:
    seen: list[str] = []
    for value in values:
        for part in value.split("; "):
            if part and part not in seen:
                seen.append(part)
    return "; ".join(seen)


def compose(original: str, first: Sequence[Edit], text1: str, second: Sequence[Edit]) -> list[Edit]:
    """Edits taking `original` straight to the result of applying `second` to `text1`
    (where `text1` is `first` applied to `original`). Overlapping or touching edits merge."""
    first = sorted(first, key=lambda e: e.start)
    second = sorted(second, key=lambda e: e.start)
    if not second:
        return list(first)
    # where each first-round edit's replacement sits in text1
    spans: list[tuple[int, int]] = []
    delta = 0
    for e in first:
        t_start = e.start + delta
        spans.append((t_start, t_start + len(e.after)))
        delta += len(e.after) - (e.end - e.start)

    # group second-round edits with each other and with the first-round edits they touch
    groups: list[_Group] = []
    for e2 in second:
        group: _Group = {"lo": e2.start, "hi": e2.end, "second": [e2], "first": set()}
        if groups and e2.start <= groups[-1]["hi"]:
            last = groups[-1]
            last["hi"] = max(last["hi"], e2.end)
            last["second"].append(e2)
        else:
            groups.append(group)
    for group in groups:
        changed = True
        while changed:
            changed = False
            for k, (t_start, t_end) in enumerate(spans):
                if k not in group["first"] and t_start <= group["hi"] and group["lo"] <= t_end:
                    group["first"].add(k)
                    group["lo"], group["hi"] = min(group["lo"], t_start), max(group["hi"], t_end)
                    changed = True
    groups = _merge_groups(groups)

    absorbed = set().union(*(g["first"] for g in groups)) if groups else set()
    out = [e for k, e in enumerate(first) if k not in absorbed]
    for group in groups:
        lo, hi = group["lo"], group["hi"]
        o_lo = _to_original(lo, spans, first, end=False)
        o_hi = _to_original(hi, spans, first, end=True)
        after = apply_edits(text1[lo:hi], [_shift(e, -lo) for e in group["second"]])
        parts = [first[k] for k in sorted(group["first"])] + group["second"]
        out.append(
            Edit(
                o_lo, o_hi, original[o_lo:o_hi], after,
                _join(p.category for p in parts), _join(p.reason for p in parts),
            )
        )
    out.sort(key=lambda e: e.start)
    return [e for e in out if e.before != e.after]


def _merge_groups(groups: list[_Group]) -> list[_Group]:
    """Groups that grew into each other through a shared first-round edit become one."""
    groups.sort(key=lambda g: g["lo"])
    merged: list[_Group] = []
    for group in groups:
        if merged and group["lo"] <= merged[-1]["hi"]:
            last = merged[-1]
            last["hi"] = max(last["hi"], group["hi"])
            last["second"] += group["second"]
            last["first"] |= group["first"]
        else:
            merged.append(group)
    return merged


def _to_original(pos: int, spans: list[tuple[int, int]], first: Sequence[Edit], *, end: bool) -> int:
    """Map a group boundary in text1 back to the original. A start boundary lands before an
    empty first-round replacement sitting exactly there; an end boundary lands after it."""
    delta = 0
    for (t_start, t_end), e in zip(spans, first, strict=False):
        before = t_end <= pos if end else (t_end < pos or (t_end == pos and t_start < pos))
        if before:
            delta += len(e.after) - (e.end - e.start)
    return pos - delta


def _shift(edit: Edit, by: int) -> Edit:
    return Edit(edit.start + by, edit.end + by, edit.before, edit.after, edit.category, edit.reason)


@functools.lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...], gap: str, suffix: str = "") -> re.Pattern[str]:
    """One case-insensitive, whole-word regex for any of `phrases` (longest first), with `gap`
    allowed between their words and an optional `suffix` ("(?:e?s)?" for plurals)."""
    ordered = sorted(phrases, key=len, reverse=True)
    body = "|".join(gap.join(map(re.escape, p.split(" "))) + suffix for p in ordered)
    return re.compile(r"(?i)(?<![A-Za-z0-9])(?:" + body + r")(?![A-Za-z0-9])")
