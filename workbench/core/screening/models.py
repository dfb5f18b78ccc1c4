"""What screening produces: findings with spans, severities and a prompt verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

VERDICTS = ("clear", "caution", "likely_blocked", "hard_block")

# Canonical category ids (DESIGN.md capability 1); lexicons may add more.
CATEGORIES = (
    "violence",
    "violence/graphic",
    "sexual",
    "sexual/minors",
    "self-harm",
    "hate",
    "minors",
    "public-figure",
    "copyrighted-ip",
    "living-artist",
    "illicit",
    "harassment",
    "evasion",
)

# Entity categories: risky because of who/what is named, not because the scene is harmful.
ENTITY_CATEGORIES = frozenset({"public-figure", "copyrighted-ip", "living-artist"})


def max_severity(a: str, b: str) -> str:
    return a if SEVERITY_RANK[a] >= SEVERITY_RANK[b] else b


@dataclass(frozen=True, slots=True)
class Finding:
    """One risky span. `start`/`end` are Python string indices into the original text."""

    start: int
    end: int
    text: str
    category: str
    severity: str
    message: str
    replacements: tuple[str, ...] = ()
    rule: str = ""  # id of the lexicon entry or rule that produced it
    term: str = ""  # canonical lexicon term (lower case), "" for non-lexicon rules

    @property
    def rewritable(self) -> bool:
        return self.severity != "critical"

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "replacements": list(self.replacements),
            "rule": self.rule,
        }


def verdict_for(findings: tuple[Finding, ...] | list[Finding]) -> str:
    """hard_block if any critical, likely_blocked if any high, caution if any, else clear."""
    if not findings:
        return "clear"
    worst = max(SEVERITY_RANK[f.severity] for f in findings)
    if worst == SEVERITY_RANK["critical"]:
        return "hard_block"
    if worst == SEVERITY_RANK["high"]:
        return "likely_blocked"
    return "caution"


@dataclass(frozen=True)
class ScanResult:
    text: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        return verdict_for(self.findings)

    @property
    def categories(self) -> list[str]:
        """Categories present, worst severity first, then by first appearance."""
        best: dict[str, int] = {}
        for f in self.findings:
            best[f.category] = max(best.get(f.category, -1), SEVERITY_RANK[f.severity])
        return sorted(best, key=lambda c: -best[c])

    def to_dict(self, index: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if index is not None:
            out["index"] = index
        out.update(
            text=self.text,
            verdict=self.verdict,
            categories=self.categories,
            findings=[f.to_dict() for f in self.findings],
        )
        return out
