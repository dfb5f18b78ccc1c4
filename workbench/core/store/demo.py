"""Synthetic history for demos, screenshots, tests and benchmarks (rows marked `source="demo"`).

The generated requests look like a team's real traffic: a mix of models, profiles and
settings, a few percent of input and output blocks with their categories and request IDs,
rewrites of blocked prompts (lineage) that mostly pass, costs and token counts, and local
findings so that the calibration map has something to show. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from workbench.core.api.records import ErrorRecord
from workbench.core.store.history import HistoryStore
from workbench.core.store.timestamps import format_utc

SUBJECTS = (
    "a lighthouse on a cliff", "a red fox in fresh snow", "a busy night market", "an astronaut tending a garden",
    "a vintage bicycle shop", "a lone samurai at dawn", "two knights in a courtyard", "a jazz band on a rooftop",
    "a child reading under a tree", "a dragon over a castle", "a detective in the rain", "a robot barista",
)
STYLES = (
    "watercolor", "oil painting", "cinematic still", "isometric illustration", "35mm photo",
    "pixel art", "charcoal sketch", "studio product shot",
)
# Words that local screening would flag, with the category the provider tends to report.
RISKY = (
    ("fighting", "violence", "medium"), ("blood", "violence", "high"), ("rifle", "violence", "medium"),
    ("gore", "violence/graphic", "high"), ("bikini", "sexual", "medium"), ("seductive", "sexual", "high"),
    ("photorealistic child", "minors", "high"), ("in the style of a famous living painter", "living-artist", "medium"),
)
PROFILES = (("OpenAI", "openai", "https://api.openai.com/v1"),
            ("Azure", "azure", "https://contoso.openai.azure.com/openai"),
            ("Sandbox", "sandbox", "http://127.0.0.1:8787/v1"))
MODELS = ("gpt-image-1", "gpt-image-1-mini", "gpt-image-2")
QUALITIES = ("low", "medium", "high", "auto")
SIZES = ("1024x1024", "1536x1024", "1024x1536")
PRICE = {"low": 0.011, "medium": 0.042, "high": 0.167, "auto": 0.042}


def generate_history(store: HistoryStore, count: int, *, seed: int = 7, days: int = 60,
                     end: datetime | None = None, batch: int = 2000) -> list[int]:
    """Insert `count` synthetic requests spread over `days` before `end`; returns their ids."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
    ids: list[int] = []
    blocked: list[tuple[int, str]] = []
    for first in range(0, count, batch):
        with store.transaction():
            for moment in moments[first:first + batch]:
                request_id, prompt, was_blocked = _one(store, rng, moment, blocked)
                ids.append(request_id)
                if was_blocked:
                    blocked.append((request_id, prompt))
                    del blocked[:-50]
    return ids


class _Common(TypedDict):
    """The `record_completed` keywords every demo row shares, whatever its outcome."""
    profile: str
    provider: str
    base_url: str
    findings: list[dict[str, Any]]
    parent_id: int | None
    source: str
    created_at: str
    request_ids: list[str]
    latency_ms: float


def _one(store: HistoryStore, rng: random.Random, moment: datetime,
         blocked: list[tuple[int, str]]) -> tuple[int, str, bool]:
    parent_id: int | None = None
    if blocked and rng.random() < 0.03:
        parent_id, original = blocked.pop(rng.randrange(len(blocked)))
        scene = original.split(", ", 1)[-1]
        for term, _category, _severity in RISKY:
            scene = scene.replace(" " + term, "")
        prompt = f"Movie still: {scene}, dramatic standoff, theatrical lighting"
        risky: list[tuple[str, str, str]] = []
        block_chance = 0.12
    else:
        subject, style = rng.choice(SUBJECTS), rng.choice(STYLES)
        risky = rng.sample(RISKY, k=rng.choice((0,) * 9 + (1, 1, 2)))
        extra = " ".join(term for term, _c, _s in risky)
        prompt = f"{style}, {subject}{' ' + extra if extra else ''}"
        block_chance = 0.005 + sum({"high": 0.3, "medium": 0.08}.get(s, 0.03) for _t, _c, s in risky)
    profile, provider, base_url = rng.choices(PROFILES, weights=(6, 3, 1))[0]
    model, quality, size = rng.choice(MODELS), rng.choice(QUALITIES), rng.choice(SIZES)
    moderation = rng.choices(("auto", "low"), weights=(5, 1))[0]
    if moderation == "low":
        block_chance *= 0.7
    findings = [_finding(prompt, term, category, severity) for term, category, severity in risky]
    request_ids = [f"req_{uuid.UUID(int=rng.getrandbits(128)).hex}"]
    roll = rng.random()
    created = format_utc(moment)
    common = _Common(profile=profile, provider=provider, base_url=base_url, findings=findings,
                  parent_id=parent_id, source="demo", created_at=created, request_ids=request_ids,
                  latency_ms=round(rng.uniform(300, 900) if roll < block_chance else rng.uniform(8000, 60000), 1))
    params = {"model": model, "quality": quality, "size": size, "moderation": moderation, "n": 1}
    if roll < block_chance:
        categories = sorted({c.split("/")[0] for _t, c, _s in risky} or {rng.choice(("violence", "sexual", "other"))})
        stage = "output" if rng.random() < 0.15 else "input"
        error = _block(request_ids[0], categories, stage, provider)
        outcome = "blocked_output" if stage == "output" else "blocked_input"
        result = store.record_completed(prompt, params, outcome=outcome, error=error, http_status=400, **common)
        return int(result.id or 0), prompt, True
    if roll > 0.985:
        error = ErrorRecord(kind="rate_limited", message="Rate limit reached for images per minute.",
                            http_status=429, code="rate_limit_exceeded", request_ids=request_ids)
        result = store.record_completed(prompt, params, outcome="error", error=error, http_status=429, **common)
        return int(result.id or 0), prompt, False
    tokens = {"low": 272, "medium": 1056, "high": 4160, "auto": 1056}[quality]
    usage = {"input_tokens": len(prompt) // 4, "output_tokens": tokens, "total_tokens": tokens + len(prompt) // 4}
    result = store.record_completed(prompt, params, outcome="ok", http_status=200, usage=usage,
                                    actual_cost=PRICE[quality] * (0.5 if "mini" in model else 1.0), **common)
    return int(result.id or 0), prompt, False


def _finding(prompt: str, term: str, category: str, severity: str) -> dict[str, Any]:
    start = prompt.find(term)
    return {"start": start, "end": start + len(term), "text": term, "category": category,
            "severity": severity, "message": f"{category} term", "replacements": [], "rule": "demo", "term": term}


def _block(request_id: str, categories: list[str], stage: str, provider: str) -> ErrorRecord:
    message = (
        "Your request was rejected by the safety system. If you believe this is an error, contact us at "
        f"help.openai.com and include the request ID {request_id}. safety_violations=[{', '.join(categories)}]."
    )
    body = ('{"error": {"message": "' + message + '", "type": "image_generation_user_error", "param": null, '
            '"code": "moderation_blocked", "moderation_details": {"moderation_stage": "' + stage
            + '", "categories": [' + ", ".join(f'"{c}"' for c in categories) + "]}}}")
    return ErrorRecord(kind="blocked", message=message, stage=stage, categories=categories, http_status=400,
                       type="image_generation_user_error", code="moderation_blocked", raw_body=body,
                       request_ids=[request_id], provider=provider, safety_violations=categories)
