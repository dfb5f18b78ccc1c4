"""Normalised results of the non-image calls: moderation scores and chat completions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.core.api.records import ErrorRecord

# The 13 categories of omni-moderation, in the API's spelling.
OMNI_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
# Categories the moderation model also scores on images; the rest are text-only.
IMAGE_CATEGORIES = (
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "violence",
    "violence/graphic",
)


@dataclass
class ModerationResult:
    """Scores from /v1/moderations. On failure `error` is set and the maps are empty."""

    flagged: bool = False
    categories: dict[str, bool] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    applied_input_types: dict[str, list[str]] = field(default_factory=dict)
    model: str | None = None
    request_ids: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    error: ErrorRecord | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def flagged_categories(self) -> list[str]:
        return [name for name, hit in self.categories.items() if hit]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChatResult:
    """A chat completion (used for the LLM rewrite). On failure `error` is set, `text` empty."""

    text: str = ""
    model: str | None = None
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    request_ids: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    retries: int = 0
    error: ErrorRecord | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
