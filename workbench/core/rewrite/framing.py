"""Framing statements: which to suggest for the categories found, and inserting one.

The framings and their weights are data (resources/rewrite/framings.toml). A prompt never gets
a second framing: if any known framing is already in it, in any case, inserting is a no-op.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from workbench import paths
from workbench.core.errors import LexiconError
from workbench.core.rewrite.edits import compose
from workbench.core.rewrite.models import Edit, FramingSuggestion, RewriteResult
from workbench.core.screening.models import SEVERITY_RANK, VERDICTS, ScanResult

FRAMING_CATEGORY = "framing"
# First words that follow a framing in lower case ("Museum diorama of two knights").
_LOWER_AFTER_FRAMING = frozenset(
    "a an the one two three four five six seven eight nine ten some several many few this these "
    "that those an".split()
)


@dataclass(frozen=True)
class Framing:
    id: str
    text: str
    prefix: str
    detect: tuple[str, ...]
    rationale: str
    weights: dict[str, float]


def parse_framings(text: str, name: str = "framings.toml") -> tuple[Framing, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{name} is not valid TOML: {exc}") from None
    out = []
    for raw in data.get("framing", []):
        if not all(isinstance(raw.get(k), str) and raw.get(k) for k in ("id", "text", "prefix")):
            raise LexiconError(f"{name}: every [[framing]] needs id, text and prefix")
        out.append(
            Framing(
                id=raw["id"],
                text=raw["text"],
                prefix=raw["prefix"],
                detect=tuple(raw.get("detect", ())) + (_core(raw["text"]),),
                rationale=str(raw.get("rationale", "")),
                weights={str(k): float(v) for k, v in raw.get("weights", {}).items()},
            )
        )
    return tuple(out)


_lock = threading.Lock()
_cached: tuple[Framing, ...] | None = None


def known_framings(path: Path | None = None) -> tuple[Framing, ...]:
    """The shipped framings (parsed once), or those of `path`."""
    global _cached
    if path is not None:
        return parse_framings(path.read_text(encoding="utf-8"), path.name)
    with _lock:
        if _cached is None:
            source = paths.resource("rewrite", "framings.toml")
            try:
                _cached = parse_framings(source.read_text(encoding="utf-8"), source.name)
            except OSError as exc:
                raise LexiconError(f"cannot read {source}: {exc}") from None
        return _cached


def suggest_framings(
    scan_result: ScanResult, *, limit: int = 4, framings: tuple[Framing, ...] | None = None
) -> list[FramingSuggestion]:
    """Framings that answer the categories found, best first. None for a hard line (a framing
    never gets it through) or for a prompt that already has a framing."""
    framings = framings or known_framings()
    worst: dict[str, int] = {}
    for f in scan_result.findings:
        worst[f.category] = max(worst.get(f.category, 0), SEVERITY_RANK[f.severity] + 1)
    if not worst or max(worst.values()) > SEVERITY_RANK["high"] + 1:
        return []
    if any(f.stage == "scene" for f in scan_result.findings):
        return []  # a framing in front of a harmful scene would only disguise it
    if find_framing(scan_result.text, framings) is not None:
        return []
    scored = []
    for order, framing in enumerate(framings):
        answered = [c for c in worst if framing.weights.get(c, 0) > 0]
        score = sum(framing.weights[c] * worst[c] for c in answered)
        if score > 0:
            scored.append((-score, order, framing, answered))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [
        FramingSuggestion(f.id, f.text, f.rationale, -neg, tuple(answered))
        for neg, _, f, answered in scored[:limit]
    ]


def find_framing(text: str, framings: tuple[Framing, ...] | None = None) -> str | None:
    """The known framing phrase already present in `text` (any case), if any."""
    span = framing_span(text, framings)
    return text[span[0] : span[1]] if span else None


def framing_span(text: str, framings: tuple[Framing, ...] | None = None) -> tuple[int, int] | None:
    """Where a known framing stands in `text`: its whole prefix if the prompt starts with one
    of ours, else the first detect phrase found."""
    framings = framings or known_framings()
    lead = len(text) - len(text.lstrip())
    for framing in framings:
        prefix = framing.prefix.strip()
        if text[lead : lead + len(prefix)].lower() == prefix.lower():
            return lead, lead + len(prefix)
    match = _detect_pattern(framings).search(text)
    return (match.start(), match.end()) if match else None


def apply_framing(text: str, framing: str | FramingSuggestion | Framing) -> str:
    """`text` with the framing put in front, or `text` unchanged if it already has one (any
    known framing, any case) or is blank."""
    if not text.strip():
        return text
    framings = known_framings()
    prefix = _prefix_for(framing, framings)
    if find_framing(text, framings) is not None or f" {_core(prefix)} " in f" {_core(text)} ":
        return text
    lead = len(text) - len(text.lstrip())
    body = text[lead:]
    first = re.match(r"[A-Za-z]+", body)
    word = first.group() if first else ""
    if word.lower() in _LOWER_AFTER_FRAMING and (len(word) == 1 or word[1:].islower()):
        body = body[0].lower() + body[1:]
    return text[:lead] + prefix + body


def with_framing(result: RewriteResult, framing: str | FramingSuggestion | Framing, scanner=None) -> RewriteResult:
    """A desensitize result with a framing added: one more edit, re-screened. A hard-blocked
    result, or one whose text already has a framing, comes back unchanged."""
    if result.hard_block or any(f.stage == "scene" for f in result.remaining):
        return result  # never frame a hard line or a harmful scene
    framed = apply_framing(result.rewritten, framing)
    if framed == result.rewritten:
        return result
    edit = _diff_edit(result.rewritten, framed)
    edits = compose(result.original, list(result.edits), result.rewritten, [edit])
    if scanner is None:
        from workbench.core.screening import scan as scanner
    remaining = scanner(framed).findings
    return replace(
        result,
        rewritten=framed,
        edits=tuple(edits),
        remaining=remaining,
        framing=_prefix_for(framing, known_framings()).strip(),
    )


def best_framing(
    result: RewriteResult, suggestions: list[FramingSuggestion], scanner=None
) -> RewriteResult:
    """`result` with the best-ranked suggested framing that does not make its verdict worse
    (a framing's own words can combine with the prompt, e.g. "war" near a child), or `result`
    itself if none qualifies."""
    worst_allowed = VERDICTS.index(result.verdict)
    for suggestion in suggestions:
        framed = with_framing(result, suggestion, scanner)
        if framed is not result and VERDICTS.index(framed.verdict) <= worst_allowed:
            return framed
    return result


def framing_text(framing: str | FramingSuggestion | Framing) -> str:
    return framing if isinstance(framing, str) else framing.text


def _prefix_for(framing: str | FramingSuggestion | Framing, framings: tuple[Framing, ...]) -> str:
    """The words to put in front: a known framing's own prefix, or custom text + ': '."""
    wanted = framing_text(framing)
    for known in framings:
        if _core(known.text) == _core(wanted) or known.id == getattr(framing, "id", None):
            return known.prefix
    wanted = " ".join(wanted.split())
    if not wanted:
        raise ValueError("empty framing")
    if wanted.endswith((":", ",", "-", "—")) or wanted.lower().endswith((" of", " depicting", " showing")):
        return wanted + " "
    return wanted + ": "


def _core(text: str) -> str:
    """Lower-case words only, for comparing framings ('Movie still:' == 'movie  STILL')."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


_pattern_cache: dict[int, re.Pattern[str]] = {}


def _detect_pattern(framings: tuple[Framing, ...]) -> re.Pattern[str]:
    pattern = _pattern_cache.get(id(framings))
    if pattern is None:
        phrases = sorted({_core(p) for f in framings for p in f.detect if _core(p)}, key=len, reverse=True)
        body = "|".join(r"[\s\-_]+".join(map(re.escape, p.split(" "))) for p in phrases)
        pattern = re.compile(r"(?i)(?<![A-Za-z0-9])(?:" + body + r")(?![A-Za-z0-9])")
        _pattern_cache[id(framings)] = pattern
    return pattern


def _diff_edit(before: str, after: str) -> Edit:
    """The single edit turning `before` into `after` (common prefix and suffix kept)."""
    lo = 0
    limit = min(len(before), len(after))
    while lo < limit and before[lo] == after[lo]:
        lo += 1
    hi = 0
    while hi < limit - lo and before[len(before) - 1 - hi] == after[len(after) - 1 - hi]:
        hi += 1
    return Edit(
        lo, len(before) - hi, before[lo : len(before) - hi], after[lo : len(after) - hi],
        FRAMING_CATEGORY, "A creative framing tells the classifier the scene is a work of fiction or history.",
    )
