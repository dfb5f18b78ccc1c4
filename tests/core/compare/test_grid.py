"""A prompts × targets grid against the real Sandbox: concurrency per provider, lineage, rows."""

from __future__ import annotations

import asyncio

import pytest

from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.compare.grid import Target, run_grid
from workbench.core.errors import BadInputError
from workbench.core.store.history import HistoryStore
from workbench.core.store.recorder import HistoryRecorder
from workbench.core.store.stats import compute_stats
from workbench.sandbox import SandboxServer


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with HistoryStore.open(tmp_path / "history.db") as s:
        yield s


def grid(sandbox, store, prompts, targets, **kwargs):
    async def go():
        profiles = {t.profile for t in targets}
        clients = {name: ImageClient.for_profile(Profile(name=name, kind="sandbox", base_url=sandbox.url),
                                                 recorder=HistoryRecorder(store)) for name in profiles}
        try:
            return await run_grid(prompts, targets, clients, **kwargs)
        finally:
            for c in clients.values():
                await c.aclose()
    return asyncio.run(go())


SLOW = "[sandbox:slow=0.3] "


def test_three_by_three_respects_concurrency_per_provider(sandbox, store):
    targets = [Target("A", "gpt-image-1"), Target("A", "gpt-image-1-mini"), Target("B", "gpt-image-2")]
    prompts = [SLOW + "a decapitated knight", SLOW + "a fallen knight", SLOW + "a knight at rest"]
    done = []
    g = grid(sandbox, store, prompts, targets, concurrency=1, on_cell=done.append,
             params=ImageParams(quality="low"))
    assert g.max_in_flight == {"A": 1, "B": 1}
    assert len(done) == 9
    assert [c.outcome for c in g.cells[0]] == ["blocked_input"] * 3
    assert all(c.outcome == "ok" for row in g.cells[1:] for c in row)
    assert g.summary() | {"cost": 0, "estimated_cost": 0} == {"cells": 9, "ok": 6, "blocked": 3, "other": 0,
                                                              "cost": 0, "estimated_cost": 0}


def test_two_in_flight_when_allowed(sandbox, store):
    targets = [Target("A", m) for m in ("gpt-image-1", "gpt-image-1-mini", "gpt-image-2")]
    g = grid(sandbox, store, [SLOW + "a lighthouse"], targets, concurrency=2)
    assert g.max_in_flight == {"A": 2}


def test_every_cell_is_a_history_row_and_rewrites_are_children(sandbox, store):
    targets = [Target("A", "gpt-image-1"), Target("A", "gpt-image-2")]
    g = grid(sandbox, store, ["a decapitated knight", "a fallen knight in armour"], targets)
    for c, _ in enumerate(targets):
        original, rewrite = g.cells[0][c], g.cells[1][c]
        assert store.get(original.history_id).model == targets[c].model
        assert store.get(rewrite.history_id).parent_id == original.history_id
    stats = compute_stats(store)
    assert stats.total == 4
    assert (stats.rewrite.rewrites, stats.rewrite.passed, stats.rewrite.recovered) == (2, 2, 2)


def test_bad_grids_are_refused(sandbox, store):
    with pytest.raises(BadInputError):
        grid(sandbox, store, [], [Target("A", "gpt-image-1")])
    with pytest.raises(BadInputError):
        grid(sandbox, store, ["x"] * 9, [Target("A", "gpt-image-1")] * 8)
