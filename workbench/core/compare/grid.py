"""Running a prompts × targets grid with a concurrency limit per provider."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.errors import BadInputError

MAX_CELLS = 64  # a grid is for comparing, not batch generation


@dataclass(frozen=True)
class Target:
    """One column: a provider profile and a model on it."""

    profile: str
    model: str

    @property
    def label(self) -> str:
        return f"{self.profile} · {self.model}"


@dataclass
class Cell:
    row: int
    column: int
    prompt: str
    profile: str
    model: str
    outcome: str = "pending"
    stage: str | None = None
    categories: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    cost: float | None = None  # actual cost (None when the provider's usage did not say)
    estimated_cost: float | None = None
    images: int = 0
    history_id: int | None = None
    request_id: str | None = None
    message: str = ""


@dataclass
class Grid:
    prompts: list[str]
    targets: list[Target]
    cells: list[list[Cell]]
    max_in_flight: dict[str, int] = field(default_factory=dict)  # per provider, as observed

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompts": self.prompts,
            "targets": [asdict(t) | {"label": t.label} for t in self.targets],
            "cells": [[asdict(c) for c in row] for row in self.cells],
            "max_in_flight": self.max_in_flight,
            "summary": self.summary(),
        }

    def summary(self) -> dict[str, Any]:
        flat = [c for row in self.cells for c in row]
        return {
            "cells": len(flat),
            "ok": sum(c.outcome == "ok" for c in flat),
            "blocked": sum(c.outcome.startswith("blocked") for c in flat),
            "other": sum(c.outcome != "ok" and not c.outcome.startswith("blocked") for c in flat),
            "cost": round(sum(c.cost or 0.0 for c in flat), 6),
            "estimated_cost": round(sum(c.estimated_cost or 0.0 for c in flat), 6),
        }


CellCallback = Callable[[Cell], None]


async def run_grid(prompts: Sequence[str], targets: Sequence[Target], clients: Mapping[str, Any], *,
                   params: ImageParams | None = None, concurrency: int = 2,
                   on_cell: CellCallback | None = None) -> Grid:
    """Run every cell; `clients` maps a profile name to its ImageClient (with a recorder).

    Rows after the first are rewrites of the first: on each target the original runs first and
    its history row becomes their parent. `on_cell` is told each finished cell (progress)."""
    if not prompts or not targets:
        raise BadInputError("a comparison needs at least one prompt and one target")
    if len(prompts) * len(targets) > MAX_CELLS:
        raise BadInputError(f"{len(prompts)} × {len(targets)} cells is more than {MAX_CELLS}")
    if concurrency < 1:
        raise BadInputError("concurrency must be at least 1")
    missing = sorted({t.profile for t in targets} - set(clients))
    if missing:
        raise BadInputError(f"no client for profile {', '.join(missing)}")
    base = params or ImageParams()
    grid = Grid(list(prompts), list(targets),
                [[Cell(r, c, p, t.profile, t.model) for c, t in enumerate(targets)] for r, p in enumerate(prompts)])
    limits = {name: asyncio.Semaphore(concurrency) for name in clients}
    in_flight = {name: 0 for name in clients}

    async def one(cell: Cell, parent_id: int | None) -> None:
        client = clients[cell.profile]
        async with limits[cell.profile]:
            in_flight[cell.profile] += 1
            grid.max_in_flight[cell.profile] = max(grid.max_in_flight.get(cell.profile, 0), in_flight[cell.profile])
            try:
                cell_params = ImageParams.from_dict({**base.to_dict(), "model": cell.model})
                request = ImageRequest(prompt=cell.prompt, params=cell_params, meta={"parent_id": parent_id})
                result = await client.generate(request)
            finally:
                in_flight[cell.profile] -= 1
        _fill(cell, result, request.meta.get("history_id"))
        if on_cell is not None:
            on_cell(cell)

    async def column(c: int) -> None:
        first = grid.cells[0][c]
        await one(first, None)
        await asyncio.gather(*(one(grid.cells[r][c], first.history_id) for r in range(1, len(prompts))))

    await asyncio.gather(*(column(c) for c in range(len(targets))))
    return grid


def _fill(cell: Cell, result: Any, history_id: int | None) -> None:
    cell.outcome = result.outcome
    cell.latency_ms = result.latency_ms
    cell.cost = result.actual_cost
    cell.estimated_cost = result.estimated_cost
    cell.images = len(result.images)
    cell.history_id = history_id
    cell.request_id = result.request_ids[0] if result.request_ids else None
    if result.error is not None:
        cell.stage = result.error.stage
        cell.categories = list(result.error.categories)
        cell.request_id = cell.request_id or result.error.request_id
        cell.message = result.error.message or result.error.kind
