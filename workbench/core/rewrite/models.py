"""What rewriting produces: edits into the original text, and the re-screened result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.screening.models import Finding, verdict_for


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace original[start:end] (== before) with `after`. Offsets index the original text."""

    start: int
    end: int
    before: str
    after: str
    category: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "before": self.before,
            "after": self.after,
            "category": self.category,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RewriteResult:
    """A proposed rewrite. Nothing is applied until the caller applies `rewritten` (or some
    of `edits` with `apply_edits`)."""

    original: str
    rewritten: str
    edits: tuple[Edit, ...] = ()
    remaining: tuple[Finding, ...] = ()  # findings of the re-scan of `rewritten`
    hard_block: bool = False
    message: str = ""
    framing: str | None = None  # the framing inserted, if any
    findings: tuple[Finding, ...] = field(default=(), repr=False)  # the scan of `original`

    @property
    def changed(self) -> bool:
        return self.rewritten != self.original

    @property
    def verdict_before(self) -> str:
        return verdict_for(self.findings)

    @property
    def verdict(self) -> str:
        """Verdict of the rewritten text."""
        return verdict_for(self.remaining)

    def to_dict(self) -> dict[str, Any]:
        """The `workbench desensitize --json` contract (DESIGN.md), plus verdicts and message."""
        return {
            "original": self.original,
            "rewritten": self.rewritten,
            "edits": [e.to_dict() for e in self.edits],
            "framing": self.framing,
            "remaining": [f.to_dict() for f in self.remaining],
            "hard_block": self.hard_block,
            "message": self.message,
            "verdict_before": self.verdict_before,
            "verdict_after": self.verdict,
        }


@dataclass(frozen=True, slots=True)
class FramingSuggestion:
    """A framing statement proposed for the categories found, with why it helps."""

    id: str
    text: str
    rationale: str
    score: float
    categories: tuple[str, ...]  # the categories present that it answers

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "rationale": self.rationale,
            "categories": list(self.categories),
        }
