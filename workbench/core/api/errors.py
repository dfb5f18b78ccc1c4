"""Error normalisation: any provider's failure, live or pasted, becomes one `ErrorRecord`.

Shapes understood (see tests/core/api/test_error_parser.py for the verbatim bodies):
- OpenAI GPT-image `moderation_blocked` (400) with `moderation_details` or only the
  `safety_violations=[…]` text in the message (parsed in linear time), whatever `type` a proxy
  rewrote it to; the legacy DALL-E `content_policy_violation` (code sometimes null);
- Azure `content_filter` / `ResponsibleAIPolicyViolation` with `innererror` or `inner_error`
  and `content_filter_results`; Azure's DALL-E output filter (`data[i].error.code`
  `contentFilter`); chat `finish_reason: content_filter`;
- fal.ai 422 `detail[]` with `type: content_policy_violation`;
- stream errors (`event: error`, `response.failed`), SSE text, the SDK's
  `Error code: 400 - {...}` strings (JSON or Python repr), log lines with embedded JSON.

`parse_error_body` never raises: garbage gives a record of kind `unknown` (or the kind implied by
the HTTP status) holding the raw text. Every request ID is collected: response headers
(`x-request-id`, proxy headers such as `x-api-request-id`, `apim-request-id`), ID fields in the
body, and IDs quoted in the message (`req_…`, UUIDs, long digit IDs, "request id: …").
Keys are redacted from the message and the raw body before they are stored.
"""

from __future__ import annotations

import ast
import email.utils
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from workbench.core.api.keys import redact
from workbench.core.records import ErrorRecord

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
    }
)
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
)
_OUTPUT_PHRASES = ("generated image was filtered", "generated image", "output image", "image was filtered")
_INPUT_PHRASES = ("your prompt may contain", "input image may contain", "prompt triggering", "your prompt")
_NO_RETRY_429_CODES = frozenset(
    {"insufficient_quota", "billing_hard_limit_reached", "project_spend_limit_exceeded", "billing_not_active"}
)
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
_LABELLED_RE = re.compile(r"(?i)\brequest[ _-]?id\b[\s:=\"'#]{0,4}([A-Za-z0-9][A-Za-z0-9_\-]{5,127})")
_SDK_PREFIX_RE = re.compile(r"^\s*(?:openai\.\w+:\s*)?Error code:\s*(\d{3})\s*(?:-\s*)?", re.IGNORECASE)
_STATUS_IN_TEXT_RE = re.compile(r"(?i)\b(?:HTTP(?:/\d(?:\.\d)?)?|status(?:_code)?\"?\s*[:=])\s*\"?(\d{3})\b")


# ---------------------------------------------------------------------------------------------
# Public API


def parse_error_body(
    body: str | bytes | dict | Any,
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
    return (record.code or "").lower() in _NO_RETRY_429_CODES


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
    if status is None and obj is None:
        match = _STATUS_IN_TEXT_RE.search(text[:4096])
        status = int(match.group(1)) if match else None

    record = ErrorRecord(kind="unknown", http_status=status, raw_body=_clip(redact(text)))
    err = _find_error(obj) if obj is not None else None
    if err is not None:
        _fill_from_error_object(record, err, obj)
    elif obj is None:
        _fill_from_plain_text(record, text)

    record.message = redact(record.message)[:8192]
    record.categories = _unique([_canonical_category(c) for c in record.categories])
    ids: dict[str, str] = {}
    _collect_header_ids(headers, ids)
    _collect_body_ids(obj, ids)
    _collect_text_ids(record.message, ids, "message")
    if not record.message:
        _collect_text_ids(text[:SCAN_LIMIT], ids, "body")
    record.request_ids = list(ids)
    record.request_id_sources = ids
    record.retry_after = retry_after_from_headers(headers)
    record.provider = _detect_provider(record, obj, headers)
    record.kind = _classify(record)
    if record.kind == "blocked":
        record.stage = _stage(record, err)
    return record


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


def _looks_like_error(value: dict) -> bool:
    keys = set(value)
    return bool(keys & {"error", "detail", "code", "message", "moderation_details", "choices", "data", "body"})


def _unwrap_log_record(obj: dict, status: int | None, headers: dict[str, str]) -> tuple[Any, int | None, dict]:
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


def _find_error(obj: Any) -> dict | None:
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
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        return response["error"]  # Responses API `response.failed`
    detail = obj.get("detail")
    if isinstance(detail, list):
        return _fal_error(detail)
    if isinstance(detail, dict):
        return _fal_object_error(detail)
    if isinstance(detail, str):
        return {"message": detail}
    if isinstance(obj.get("result"), dict):
        return _find_error(obj["result"])  # Azure async operation envelope
    if isinstance(obj.get("data"), list):
        return _output_filter_error(obj["data"])
    if isinstance(obj.get("choices"), list):
        return _chat_filter_error(obj)
    if any(k in obj for k in ("code", "message", "moderation_details", "innererror", "inner_error")):
        return obj  # the SDK's exc.body: already the inner error object
    return None


def _fal_error(detail: list) -> dict | None:
    items = [d for d in detail if isinstance(d, dict)]
    if not items:
        return {"message": _safe_text(detail)[:2048]}
    chosen = next((d for d in items if d.get("type") == "content_policy_violation"), items[0])
    ctx = chosen.get("ctx") if isinstance(chosen.get("ctx"), dict) else {}
    extra = ctx.get("extra_info") if isinstance(ctx.get("extra_info"), dict) else {}
    loc = chosen.get("loc") if isinstance(chosen.get("loc"), list) else []
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


def _fal_object_error(detail: dict) -> dict:
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


def _output_filter_error(data: list) -> dict | None:
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("error"), dict):
            return {**item["error"], "_stage": "output"}
    return None


def _chat_filter_error(obj: dict) -> dict | None:
    for choice in obj["choices"]:
        if isinstance(choice, dict) and choice.get("finish_reason") == "content_filter":
            return {
                "code": "content_filter",
                "message": "The response was filtered by the provider's content filter.",
                "content_filter_results": choice.get("content_filter_results"),
                "_stage": "output",
            }
    return None


def _fill_from_error_object(record: ErrorRecord, err: dict, envelope: Any) -> None:
    record.message = _safe_text(err.get("message") or "")
    record.code = _opt_str(err.get("code"))
    record.type = _opt_str(err.get("type"))
    record.param = _opt_str(err.get("param"))
    details = err.get("moderation_details")
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
    if isinstance(envelope, dict) and envelope.get("type") == "response.failed":
        record.details["stream_event"] = "response.failed"


def _azure_results(record: ErrorRecord, holder: dict) -> None:
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


def _fill_from_plain_text(record: ErrorRecord, text: str) -> None:
    """No JSON anywhere: keep the text as the message and look for codes by name."""
    scan = text[:SCAN_LIMIT]
    record.message = scan.strip()[:8192]
    lowered = scan.lower()
    for code in ("moderation_blocked", "content_policy_violation", "content_filter", "rate_limit_exceeded",
                 "insufficient_quota", "invalid_api_key"):
        if code in lowered:
            record.code = code
            break
    record.safety_violations = parse_safety_violations(scan)
    record.categories = list(record.safety_violations)


def _classify(record: ErrorRecord) -> str:
    code = (record.code or "").lower()
    inner = (record.details.get("inner_code") or "").lower()
    message = record.message.lower()
    if code in BLOCK_CODES or inner in BLOCK_CODES:
        return "blocked"
    if code not in _NON_BLOCK_HINT_CODES and any(p in message for p in _BLOCK_PHRASES):
        return "blocked"
    by_status = _kind_from_status(record.http_status)
    if by_status:
        return by_status
    if code in ("invalid_api_key", "invalid_authentication") or "incorrect api key" in message:
        return "auth"
    if code in ("rate_limit_exceeded",) or code in _NO_RETRY_429_CODES:
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


def _stage(record: ErrorRecord, err: dict | None) -> str:
    details = record.details.get("moderation_details")
    if isinstance(details, dict):
        stage = details.get("moderation_stage", details.get("stage"))
        if stage in ("input", "output", "unknown"):
            return stage
    hint = record.details.get("stage_hint")
    if hint in ("input", "output"):
        return hint
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


def _detect_provider(record: ErrorRecord, obj: Any, headers: dict[str, str]) -> str:
    message = record.message.lower()
    proxy = bool(
        (record.type and record.type not in OPENAI_TYPES)
        or "x-api-request-id" in headers
        or "(request id:" in message
    )
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
    if record.type in OPENAI_TYPES or "help.openai.com" in message or any(i.startswith("req_") for i in record.request_ids):
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


def _clip(text: str) -> str:
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…[truncated]"
