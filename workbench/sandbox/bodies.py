"""JSON bodies the Sandbox answers with, in the shapes the real services use.

OpenAI: `{"error": {message, type, param, code, moderation_details?}}`; a reselling proxy
rewrites `type`, drops `moderation_details`, wraps the body with `status_code` and adds its own
request ID to the message; Azure quotes a UUID and points to an "Azure support ticket"; the
legacy DALL-E block is `content_policy_violation`; Azure's prompt filter is `content_filter`
with an `innererror` holding `content_filter_results`.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any


def openai_request_id() -> str:
    return "req_" + secrets.token_hex(16)


def azure_request_id() -> str:
    return str(uuid.uuid4())


def proxy_request_id() -> str:
    # Proxies in the wild use long digit IDs (timestamp + random digits).
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + "".join(secrets.choice("0123456789") for _ in range(17))


def error(message: str, *, type: str, code: str | None, param: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "type": type, "param": param, "code": code}
    body.update(extra)
    return {"error": body}


def moderation_blocked(
    request_id: str,
    categories: list[str],
    stage: str,
    *,
    azure: bool = False,
    proxy_id: str | None = None,
) -> dict[str, Any]:
    """The GPT-image 400 block, as OpenAI (or Azure, or a proxy in front of either) sends it."""
    where = "Azure support ticket" if azure else "help.openai.com"
    message = (
        "Your request was rejected by the safety system. If you believe this is an error, "
        f"contact us at {where} and include the request ID {request_id}."
    )
    if categories:
        message += f" safety_violations=[{', '.join(categories)}]."
    if proxy_id is not None:
        body = error(f"{message} (request id: {proxy_id})", type="proxy_api_error", code="moderation_blocked")
        return {"status_code": 400, **body}
    return error(
        message,
        type="image_generation_user_error",
        code="moderation_blocked",
        moderation_details={"moderation_stage": stage, "categories": categories},
    )


def legacy_block(*, azure: bool, categories: list[str]) -> dict[str, Any]:
    """DALL-E's block (`content_policy_violation`); Azure adds `inner_error` with filter results."""
    body = error(
        "Your request was rejected as a result of our safety system. Your prompt may contain text "
        "that is not allowed by our safety system.",
        type="invalid_request_error",
        code="content_policy_violation",
    )
    if azure:
        body["error"]["inner_error"] = {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_results": azure_filter_results(categories),
        }
    return body


def azure_prompt_filtered(categories: list[str]) -> dict[str, Any]:
    """Azure OpenAI's chat/completions prompt filter (HTTP 400, code content_filter)."""
    return error(
        "The response was filtered due to the prompt triggering Azure OpenAI's content management "
        "policy. Please modify your prompt and retry.",
        type="invalid_request_error",
        code="content_filter",
        param="prompt",
        innererror={"code": "ResponsibleAIPolicyViolation", "content_filter_results": azure_filter_results(categories)},
    )


def azure_filter_results(categories: list[str]) -> dict[str, Any]:
    names = {"sexual": "sexual", "violence": "violence", "self-harm": "self_harm", "hate": "hate"}
    hit = {names[c] for c in categories if c in names} or {"violence"}
    return {
        name: {"filtered": name in hit, "severity": "high" if name in hit else "safe"}
        for name in ("hate", "self_harm", "sexual", "violence")
    }


def account_problem(kind: str) -> tuple[int, dict[str, Any]]:
    """(status, body) of the account-level refusals the real API sends: out of quota (429),
    billing hard limit (400 on the images endpoint), organization not verified (403)."""
    if kind == "quota":
        return 429, error("You exceeded your current quota, please check your plan and billing details. For more "
                          "information on this error, read the docs: "
                          "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                          type="insufficient_quota", code="insufficient_quota")
    if kind == "billing":
        return 400, error("Billing hard limit has been reached", type="image_generation_user_error",
                          code="billing_hard_limit_reached")
    return 403, error("Your organization must be verified to use the model `gpt-image-1`. Please go to: "
                      "https://platform.openai.com/settings/organization/general and click on Verify "
                      "Organization. If you just verified, it can take up to 15 minutes for access to propagate.",
                      type="invalid_request_error", code=None)


def rate_limited(retry_after: float) -> dict[str, Any]:
    return error(
        f"Rate limit reached for images per minute in the sandbox. Please try again in {retry_after:g}s.",
        type="requests",
        code="rate_limit_exceeded",
    )


def server_error(status: int) -> dict[str, Any]:
    messages = {
        500: "The server had an error while processing your request (sandbox switch).",
        502: "Bad gateway (sandbox switch).",
        503: "The engine is currently overloaded, please try again later (sandbox switch).",
    }
    return error(messages.get(status, f"Sandbox error {status}."), type="server_error", code=None)


def invalid_key(shown: str) -> dict[str, Any]:
    return error(
        f"Incorrect API key provided: {shown}. Check the key configured for this profile.",
        type="invalid_request_error",
        code="invalid_api_key",
    )


def invalid_value(param: str, message: str) -> dict[str, Any]:
    return error(message, type="invalid_request_error", code="invalid_value", param=param)


def not_found(method: str, path: str) -> dict[str, Any]:
    return error(f"Invalid URL ({method} {path})", type="invalid_request_error", code=None)


def mask_key(key: str) -> str:
    """Show a key the way OpenAI's 401 does: a prefix, stars, the last four characters."""
    if len(key) <= 8:
        return "*" * len(key)
    return key[:3] + "*" * 8 + key[-4:]
