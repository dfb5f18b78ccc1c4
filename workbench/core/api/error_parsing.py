"""Error normalisation: any provider's failure, live or pasted, becomes one `ErrorRecord`.

One reader for live requests, pastes and log imports. Shapes understood (the public corpus in
tests/data/error_bodies.jsonl and tests/core/api/test_error_parser.py hold verbatim bodies):
- OpenAI GPT-image `moderation_blocked` (400) with `moderation_details` / `moderationDetails`,
  or only `safety_violations=[…]` (parsed in linear time), or a stage written in the text,
  whatever `type` a proxy rewrote it to; newer codes (`task_failed_text_safety_system`); the
  older DALL-E "rejected as a result of our safety system" / "blocked by our content filters"
  messages, `code` often null;
- Azure `content_filter` / `ResponsibleAIPolicyViolation` with `innererror` or `inner_error`
  and `content_filter_result(s)`; Azure's DALL-E output filter; chat `finish_reason`;
- relayed blocks: fal.ai 422 `detail[]`, Google (`PUBLIC_ERROR_UNSAFE_GENERATION`,
  `IMAGE_SAFETY`, `blockReason`), Stability `content_moderation`, BFL "Request Moderated";
- stream errors (`event: error`, `response.failed`), SSE text, the SDK's
  `Error code: 400 - {...}` strings (JSON or Python repr), stack traces, raw HTTP responses.

Kinds: `blocked` (stage `input`/`output`, else `unknown` — never guessed), `quota` (out of
quota, billing hard limit, spend limit), `access` (organization not verified: the key is fine),
`rate_limited` (Cloudflare's "error code: 1015" too), `auth`, `bad_request`, `server`, …;
`retryable()` says whether resending could help. The HTTP status is read from what SDKs print
when it is not given.

`parse_error_body` never raises: garbage gives a record of kind `unknown` (or the kind implied by
the HTTP status) holding the raw text. The raw text is kept exactly as received (only live keys
are cut). Every request ID is collected — response headers, `x-request-id:` lines of a pasted
response, ID fields in the body, IDs quoted in the message — the one provider support can look
up first (behind a proxy: the upstream ID, then the proxy's).
"""

from __future__ import annotations

import ast
import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from workbench.core.api.keys import masks_known_key, redact
from workbench.core.api.records import ErrorRecord

JsonObject = dict[str, Any]  # a decoded JSON object from a provider body

RAW_LIMIT = 256 * 1024  # raw bodies kept for evidence; larger ones are cut (base64 echoes)
SCAN_LIMIT = 1024 * 1024  # text examined for IDs and embedded JSON
_MAX_JSON_CANDIDATES = 16

BLOCK_CODES = frozenset(
    {
        "moderation_blocked",
        "content_policy_violation",
        "content_filter",
        "contentfilter",
        "responsibleaipolicyviolation",
        "responsible_ai_policy_violation",
        "safety_violation",
        "image_generation_safety_violation",
        "task_failed_text_safety_system",
        "task_failed_image_safety_system",
        "content_moderation",
        "public_error_unsafe_generation",
        "image_safety",
        "prohibited_content",
        "image_prohibited_content",
        "creationpolicyviolation",
        "auditsubmitillegal",
        "contentpolicyviolationerror",
    }
)
# Words that make any code or type a block (proxies invent their own spellings).
_BLOCK_CODE_PARTS = ("content_filter", "content_policy", "moderation_blocked", "safety_system", "safety_violation")
# Codes that look like user errors but say nothing about safety (never a block).
_NON_BLOCK_HINT_CODES = frozenset({"invalid_image_file", "invalid_value", "invalid_size", "image_too_large"})
_BLOCK_PHRASES = (
    "rejected by the safety system",
    "rejected as a result of our safety system",
    "safety_violations=",
    "content management policy",
    "generated image was filtered",
    "flagged by a content checker",
    "not allowed by our safety system",
    "blocked by our content filters",
    "content filter due to policy violation",
    "contentpolicyviolationerror",
    "request moderated",
    "rejected by content moderation",
    "nsfw content was detected",
    "did not respect moderation",
    "public_error_unsafe_generation",
    "image_prohibited_content",
    "image_safety",
    "creationpolicyviolation",
    "auditsubmitillegal",
    "content_policy_violation",
    "moderation_blocked",
    "flagged by our content moderation",
    "nsfw content detected",
    '"blockreason"',
    "blocked due to safety",
    "violates our content policy",
    "violate our content policy",
    "content policy violation",
)
_OUTPUT_PHRASES = ("generated image was filtered", "generated image", "output image", "image was filtered",
                   "nsfw content was detected", "did not respect moderation", "image_prohibited_content",
                   "image_safety", "creationpolicyviolation", "generated content triggered")
_INPUT_PHRASES = ("your prompt may contain", "input image may contain", "prompt triggering", "your prompt",
                  "generated from your prompt", "auditsubmitillegal", "input did not pass", '"blockreason"')
# A stage written out in text: "moderation_stage=output", "stage: input", "the output stage".
_STAGE_TEXT_RE = re.compile(
    r"(?i)\b(?:moderation[_ ]stage|stage)\W{0,3}(input|output)\b|\b(input|output)[ _-]stage\b")
_QUOTA_CODES = frozenset(
    {"insufficient_quota", "billing_hard_limit_reached", "project_spend_limit_exceeded", "billing_not_active",
     "spend_limit_exceeded", "creditinsufficient", "insufficient_credits", "quota_exceeded"})
_QUOTA_PHRASES = ("exceeded your current quota", "billing hard limit", "insufficient_quota", "spend limit",
                  "billing_hard_limit_reached", "insufficient credits", "out of credits", "hard limit has been reached")
_ACCESS_PHRASES = ("organization must be verified", "verify organization", "does not have access to model",
                   "do not have access to the model")
# Cloudflare's own rate limit page ("Error 1015", "error code: 1015"): not an HTTP status.
_CLOUDFLARE_1015_RE = re.compile(r"(?i)\berror(?:\s+code)?:?\s*1015\b")
_NO_RETRY_429_CODES = frozenset(
    {"insufficient_quota", "billing_hard_limit_reached", "project_spend_limit_exceeded", "billing_not_active"}
)
# Proxy-specific request-ID headers: the proxy's own ID, listed after the upstream one.
_PROXY_ID_HEADERS = ("x-api-request-id", "x-oneapi-request-id")
OPENAI_TYPES = frozenset(
    {
        "invalid_request_error",
        "image_generation_user_error",
        "server_error",
        "api_error",
        "authentication_error",
        "permission_error",
        "not_found_error",
        "rate_limit_error",
        "insufficient_quota",
        "requests",
        "tokens",
        "error",  # stream events: {"type": "error", "error": {…}}
    }
)
# Header names that carry a request ID, most authoritative first. Any other header whose name
# ends in "request-id" is collected too (proxies invent their own).
ID_HEADERS = (
    "x-request-id",
    "x-api-request-id",
    "apim-request-id",
    "x-ms-request-id",
    "x-fal-request-id",
    "request-id",
    "x-oneapi-request-id",
    "cf-ray",
)
_ID_BODY_KEYS = ("request_id", "requestId", "request-id", "x-request-id", "requestID")
_CATEGORY_ALIASES = {"self_harm": "self-harm", "selfharm": "self-harm", "sexual_minors": "sexual/minors"}

_REQ_RE = re.compile(r"\breq_[A-Za-z0-9]{4,128}")
_UUID_RE = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_DIGITS_RE = re.compile(r"(?<![\w.])\d{20,64}(?![\w.])")
_LABELLED_RE = re.compile(r"(?i)\b(?:request|ray)[ _-]?id\b[\s:=\"'#]{0,4}([A-Za-z0-9][A-Za-z0-9_\-]{5,127})")
# The proxy's own ID appended to a relayed message: "… (request id: 2026…)".
_PROXY_SUFFIX_RE = re.compile(r"(?i)\(request id:\s*([A-Za-z0-9][A-Za-z0-9_\-]{5,127})\)")
# "x-request-id: …", "request id = …", "cf-ray: …" lines of a pasted response or log.
_ID_LINE_RE = re.compile(
    r"(?im)^[ \t>*-]*((?:[\w-]*request[ _-]?id)|cf-ray|ray id)[ \t]*[:=][ \t]*\"?([A-Za-z0-9][A-Za-z0-9_\-]{5,127})")
_SDK_PREFIX_RE = re.compile(r"^\s*(?:openai\.\w+:\s*)?Error code:\s*(\d{3})(?!\d)\s*(?:-\s*)?", re.IGNORECASE)
# Where SDKs, HTTP clients and logs print the status. `(?!\d)` keeps "error code: 1015" (Cloudflare)
# from being read as HTTP 101.
_STATUS_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    for pattern in (
        r"\berror code:\s*([1-5]\d\d)(?!\d)",
        r"\b(?:RateLimit|BadRequest|Authentication|PermissionDenied|NotFound|Conflict|UnprocessableEntity"
        r"|InternalServer|APIStatus)Error\b\W{0,3}([1-5]\d\d)(?!\d)",
        r"\bstatus[ _]?code\b[\"']?\s*[:=]?\s*([1-5]\d\d)(?!\d)",
        r"\"status\"\s*:\s*([1-5]\d\d)(?!\d)",
        r"\bHTTP(?:/\d(?:\.\d)?)?(?:\s+error)?\s*:?\s*([1-5]\d\d)(?!\d)",
        r"\b(?:error|exception)\s*:?\s*([1-5]\d\d)(?!\d)\s*(?:-|:|\()",
        r"(?:→|->)\s*([1-5]\d\d)(?!\d)",
        r"^\s*([1-5]\d\d)(?![\d.,%])\s*(?=[-:|(]|[A-Za-z])",
    )
)


# ---------------------------------------------------------------------------------------------
# Public API


def parse_error_body(
    body: str | bytes | JsonObject | Any,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> ErrorRecord:
    """Normalise an error body (JSON text, bytes, a dict, SSE text, a log line) to an ErrorRecord.

    `status` and `headers`, when known, supply the HTTP status and the request-ID headers.
    Never raises; unparseable input yields a record with the raw text and whatever IDs it has.
    """
    try:
        return _parse(body, status, _normalise_headers(headers))
    except Exception:  # the last line of defence: a record, never a traceback
        text = _safe_text(body)
        return ErrorRecord(
            kind=_kind_from_status(status) or "unknown",
            message="the error body could not be parsed",
            http_status=status if isinstance(status, int) else None,
            raw_body=_clip(redact(text)),
        )


def parse_safety_violations(text: str) -> list[str]:
    """Items of every `safety_violations=[a, b]` in text, in order, without duplicates.

    Linear time: one forward scan with str.find; no backtracking regex (a naive pattern is
    quadratic on hostile input such as many unclosed `safety_violations=[`).
    """
    found: list[str] = []
    marker = "safety_violations"
    start = 0
    length = len(text)
    while True:
        pos = text.find(marker, start)
        if pos < 0:
            break
        i = pos + len(marker)
        while i < length and text[i] in " \t\"'":
            i += 1
        if i < length and text[i] in "=:":
            i += 1
            while i < length and text[i] in " \t\"'":
                i += 1
            if i < length and text[i] == "[":
                end = text.find("]", i + 1)
                if end < 0:
                    break  # no closing bracket anywhere after: nothing more to find
                for item in text[i + 1 : end].split(","):
                    name = item.strip().strip("'\" ").strip()
                    if name and len(name) <= 64 and name not in found:
                        found.append(name)
                start = end + 1
                continue
        start = i if i > pos else pos + 1
    return found


def request_ids_from_headers(headers: Mapping[str, str] | None) -> list[str]:
    """Request IDs found in response headers, most authoritative first."""
    ids: dict[str, str] = {}
    _collect_header_ids(_normalise_headers(headers), ids)
    return list(ids)


def request_ids_from_text(text: str) -> list[str]:
    """Request IDs quoted in a message: `req_…`, UUIDs, long digit IDs, "request id: X"."""
    ids: dict[str, str] = {}
    _collect_text_ids(text, ids, "message")
    return list(ids)


def retry_after_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    hdrs = _normalise_headers(headers)
    value = hdrs.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000.0)
        except ValueError:
            pass
    value = hdrs.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def no_retry_rate_limit(record: ErrorRecord) -> bool:
    """A 429 that waiting cannot fix (quota, billing, spend limit)."""
    return record.kind == "quota" or (record.code or "").lower() in _NO_RETRY_429_CODES


def from_exception(exc: BaseException, *, stream_headers: Mapping[str, str] | None = None) -> ErrorRecord:
    """Translate an exception raised by the `openai` SDK (or asyncio) into an ErrorRecord.

    `stream_headers`: the response headers of a stream, for errors raised mid-stream (the SDK's
    plain `APIError` has no request ID of its own).
    """
    import asyncio

    import openai

    if isinstance(exc, asyncio.CancelledError):
        return ErrorRecord(kind="cancelled", message="cancelled by the user")
    if isinstance(exc, openai.APIStatusError):
        return _from_status_error(exc)
    if isinstance(exc, openai.APITimeoutError):
        return ErrorRecord(kind="timeout", message="the request timed out")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        return ErrorRecord(kind="network", message=redact(f"connection error{detail}"))
    if isinstance(exc, openai.APIResponseValidationError):
        return ErrorRecord(kind="server", code="invalid_response", message=redact(str(exc)))
    if isinstance(exc, openai.APIError):
        # An error event inside a stream (HTTP 200): body is the inner error object.
        record = parse_error_body(exc.body if exc.body is not None else str(exc), headers=stream_headers)
        if record.kind == "unknown":
            record.kind = "server"
        if not record.message:
            record.message = redact(exc.message)
        return record
    if isinstance(exc, json.JSONDecodeError):
        return ErrorRecord(
            kind="server",
            code="malformed_response",
            message=f"the server sent a malformed JSON body ({exc})",
            http_status=200,
        )
    return ErrorRecord(kind="unknown", message=redact(f"{type(exc).__name__}: {exc}"))


# ---------------------------------------------------------------------------------------------
# Parsing


def _parse(body: Any, status: int | None, headers: dict[str, str]) -> ErrorRecord:
    text, obj, text_status = _decode(body)
    if isinstance(obj, dict):
        obj, status, headers = _unwrap_log_record(obj, status, headers)
    if status is None:
        status = text_status if text_status is not None else _status_from_obj(obj)
    if status is None:
        status = status_from_text(text)

    # The raw text is kept exactly as received (only live-looking keys are cut out).
    record = ErrorRecord(kind="unknown", http_status=status, raw_body=_clip(_redact_raw(text)))
    err = _find_error(obj) if obj is not None else None
    if err is not None:
        _fill_from_error_object(record, err, obj)
    else:
        _fill_from_plain_text(record, text)

    record.message = redact(record.message)[:8192]
    record.categories = _unique([_canonical_category(c) for c in record.categories])
    via_proxy = _via_proxy(record, headers)
    record.request_id_sources = _collect_ids(record, obj, text, headers, via_proxy)
    record.request_ids = list(record.request_id_sources)
    record.retry_after = retry_after_from_headers(headers)
    record.provider = _detect_provider(record, obj, headers, via_proxy)
    record.kind = _classify(record, text)
    if record.kind == "blocked":
        record.stage = _stage(record, err)
    return record


def status_from_text(text: str) -> int | None:
    """The HTTP status an SDK, HTTP client or log printed ("Error code: 429 - …", "statusCode: 400",
    "RateLimitError: 429", "400 Bad Request: …", "HTTP/2 400"); the earliest one wins."""
    head = text[:4096]
    best: tuple[int, int] | None = None
    for pattern in _STATUS_PATTERNS:
        match = pattern.search(head)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), int(match.group(1)))
    return best[1] if best else None


def _decode(body: Any) -> tuple[str, Any, int | None]:
    """(text, parsed object or None, status found in an `Error code: NNN` prefix)."""
    if isinstance(body, (dict, list)):
        try:
            text = json.dumps(body, ensure_ascii=False, default=str)
        except (TypeError, ValueError, RecursionError):
            text = _safe_text(body)
        return text, body, None
    text = _safe_text(body)
    stripped = text.strip()
    status = None
    match = _SDK_PREFIX_RE.match(stripped)
    if match:
        status = int(match.group(1))
        stripped = stripped[match.end() :]
    obj = _loads(stripped)
    if obj is None:
        obj = _from_sse(stripped)
    if obj is None:
        obj = _embedded_object(stripped[:SCAN_LIMIT])
    if obj is None and match and stripped:
        # A newer SDK string: "Error code: 400 - <message only>".
        obj = {"error": {"message": stripped}}
    return text, obj, status


def _safe_text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body).decode("utf-8", "replace")
    try:
        return str(body)
    except Exception:
        return f"<unprintable {type(body).__name__}>"


def _loads(text: str) -> Any:
    if not text or text[0] not in "{[":
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _literal(text)
    return value if isinstance(value, (dict, list)) else None


def _literal(text: str) -> Any:
    """Python-repr dicts, as printed by older SDKs ("{'error': {'message': …}}")."""
    if len(text) > SCAN_LIMIT or not text.startswith(("{'", '{"', "[{")):
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (dict, list)) else None


def _from_sse(text: str) -> Any:
    """The error payload of a server-sent-event stream (`event: error` / `response.failed`)."""
    if "data:" not in text:
        return None
    chosen = None
    event = ""
    for line in text[:SCAN_LIMIT].splitlines():
        line = line.strip()
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            value = _loads(line[5:].strip())
            if isinstance(value, dict) and (
                "error" in value or event in ("error", "response.failed") or value.get("type") == "response.failed"
            ):
                chosen = value
    return chosen


def _embedded_object(text: str) -> Any:
    """The first error-looking JSON object inside a longer text (a log line, a paste)."""
    decoder = json.JSONDecoder()
    pos = text.find("{")
    tried = 0
    while pos >= 0 and tried < _MAX_JSON_CANDIDATES:
        tried += 1
        try:
            value, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            value, end = _literal_at(text, pos), pos + 1
        if isinstance(value, dict) and _looks_like_error(value):
            return value
        pos = text.find("{", max(end, pos + 1))
    return None


def _literal_at(text: str, pos: int) -> Any:
    if text.startswith("{'", pos):
        end = text.rfind("}")
        if end > pos:
            return _literal(text[pos : end + 1])
    return None


def _looks_like_error(value: JsonObject) -> bool:
    keys = set(value)
    return bool(keys & {"error", "detail", "code", "message", "moderation_details", "choices", "data", "body"})


def _unwrap_log_record(obj: JsonObject, status: int | None, headers: dict[str, str]) -> tuple[Any, int | None, JsonObject]:
    """Logged exchanges like {"status": 400, "headers": {...}, "body": "..."}: look inside."""
    for _ in range(3):
        inner = obj.get("body", obj.get("response_body"))
        if "error" in obj or "detail" in obj or inner is None:
            break
        hdrs = obj.get("headers") or obj.get("response_headers")
        if isinstance(hdrs, Mapping):
            headers = {**_normalise_headers(hdrs), **headers}
        if status is None:
            status = _status_from_obj(obj)
        if isinstance(inner, (str, bytes)):
            inner = _loads(_safe_text(inner).strip()) or {"error": {"message": _safe_text(inner)}}
        if not isinstance(inner, dict):
            break
        obj = inner
    return obj, status, headers


def _status_from_obj(obj: Any) -> int | None:
    if not isinstance(obj, dict):
        return None
    for key in ("status_code", "status", "http_status", "statusCode"):
        value = obj.get(key)
        if isinstance(value, int) and 100 <= value <= 599:
            return value
        if isinstance(value, str) and value.isdigit() and len(value) == 3:
            return int(value)
    return None


def _find_error(obj: Any) -> JsonObject | None:
    """The error object inside any of the known envelopes."""
    if isinstance(obj, list):
        obj = next((item for item in obj if isinstance(item, dict)), None)
        if obj is None:
            return None
    if not isinstance(obj, dict):
        return None
    error = obj.get("error")
    if isinstance(error, dict):
        return error
    if isinstance(error, str) and error:
        return {"message": error, **{k: obj[k] for k in ("code", "type") if k in obj}}
    response = obj.get("response")
    inner = response.get("error") if isinstance(response, dict) else None
    if isinstance(inner, dict):
        return inner  # Responses API `response.failed`
    detail = obj.get("detail")
    if isinstance(detail, list):
        return _fal_error(detail)
    if isinstance(detail, dict):
        return _fal_object_error(detail)
    if isinstance(detail, str):
        return {"message": detail}
    if isinstance(obj.get("errors"), list) and isinstance(obj.get("name"), str):
        # Stability AI: {"id": …, "name": "content_moderation", "errors": ["…"]}
        return {"message": " ".join(_safe_text(e) for e in obj["errors"][:8]), "code": obj["name"],
                "request_id": obj.get("id")}
    if isinstance(obj.get("result"), dict):
        return _find_error(obj["result"])  # Azure async operation envelope
    if isinstance(obj.get("data"), list):
        return _output_filter_error(obj["data"])
    if isinstance(obj.get("choices"), list):
        return _chat_filter_error(obj)
    if any(k in obj for k in ("code", "message", "moderation_details", "innererror", "inner_error")):
        return obj  # the SDK's exc.body: already the inner error object
    return None


def _dict_or_empty(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _list_or_empty(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _fal_error(detail: list[Any]) -> JsonObject | None:
    items = [d for d in detail if isinstance(d, dict)]
    if not items:
        return {"message": _safe_text(detail)[:2048]}
    chosen = next((d for d in items if d.get("type") == "content_policy_violation"), items[0])
    ctx = _dict_or_empty(chosen.get("ctx"))
    extra = _dict_or_empty(ctx.get("extra_info"))
    loc = _list_or_empty(chosen.get("loc"))
    return {
        "message": _safe_text(chosen.get("msg", "")),
        "code": chosen.get("type"),
        "_fal": {
            "loc": [_safe_text(x) for x in loc][:8],
            "reason": extra.get("reason"),
            "support_codes": ctx.get("support_codes"),
            "url": chosen.get("url"),
        },
    }


def _fal_object_error(detail: JsonObject) -> JsonObject:
    """fal's object form: `{"detail": {"error": code, "category": …, "message": …}}`."""
    category = detail.get("category")
    out: dict[str, Any] = {
        "message": _safe_text(detail.get("message") or detail.get("msg") or ""),
        "code": _safe_text(detail.get("error") or detail.get("type") or "") or None,
        "_fal": {"reason": category if isinstance(category, str) else None},
    }
    if isinstance(category, str) and category:
        out["moderation_details"] = {"categories": [category]}
    return out


def _output_filter_error(data: list[Any]) -> JsonObject | None:
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("error"), dict):
            return {**item["error"], "_stage": "output"}
    return None


def _chat_filter_error(obj: JsonObject) -> JsonObject | None:
    for choice in obj["choices"]:
        if isinstance(choice, dict) and choice.get("finish_reason") == "content_filter":
            return {
                "code": "content_filter",
                "message": "The response was filtered by the provider's content filter.",
                "content_filter_results": choice.get("content_filter_results"),
                "_stage": "output",
            }
    return None


def _fill_from_error_object(record: ErrorRecord, err: JsonObject, envelope: Any) -> None:
    record.message = _safe_text(err.get("message") or "")
    record.code = _opt_str(err.get("code"))
    record.type = _opt_str(err.get("type"))
    record.param = _opt_str(err.get("param"))
    details = err.get("moderation_details", err.get("moderationDetails"))
    if not isinstance(details, dict) and isinstance(envelope, dict):
        details = envelope.get("moderation_details", envelope.get("moderationDetails"))
    if isinstance(details, dict):
        cats = details.get("categories")
        if isinstance(cats, str):
            cats = [cats]
        if isinstance(cats, list):
            record.categories = [_safe_text(c) for c in cats if c is not None][:32]
        record.details["moderation_details"] = details
    record.safety_violations = parse_safety_violations(record.message[:SCAN_LIMIT])
    if not record.categories:
        record.categories = list(record.safety_violations)
    inner = err.get("innererror") if isinstance(err.get("innererror"), dict) else err.get("inner_error")
    if isinstance(inner, dict):
        record.details["inner_code"] = _opt_str(inner.get("code"))
        if inner.get("revised_prompt"):
            record.details["revised_prompt"] = _safe_text(inner["revised_prompt"])[:4096]
        _azure_results(record, inner)
    _azure_results(record, err)
    if isinstance(err.get("_fal"), dict):
        record.details["fal"] = err["_fal"]
    if err.get("_stage"):
        record.details["stage_hint"] = err["_stage"]
    if isinstance(envelope, dict) and envelope.get("type") in ("response.failed", "error", "image_generation.failed"):
        record.details["stream_event"] = envelope["type"]
    if isinstance(err.get("request_id"), str) and err["request_id"]:
        record.details["request_id"] = err["request_id"][:200]  # an ID the envelope gave this error
    details_list = _list_or_empty(err.get("details"))
    reasons = [d.get("reason") for d in details_list if isinstance(d, dict) and d.get("reason")]
    if reasons:  # Google's ErrorInfo (PUBLIC_ERROR_UNSAFE_GENERATION …)
        record.details["reasons"] = [_safe_text(r)[:128] for r in reasons[:8]]
    if not record.code and isinstance(err.get("code"), int):
        record.details["numeric_code"] = err["code"]


def _azure_results(record: ErrorRecord, holder: JsonObject) -> None:
    results = holder.get("content_filter_results", holder.get("content_filter_result"))
    if not isinstance(results, dict):
        return
    severities = record.details.setdefault("severities", {})
    for name, value in results.items():
        if not isinstance(value, dict):
            continue
        if value.get("severity") is not None:
            severities[_canonical_category(name)] = _safe_text(value.get("severity"))
        if value.get("filtered") is True:
            record.categories.append(_safe_text(name))


_TEXT_CODES = ("moderation_blocked", "content_policy_violation", "content_filter", "task_failed_text_safety_system",
               "billing_hard_limit_reached", "insufficient_quota", "project_spend_limit_exceeded",
               "rate_limit_exceeded", "invalid_api_key")
# Azure's per-category result in a body too damaged to parse: `"hate": {"filtered": true`.
_FILTERED_RE = re.compile(r'"([a-z_/]{3,40})"\s*:\s*\{\s*"filtered"\s*:\s*true')


def _fill_from_plain_text(record: ErrorRecord, text: str) -> None:
    """No JSON error object: keep the text as the message and look for codes by name."""
    scan = text[:SCAN_LIMIT]
    record.message = scan.strip()[:8192]
    lowered = scan.lower()
    record.code = next((code for code in _TEXT_CODES if code in lowered), None)
    record.safety_violations = parse_safety_violations(scan)
    record.categories = list(record.safety_violations) + _FILTERED_RE.findall(scan)


def _classify(record: ErrorRecord, text: str = "") -> str:
    code = (record.code or "").lower()
    kind_words = " ".join(
        [code, (record.type or "").lower(), (record.details.get("inner_code") or "").lower(),
         *(r.lower() for r in record.details.get("reasons", []))]
    )
    message = record.message.lower()
    if any(word in BLOCK_CODES for word in kind_words.split()) or any(p in kind_words for p in _BLOCK_CODE_PARTS):
        return "blocked"
    if any(word in _QUOTA_CODES for word in kind_words.split()) or any(p in message for p in _QUOTA_PHRASES):
        return "quota"
    if any(p in message for p in _ACCESS_PHRASES):
        return "access"  # a valid key whose organization may not use this model: not an invalid key
    if code not in _NON_BLOCK_HINT_CODES and any(p in message for p in _BLOCK_PHRASES):
        return "blocked"
    if _CLOUDFLARE_1015_RE.search(message) or _CLOUDFLARE_1015_RE.search(text[:4096]):
        return "rate_limited"
    by_status = _kind_from_status(record.http_status)
    if by_status:
        return by_status
    if code in ("invalid_api_key", "invalid_authentication", "invalidapikey") or any(
        p in message for p in ("incorrect api key", "invalid api key", "invalid api-key")
    ):
        return "auth"
    if code == "rate_limit_exceeded" or "rate limit" in message or "too many requests" in message:
        return "rate_limited"
    if code in ("server_error", "internal_error") or record.type == "server_error":
        return "server"
    if "timed out" in message or code == "timeout":
        return "timeout"
    if "connection error" in message:
        return "network"
    if code or record.type:
        return "bad_request"
    return "unknown"


def retryable(record: ErrorRecord) -> bool:
    """Whether sending the same request again could succeed (the retry *policy* decides if it may).

    Never for a block, quota or billing, access, auth or any other 4xx; yes for rate limits,
    server errors, timeouts and network failures.
    """
    if record.kind in ("blocked", "quota", "access", "auth", "bad_request", "cancelled", "unknown"):
        return False
    if record.kind == "rate_limited":
        return not no_retry_rate_limit(record)
    return record.kind in ("server", "timeout", "network")


def outcome_for(error: ErrorRecord | None) -> str:
    """History outcome for an error (None: the request succeeded). An unstated stage stays unknown."""
    if error is None:
        return "ok"
    if error.kind == "blocked":
        return {"input": "blocked_input", "output": "blocked_output"}.get(error.stage, "blocked_unknown")
    if error.kind == "cancelled":
        return "cancelled"
    return "error"


def _kind_from_status(status: Any) -> str | None:
    if not isinstance(status, int):
        return None
    if status in (401, 403):
        return "auth"
    if status == 408:
        return "timeout"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server"
    if 400 <= status < 500:
        return "bad_request"
    return None


def _stage(record: ErrorRecord, err: JsonObject | None) -> str:
    details = record.details.get("moderation_details")
    if isinstance(details, dict):
        stage = details.get("moderation_stage", details.get("moderationStage", details.get("stage")))
        if isinstance(stage, str) and stage in ("input", "output", "unknown"):
            return stage
    hint = record.details.get("stage_hint")
    if isinstance(hint, str) and hint in ("input", "output"):
        return hint
    written = _STAGE_TEXT_RE.search(record.message)
    if written:
        return (written.group(1) or written.group(2)).lower()
    message = record.message.lower()
    if any(p in message for p in _OUTPUT_PHRASES):
        return "output"
    if any(p in message for p in _INPUT_PHRASES):
        return "input"
    if record.param in ("prompt", "image", "mask", "messages"):
        return "input"
    fal = record.details.get("fal")
    if isinstance(fal, dict) and any(part in ("prompt", "image_url", "image_urls") for part in fal.get("loc") or []):
        return "input"
    if (record.code or "").lower() == "content_filter" and record.details.get("inner_code"):
        return "input"  # Azure's prompt filter (completion filtering arrives as finish_reason)
    return "unknown"


def _via_proxy(record: ErrorRecord, headers: dict[str, str]) -> bool:
    return bool(
        (record.type and record.type not in OPENAI_TYPES)
        or any(h in headers for h in _PROXY_ID_HEADERS)
        or "(request id:" in record.message.lower()
    )


def _detect_provider(record: ErrorRecord, obj: Any, headers: dict[str, str], proxy: bool) -> str:
    message = record.message.lower()
    if proxy:
        record.details["via_proxy"] = True
    if "fal" in record.details or any(h.startswith("x-fal-") for h in headers):
        return "fal"
    if (
        "inner_code" in record.details
        or "severities" in record.details
        or "azure" in message
        or "apim-request-id" in headers
        or "x-ms-region" in headers
    ):
        return "azure"
    if proxy:
        return "proxy"
    if headers.get("x-workbench-sandbox"):
        return "sandbox"
    if (record.type in OPENAI_TYPES or "help.openai.com" in message
            or any(i.startswith("req_") for i in record.request_ids)):
        return "openai"
    return "unknown"


def _from_status_error(exc: Any) -> ErrorRecord:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    text = None
    try:
        text = response.text if response is not None else None
    except Exception:  # the body was never read (closed stream)
        text = None
    body = text if text else (exc.body if exc.body is not None else str(exc))
    return parse_error_body(body, status=exc.status_code, headers=headers)


# ---------------------------------------------------------------------------------------------
# Request IDs


def _collect_ids(record: ErrorRecord, obj: Any, text: str, headers: dict[str, str], via_proxy: bool) -> dict[str, str]:
    """Every request ID with where it was found, the one provider support can look up first.

    Direct: the `x-request-id` header, then other headers, the message, the body. Behind a proxy
    the upstream OpenAI/Azure ID quoted in the message comes first, the proxy's own IDs (its
    headers, a "(request id: …)" suffix) after it.
    """
    ids: dict[str, str] = {}
    _collect_header_ids(headers, ids)
    for match in _ID_LINE_RE.finditer(text[:SCAN_LIMIT]):
        name = re.sub(r"[ _]", "-", match.group(1).strip().lower())
        _add_id(ids, match.group(2), f"header:{'cf-ray' if name == 'ray-id' else name}")
    for match in _PROXY_SUFFIX_RE.finditer(record.message):
        _add_id(ids, match.group(1), "message:proxy")
    _collect_body_ids(obj, ids)
    _collect_body_ids({"request_id": record.details.get("request_id")}, ids)
    _collect_text_ids(record.message, ids, "message")
    if not record.message:
        _collect_text_ids(text[:SCAN_LIMIT], ids, "body")

    def rank(source: str) -> int:
        proxy_own = source == "message:proxy" or source.removeprefix("header:") in _PROXY_ID_HEADERS
        if via_proxy:
            return {"message": 0, "header:x-request-id": 1}.get(source, 3 if proxy_own else 2)
        if proxy_own:
            return 4
        return 0 if source == "header:x-request-id" else 1 if source.startswith("header:") else 2

    order = sorted(ids.items(), key=lambda item: rank(item[1]))  # stable: first seen first within a rank
    return dict(order)


def _collect_header_ids(headers: dict[str, str], ids: dict[str, str]) -> None:
    for name in ID_HEADERS:
        value = headers.get(name)
        if value:
            _add_id(ids, value, f"header:{name}")
    for name, value in headers.items():
        if name.endswith("request-id") and name not in ID_HEADERS and value:
            _add_id(ids, value, f"header:{name}")


def _collect_body_ids(obj: Any, ids: dict[str, str]) -> None:
    stack = [(obj, 0)]
    seen = 0
    while stack and seen < 200:
        value, depth = stack.pop()
        seen += 1
        if isinstance(value, dict) and depth < 4:
            for key in _ID_BODY_KEYS:
                item = value.get(key)
                if isinstance(item, (str, int)) and not isinstance(item, bool):
                    _add_id(ids, str(item), "body")
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list) and depth < 4:
            stack.extend((v, depth + 1) for v in value[:20] if isinstance(v, (dict, list)))


def _collect_text_ids(text: str, ids: dict[str, str], source: str) -> None:
    if not text:
        return
    text = text[:SCAN_LIMIT]
    spans: list[tuple[int, str]] = []
    for pattern in (_REQ_RE, _UUID_RE, _DIGITS_RE):
        spans.extend((m.start(), m.group(0)) for m in pattern.finditer(text))
    for match in _LABELLED_RE.finditer(text):
        candidate = match.group(1).rstrip("-_")
        if any(ch.isdigit() for ch in candidate) and len(candidate) >= 6:
            spans.append((match.start(1), candidate))
    for _, value in sorted(spans):
        _add_id(ids, value, source)


def _add_id(ids: dict[str, str], value: str, source: str) -> None:
    value = value.strip().strip(".,;:()[]'\"")
    if not value or len(value) > 200:
        return
    # A labelled match can be a prefix of an ID found in full elsewhere ("req_ab" vs "req_abc").
    if any(existing.startswith(value) for existing in ids):
        return
    for existing in list(ids):
        if value.startswith(existing) and ids[existing] == source:
            del ids[existing]
    ids.setdefault(value, source)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _normalise_headers(headers: Any) -> dict[str, str]:
    if not headers:
        return {}
    try:
        items = headers.items()
    except AttributeError:
        return {}
    result: dict[str, str] = {}
    try:
        for name, value in items:
            result[_safe_text(name).strip().lower()] = _safe_text(value).strip()
    except Exception:
        pass
    return result


def _canonical_category(name: str) -> str:
    key = _safe_text(name).strip().lower().replace(" ", "_")
    return _CATEGORY_ALIASES.get(key, key)


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return _safe_text(value)[:256]


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


_MASKED_KEY_RE = re.compile(r"\bsk-[A-Za-z0-9_\-]{0,12}\*{3,}[A-Za-z0-9]{0,8}")


_Redacted = TypeVar("_Redacted", str, str | None)  # what the redactor gives back for a str


def keep_masked(text: str, redactor: Callable[[str], _Redacted]) -> _Redacted:
    """`redactor(text)` that leaves keys an SDK already masked ("sk-ab***xy") as they are: they
    are not secrets, and a pasted body must be stored byte for byte."""
    masked = [m for m in _MASKED_KEY_RE.findall(text or "") if not masks_known_key(m)]
    if not masked:
        return redactor(text)
    holders = {f"\ue000masked{i}\ue000": value for i, value in enumerate(masked)}
    for holder, value in holders.items():
        text = text.replace(value, holder, 1)
    text = redactor(text) or ""
    for holder, value in holders.items():
        text = text.replace(holder, value, 1)
    return text


def _redact_raw(text: str) -> str:
    """The raw body unchanged, except live-looking keys."""
    return keep_masked(text, redact)


def _clip(text: str) -> str:
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…[truncated]"
