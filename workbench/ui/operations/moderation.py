"""Moderation operations: the active profile's moderation scores for a prompt (and an image), cached."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from workbench.core.errors import UserFacingError
from workbench.ui.operations.profiles import ProfileOperations

MODERATION_CACHE_SIZE = 256


@dataclass
class ModerationOutcome:
    """Moderation scores, or why there are none (`result` None: not available)."""

    result: Any  # workbench.core.api.results.ModerationResult | None
    note: str = ""


def _cache_key(profile: str, text: str, image: bytes | None) -> str:
    digest = hashlib.sha256()
    for part in (profile.encode(), b"\0", text.encode("utf-8", "surrogatepass"), b"\0", image or b""):
        digest.update(part)
    return digest.hexdigest()


class ModerationOperations:
    """Scores from the moderation endpoint, remembered per profile, text and image (LRU)."""

    def __init__(self, profiles: ProfileOperations) -> None:
        self._profiles = profiles
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def cached(self, profile_name: str, text: str):
        """The cached result for a text-only check, or None (the cache order is left as it is)."""
        return self._cache.get(_cache_key(profile_name, text, None))

    async def moderate(self, text: str, image: bytes | None = None) -> ModerationOutcome:
        """Moderation scores for the prompt (and an image) from the active profile, cached."""
        profile = self._profiles.active_profile()
        if profile.kind == "azure":
            return ModerationOutcome(
                None, "Azure OpenAI has no moderation endpoint; choose an OpenAI profile or the Sandbox."
            )
        if profile.needs_key and self._profiles.key_source(profile) is None:
            return ModerationOutcome(
                None, f"Add an API key for {profile.name} in Settings to see scores. Local screening works without one."
            )
        key = _cache_key(profile.name, text, image)
        cached = self._cache.get(key)
        source = "Sandbox (simulated scores)" if profile.kind == "sandbox" else profile.name
        if cached is not None:
            self._cache.move_to_end(key)
            return ModerationOutcome(cached, f"{source} · cached")
        client = await self._profiles.client_for(profile.name)
        if client is None:
            return ModerationOutcome(None, "The moderation check could not start.")
        try:
            result = await client.moderate(text or None, [image] if image else ())
        except UserFacingError as exc:
            return ModerationOutcome(None, exc.user_message)
        if result.error is None:
            self._cache[key] = result
            while len(self._cache) > MODERATION_CACHE_SIZE:
                self._cache.popitem(last=False)
        latency = f" · {result.latency_ms / 1000:.1f} s" if result.latency_ms is not None else ""
        return ModerationOutcome(result, f"{source}{latency}")
