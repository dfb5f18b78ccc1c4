"""Records the history store hands out: entries, list rows, filters, images, reports."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.core.io.textinput import clean_surrogates

BLOCKED_OUTCOMES = ("blocked_input", "blocked_output", "blocked_unknown")  # unknown: stage not stated
JUDGED_OUTCOMES = ("ok", *BLOCKED_OUTCOMES)  # answered by the safety system
SOURCES = ("live", "import", "demo")


@dataclass
class StoredImage:
    """One image file of a request (`path` is absolute)."""

    id: int
    request_id: int
    role: str  # output | reference | mask
    position: int
    sha256: str
    format: str
    width: int | None
    height: int | None
    bytes: int
    path: str


@dataclass
class HistorySummary:
    """A list row: enough to show and filter, without the raw body or findings."""

    id: int
    created_at: str
    outcome: str
    prompt_preview: str  # first 300 characters
    model: str | None
    profile: str | None
    stage: str | None
    categories: list[str]
    error_code: str | None
    http_status: int | None
    request_id: str | None  # the first of request_ids
    parent_id: int | None
    source: str
    actual_cost: float | None
    latency_ms: float | None
    redacted: bool
    review_state: str | None = None  # approved | rejected | None (core/store/reviews.py)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class HistoryEntry:
    """Everything stored about one request."""

    id: int
    created_at: str
    completed_at: str | None
    outcome: str
    endpoint: str
    prompt: str
    prompt_sha256: str | None
    prompt_key: str | None
    model: str | None
    size: str | None
    quality: str | None
    moderation: str | None
    params: dict[str, Any]
    profile: str | None
    provider: str | None
    base_url: str | None
    findings: list[dict[str, Any]]
    verdict: str | None
    moderation_scores: dict[str, Any] | None
    http_status: int | None
    error_kind: str | None
    error_type: str | None
    error_code: str | None
    error_message: str | None
    raw_body: str | None
    stage: str | None
    categories: list[str]
    safety_violations: list[str]
    request_ids: list[str]
    latency_ms: float | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    estimated_cost: float | None
    actual_cost: float | None
    retries: int
    parent_id: int | None
    notes: str
    source: str
    source_detail: str | None
    redacted: bool
    error_param: str | None = None
    error_details: dict[str, Any] = field(default_factory=dict)
    request_id_sources: dict[str, str] = field(default_factory=dict)
    result_model: str | None = None
    images: list[StoredImage] = field(default_factory=list)
    review_state: str | None = None  # approved | rejected | None (unreviewed)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # oldest first (core/store/reviews.py)

    @property
    def request_id(self) -> str | None:
        return self.request_ids[0] if self.request_ids else None

    @property
    def is_blocked(self) -> bool:
        return self.outcome in BLOCKED_OUTCOMES

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class HistoryFilter:
    """Filters for list/search/purge/stats; every field is optional and they combine with AND."""

    outcomes: tuple[str, ...] = ()
    category: str | None = None
    stage: str | None = None
    profile: str | None = None
    model: str | None = None
    since: str | None = None  # stored-format UTC bound, inclusive
    until: str | None = None  # inclusive
    source: str | None = None
    request_id: str | None = None  # substring of any stored request ID
    ids: tuple[int, ...] = ()
    review: str | None = None  # approved | rejected | unreviewed (core/store/reviews.py)
    exclude_providers: tuple[str, ...] = ()  # provider kinds left out, e.g. TEST_PROVIDERS
    exclude_sources: tuple[str, ...] = ()  # sources left out, e.g. TEST_SOURCES


# Traffic that says nothing about a real account: the built-in Sandbox and generated demo rows.
# The dashboard leaves it out unless asked (a violation rate of simulated blocks is no rate).
TEST_PROVIDERS = ("sandbox",)
TEST_SOURCES = ("demo",)


@dataclass
class Page:
    """One page of results; `next_before` is the keyset cursor for the following page."""

    rows: list[HistorySummary]
    limit: int
    offset: int
    next_before: tuple[str, int] | None


@dataclass
class IntegrityReport:
    ok: bool
    problems: list[str]
    rows: int
    images_checked: int
    # Checks that could not run (the database locked or read-only): said, never a "problem".
    skipped: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    """Returned by `HistoryStore.record_completed` for rows written without a live call."""

    id: int | None
    duplicate: bool = False


def loads(text: str | None, default: Any) -> Any:
    """Parse a stored JSON column, tolerating hand-edited or legacy values."""
    if text in (None, ""):
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default


def dumps(value: Any) -> str:
    return clean_surrogates(json.dumps(value, ensure_ascii=False, sort_keys=False, default=str))
