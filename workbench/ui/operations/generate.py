"""Generate operations: cost estimates, building a checked request, and sending it (recorded in history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.core.api.records import GenerationResult, ImageData
from workbench.core.errors import UserFacingError
from workbench.core.screening.models import ScanResult
from workbench.ui import messages
from workbench.ui.gallery.model import GalleryItem
from workbench.ui.operations.history import HistoryOperations
from workbench.ui.operations.moderation import ModerationOperations
from workbench.ui.operations.profiles import ProfileOperations


@dataclass
class GenerateOutcome:
    """What a finished generate/edit request left behind."""

    result: GenerationResult
    history_id: int | None
    advice: str
    items: list[GalleryItem]


class GenerateOperations:
    """Sending image requests with the profile's client; every request is in history first."""

    def __init__(self, history: HistoryOperations, profiles: ProfileOperations,
                 moderation: ModerationOperations) -> None:
        self._history = history
        self._profiles = profiles
        self._moderation = moderation

    def estimate_cost(self, params, prompt: str = ""):
        from workbench.core.api import pricing

        try:
            return pricing.estimate_cost(params, prompt=prompt)
        except UserFacingError:
            return None

    def build_request(self, prompt: str, params, reference_paths=(), mask_path=None):
        """An ImageRequest with its input images read and checked; BadInputError on bad input."""
        from workbench.core.api.request import MAX_MASK_BYTES, ImageRequest, InputImage

        images = [InputImage.from_path(p) for p in reference_paths]
        mask = InputImage.from_path(mask_path, limit=MAX_MASK_BYTES) if mask_path else None
        request = ImageRequest(prompt=prompt, params=params, images=images, mask=mask)
        request.validate()
        return request

    async def generate(
        self,
        profile_name: str,
        request,
        *,
        scan: ScanResult | None = None,
        parent_id: int | None = None,
        on_partial: Callable[[ImageData], None] | None = None,
    ) -> GenerateOutcome | None:
        """Send one generate/edit request, recorded in history before and after.

        Returns None (after a message) when the request could not be sent at all (no key,
        unusable history database). Cancelling the task gives a `cancelled` outcome.
        """
        from workbench.core.api.advice import advice_for

        try:
            self._history.store()
        except UserFacingError as exc:
            messages.error(f"Not sent, because history cannot record it: {exc.user_message}")
            return None
        client = await self._profiles.client_for(profile_name)
        if client is None:
            return None
        self._register_key_as_secret(profile_name)
        if scan is not None:
            request.meta["findings"] = list(scan.findings)
            request.meta["verdict"] = scan.verdict
        cached = self._moderation.cached(profile_name, request.prompt)
        if cached is not None:
            request.meta["moderation_scores"] = cached.scores
        if parent_id is not None:
            request.meta["parent_id"] = parent_id
        try:
            result = await client.run(request, on_partial=on_partial, on_retry=_announce_retry)
        except UserFacingError as exc:
            messages.error(exc.user_message)
            return None
        history_id = request.meta.get("history_id")
        if not result.record_error:
            return GenerateOutcome(result, history_id, advice_for(result.error),
                                   self._history.gallery_items(history_id))
        # Saved, not recorded (disk full, database locked): show the images from memory; the
        # journal records them when history next opens.
        messages.warning(f"Saved, not recorded in history: {result.record_error}")
        items = [GalleryItem(key=f"unrecorded:{request.local_id}:{i}", prompt=request.prompt,
                             params=request.params.to_dict(), profile=profile_name, data=image.data)
                 for i, image in enumerate(img for img in result.images if img.partial_index is None)]
        return GenerateOutcome(result, history_id, advice_for(result.error), items)

    def _register_key_as_secret(self, profile_name: str) -> None:
        """Make the store scrub this profile's key from anything it writes (belt and braces)."""
        from workbench.core.api import keys

        profile = self._profiles.profile(profile_name)
        found = keys.get_key(profile.name, profile.kind) if profile.needs_key else None
        if found is not None:
            self._history.store().add_secret(found.value)


def _announce_retry(notice) -> None:
    """Every retry is said before it is sent (status bar); one that may bill again warns."""
    text = notice.message()
    (messages.warning if notice.may_bill else messages.info)(text[:1].upper() + text[1:])
