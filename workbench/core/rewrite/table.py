"""The rewrite table (resources/rewrite/replacements.toml): what each risky term becomes.

Three layers, most specific first: a per-term entry written with its grammar (plural, -ing,
past and attributive forms); the lexicon's own suggestion carried on the finding; and a
per-category fallback. See resources/rewrite/README.md for the file format.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import paths
from workbench.core.errors import LexiconError

FORM_NAMES = ("base", "plural", "ing", "past")
STRATEGY_KINDS = ("phrase", "style", "remove", "normalize", "minors", "keep")
_KEY = re.compile(r"[a-z0-9]+")


def term_key(text: str) -> str:
    """Lexicon-style key: lower-case alphanumeric tokens joined by one space."""
    return " ".join(_KEY.findall(text.lower()))


@dataclass(frozen=True)
class Phrase:
    """A replacement with the forms it takes in different grammatical positions."""

    singular: str
    plural: str | None = None  # None: derived from `singular` (unless `mass`)
    attributive: str | None = None  # right before another noun: "sword fight" → "ceremonial fight"
    ing: str | None = None  # for -ing forms: "fighting" → "in a dramatic standoff"
    past: str | None = None  # for -ed and irregular past forms
    verb: str | None = None  # bare verb after to / they / will: "they fight" → "they face off"
    mass: bool = False  # uncountable or plural-only: never takes a/an
    forms: dict[str, str] = field(default_factory=dict)  # irregular written form → form name


@dataclass(frozen=True)
class Strategy:
    """How one category is rewritten, and what to say about it."""

    category: str
    kind: str
    reason: str
    fallback: Phrase | None
    rule_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class RewriteTable:
    terms: dict[str, Phrase]
    strategies: tuple[Strategy, ...]
    minor_context: dict[str, Phrase]  # minors: realism/attire/bathing words → safe equivalents
    hard_line_reason: str
    containing: dict[str, list[str]] = field(default_factory=dict)  # see phrases_containing

    def phrase_for(self, key: str) -> Phrase | None:
        return self.terms.get(key)

    def phrases_containing(self, key: str) -> list[str]:
        """Multi-word keys that contain `key` as whole words ("war" → "world war ii")."""
        return self.containing.get(key, [])

    def strategy_for(self, category: str, rule: str) -> Strategy:
        """The first strategy for `category` whose rule filter matches, else the `*` one."""
        generic = None
        for strategy in self.strategies:
            if strategy.category == category:
                if not strategy.rule_contains or any(p in rule for p in strategy.rule_contains):
                    return strategy
            elif strategy.category == "*" and generic is None:
                generic = strategy
        if generic is None:
            raise LexiconError("replacements.toml needs a [[strategy]] with category = \"*\"")
        return generic

    def all_phrases(self) -> list[tuple[str, Phrase]]:
        """Every authored phrase with where it comes from (for checks and tests)."""
        out = [(f"terms.{k}", p) for k, p in self.terms.items()]
        out += [(f"minor_context.{k}", p) for k, p in self.minor_context.items()]
        out += [(f"strategy.{s.category}", s.fallback) for s in self.strategies if s.fallback]
        return out


def _phrase(raw: Any, where: str) -> Phrase:
    if isinstance(raw, str):
        return Phrase(singular=raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("singular"), str):
        raise LexiconError(f"{where}: needs at least singular = \"…\"")
    forms = raw.get("forms", {})
    if not isinstance(forms, dict) or any(v not in FORM_NAMES for v in forms.values()):
        raise LexiconError(f"{where}: forms maps written words to one of {', '.join(FORM_NAMES)}")
    optional = {}
    for name in ("plural", "attributive", "ing", "past", "verb"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise LexiconError(f"{where}: {name} must be a string")
        optional[name] = value
    return Phrase(
        singular=raw["singular"],
        mass=bool(raw.get("mass", False)),
        forms={term_key(k): v for k, v in forms.items()},
        **optional,
    )


def parse_table(text: str, name: str = "replacements.toml") -> RewriteTable:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{name} is not valid TOML: {exc}") from None
    terms = {term_key(k): _phrase(v, f"{name} [terms.\"{k}\"]") for k, v in data.get("terms", {}).items()}
    minor_context = {
        term_key(k): _phrase(v, f"{name} [minor_context.\"{k}\"]")
        for k, v in data.get("minor_context", {}).items()
    }
    strategies = []
    for raw in data.get("strategy", []):
        where = f"{name} [[strategy]] {raw.get('category', '?')}"
        kind = raw.get("kind", "phrase")
        if kind not in STRATEGY_KINDS or not isinstance(raw.get("category"), str):
            raise LexiconError(f"{where}: needs a category and kind in {', '.join(STRATEGY_KINDS)}")
        fallback = raw.get("fallback")
        strategies.append(
            Strategy(
                category=raw["category"],
                kind=kind,
                reason=str(raw.get("reason", "")),
                fallback=_phrase(fallback, where) if fallback is not None else None,
                rule_contains=tuple(raw.get("rule_contains", ())),
            )
        )
    return RewriteTable(
        terms, tuple(strategies), minor_context, str(data.get("hard_line_reason", "")), _containing(terms)
    )


def _containing(terms: dict[str, Phrase]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for phrase in terms:
        words = phrase.split(" ")
        for size in range(1, len(words)):
            for at in range(len(words) - size + 1):
                index.setdefault(" ".join(words[at : at + size]), []).append(phrase)
    for found in index.values():
        found.sort(key=len, reverse=True)
    return index


def load_table(path: Path) -> RewriteTable:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read rewrite table {path}: {exc}") from None
    return parse_table(text, path.name)


_lock = threading.Lock()
_cached: RewriteTable | None = None


def default_table() -> RewriteTable:
    """The shipped table, parsed once."""
    global _cached
    with _lock:
        if _cached is None:
            _cached = load_table(paths.resource("rewrite", "replacements.toml"))
        return _cached
