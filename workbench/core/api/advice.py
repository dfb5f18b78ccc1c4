"""What to tell the user after a failure. For blocks the advice depends on the stage, and it
never suggests sending the same prompt again: a block is deterministic.
"""

from __future__ import annotations

from workbench.core.api.records import ErrorRecord

_BLOCK_ADVICE = {
    "input": (
        "Blocked at the input stage: the prompt (or a reference image) was rejected before any "
        "image was made. Rewrite it: desensitize the flagged words, replace names with visual "
        "descriptions, or ask for an LLM rewrite. Sending it unchanged will be blocked again."
    ),
    "output": (
        "Blocked at the output stage: the prompt passed, but the generated image was filtered. "
        "Rewording alone rarely helps; change the scene or the framing (e.g. an illustration, a "
        "film still, a museum diorama), the composition or what is shown. Sending it unchanged "
        "will be blocked again."
    ),
    "unknown": (
        "Blocked by the provider's safety system (stage not reported). Rewrite the prompt "
        "(desensitize flagged words, describe instead of naming) and, if that is not enough, "
        "change the scene or framing. Sending it unchanged will be blocked again."
    ),
}

_LOW_MODERATION_NOTE = (
    " Setting moderation to 'low' only relaxes the threshold and is unreliable for output-stage blocks."
)


def block_advice(stage: str) -> str:
    """Stage-aware advice for a block: input → rewrite, output → change scene/framing, else both."""
    return _BLOCK_ADVICE.get(stage, _BLOCK_ADVICE["unknown"])


def advice_for(error: ErrorRecord | None) -> str:
    """One short paragraph of advice for any failure (empty for no error)."""
    if error is None:
        return ""
    kind = error.kind
    if kind == "blocked":
        text = block_advice(error.stage)
        return text + (_LOW_MODERATION_NOTE if error.stage == "output" else "")
    if kind == "quota":
        return ("The account is out of quota or credit, or over its billing or spend limit; waiting or "
                "retrying will not help. Add credit or raise the limit in the provider's billing settings.")
    if kind == "access":
        return ("The key is valid, but this organization may not use the model yet (for example it must be "
                "verified). Verify the organization in the provider's settings (access can take a few "
                "minutes to propagate) or choose another model.")
    if kind == "rate_limited":
        if (error.code or "") in ("insufficient_quota", "billing_hard_limit_reached", "project_spend_limit_exceeded"):
            return "The account is out of quota or over its spend limit; waiting will not help. Check billing."
        wait = f" in about {error.retry_after:.0f} s" if error.retry_after else " later"
        return f"Rate limited by the provider. Try again{wait}, or lower how often you send."
    if kind == "auth":
        return "The provider refused the API key. Check the key for this profile (Settings) and its permissions."
    if kind == "timeout":
        return "The request timed out. Large sizes and high quality take longer; try again or raise the timeout."
    if kind == "network":
        return "Could not reach the provider. Check the network, the base URL and any proxy, then try again."
    if kind == "server":
        return "The provider failed on its side. Trying again later usually works."
    if kind == "cancelled":
        return "Cancelled; nothing more was sent."
    if kind == "bad_request":
        return "The provider rejected a parameter or input. Check the message above and the request settings."
    return "The provider reported an error; see the message and the raw body."
