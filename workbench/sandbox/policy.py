"""The Sandbox's own blocking policy (resources/sandbox/policy.toml) and prompt switches.

Deterministic by design: the same text always gives the same verdict, stage and categories.
This is independent of the editor's screening engine on purpose.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import paths
from workbench.core.api.results import OMNI_CATEGORIES
from workbench.core.errors import UserFacingError
from workbench.core.io.tomlfile import read_toml

IMAGE_CATEGORIES = frozenset(
    {"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"}
)

_SWITCH_RE = re.compile(r"\[sandbox:([^\[\]]{1,200})\]")
_COUNTED_RE = re.compile(r"^(\d{3})(?:x(\d{1,3}))?$")


@dataclass(frozen=True)
class Rule:
    id: str
    terms: tuple[str, ...]
    categories: tuple[str, ...]
    stage: str = "input"
    scores: dict[str, float] = field(default_factory=dict)
    relaxed_by_low: bool = False
    rewrite: str = ""


@dataclass(frozen=True)
class Verdict:
    """What the policy says about a text."""

    rules: tuple[Rule, ...] = ()

    def blocking(self, stage: str, *, moderation: str | None = None) -> list[Rule]:
        hits = [r for r in self.rules if r.stage == stage]
        if moderation == "low" and stage == "input":
            hits = [r for r in hits if not r.relaxed_by_low]
        return hits


@dataclass(frozen=True)
class Switches:
    """Behaviour requested with `[sandbox:…]` markers (or the server configuration)."""

    status: int | None = None
    fail_times: int | None = None  # None: always fail with `status`
    retry_after: float | None = None
    slow: float = 0.0
    malformed: bool = False
    drop: bool = False
    block: bool = False
    output_block: bool = False
    proxy: bool = False
    legacy: bool = False
    echo_key: bool = False  # a careless proxy: 401 quoting the whole key it received
    account: str = ""  # "quota" | "billing" | "unverified": the account's own problems
    tokens: tuple[str, ...] = ()  # the raw switch tokens, for counting "first K" failures

    def merged(self, other: Switches) -> Switches:
        """`other` (the prompt's switches) wins over self (the server's)."""
        return Switches(
            status=other.status or self.status,
            fail_times=other.fail_times if other.status else self.fail_times,
            retry_after=other.retry_after if other.retry_after is not None else self.retry_after,
            slow=other.slow or self.slow,
            malformed=other.malformed or self.malformed,
            drop=other.drop or self.drop,
            block=other.block or self.block,
            output_block=other.output_block or self.output_block,
            proxy=other.proxy or self.proxy,
            legacy=other.legacy or self.legacy,
            echo_key=other.echo_key or self.echo_key,
            account=other.account or self.account,
            tokens=self.tokens + other.tokens,
        )


def parse_switches(text: str) -> tuple[str, Switches]:
    """(text without switches, switches). Unknown switches are ignored (and removed)."""
    values: dict[str, Any] = {}
    tokens: list[str] = []
    for match in _SWITCH_RE.finditer(text):
        tokens.append(match.group(0))
        # One bracket may hold several switches: [sandbox:429x2, retry-after=0.1]
        for item in re.split(r"[\s,;]+", match.group(1).strip()):
            name, _, value = item.partition("=")
            if name:
                _apply_switch(values, name.lower(), value or None)
    cleaned = _SWITCH_RE.sub("", text)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned, Switches(**values, tokens=tuple(tokens))


def switches_from_config(items: list[str] | tuple[str, ...]) -> Switches:
    """Server-wide switches given without brackets, e.g. ["500x1", "slow=0.2"]."""
    values: dict[str, Any] = {}
    for item in items:
        name, _, value = item.partition("=")
        _apply_switch(values, name.strip().lower(), value.strip() or None)
    return Switches(**values, tokens=tuple(f"[config:{i}]" for i in items))


def _apply_switch(values: dict[str, Any], name: str, value: str | None) -> None:
    counted = _COUNTED_RE.match(name)
    if counted:
        values["status"] = int(counted.group(1))
        values["fail_times"] = int(counted.group(2)) if counted.group(2) else None
        if value:
            values["retry_after"] = _float(value, None)
    elif name == "retry-after":
        values["retry_after"] = _float(value, None)
    elif name == "slow":
        values["slow"] = min(max(_float(value, 1.0) or 0.0, 0.0), 600.0)
    elif name in ("malformed", "drop", "block", "proxy", "legacy"):
        values[name] = True
    elif name == "output-block":
        values["output_block"] = True
    elif name == "echo-key":
        values["echo_key"] = True
    elif name in ("quota", "billing", "unverified"):
        values["account"] = name


def _float(value: str | None, default: float | None) -> float | None:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


class Policy:
    """Rules loaded from TOML, matched with one compiled alternation."""

    def __init__(self, rules: list[Rule], *, baseline: float = 0.0005, flag_threshold: float = 0.5,
                 output_tokens: dict[str, int] | None = None) -> None:
        self.rules = rules
        self.baseline = baseline
        self.flag_threshold = flag_threshold
        self.output_tokens = output_tokens or {"low": 272, "medium": 1056, "high": 4160}
        self._by_term: dict[str, list[Rule]] = {}
        for rule in rules:
            for term in rule.terms:
                self._by_term.setdefault(term.lower(), []).append(rule)
        terms = sorted(self._by_term, key=len, reverse=True)
        pattern = "|".join(re.escape(t) for t in terms) or r"(?!x)x"
        self._pattern = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)

    def verdict(self, text: str) -> Verdict:
        hits: list[Rule] = []
        for match in self._pattern.finditer(text):
            for rule in self._by_term.get(match.group(0).lower(), []):
                if rule not in hits:
                    hits.append(rule)
        return Verdict(tuple(hits))

    def scores(self, text: str, *, allowed: frozenset[str] | None = None) -> dict[str, float]:
        """Omni-moderation scores for text: rule scores, else a deterministic baseline."""
        digest = hashlib.sha256(text.encode("utf-8", "replace")).digest()
        result = {}
        for index, name in enumerate(OMNI_CATEGORIES):
            result[name] = round(self.baseline * (1 + digest[index] / 255.0), 6)
        for rule in self.verdict(text).rules:
            for name, score in rule.scores.items():
                if name in result:
                    result[name] = max(result[name], float(score))
        if allowed is not None:
            result = {k: (v if k in allowed else 0.0) for k, v in result.items()}
        return result

    def rewrite(self, text: str) -> str:
        """Replace every matched term by its rule's neutral rewrite (the chat endpoint's answer)."""
        def replace(match: re.Match[str]) -> str:
            rules = self._by_term.get(match.group(0).lower(), [])
            return next((r.rewrite for r in rules if r.rewrite), match.group(0))

        return self._pattern.sub(replace, text)


def load_policy(path: Path | None = None) -> Policy:
    """Load the shipped (or a given) policy file; UserFacingError with one line if it is bad."""
    path = path or paths.resource("sandbox", "policy.toml")
    data = read_toml(path, "sandbox policy")
    try:
        rules = [_rule(entry) for entry in data.get("rule", [])]
        moderation = data.get("moderation", {})
        usage = data.get("usage", {}).get("output_tokens")
        return Policy(
            rules,
            baseline=float(moderation.get("baseline", 0.0005)),
            flag_threshold=float(moderation.get("flag_threshold", 0.5)),
            output_tokens={str(k): int(v) for k, v in usage.items()} if usage else None,
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise UserFacingError(f"sandbox policy {path} is malformed: {exc}") from None


def _rule(entry: dict[str, Any]) -> Rule:
    stage = entry.get("stage", "input")
    if stage not in ("input", "output"):
        raise ValueError(f"rule {entry.get('id')!r}: stage must be input or output")
    terms = tuple(str(t).strip() for t in entry["terms"] if str(t).strip())
    if not terms:
        raise ValueError(f"rule {entry.get('id')!r} has no terms")
    return Rule(
        id=str(entry.get("id", terms[0])),
        terms=terms,
        categories=tuple(str(c) for c in entry.get("categories", ["other"])),
        stage=stage,
        scores={str(k): float(v) for k, v in (entry.get("scores") or {}).items()},
        relaxed_by_low=bool(entry.get("relaxed_by_low", False)),
        rewrite=str(entry.get("rewrite", "")),
    )
