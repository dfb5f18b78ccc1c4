"""The dashboard leaves Sandbox and demo traffic out by default, says so, and includes it on request."""

from __future__ import annotations

import pytest

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams
from workbench.core.store import HistoryFilter
from workbench.core.store.demo import generate_history
from workbench.core.store.models import TEST_PROVIDERS, TEST_SOURCES
from workbench.core.store.stats import compute_stats
from workbench.ui.dashboard import DashboardView


def blocked() -> GenerationResult:
    return GenerationResult(outcome="blocked_input", error=ErrorRecord(
        kind="blocked", message="rejected by the safety system", stage="input", categories=["violence"],
        http_status=400, code="moderation_blocked"))


@pytest.fixture
def mixed(ops):
    """2 real OpenAI requests (1 blocked), 3 Sandbox requests (all blocked), 50 demo rows."""
    store = ops.history.store()
    for n, kind in enumerate(["openai", "openai", "sandbox", "sandbox", "sandbox"]):
        rid = store.begin_request(f"two knights {n}", ImageParams(model="gpt-image-1"),
                                  profile="Sandbox" if kind == "sandbox" else "OpenAI", provider=kind)
        store.complete_request(rid, blocked() if n != 1 else GenerationResult(outcome="ok"))
    generate_history(store, 50, seed=4)
    return store


@pytest.fixture
def view(qtbot, ops):
    widget = DashboardView(ops)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    yield widget
    widget.worker.close()


def test_the_filter_leaves_test_traffic_out_in_the_core(mixed):
    flt = HistoryFilter(exclude_providers=TEST_PROVIDERS, exclude_sources=TEST_SOURCES)
    assert compute_stats(mixed, flt).total == 2
    assert compute_stats(mixed).total == 55
    demo_not_sandbox = mixed.db.execute(
        "SELECT count(*) FROM requests WHERE source = 'demo' AND provider != 'sandbox'").fetchone()[0]
    assert 0 < demo_not_sandbox < 50  # the demo rows mix providers, Sandbox among them
    assert mixed.count("", HistoryFilter(exclude_providers=("sandbox",))) == 2 + demo_not_sandbox
    assert mixed.count("", HistoryFilter(exclude_sources=("demo",))) == 5


def test_rows_without_a_provider_are_kept(ops):
    store = ops.history.store()
    store.record_completed("an imported block", {"model": "gpt-image-1"}, outcome="blocked_input")
    flt = HistoryFilter(exclude_providers=TEST_PROVIDERS, exclude_sources=TEST_SOURCES)
    assert store.count("", flt) == 1


def test_by_default_the_dashboard_shows_only_real_traffic_and_says_what_it_left_out(view, mixed, qloop):
    assert not view.include_test.isChecked()
    stats = qloop.run_until_complete(view.refresh())
    assert stats.total == 2
    assert view.volume_card.value.text() == "2"
    assert view.rate_card.value.text() == "50.0 %"
    assert "53 Sandbox/demo left out" in view.updated.text()


def test_ticking_the_toggle_includes_sandbox_and_demo(view, mixed, qloop, until):
    qloop.run_until_complete(view.refresh())
    view.include_test.click()  # a real click: the toggle refreshes by itself
    qloop.run_until_complete(until(lambda: view.stats is not None and view.stats.total == 55))
    assert view.volume_card.value.text() == "55"
    assert "left out" not in view.updated.text()


def test_a_history_of_only_sandbox_requests_explains_the_empty_dashboard(view, ops, qloop):
    store = ops.history.store()
    rid = store.begin_request("a fox", ImageParams(model="gpt-image-1"), profile="Sandbox", provider="sandbox")
    store.complete_request(rid, GenerationResult(outcome="ok"))
    stats = qloop.run_until_complete(view.refresh())
    assert stats.total == 0
    assert "1 Sandbox and demo request(s) are left out" in view.volume_card.caption.text()
