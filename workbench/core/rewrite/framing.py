"""Framing statements: which to suggest for the prompt's subject and categories, and fitting one in.

The framings, their weights, the subjects they suit and the words they clash with are data
(resources/rewrite/framings.toml). A prompt never gets a second framing: if any known framing
is already in it, in any case, inserting is a no-op. A framing is fitted, not stacked: a
painterly framing turns the prompt's photo words into its own medium ("photorealistic" →
"richly detailed") instead of contradicting them, a medium the prompt opens with ("A photo
of …", "Illustrated …") is replaced rather than doubled, and the inserted words follow the
prompt's own capitalisation.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench import paths
from workbench.core.errors import LexiconError
from workbench.core.rewrite.edits import apply_edits, compose, phrase_pattern
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
    subjects: tuple[str, ...] = ()  # the prompt must name one of these ("" = any subject)
    clashes: tuple[str, ...] = ()  # never in front of a prompt that names one of these
    medium: str = ""  # "painting", "illustration", …: photo words become this medium
    photo_words: dict[str, str] = field(default_factory=dict)  # photo word → painterly word


def parse_framings(text: str, name: str = "framings.toml") -> tuple[Framing, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{name} is not valid TOML: {exc}") from None
    photo_words = {_core(k): str(v) for k, v in data.get("photo_words", {}).items()}
    out = []
    for raw in data.get("framing", []):
        if not all(isinstance(raw.get(k), str) and raw.get(k) for k in ("id", "text", "prefix")):
            raise LexiconError(f"{name}: every [[framing]] needs id, text and prefix")
        medium = str(raw.get("medium", ""))
        out.append(
            Framing(
                id=raw["id"],
                text=raw["text"],
                prefix=raw["prefix"],
                detect=tuple(raw.get("detect", ())) + (_core(raw["text"]),),
                rationale=str(raw.get("rationale", "")),
                weights={str(k): float(v) for k, v in raw.get("weights", {}).items()},
                subjects=tuple(_core(w) for w in raw.get("subjects", ())),
                clashes=tuple(_core(w) for w in raw.get("clashes", ())),
                medium=medium,
                photo_words={k: v.replace("{medium}", medium) for k, v in photo_words.items()} if medium else {},
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
    words = f" {_core(scan_result.text)} "
    scored = []
    for order, framing in enumerate(framings):
        if not fits_subject(framing, words):
            continue
        answered = [c for c in worst if framing.weights.get(c, 0) > 0]
        score = sum(framing.weights[c] * worst[c] for c in answered)
        if score > 0:
            scored.append((-score, order, framing, answered))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [
        FramingSuggestion(f.id, f.text, f.rationale, -neg, tuple(answered))
        for neg, _, f, answered in scored[:limit]
    ]


def fits_subject(framing: Framing, padded_words: str) -> bool:
    """Whether a framing suits the prompt's subject: it names one of the framing's subjects
    (if it has any) and none of the words it clashes with (a war-drama still in front of a
    cartoon mouse or a kitchen). `padded_words` is `f" {_core(text)} "`."""
    if any(_has(padded_words, w) for w in framing.clashes):
        return False
    return not framing.subjects or any(_has(padded_words, w) for w in framing.subjects)


def _has(padded_words: str, word: str) -> bool:
    """Whole-word test, with plurals: 'soldier' is in ' two soldiers '."""
    return any(f" {word}{end} " in padded_words for end in ("", "s", "es"))


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
    """`text` with the framing fitted in front, or `text` unchanged if it already has one (any
    known framing, any case) or is blank."""
    return apply_edits(text, framing_edits(text, framing))


# A medium the prompt opens with: replaced by the framing's rather than doubled.
_OPENING_MEDIUM = re.compile(
    r"(?i)^(?:(?:a|an|the)\s+)?(?:[\w-]+\s+)?(?:photo(?:graph)?|picture|image|illustration|painting|drawing|"
    r"render(?:ing)?|sketch|artwork|still)\s+(?:of|showing|depicting)\s+"
)


def framing_edits(text: str, framing: str | FramingSuggestion | Framing) -> list[Edit]:
    """The edits that fit a framing into `text`: the prefix (its case fitted to the prompt,
    replacing a medium the prompt opens with), and, for a painterly framing, its photo words
    turned into the framing's medium. [] if `text` is blank or already has a framing."""
    if not text.strip():
        return []
    framings = known_framings()
    prefix = _prefix_for(framing, framings)
    if find_framing(text, framings) is not None or f" {_core(prefix)} " in f" {_core(text)} ":
        return []
    known = _known(framing, framings)
    lead = len(text) - len(text.lstrip())
    cut = lead
    opening = _OPENING_MEDIUM.match(text, lead) if prefix.rstrip().endswith((" of", ":")) else None
    if opening is not None and _words_after(text, opening.end()) >= 2:
        cut = opening.end()
    cut = _skip_doubled(text, cut, prefix)
    body_first = text[cut : cut + 1]
    edits: list[Edit] = []
    insert = _cased_prefix(text, prefix)
    lowered = ""
    first = re.match(r"[A-Za-z]+", text[cut:])
    word = first.group() if first else ""
    if word and word[0].isupper() and (len(word) == 1 or word[1:].islower()):
        common = word.lower() in _LOWER_AFTER_FRAMING
        if common or (prefix.rstrip().endswith(" of") and _lower_elsewhere(text, cut + len(word), word)):
            lowered = body_first.lower()
    end = cut + (1 if lowered else 0)
    edits.append(Edit(lead, end, text[lead:end], insert + lowered, FRAMING_CATEGORY, _FRAMING_REASON))
    if known is not None and known.photo_words:
        edits += _photo_word_edits(text, end, known)
    return edits


def _lower_elsewhere(text: str, pos: int, word: str) -> bool:
    """Whether the prompt writes `word` in lower case later on (so its capital is only the
    sentence's, and goes once a framing stands before it)."""
    return re.search(rf"(?<![A-Za-z]){re.escape(word.lower())}(?![A-Za-z])", text[pos:]) is not None


def _known(framing: str | FramingSuggestion | Framing, framings: tuple[Framing, ...]) -> Framing | None:
    if isinstance(framing, Framing):
        return framing
    wanted = _core(framing_text(framing))
    return next((f for f in framings if _core(f.text) == wanted or f.id == getattr(framing, "id", None)), None)


def _words_after(text: str, pos: int) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text[pos:]))


def _skip_doubled(text: str, pos: int, prefix: str) -> int:
    """Past the prompt's first word if it repeats the prefix's medium ('Storybook illustration
    of' + 'illustrated children' → '… of children')."""
    m = re.match(r"([A-Za-z]+)[\s,]+", text[pos:])
    if m is None or _words_after(text, pos + m.end()) < 1:
        return pos
    stem = m.group(1).lower()[:6]
    if len(stem) >= 5 and any(w.lower().startswith(stem) for w in re.findall(r"[A-Za-z]+", prefix)):
        return pos + m.end()
    return pos


def _cased_prefix(text: str, prefix: str) -> str:
    """The prefix in the prompt's case: all caps for a shouted prompt, as written (a capital
    to start the prompt) otherwise."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) > 3 and all(ch.isupper() for ch in letters):
        return prefix.upper()
    return prefix


def _photo_word_edits(text: str, start: int, framing: Framing) -> list[Edit]:
    """A painterly framing's medium replaces the photo words it would contradict."""
    out = []
    for m in _photo_pattern(framing).finditer(text, start):
        after = framing.photo_words.get(_core(m.group()), "")
        if not after:
            continue
        if m.group()[:1].isupper() and m.start() != start:  # right after the prefix: lower case
            after = after[:1].upper() + after[1:]
        out.append(Edit(m.start(), m.end(), m.group(), after, FRAMING_CATEGORY,
                        f"A {framing.medium} framing replaces the photo words it would contradict."))
    return out


def _photo_pattern(framing: Framing) -> re.Pattern[str]:
    return phrase_pattern(tuple(framing.photo_words), r"[\s\-]*")


_FRAMING_REASON = "A creative framing tells the classifier the scene is a work of fiction or history."


def with_framing(result: RewriteResult, framing: str | FramingSuggestion | Framing,
                 scanner: Callable[[str], ScanResult] | None = None) -> RewriteResult:
    """A desensitize result with a framing added: one more edit, re-screened. A hard-blocked
    result, or one whose text already has a framing, comes back unchanged."""
    if result.hard_block or any(f.stage == "scene" for f in result.remaining):
        return result  # never frame a hard line or a harmful scene
    added = framing_edits(result.rewritten, framing)
    if not added:
        return result
    framed = apply_edits(result.rewritten, added)
    edits = compose(result.original, list(result.edits), result.rewritten, added)
    if scanner is None:
        from workbench.core.screening import scan

        scanner = scan
    remaining = scanner(framed).findings
    return replace(
        result,
        rewritten=framed,
        edits=tuple(edits),
        remaining=remaining,
        framing=_prefix_for(framing, known_framings()).strip(),
    )


def best_framing(
    result: RewriteResult, suggestions: list[FramingSuggestion], scanner: Callable[[str], ScanResult] | None = None
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
