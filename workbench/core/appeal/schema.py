"""The documented JSON schema of an exported appeal packet (`packet.json`).

Schema id `prompt-workbench/appeal-packet`, version 1. Additive changes (new optional fields)
keep the version; renaming or removing a field raises it. All timestamps are UTC ISO 8601
(`2026-11-21T10:04:05.123Z`). No field ever holds an API key.

Top level:
- `schema`, `schema_version`, `generated_at`, `generator`
- `appeal`: id, title, status (draft|submitted|resolved|rejected), ticket, account_id, org_id,
  business_context, notes, created_at, updated_at, submitted_at, closed_at
- `checklist[]`: item (error_response|prompt|timestamp|account_id|business_context|
  reproduction|blocked), label, ok, detail
- `requests[]`: one per request in the appeal - history_id, timestamp_utc, outcome, endpoint,
  prompt (complete), prompt_redacted, prompt_sha256, provider, profile, base_url, model,
  parameters, http_status, error{kind,type,code,message,param,stage,categories,
  safety_violations,details}, request_ids[] (every ID: header, message, proxy),
  request_id_sources{id: where}, raw_error_body (the full response), latency_ms, retries,
  source, local_screening{verdict, findings[{term,category,severity}]}, moderation_scores,
  images[{role,file,sha256,format,width,height}] (`file` is the path inside the ZIP bundle),
  review{state (approved|rejected|null), reviews[{image_position,state,reviewer,note,created_at}]}
  (optional; human review, added in 1.1), trigger_runs[{id,mode,status,probes,probe_history_ids,
  spent,budget,message,spans[{start,end,text}]}] (optional; find-the-trigger evidence, 1.1)
- `reproduction[]`: one per distinct normalised prompt - prompt, prompt_key, attempts, judged,
  blocked, passed, other, consistency, first/last attempt and block times, categories, stages,
  settings[{profile,provider,model,endpoint,size,quality,moderation,attempts,blocked,passed}],
  blocked_request_ids[], blocked_history_ids[]
- `redaction`: {prompt_echoes_redacted}
"""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "prompt-workbench/appeal-packet"
SCHEMA_VERSION = 1

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_LIST = {"type": "array", "items": _STR}


def _object(properties: dict[str, Any], optional: list[str] | None = None) -> dict[str, Any]:
    """An object whose properties are all required except `optional` (fields added later)."""
    required = [name for name in properties if name not in (optional or ())]
    return {"type": "object", "properties": properties, "required": required}


PACKET_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Prompt Workbench appeal packet",
    **_object({
        "schema": {"const": SCHEMA_ID},
        "schema_version": {"const": SCHEMA_VERSION},
        "generated_at": _STR,
        "generator": _STR,
        "appeal": _object({
            "id": {"type": "integer"}, "title": _STR,
            "status": {"enum": ["draft", "submitted", "resolved", "rejected"]},
            "ticket": _STR, "account_id": _STR, "org_id": _STR, "business_context": _STR, "notes": _STR,
            "created_at": _STR, "updated_at": _STR, "submitted_at": _STR_OR_NULL, "closed_at": _STR_OR_NULL,
        }),
        "checklist": {"type": "array", "items": _object({
            "item": _STR, "label": _STR, "ok": {"type": "boolean"}, "detail": _STR,
        })},
        "requests": {"type": "array", "items": _object({
            "history_id": {"type": "integer"}, "timestamp_utc": _STR, "completed_at_utc": _STR_OR_NULL,
            "outcome": _STR, "endpoint": _STR, "prompt": _STR, "prompt_redacted": {"type": "boolean"},
            "prompt_sha256": _STR_OR_NULL, "provider": _STR_OR_NULL, "profile": _STR_OR_NULL,
            "base_url": _STR_OR_NULL, "model": _STR_OR_NULL, "result_model": _STR_OR_NULL,
            "parameters": {"type": "object"}, "http_status": _INT_OR_NULL,
            "error": _object({
                "kind": _STR_OR_NULL, "type": _STR_OR_NULL, "code": _STR_OR_NULL, "message": _STR,
                "param": _STR_OR_NULL, "stage": _STR_OR_NULL, "categories": _STR_LIST,
                "safety_violations": _STR_LIST, "details": {"type": "object"},
            }),
            "request_ids": _STR_LIST, "request_id_sources": {"type": "object"},
            "raw_error_body": _STR, "latency_ms": _NUM_OR_NULL, "retries": {"type": "integer"},
            "source": _STR, "source_detail": _STR_OR_NULL,
            "review": _object({
                "state": _STR_OR_NULL,
                "reviews": {"type": "array", "items": _object({
                    "image_position": _INT_OR_NULL, "state": {"enum": ["approved", "rejected"]},
                    "reviewer": _STR, "note": _STR, "created_at": _STR,
                })},
            }),
            "local_screening": _object({
                "verdict": _STR_OR_NULL,
                "findings": {"type": "array", "items": _object({"term": _STR, "category": _STR, "severity": _STR})},
            }),
            "moderation_scores": {"type": ["object", "null"]},
            "images": {"type": "array", "items": _object({
                "role": _STR, "file": _STR, "sha256": _STR, "format": _STR,
                "width": _INT_OR_NULL, "height": _INT_OR_NULL,
            })},
            "trigger_runs": {"type": "array", "items": _object({
                "id": {"type": "integer"}, "request_id": _INT_OR_NULL, "created_at": _STR, "mode": _STR,
                "status": _STR, "probes": {"type": "integer"}, "probe_history_ids": {"type": "array"},
                "spent": {"type": "number"}, "budget": {"type": "number"}, "message": _STR,
                "spans": {"type": "array", "items": _object({
                    "start": {"type": "integer"}, "end": {"type": "integer"}, "text": _STR})},
            })},
        }, optional=["review", "trigger_runs"])},
        "reproduction": {"type": "array", "items": _object({
            "prompt": _STR, "prompt_key": _STR_OR_NULL, "attempts": {"type": "integer"},
            "judged": {"type": "integer"}, "blocked": {"type": "integer"}, "passed": {"type": "integer"},
            "other": {"type": "integer"}, "consistency": _STR,
            "first_attempt_utc": _STR_OR_NULL, "last_attempt_utc": _STR_OR_NULL,
            "first_blocked_utc": _STR_OR_NULL, "last_blocked_utc": _STR_OR_NULL,
            "categories": _STR_LIST, "stages": _STR_LIST,
            "settings": {"type": "array", "items": _object({
                "profile": _STR_OR_NULL, "provider": _STR_OR_NULL, "model": _STR_OR_NULL, "endpoint": _STR,
                "size": _STR_OR_NULL, "quality": _STR_OR_NULL, "moderation": _STR_OR_NULL,
                "attempts": {"type": "integer"}, "blocked": {"type": "integer"}, "passed": {"type": "integer"},
            })},
            "blocked_request_ids": _STR_LIST,
            "blocked_history_ids": {"type": "array", "items": {"type": "integer"}},
        })},
        "redaction": _object({"prompt_echoes_redacted": {"type": "boolean"}}),
    }),
}
