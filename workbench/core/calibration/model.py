"""The learned-calibration model: a Beta prior per severity, updated by real passes and blocks.

For a finding (lexicon term or rule, with its category) on a model family, the policy profile
gives a severity s. That severity stands for a prior belief about the block rate p:

    p ~ Beta(K * PRIOR[s], K * (1 - PRIOR[s]))        PRIOR = low 0.04, medium 0.20, high 0.65; K = 8

Every judged request in the user's history that carried the finding on that family is a
Bernoulli draw: b blocks out of n requests. The posterior mean is

    p̂ = (K * PRIOR[s] + b) / (K + n)

and the finding reads as `high` when p̂ ≥ 0.40, `medium` when p̂ ≥ 0.15, else `low`. So a
`high` term needs 6 passes in a row to read as `medium` (caution) on that family, a `low` one
2 blocks in a row to warn (`medium`) and 5 to read as likely blocked. Critical findings are
hard lines and never move. `K` is how many requests the profile's opinion is worth.

A snapshot is a plain dict in memory, so the editor's per-keystroke look-ups are dict reads.
"""

from __future__ import annotations

from collections.abc import ItemsView
from dataclasses import dataclass
from typing import Any

PRIOR = {"low": 0.04, "medium": 0.20, "high": 0.65}
K = 8.0
HIGH_AT = 0.40
MEDIUM_AT = 0.15


@dataclass(frozen=True, slots=True)
class Counts:
    """What the history shows for one key on one family: passes, blocks (by stage) and the
    provider's categories of those blocks."""

    passes: int = 0
    blocks: int = 0
    blocks_input: int = 0
    blocks_output: int = 0
    last_at: str = ""
    block_categories: tuple[tuple[str, int], ...] = ()  # sorted (category, blocks)

    @property
    def requests(self) -> int:
        return self.passes + self.blocks

    def plus(self, other: Counts) -> Counts:
        merged = dict(self.block_categories)
        for name, n in other.block_categories:
            merged[name] = merged.get(name, 0) + n
        return Counts(self.passes + other.passes, self.blocks + other.blocks,
                      self.blocks_input + other.blocks_input, self.blocks_output + other.blocks_output,
                      max(self.last_at, other.last_at), tuple(sorted(merged.items())))

    def to_dict(self) -> dict[str, Any]:
        return {"passes": self.passes, "blocks": self.blocks, "blocks_input": self.blocks_input,
                "blocks_output": self.blocks_output, "block_categories": dict(self.block_categories),
                "last_at": self.last_at}


Key = tuple[str, str, str]  # (term or rule, category, family)


def posterior(severity: str, counts: Counts | None) -> float:
    """The posterior mean block rate for a finding of `severity` given the evidence."""
    prior = PRIOR[severity]
    if counts is None:
        return prior
    return (K * prior + counts.blocks) / (K + counts.requests)


def severity_for(p: float) -> str:
    if p >= HIGH_AT:
        return "high"
    if p >= MEDIUM_AT:
        return "medium"
    return "low"


def calibrated(severity: str, counts: Counts | None) -> str:
    """The severity the evidence supports (critical and unknown severities are left alone)."""
    if severity not in PRIOR or counts is None or counts.requests == 0:
        return severity
    return severity_for(posterior(severity, counts))


def sureness(severity: str, counts: Counts | None) -> float:
    """How much of the verdict is evidence rather than prior: n / (K + n), 0..1."""
    n = counts.requests if counts is not None else 0
    return n / (K + n)


def evidence_text(counts: Counts, family: str) -> str:
    """"passed 14 of 15 times on gpt-image-2 in your history (1 block: input stage)"."""
    n = counts.requests
    text = f"passed {counts.passes} of {n} time{'s' if n != 1 else ''} on {family} in your history"
    if counts.blocks:
        stages = [f"{k} {v}" for k, v in (("input", counts.blocks_input), ("output", counts.blocks_output)) if v]
        text += f" ({counts.blocks} blocked" + (f": {', '.join(stages)}" if stages else "") + ")"
    return text


class Snapshot:
    """Counts by (key, category, family), read per keystroke; replaced, never mutated in place
    by readers (writers swap in a new dict, so a reader never sees a half update)."""

    def __init__(self, counts: dict[Key, Counts] | None = None, source: str = "") -> None:
        self._counts: dict[Key, Counts] = dict(counts or {})
        self.source = source  # the database it came from ("" = none)

    def __len__(self) -> int:
        return len(self._counts)

    def get(self, key: str, category: str, family: str) -> Counts | None:
        return self._counts.get((key, category, family))

    def items(self) -> ItemsView[Key, Counts]:
        return self._counts.items()

    def families(self) -> list[str]:
        return sorted({k[2] for k in self._counts})

    def with_updates(self, updates: dict[Key, Counts]) -> Snapshot:
        """A new snapshot with `updates` added to the counts."""
        merged = dict(self._counts)
        for key, add in updates.items():
            merged[key] = merged[key].plus(add) if key in merged else add
        return Snapshot(merged, self.source)


def key_of(finding: Any) -> tuple[str, str]:
    """(term or rule, category) of a finding or a stored finding dict: the lexicon term when
    there is one, else the matched text (what `request_findings` stores)."""
    if isinstance(finding, dict):
        term, text, category = finding.get("term"), finding.get("text"), finding.get("category")
    else:
        term, text, category = finding.term, finding.text, finding.category
    return (str(term or text or "").strip().lower(), str(category or "").strip())
