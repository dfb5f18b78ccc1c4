"""Probing for real: Moderations (free) or image calls at the cheapest settings under a cap.

`find_trigger(prompt, client, …)` narrows clauses first, then the phrases of the clauses that
remain, and returns a `TriggerResult` with the trigger spans (offsets into `prompt`), every
probe, and what was spent. Every probe is a history row whose parent is the request the run
started from, so the run is part of that request's lineage and evidence for an appeal.

Budget: each image probe is charged its price-table estimate (or its actual cost when higher)
*before* it is sent; a probe that would take the total past the cap is not sent, and the run
stops with the narrowest set found so far. Moderation probes are free. Cancelling the task
stops the run between or during probes; the rows already written stay.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.core.api import pricing
from workbench.core.api.records import ErrorRecord, ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.errors import UserFacingError
from workbench.core.store.history import HistoryStore
from workbench.core.store.models import BLOCKED_OUTCOMES
from workbench.core.store.trigger_runs import save_run
from workbench.core.trigger import search, units
from workbench.core.trigger.units import Span

MODES = ("auto", "moderation", "image")
MODERATION_NOTE = (
    "Probed with the Moderations endpoint, a different system from the image endpoint's own "
    "safety check: a span it flags is a strong lead, not proof of what the image API blocked."
)


class BudgetReached(Exception):
    """The next image probe would take the spend past the cap."""


@dataclass
class ProbeRecord:
    text: str
    kind: str  # "moderation" | "image"
    triggered: bool
    categories: list[str] = field(default_factory=list)
    cost: float = 0.0
    history_id: int | None = None
    request_id: str | None = None
    error: str | None = None


@dataclass
class TriggerResult:
    prompt: str
    status: str  # narrowed | not_reproduced | budget | cancelled | error
    mode: str  # the probe kind that decided: moderation | image
    spans: list[Span] = field(default_factory=list)
    probes: list[ProbeRecord] = field(default_factory=list)
    spent: float = 0.0
    budget: float = 0.0
    estimate_per_probe: float | None = None
    parent_id: int | None = None
    message: str = ""

    @property
    def texts(self) -> list[str]:
        return [self.prompt[a:b] for a, b in self.spans]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["spans"] = [{"start": a, "end": b, "text": self.prompt[a:b]} for a, b in self.spans]
        out["probe_count"] = len(self.probes)
        out["spent"] = round(self.spent, 6)
        return out


@dataclass
class Plan:
    """What a run may cost, shown before it starts."""

    clauses: int
    max_probes: int  # halving probes + confirmations, clause and phrase level (no fallback)
    per_probe: float | None
    budget: float

    @property
    def worst_case(self) -> float | None:
        return None if self.per_probe is None else self.per_probe * self.max_probes


def probe_params(params: ImageParams) -> ImageParams:
    """The cheapest request that still asks the same model: low quality, n=1, cheapest size."""
    cheap = ImageParams.from_dict({**params.to_dict(), "quality": "low", "n": 1})
    cheap.partial_images = None
    cheap.size = cheapest_size(cheap)
    return cheap


def cheapest_size(params: ImageParams) -> str | None:
    prices = pricing.default_prices().get(params.model)
    sizes = prices.per_image.get("low", {}) if prices else {}
    if not sizes:
        return params.size
    return min(sizes, key=lambda s: (sizes[s], s))


def plan(prompt: str, params: ImageParams, budget: float) -> Plan:
    clauses = units.clause_spans(prompt)
    steps = math.ceil(math.log2(max(1, len(clauses))))
    longest = max((len(units.phrase_spans(prompt, c)) for c in clauses), default=1)
    max_probes = 1 + steps + 1 + math.ceil(math.log2(max(1, longest))) + 1
    estimate = pricing.estimate_cost(probe_params(params), prompt=prompt)
    return Plan(len(clauses), max_probes, estimate.usd if estimate else None, budget)


class _Prober:
    """One probe kind, with the budget, the history rows and the record of every probe."""

    def __init__(self, prompt: str, client: Any, store: HistoryStore | None, parent_id: int | None,
                 params: ImageParams, budget: float, result: TriggerResult,
                 on_probe: Callable[[ProbeRecord], None] | None) -> None:
        self.prompt, self.client, self.store, self.parent_id = prompt, client, store, parent_id
        self.params = probe_params(params)
        self.budget = budget
        self.result = result
        self.on_probe = on_probe

    async def __call__(self, kind: str, spans: list[Span]) -> bool:
        text = units.join(self.prompt, spans)
        record = await (self._moderate(text) if kind == "moderation" else self._image(text))
        self.result.probes.append(record)
        if self.on_probe is not None:
            self.on_probe(record)
        return record.triggered

    async def _moderate(self, text: str) -> ProbeRecord:
        scores = await self.client.moderate(text)
        if scores.error is not None:
            raise _ProbeFailed(scores.error.message or scores.error.kind)
        categories = scores.flagged_categories()
        record = ProbeRecord(text, "moderation", scores.flagged, categories,
                             request_id=scores.request_ids[0] if scores.request_ids else None)
        if self.store is not None:
            error = (ErrorRecord(kind="blocked", stage="input", categories=categories,
                                 message="flagged by the Moderations endpoint (find the trigger)")
                     if scores.flagged else None)
            record.history_id = self.store.record_completed(
                text, {"model": scores.model or "omni-moderation-latest"},
                outcome="blocked_input" if scores.flagged else "ok", error=error,
                request_ids=scores.request_ids, latency_ms=scores.latency_ms,
                profile=self.client.profile.name, provider=self.client.profile.kind,
                base_url=self.client.display_url, endpoint="moderate", parent_id=self.parent_id,
                source="trigger", notes="find-the-trigger probe").id
        return record

    async def _image(self, text: str) -> ProbeRecord:
        estimate = pricing.estimate_cost(self.params, prompt=text)
        if estimate is None:
            raise _ProbeFailed(f"no price for {self.params.model}: a budget cannot be kept")
        if self.result.spent + estimate.usd > self.budget + 1e-12:
            raise BudgetReached()
        self.result.spent += estimate.usd  # charged before sending: a cancelled call may bill
        request = ImageRequest(prompt=text, params=self.params,
                               meta={"parent_id": self.parent_id, "source": "trigger"})  # a history row
        outcome = await self.client.generate(request)
        cost = max(estimate.usd, outcome.actual_cost or 0.0)
        self.result.spent += cost - estimate.usd
        if outcome.outcome == "cancelled":
            raise asyncio.CancelledError()
        blocked = outcome.outcome in BLOCKED_OUTCOMES
        if outcome.outcome != "ok" and not blocked:
            raise _ProbeFailed((outcome.error.message if outcome.error else "") or outcome.outcome)
        return ProbeRecord(text, "image", blocked, list(outcome.error.categories) if blocked else [],
                           cost=cost, history_id=request.meta.get("history_id"),
                           request_id=outcome.request_ids[0] if outcome.request_ids else None)


class _ProbeFailed(Exception):
    pass


async def find_trigger(prompt: str, client: Any, *, store: HistoryStore | None = None,
                       parent_id: int | None = None, params: ImageParams | None = None,
                       mode: str = "auto", budget: float = 0.0,
                       on_probe: Callable[[ProbeRecord], None] | None = None) -> TriggerResult:
    """Narrow `prompt` to its trigger; see the module docstring. `client` is an ImageClient
    whose recorder (if any) writes image probes to history; moderation probes go to `store`.
    `on_probe` is told each probe as it finishes (progress)."""
    if mode not in MODES:
        raise UserFacingError(f"mode must be one of {', '.join(MODES)}")
    if budget < 0 or not math.isfinite(budget):
        raise UserFacingError("the budget must be a positive amount in USD")
    if not prompt.strip():
        raise UserFacingError("nothing to probe: the prompt is empty")
    params = params or ImageParams()
    result = TriggerResult(prompt, "not_reproduced", "moderation", budget=budget, parent_id=parent_id)
    result.estimate_per_probe = plan(prompt, params, budget).per_probe
    prober = _Prober(prompt, client, store, parent_id, params, budget, result, on_probe)
    clauses = units.clause_spans(prompt)
    try:
        kind = await _first_kind(mode, prober, clauses, budget)
        if kind is None:
            result.message = _not_reproduced(mode, budget)
            return result
        result.mode = kind
        result.spans = clauses
        result.status = "narrowed"

        async def probe(spans: list[Span]) -> bool:
            return await prober(kind, spans)

        def best(spans: list[Span]) -> None:
            result.spans = sorted(spans)

        found = await search.narrow(clauses, probe, on_confirmed=best)
        best(found)
        narrowed: list[Span] = []  # the clauses before this one, already narrowed to phrases
        for k, span in enumerate(found):
            rest = found[k + 1:]
            phrases = units.phrase_spans(prompt, span)
            if len(phrases) < 2:
                narrowed.append(span)
                continue

            best_phrase = _reporter(best, list(narrowed), rest)
            got = await search.narrow(phrases, probe, context=narrowed + rest, on_confirmed=best_phrase)
            best_phrase(got)
            narrowed += got
        result.message = _found_message(result)
    except BudgetReached:
        result.status = "budget"
        result.message = (f"Stopped at the spending cap (${budget:.2f}, spent ${result.spent:.4f}); "
                          "the spans shown still trigger but may narrow further.")
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        result.status = "cancelled"
        result.message = "Cancelled; the spans shown still trigger but may narrow further."
    except _ProbeFailed as exc:
        result.status = "error"
        result.message = f"A probe failed: {exc}"
    if store is not None and result.probes:
        save_run(store, request_id=parent_id, prompt=prompt, mode=result.mode, status=result.status,
                 spans=result.spans, probe_ids=[p.history_id for p in result.probes if p.history_id],
                 spent=result.spent, budget=budget, message=result.message)
    return result


def _reporter(best: Callable[[list[Span]], None], done: list[Span],
              rest: list[Span]) -> Callable[[list[Span]], None]:
    """Report a clause's narrowed phrases together with the other clauses' spans."""
    return lambda spans: best(done + spans + rest)


async def _first_kind(mode: str, prober: _Prober, clauses: list[Span], budget: float) -> str | None:
    """Which probe kind reproduces the whole prompt (moderation first: it is free)."""
    if mode in ("auto", "moderation") and await prober("moderation", clauses):
        return "moderation"
    if mode == "image" or (mode == "auto" and budget > 0):
        if await prober("image", clauses):
            return "image"
    return None


def _not_reproduced(mode: str, budget: float) -> str:
    if mode == "moderation" or (mode == "auto" and budget <= 0):
        return ("The Moderations endpoint does not flag this prompt, so it cannot narrow it. "
                "Give a budget to probe with real image calls at the cheapest settings.")
    return "The whole prompt passed when probed, so there is no trigger to narrow."


def _found_message(result: TriggerResult) -> str:
    quoted = "; ".join(f"“{t}”" for t in result.texts)
    how = MODERATION_NOTE if result.mode == "moderation" else "Probed with real image calls."
    return f"Trigger narrowed to {quoted} in {len(result.probes)} probes. {how}"
