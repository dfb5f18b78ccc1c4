"""The appeal packet: everything the provider's support asks for, built from history.

It follows the appeal checklist of the seeds: the full error response with its request ID(s),
the complete prompt, the timestamp (UTC), the account/org ID, the business context, and the
reproduction - how many times the same prompt (normalised) was blocked, on which profiles,
models and settings, first and last time. `checklist` says which of these are present.

The packet is a plain dict (see `schema.py` for the documented JSON schema); every string in it
has been scrubbed of secrets. With `redact_echoes`, copies of the prompt that providers echo
inside error bodies (fal.ai's `input`, quoted messages) are replaced by a marker; the prompt
itself stays, because the appeal needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbench import __version__
from workbench.core.appeal.models import Appeal
from workbench.core.appeal.schema import SCHEMA_ID, SCHEMA_VERSION
from workbench.core.store.history import HistoryStore
from workbench.core.store.images import EXTENSIONS
from workbench.core.store.models import BLOCKED_OUTCOMES, HistoryEntry
from workbench.core.store.scrub import PROMPT_MARK, redact_echoes, scrub_value
from workbench.core.store.timestamps import utc_now
from workbench.core.store.trigger_runs import runs_for

CHECKLIST = (
    ("error_response", "Full error response, including the request ID"),
    ("prompt", "The complete prompt that was blocked"),
    ("timestamp", "Timestamp of the call (UTC)"),
    ("account_id", "Account or organisation ID"),
    ("business_context", "Business context: why this prompt is needed"),
    ("reproduction", "Reproduction: is the block consistent?"),
)


def build_packet(history: HistoryStore, appeal: Appeal, *, redact_echoes_in_bodies: bool = False) -> dict[str, Any]:
    """The appeal packet as a JSON-ready dict (schema `prompt-workbench/appeal-packet` v1)."""
    entries = [history.get(rid) for rid in appeal.request_ids]
    requests = [_request(e, redact_echoes_in_bodies) for e in entries]
    for request, entry in zip(requests, entries, strict=True):
        request["trigger_runs"] = [run.to_dict() for run in runs_for(history, entry.id)]
    keys = list(dict.fromkeys(e.prompt_key for e in entries if e.prompt_key))
    reproduction = [_reproduction(history.same_prompt(k)) for k in keys]
    packet = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generated_at": utc_now(),
        "generator": f"Prompt Workbench {__version__}",
        "appeal": {
            "id": appeal.id, "title": appeal.title, "status": appeal.status, "ticket": appeal.ticket,
            "account_id": appeal.account_id, "org_id": appeal.org_id,
            "business_context": appeal.business_context, "notes": appeal.notes,
            "created_at": appeal.created_at, "updated_at": appeal.updated_at,
            "submitted_at": appeal.submitted_at, "closed_at": appeal.closed_at,
        },
        "checklist": [],
        "requests": requests,
        "reproduction": reproduction,
        "redaction": {"prompt_echoes_redacted": bool(redact_echoes_in_bodies)},
    }
    packet["checklist"] = checklist(packet)
    scrubbed: dict[str, Any] = scrub_value(packet, history.known_secrets)  # same shape, secrets blanked
    return scrubbed


def checklist(packet: dict[str, Any]) -> list[dict[str, Any]]:
    """Which checklist items the packet satisfies, with a short reason for each."""
    requests = packet["requests"]
    appeal = packet["appeal"]
    missing_ids = [r["history_id"] for r in requests if not r["request_ids"]]
    missing_body = [r["history_id"] for r in requests if not r["raw_error_body"]]
    redacted = [r["history_id"] for r in requests if r["prompt_redacted"] or not r["prompt"].strip()]
    not_blocked = [r["history_id"] for r in requests if r["outcome"] not in BLOCKED_OUTCOMES]
    status = {
        "error_response": (bool(requests) and not missing_ids and not missing_body,
                           _missing("request ID", missing_ids) or _missing("error body", missing_body)
                           or f"{len(requests)} error response(s) with request IDs"),
        "prompt": (bool(requests) and not redacted,
                   _missing("prompt (redacted)", redacted) or "complete prompt included"),
        "timestamp": (all(r["timestamp_utc"] for r in requests) and bool(requests), "UTC timestamps included"),
        "account_id": (bool(appeal["account_id"] or appeal["org_id"]),
                       "included" if appeal["account_id"] or appeal["org_id"] else "add the account or org ID"),
        "business_context": (bool(appeal["business_context"].strip()),
                             "included" if appeal["business_context"].strip() else "describe why this prompt is needed"),
        "reproduction": (any(g["blocked"] > 0 for g in packet["reproduction"]), _reproduction_note(packet)),
    }
    items = [{"item": key, "label": label, "ok": bool(status[key][0]), "detail": status[key][1]}
             for key, label in CHECKLIST]
    if not_blocked:
        items.append({"item": "blocked", "label": "Every request in the appeal was blocked", "ok": False,
                      "detail": _missing("block (not a blocked request)", not_blocked)})
    return items


def _missing(what: str, ids: Iterable[int]) -> str:
    ids = list(ids)
    return f"missing {what} for request(s) {', '.join(f'#{i}' for i in ids)}" if ids else ""


def _reproduction_note(packet: dict[str, Any]) -> str:
    groups = packet["reproduction"]
    if not groups:
        return "no attempts recorded"
    return "; ".join(f"blocked {g['blocked']} of {g['attempts']} attempt(s) ({g['consistency']})" for g in groups)


def _request(entry: HistoryEntry, redact: bool) -> dict[str, Any]:
    raw_body = entry.raw_body or ""
    message = entry.error_message or ""
    if redact and not entry.redacted:
        raw_body = redact_echoes(raw_body, entry.prompt) or ""
        message = redact_echoes(message, entry.prompt) or ""
    return {
        "history_id": entry.id,
        "timestamp_utc": entry.created_at,
        "completed_at_utc": entry.completed_at,
        "outcome": entry.outcome,
        "endpoint": entry.endpoint,
        "prompt": entry.prompt,
        "prompt_redacted": entry.redacted or entry.prompt == PROMPT_MARK,
        "prompt_sha256": entry.prompt_sha256,
        "provider": entry.provider,
        "profile": entry.profile,
        "base_url": entry.base_url,
        "model": entry.model,
        "result_model": entry.result_model,
        "parameters": entry.params,
        "http_status": entry.http_status,
        "error": {
            "kind": entry.error_kind, "type": entry.error_type, "code": entry.error_code,
            "message": message, "param": entry.error_param, "stage": entry.stage,
            "categories": entry.categories, "safety_violations": entry.safety_violations,
            "details": entry.error_details,
        },
        "request_ids": entry.request_ids,
        "request_id_sources": entry.request_id_sources,
        "raw_error_body": raw_body,
        "latency_ms": entry.latency_ms,
        "retries": entry.retries,
        "source": entry.source,
        "source_detail": entry.source_detail,
        "review": {"state": entry.review_state, "reviews": entry.reviews},
        "local_screening": {
            "verdict": entry.verdict,
            "findings": [{"term": f.get("term", ""), "category": f.get("category", ""),
                          "severity": f.get("severity", "")} for f in entry.findings],
        },
        "moderation_scores": entry.moderation_scores,
        "images": [
            {"role": img.role, "file": image_filename(entry.id, img.role, img.position, img.format),
             "sha256": img.sha256, "format": img.format, "width": img.width, "height": img.height}
            for img in entry.images
        ],
    }


def image_filename(history_id: int, role: str, position: int, fmt: str) -> str:
    """Name of an image inside the ZIP bundle."""
    return f"images/request-{history_id}-{role}-{position + 1}.{EXTENSIONS.get(fmt, 'bin')}"


def _reproduction(rows: list[HistoryEntry]) -> dict[str, Any]:
    judged = [r for r in rows if r.outcome in ("ok", *BLOCKED_OUTCOMES)]
    blocked = [r for r in rows if r.outcome in BLOCKED_OUTCOMES]
    passed = [r for r in rows if r.outcome == "ok"]
    settings: dict[tuple[str | None, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row.profile, row.provider, row.model, row.endpoint, row.size, row.quality, row.moderation)
        slot = settings.setdefault(key, {
            "profile": row.profile, "provider": row.provider, "model": row.model, "endpoint": row.endpoint,
            "size": row.size, "quality": row.quality, "moderation": row.moderation,
            "attempts": 0, "blocked": 0, "passed": 0,
        })
        slot["attempts"] += 1
        slot["blocked"] += row.outcome in BLOCKED_OUTCOMES
        slot["passed"] += row.outcome == "ok"
    readable = [r for r in rows if not r.redacted]
    sample = (readable or rows)[-1] if rows else None
    categories = sorted({c for r in blocked for c in r.categories})
    return {
        "prompt": (sample.prompt if sample else ""),
        "prompt_key": sample.prompt_key if sample else None,
        "attempts": len(rows),
        "judged": len(judged),
        "blocked": len(blocked),
        "passed": len(passed),
        "other": len(rows) - len(judged),
        "consistency": _consistency(len(blocked), len(passed)),
        "first_attempt_utc": rows[0].created_at if rows else None,
        "last_attempt_utc": rows[-1].created_at if rows else None,
        "first_blocked_utc": blocked[0].created_at if blocked else None,
        "last_blocked_utc": blocked[-1].created_at if blocked else None,
        "categories": categories,
        "stages": sorted({r.stage for r in blocked if r.stage}),
        "settings": sorted(settings.values(), key=lambda s: (-s["blocked"], -s["attempts"])),
        "blocked_request_ids": [i for r in blocked for i in r.request_ids][:100],
        "blocked_history_ids": [r.id for r in blocked],
    }


def _consistency(blocked: int, passed: int) -> str:
    if blocked and not passed:
        return "always blocked" if blocked > 1 else "blocked once (not yet retried)"
    if blocked and passed:
        return "intermittent"
    return "not blocked"
