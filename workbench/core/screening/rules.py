"""Context and combination rules (resources/rules/*.toml), loaded into plain records.

Three kinds, all data:
- `[[context]]` — nearby words change a finding: `clear` it ("shoot" near "photo"), `lower`
  or `raise` its severity, or `set` a category/severity.
- `[[combine]]` — co-occurrence within a token window: `add` a finding on a span ("child" +
  "photorealistic" → minors), `escalate` findings ("child" + a sexual term → sexual/minors,
  critical) or `lower` them (a framing such as "movie still" lowers violence; never critical).
- `[[style]]` — "in the style of <Capitalised Name>" where the name is not in any lexicon.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import LexiconError
from workbench.core.screening.lexicon import string_list, tokens_of
from workbench.core.screening.models import SEVERITIES

CONTEXT_ACTIONS = ("clear", "lower", "raise", "set", "note")
COMBINE_ACTIONS = ("add", "escalate", "lower", "note")


@dataclass(frozen=True)
class Selector:
    """`tag:minor`, `category:sexual`, `term:shoot` or `any` (any finding)."""

    kind: str
    value: str

    @classmethod
    def parse(cls, text: str, where: str) -> Selector:
        if text == "any":
            return cls("any", "")
        kind, _, value = text.partition(":")
        if kind not in ("tag", "category", "term") or not value:
            raise LexiconError(f"{where}: selector '{text}' must be tag:X, category:X, term:X or any")
        return cls(kind, " ".join(tokens_of(value)) if kind == "term" else value)


@dataclass(frozen=True)
class ContextRule:
    id: str
    terms: frozenset[str]
    categories: frozenset[str]
    near: tuple[tuple[str, ...], ...]
    window: int
    action: str
    severity: str | None
    category: str | None
    note: str


@dataclass(frozen=True)
class CombineRule:
    id: str
    when: tuple[Selector, ...]
    on: Selector
    window: int
    action: str
    category: str | None
    severity: str | None
    message: str
    replacements: tuple[str, ...]


@dataclass(frozen=True)
class StyleRule:
    id: str
    after: tuple[tuple[str, ...], ...]
    category: str
    severity: str
    message: str
    replacements: tuple[str, ...]
    max_words: int
    lowercase: bool = False  # also lower-case names ("art by jane doe"), checked against not_names
    not_names: frozenset[str] = frozenset()  # words that never start or continue a name
    joiners: frozenset[str] = frozenset()  # "and": the credit goes on to a further name


@dataclass(frozen=True)
class MentionRule:
    """When a mention (a term that is no risk alone, `alone = "note"`) counts after all: another
    finding of a cue category within `window` characters that is a request, not a mention."""

    window: int = 400
    min_severity: str = "medium"
    cues: dict[str, frozenset[str]] = field(default_factory=dict)  # category → cue categories

    def cues_for(self, category: str) -> frozenset[str]:
        return self.cues.get(category) or self.cues.get(category.split("/")[0]) or frozenset({category})


@dataclass
class Rules:
    context: list[ContextRule]
    combine: list[CombineRule]
    style: list[StyleRule]
    mention: MentionRule = field(default_factory=MentionRule)


def _strs(value: Any, where: str) -> tuple[str, ...]:
    return string_list(value, "value", where)


def _severity(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if value not in SEVERITIES:
        raise LexiconError(f"{where}: severity '{value}' is not one of {', '.join(SEVERITIES)}")
    return str(value)


def _context(raw: dict[str, Any], where: str) -> ContextRule:
    rid = str(raw.get("id") or "")
    where = f"{where} context '{rid}'"
    action = raw.get("action", "clear")
    if not rid or action not in CONTEXT_ACTIONS:
        raise LexiconError(f"{where}: needs an id and action in {CONTEXT_ACTIONS}")
    return ContextRule(
        id=rid,
        terms=frozenset(" ".join(tokens_of(t)) for t in _strs(raw.get("terms"), where)),
        categories=frozenset(_strs(raw.get("categories"), where)),
        near=tuple(t for t in (tokens_of(n) for n in _strs(raw.get("near"), where)) if t),
        window=int(raw.get("window", 4)),
        action=action,
        severity=_severity(raw.get("severity"), where),
        category=raw.get("category"),
        note=str(raw.get("note", "")),
    )


def _combine(raw: dict[str, Any], where: str) -> CombineRule:
    rid = str(raw.get("id") or "")
    where = f"{where} combine '{rid}'"
    action = raw.get("action", "add")
    if not rid or action not in COMBINE_ACTIONS or "on" not in raw:
        raise LexiconError(f"{where}: needs id, on, and action in {COMBINE_ACTIONS}")
    return CombineRule(
        id=rid,
        when=tuple(Selector.parse(s, where) for s in _strs(raw.get("when"), where)),
        on=Selector.parse(str(raw["on"]), where),
        window=int(raw.get("window", 40)),
        action=action,
        category=raw.get("category"),
        severity=_severity(raw.get("severity"), where),
        message=str(raw.get("message", "")),
        replacements=_strs(raw.get("replacements"), where),
    )


def _style(raw: dict[str, Any], where: str) -> StyleRule:
    rid = str(raw.get("id") or "")
    where = f"{where} style '{rid}'"
    return StyleRule(
        id=rid,
        after=tuple(t for t in (tokens_of(a) for a in _strs(raw.get("after"), where)) if t),
        category=str(raw.get("category", "living-artist")),
        severity=_severity(raw.get("severity", "low"), where) or "low",
        message=str(raw.get("message", "")),
        replacements=_strs(raw.get("replacements"), where),
        max_words=int(raw.get("max_words", 3)),
        lowercase=bool(raw.get("lowercase", False)),
        not_names=frozenset(w for n in _strs(raw.get("not_names"), where) for w in tokens_of(n)),
        joiners=frozenset(w for n in _strs(raw.get("joiners"), where) for w in tokens_of(n)),
    )


def load_rules(paths: list[Path]) -> Rules:
    rules = Rules([], [], [])
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise LexiconError(f"cannot read rules file {path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise LexiconError(f"rules file {path.name} is not valid TOML: {exc}") from None
        rules.context += [_context(r, path.name) for r in data.get("context", [])]
        rules.combine += [_combine(r, path.name) for r in data.get("combine", [])]
        rules.style += [_style(r, path.name) for r in data.get("style", [])]
        if "mention" in data:
            rules.mention = _mention(data["mention"], path.name)
    return rules


def _mention(raw: Any, where: str) -> MentionRule:
    where = f"{where} [mention]"
    if not isinstance(raw, dict) or not isinstance(raw.get("cues", {}), dict):
        raise LexiconError(f"{where}: must be a table with a [mention.cues] table")
    return MentionRule(
        window=int(raw.get("window", 400)),
        min_severity=_severity(raw.get("min_severity", "medium"), where) or "medium",
        cues={str(k): frozenset(_strs(v, where)) for k, v in raw.get("cues", {}).items()},
    )
