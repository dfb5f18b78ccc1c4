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
    # Where the finding stands in the prompt's structure, and which pipeline stage made it:
    scope: str = ""  # "" (a request), "constraint" (inside "no …" / negative_prompt), …
    lang: str = ""  # language of the clause it was found in, "" = English
    field: str = ""  # JSON/YAML path of the value it sits in ("style.mood"), "" for prose
    stage: str = "match"  # structure | normalise | match | context | scene | policy

    @property
    def rewritable(self) -> bool:
        return self.severity not in ("critical", "info") and self.stage != "scene"

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
            **{k: v for k, v in (("scope", self.scope), ("lang", self.lang), ("field", self.field))
               if v},
            "stage": self.stage,
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
    # Terms that are mentioned but not requested ("no gore"): severity "info", never a risk.
    notes: tuple[Finding, ...] = field(default_factory=tuple)
    profile: str = ""  # the policy profile that decided the verdict ("gpt-image-2"), "" = default
    decided: str | None = None  # the verdict the policy stage chose; None = from severities

    @property
    def verdict(self) -> str:
        return self.decided if self.decided is not None else verdict_for(self.findings)

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
        if self.notes:
            out["notes"] = [f.to_dict() for f in self.notes]
        if self.profile:
            out["profile"] = self.profile
        return out
