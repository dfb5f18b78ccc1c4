"""Dashboard over a real store: figures from a known history, charts, calibration, refresh."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from workbench.core.api.records import ErrorRecord
from workbench.core.store.demo import generate_history
from workbench.core.store.stats import compute_stats
from workbench.ui import theme
from workbench.ui.dashboard import DashboardView
from workbench.ui.dashboard.charts import Bar, HorizontalBars


def blocked_error(category: str) -> ErrorRecord:
    return ErrorRecord(kind="blocked", message="Your request was rejected by the safety system.", stage="input",
                       categories=[category], http_status=400, code="moderation_blocked")


@pytest.fixture
def known(ops):
    """97 passing requests and 3 blocks (2 violence, 1 sexual); one block rewritten and passed."""
    store = ops.history.store()
    with store.transaction():
        for i in range(96):
            store.record_completed(f"a quiet harbour at dawn, study {i}", {"model": "gpt-image-1"}, outcome="ok",
                                   actual_cost=0.01)
        parent = store.record_completed("two knights fighting, blood on the armour", {"model": "gpt-image-1"},
                                        outcome="blocked_input", error=blocked_error("violence"),
                                        findings=[{"start": 12, "end": 20, "text": "fighting", "category": "violence",
                                                   "severity": "medium", "term": "fighting"}]).id
        store.record_completed("two knights fighting again", {"model": "gpt-image-1"}, outcome="blocked_input",
                               error=blocked_error("violence"))
        store.record_completed("a seductive pose", {"model": "gpt-image-1"}, outcome="blocked_input",
                               error=blocked_error("sexual"))
        store.record_completed("Movie still: two knights in a dramatic standoff", {"model": "gpt-image-1"},
                               outcome="ok", parent_id=parent)
    return store


@pytest.fixture
def view(qtbot, ops):
    widget = DashboardView(ops)
    qtbot.addWidget(widget)
    widget.resize(1400, 1200)
    yield widget
    widget.worker.close()


def test_figures_of_a_known_history(view, known, qloop):
    stats = qloop.run_until_complete(view.refresh())
    assert stats.total == 100
    assert view.rate_card.value.text() == "3.0 %"
    assert view.band.text() == "Watch (2–5 %)"
    assert "3 blocked of 100 requests" in view.rate_card.caption.text()
    assert view.rewrite_card.value.text() == "100 %"
    assert "1 of 1 rewrites of blocked prompts passed" in view.rewrite_card.caption.text()
    assert view.volume_card.value.text() == "100"
    assert view.cost_card.value.text() == "$0.96"
    assert [(b.label, b.value) for b in view.categories.bars] == [("Violence", 2), ("Sexual", 1)]
    assert view.top.rowCount() == 3
    # The map is the learned calibration: the one finding, blocked once on gpt-image-1.x.
    table = view.calibration.table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (0, 1, 3, 4)] == ["gpt-image-1.x", "fighting", "0", "1"]
    assert table.item(0, 7).text() == "medium"  # one block is not enough to move a medium prior
    assert table.item(0, 6).text() == "11 %"  # how sure: 1 / (8 + 1)


def test_numbers_match_the_core_statistics_on_generated_traffic(view, ops, qloop):
    generate_history(ops.history.store(), 800, seed=3)
    view.include_test.setChecked(True)  # generated rows are demo traffic, left out by default
    stats = qloop.run_until_complete(view.refresh())
    expected = compute_stats(ops.history.store())
    assert stats.violation == expected.violation
    assert view.rate_card.value.text() == f"{expected.violation.rate * 100:.1f} %"
    assert sum(p.total for p in view.trend.points) == expected.total == 800
    assert view.top.rowCount() == len(expected.top_blocked) > 0
    assert view.top.item(0, 0).text() == str(expected.top_blocked[0].blocked)
    # Demo rows never teach calibration: the map says nothing was learned.
    assert view.calibration.table.rowCount() == 0
    assert "never Sandbox or demo rows" in view.calibration.note.text()


def test_the_period_filter_limits_the_figures(view, ops, qloop):
    generate_history(ops.history.store(), 600, seed=9, days=60)
    view.include_test.blockSignals(True)
    view.include_test.setChecked(True)  # generated rows are demo traffic, left out by default
    view.include_test.blockSignals(False)
    everything = qloop.run_until_complete(view.refresh())
    view.scope.blockSignals(True)
    view.scope.setCurrentIndex(view.scope.findData(7))
    view.scope.blockSignals(False)
    week = qloop.run_until_complete(view.refresh())
    assert 0 < week.total < everything.total
    assert view.volume_card.value.text() == f"{week.total:,}"


def test_an_empty_history_says_so(view, qloop):
    stats = qloop.run_until_complete(view.refresh())
    assert stats.total == 0
    assert view.rate_card.value.text() == "–" and view.band.text() == "No data yet"
    assert view.categories.bars == [] and view.trend.points == []
    view.grab()  # painting the empty charts must work


def test_the_bars_are_painted_in_category_colours(qtbot):
    bars = HorizontalBars()
    qtbot.addWidget(bars)
    bars.resize(500, 60)
    color = theme.category_color("violence").name()
    bars.set_bars([Bar("Violence", 10, 1.0, color), Bar("Sexual", 5, 0.5, "#00ff00")])
    image = bars.grab().toImage()
    y = 3 + HorizontalBars.ROW // 2
    assert image.pixelColor(HorizontalBars.LABEL_WIDTH + 10, y) == QColor(color)
    assert image.pixelColor(HorizontalBars.LABEL_WIDTH + 10, y + HorizontalBars.ROW) == QColor("#00ff00")


def test_double_clicking_a_top_prompt_asks_history_to_search_it(view, known, qloop, qtbot):
    qloop.run_until_complete(view.refresh())
    with qtbot.waitSignal(view.search_requested) as signal:
        view.top.itemDoubleClicked.emit(view.top.item(0, 2))
    prompt = view.top.item(0, 2).text()
    assert signal.args[0] == f'"{prompt}"'
    assert known.count(signal.args[0]) >= 1  # the search finds it


def test_new_history_refreshes_the_visible_dashboard(view, known, ops, qloop, until, qtbot):
    view.show()
    qtbot.waitExposed(view)
    qloop.run_until_complete(until(lambda: view.stats is not None))
    known.record_completed("a violent scene", {"model": "gpt-image-1"}, outcome="blocked_input",
                           error=blocked_error("violence"))
    ops.history.changed.emit()
    qloop.run_until_complete(until(lambda: view.stats.total == 101, timeout=15))
    assert view.rate_card.value.text() == "4.0 %"
