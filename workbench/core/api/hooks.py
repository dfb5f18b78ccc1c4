"""Hooks around each image request, so history can record it before it is sent.

`ImageClient` calls `recorder.before_send(request, context)` once, before the first network
attempt, and `recorder.after_complete(request, context, result)` once with the final result,
whatever the outcome (ok, blocked, error, cancelled). A crash between the two leaves the
history row pending, which the store marks `interrupted` on the next start.

A recorder may be sync or async (the client awaits coroutines). Exceptions raised by a recorder
propagate: losing the history row silently would break the "nothing is lost" promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from workbench.core.api.records import GenerationResult
    from workbench.core.api.request import ImageRequest


@dataclass(frozen=True)
class RequestContext:
    """Where a request goes. Never contains the key."""

    profile_name: str
    profile_kind: str
    base_url: str
    endpoint: str  # "generations" | "edits"
    started_at: float  # time.time() before sending
    estimated_cost: float | None = None


class Recorder(Protocol):
    def before_send(self, request: ImageRequest, context: RequestContext) -> Any: ...

    def after_complete(self, request: ImageRequest, context: RequestContext, result: GenerationResult) -> Any: ...
