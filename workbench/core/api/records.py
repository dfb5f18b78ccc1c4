"""Plain records shared by the provider layer, the history store, imports and appeals.

These are the normalised shapes every outcome is reduced to, whatever the provider (OpenAI,
Azure, fal.ai, a proxy, the Sandbox) or the source (a live call, a pasted error, a log line).
Fields may be added; existing names are a contract between core modules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Outcome of one request, as stored in history.
OUTCOMES = ("pending", "ok", "blocked_input", "blocked_output", "blocked_unknown", "error", "cancelled",
            "interrupted")

# What kind of failure an ErrorRecord describes.
ERROR_KINDS = (
    "blocked",
    "rate_limited",
    "quota",  # out of quota, billing hard limit, spend limit: waiting will not help
    "access",  # the key works but the organization may not use this model (e.g. not verified)
    "auth",
    "bad_request",
    "server",
    "network",
    "timeout",
    "cancelled",
    "unknown",  # an imported or pasted error with nothing to classify it by
)

STAGES = ("input", "output", "unknown")


@dataclass
class ImageParams:
    """Every image parameter of the current API; `None` means "not sent" (provider default)."""

    model: str = "gpt-image-1"
    size: str | None = "1024x1024"
    quality: str | None = "auto"
    n: int = 1
    moderation: str | None = None  # "auto" | "low"
    background: str | None = None  # "auto" | "opaque" | "transparent"
    output_format: str | None = None  # "png" | "jpeg" | "webp"
    output_compression: int | None = None  # 0-100, jpeg/webp only
    partial_images: int | None = None  # 0-3, streaming only
    input_fidelity: str | None = None  # edits only
    user: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageParams:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        extra = {k: v for k, v in data.items() if k not in cls.__dataclass_fields__}
        params = cls(**known)
        params.extra.update(extra)
        return params


@dataclass
class ImageData:
    """One generated (or partial) image."""

    data: bytes
    format: str = "png"  # png | jpeg | webp
    width: int | None = None
    height: int | None = None
    partial_index: int | None = None  # set for streamed partial frames


@dataclass
class ErrorRecord:
    """A failure, normalised. `request_ids` holds every ID found (header, message, proxy)."""

    kind: str  # one of ERROR_KINDS
    message: str = ""
    stage: str = "unknown"  # one of STAGES (meaningful for kind == "blocked")
    categories: list[str] = field(default_factory=list)
    http_status: int | None = None
    type: str | None = None
    code: str | None = None
    raw_body: str = ""
    request_ids: list[str] = field(default_factory=list)
    provider: str = "unknown"  # openai | azure | fal | proxy | sandbox | unknown
    retry_after: float | None = None
    safety_violations: list[str] = field(default_factory=list)  # raw `safety_violations=[…]`
    param: str | None = None
    # Where each request ID was found: {"req_…": "header:x-request-id" | "message" | "body"}.
    request_id_sources: dict[str, str] = field(default_factory=dict)
    # Provider specifics kept for evidence: Azure severities, fal `loc`/reason, proxy flag, …
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def request_id(self) -> str | None:
        return self.request_ids[0] if self.request_ids else None

    @property
    def is_block(self) -> bool:
        return self.kind == "blocked"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Usage:
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_text_tokens: int | None = None
    input_image_tokens: int | None = None
    output_text_tokens: int | None = None
    output_image_tokens: int | None = None


@dataclass
class GenerationResult:
    """The single normalised result of a generate/edit call, success or failure."""

    outcome: str  # one of OUTCOMES (never "pending"/"interrupted" here)
    images: list[ImageData] = field(default_factory=list)
    usage: Usage | None = None
    latency_ms: float | None = None
    estimated_cost: float | None = None
    actual_cost: float | None = None
    retries: int = 0
    request_ids: list[str] = field(default_factory=list)
    http_status: int | None = None
    error: ErrorRecord | None = None
    partial_images: int = 0  # partial frames delivered through the streaming callback
    model: str | None = None
    # One dict per attempt (outcome, kind, status, request IDs, phase, bytes, may_bill).
    attempts: list[dict[str, Any]] = field(default_factory=list)
    # Set when the result was delivered but could not be recorded in history ("saved, not
    # recorded"); `journal` is the file that records it on the next start.
    record_error: str | None = None
    journal: str | None = None
