"""Rewriting operations for the Fix panel: desensitize, framing statements and the LLM rewrite."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.errors import UserFacingError
from workbench.core.screening.models import ScanResult
from workbench.ui.operations.profiles import ProfileOperations


@dataclass
class LlmProposal:
    """An LLM rewrite to preview: the proposed text and its local verdict, or why there is none."""

    text: str
    verdict: str
    source: str
    error: str = ""


class RewritingOperations:
    """Proposals only: nothing here changes the prompt; the Fix panel applies what is accepted."""

    def __init__(self, profiles: ProfileOperations) -> None:
        self._profiles = profiles

    def desensitize(self, text: str):
        """The desensitize proposal for a prompt (edits, rewritten text, hard-line flag)."""
        from workbench.core import rewrite

        return rewrite.desensitize(text)

    def framing_suggestions(self, scan: ScanResult) -> list:
        """Framing statements for the categories in a scan, best first (none for hard lines)."""
        from workbench.core import rewrite

        return rewrite.suggest_framings(scan)

    def framing_present(self, text: str) -> str | None:
        """The known framing already in the prompt, if any (a second one is never added)."""
        from workbench.core import rewrite

        return rewrite.find_framing(text)

    def apply_framing(self, text: str, framing) -> str:
        from workbench.core import rewrite

        return rewrite.apply_framing(text, framing)

    async def llm_rewrite(self, text: str) -> LlmProposal | None:
        """Ask the active profile's chat model for a rewrite; the result is screened, not applied."""
        from workbench.core.rewrite.llm import llm_rewrite

        profile = self._profiles.active_profile()
        client = await self._profiles.client_for(profile.name)
        if client is None:
            return None
        try:
            result = await llm_rewrite(text, client.chat)
        except UserFacingError as exc:
            return LlmProposal("", "", profile.name, exc.user_message)
        source = f"{profile.name}, {result.model}" if result.model else profile.name
        if not result.ok:
            return LlmProposal("", "", source, result.message or "no proposal came back")
        return LlmProposal(result.proposed, result.verdict, source)
