"""Appeal records: a group of blocked requests plus what the provider's support needs to know."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

APPEAL_STATUSES = ("draft", "submitted", "resolved", "rejected")
CLOSED_STATUSES = ("resolved", "rejected")


@dataclass
class Appeal:
    """One appeal; `request_ids` are history row ids (not provider request IDs)."""

    id: int
    title: str
    status: str
    ticket: str
    business_context: str
    account_id: str
    org_id: str
    notes: str
    created_at: str
    updated_at: str
    submitted_at: str | None
    closed_at: str | None
    request_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
