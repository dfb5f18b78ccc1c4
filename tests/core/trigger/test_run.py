"""Find the trigger against the real Sandbox: moderation and image probes, budget, history."""

from __future__ import annotations

import asyncio

import pytest

from tests.core.trigger.test_search import prompt_with
from workbench.core.api import pricing
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.store.history import HistoryStore
from workbench.core.store.recorder import HistoryRecorder
from workbench.core.trigger.run import find_trigger, plan, probe_params
from workbench.sandbox import SandboxServer


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with HistoryStore.open(tmp_path / "history.db") as s:
        yield s


def run(sandbox, store, prompt, **kwargs):
    async def go():
        profile = Profile(name="Sandbox", kind="sandbox", base_url=sandbox.url)
        async with ImageClient.for_profile(profile, recorder=HistoryRecorder(store)) as client:
            return await find_trigger(prompt, client, store=store, **kwargs)
    return asyncio.run(go())


def test_moderation_narrows_one_clause_of_32_to_its_phrase(sandbox, store):
    text = prompt_with(17)
    result = run(sandbox, store, text, mode="moderation")
    assert result.status == "narrowed" and result.mode == "moderation"
    assert result.texts == ["Scene 17: a decapitated statue"] or result.texts == ["a decapitated statue"]
    assert len(result.probes) <= 12
    assert result.spent == 0.0
    assert "different system" in result.message


def test_image_probes_are_cheap_children_of_the_request_and_within_budget(sandbox, store):
    text = prompt_with(3, count=8)
    parent = store.begin_request(text, ImageParams(model="gpt-image-1", quality="high", size="1536x1024"))
    result = run(sandbox, store, text, mode="image", budget=1.0, parent_id=parent,
                 params=ImageParams(model="gpt-image-1", quality="high", size="1536x1024"))
    assert result.status == "narrowed" and result.mode == "image"
    assert "decapitated" in " ".join(result.texts)
    rows = [store.get(p.history_id) for p in result.probes]
    assert all(r.parent_id == parent for r in rows)
    assert {(r.params["quality"], r.params["size"], r.params["n"]) for r in rows} == {("low", "1024x1024", 1)}
    assert result.spent == pytest.approx(sum(p.cost for p in result.probes))
    assert result.spent <= 1.0
    lineage = store.lineage(parent)
    assert len(lineage) >= len(rows)


@pytest.mark.parametrize("budget", [0.0, 0.011, 0.02, 0.035, 0.05])
def test_the_budget_is_never_exceeded(sandbox, store, budget):
    text = prompt_with(21)
    result = run(sandbox, store, text, mode="image", budget=budget)
    assert result.spent <= budget + 1e-12
    per_probe = pricing.estimate_cost(probe_params(ImageParams()), prompt=text).usd
    if budget < per_probe:
        assert result.probes == [] and result.status == "budget"
    else:
        assert result.status in ("budget", "narrowed")
        assert all(p.kind == "image" for p in result.probes)


def test_cancelling_mid_run_keeps_what_was_spent_and_found(sandbox, store):
    text = prompt_with(9, count=16).replace("Scene 0:", "[sandbox:slow=0.4] Scene 0:")

    async def go():
        profile = Profile(name="Sandbox", kind="sandbox", base_url=sandbox.url)
        async with ImageClient.for_profile(profile, recorder=HistoryRecorder(store)) as client:
            task = asyncio.ensure_future(find_trigger(text, client, store=store, mode="image", budget=0.5))
            await asyncio.sleep(0.2)  # inside the first (slow) probe
            task.cancel()
            return await task

    result = asyncio.run(go())
    assert result.status == "cancelled"
    assert result.spent <= 0.5
    outcomes = [store.get(p.history_id).outcome for p in result.probes]
    assert all(o != "pending" for o in outcomes)


def test_a_prompt_moderation_does_not_flag_needs_a_budget(sandbox, store):
    result = run(sandbox, store, "A lighthouse at dawn. Gulls over the bay.", mode="auto", budget=0.0)
    assert result.status == "not_reproduced" and len(result.probes) == 1
    assert "budget" in result.message


def test_moderation_probes_are_history_rows_but_not_image_statistics(sandbox, store):
    from workbench.core.store.stats import compute_stats

    run(sandbox, store, prompt_with(2, count=4), mode="moderation")
    rows = [store.get(r.id) for r in store.search("", limit=50).rows]
    assert rows and all(r.endpoint == "moderate" and r.source == "trigger" for r in rows)
    assert compute_stats(store).total == 0


def test_plan_shows_the_cost_before_starting():
    p = plan(prompt_with(1), ImageParams(model="gpt-image-1"), 0.1)
    assert p.clauses == 32 and p.per_probe and p.worst_case == pytest.approx(p.per_probe * p.max_probes)


def test_the_run_is_kept_as_appeal_evidence(sandbox, store):
    import json

    from tests.core.appeal.test_appeal_packet import _check
    from workbench.core.api.records import ErrorRecord, GenerationResult
    from workbench.core.appeal import PACKET_SCHEMA, AppealStore, build_packet
    from workbench.core.appeal.document import packet_document, render_markdown
    from workbench.core.store.trigger_runs import runs_for

    text = prompt_with(2, count=4)
    parent = store.begin_request(text, ImageParams())
    store.complete_request(parent, GenerationResult(outcome="blocked_input", error=ErrorRecord(
        kind="blocked", stage="input", categories=["violence"], message="blocked")))
    result = run(sandbox, store, text, mode="image", budget=0.5, parent_id=parent)
    (saved,) = runs_for(store, parent)
    assert saved.texts == result.texts and saved.probes == len(result.probes)
    assert {store.get(i).source for i in saved.probe_ids} == {"trigger"}
    appeal = AppealStore(store).create([parent])
    packet = json.loads(json.dumps(build_packet(store, appeal)))
    _check(packet, PACKET_SCHEMA)
    assert packet["requests"][0]["trigger_runs"][0]["spans"][0]["text"] == result.texts[0]
    assert "Find the trigger: narrowed" in render_markdown(packet_document(packet))
