"""History tab over a real store: paging model, FTS search, filters, details, actions."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlite_utils
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from workbench.core.appeal import AppealStore
from workbench.core.store import HistoryFilter
from workbench.ui.history import HistoryTableModel
from workbench.ui.history.model import COLUMN_KEYS, PAGE_SIZE, SummaryRole
from workbench.ui.history.purge_dialog import PurgeChoice


@pytest.fixture
def view(open_view, history):
    return open_view()


def shown_ids(view) -> list[int]:
    return [view.model.summary(r).id for r in range(view.model.rowCount())]


def fetch_all(model) -> None:
    while model.canFetchMore():
        model.fetchMore()


def test_model_pages_lazily_and_passes_the_model_tester(qtmodeltester, ops, history):
    model = HistoryTableModel(ops.history.store)
    model.set_search("", None)
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    qtmodeltester.check(model)
    fetch_all(model)
    assert model.rowCount() == history.total == model.total()
    ids = [model.summary(r).id for r in range(model.rowCount())]
    assert len(set(ids)) == len(ids)  # keyset pages neither overlap nor skip
    times = [model.summary(r).created_at for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    qtmodeltester.check(model)


def test_search_finds_a_request_by_prompt_words_and_by_request_id(qtbot, view, history, qloop, until):
    view.filters.set_search_text("zebra duel")
    assert shown_ids(view) == [history.blocked_id]
    assert view.details.entry.id == history.blocked_id
    assert view.count_label.text() == "1 matching request(s)"

    view.filters.set_search_text("req_zebra_0002")
    assert shown_ids(view) == [history.rewrite_id]
    rows = view.details.request_id_rows()
    assert [r.request_id for r in rows] == ["req_zebra_0002"]
    rows[0].copy_button.click()
    assert QGuiApplication.clipboard().text() == "req_zebra_0002"


def test_typing_in_the_search_box_is_debounced_into_one_search(qtbot, view, history, qloop, until):
    searches = []
    view.filters.changed.connect(lambda: searches.append(view.filters.search_text()))
    qtbot.keyClicks(view.filters.search, "zebra")
    assert searches == []  # nothing until the user pauses
    qloop.run_until_complete(until(lambda: searches))
    assert searches == ["zebra"]
    assert set(shown_ids(view)) == {history.blocked_id, history.rewrite_id}


@pytest.mark.parametrize(("combo", "value", "check"), [
    ("outcome", "Blocked at output", lambda s: s.outcome == "blocked_output"),
    ("stage", "Input", lambda s: s.stage == "input"),
    ("category", "violence", lambda s: "violence" in s.categories),
    ("profile", "Azure", lambda s: s.profile == "Azure"),
    ("model", "gpt-image-1-mini", lambda s: s.model == "gpt-image-1-mini"),
])
def test_each_filter_narrows_the_table_to_matching_requests(view, history, combo, value, check):
    widget = getattr(view.filters, combo)
    if widget.isEditable():
        widget.setEditText(value)
        widget.lineEdit().editingFinished.emit()
    else:
        widget.setCurrentIndex(widget.findText(value))
    fetch_all(view.model)
    rows = [view.model.summary(r) for r in range(view.model.rowCount())]
    assert rows and all(check(s) for s in rows)
    assert len(rows) == view.model.total() < history.total
    flt = view.filters.history_filter()
    assert history.store.count("", flt) == len(rows)


def test_date_range_and_clear_filters(view, history):
    newest = history.store.search("", limit=1).rows[0].created_at[:10]
    from PySide6.QtCore import QDate

    day = QDate.fromString(newest, "yyyy-MM-dd")
    view.filters.since.setDate(day)
    view.filters.until.setDate(day)
    fetch_all(view.model)
    rows = [view.model.summary(r) for r in range(view.model.rowCount())]
    assert rows and all(s.created_at.startswith(newest) for s in rows)
    assert len(rows) < history.total
    view.filters.clear()
    assert view.model.total() == history.total
    assert view.count_label.text() == f"{history.total:,} request(s) in history"


def test_details_show_error_body_and_prompt_as_plain_text(view, history):
    view.show_request(history.blocked_id)
    details = view.details
    assert details.prompt.toPlainText() == "A zebra duel at midnight, swords <i>drawn</i>"
    body = details.raw_body.toPlainText()
    assert "<b>not bold</b>" in body and '"code": "moderation_blocked"' in body
    labels = details.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert "Blocked (input)" in details.title.text()


def test_lineage_links_the_blocked_prompt_and_its_rewrite(view, history):
    view.show_request(history.rewrite_id)
    lineage = view.details.lineage
    ids = [lineage.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lineage.count())]
    assert ids == [history.blocked_id, history.rewrite_id]
    lineage.itemDoubleClicked.emit(lineage.item(0))
    assert view.details.entry.id == history.blocked_id


def test_thumbnails_are_decoded_off_the_gui_thread(view, history, qloop, until):
    view.show_request(history.rewrite_id)
    labels = view.details.image_labels()
    assert len(labels) == 2
    qloop.run_until_complete(until(lambda: all(label.pixmap() is not None and not label.pixmap().isNull()
                                               for label in labels)))
    assert labels[0].pixmap().width() == 64


def test_restore_emits_the_record(qtbot, view, history):
    view.show_request(history.rewrite_id)
    with qtbot.waitSignal(view.restore_requested) as signal:
        view.restore_button.click()
    entry = signal.args[0]
    assert entry.id == history.rewrite_id
    assert entry.prompt == "A zebra standoff at midnight, theatrical"
    assert entry.params["n"] == 2 and entry.profile == "Sandbox"


def test_add_to_appeal_creates_a_draft_with_the_selected_requests(view, history, ops, qloop, until):
    view.filters.set_search_text("zebra duel")
    view.table.selectAll()
    view.appeal_button.click()  # no drafts yet: goes straight to a new appeal
    qloop.run_until_complete(until(lambda: AppealStore(ops.history.store()).list(), timeout=5))
    appeals = AppealStore(ops.history.store()).list()
    assert [a.request_ids for a in appeals] == [[history.blocked_id]]
    assert appeals[0].status == "draft"


def test_export_writes_jsonl_and_csv(view, history, qloop, tmp_path):
    view.filters.set_search_text("zebra")
    target = tmp_path / "out.jsonl"
    assert qloop.run_until_complete(view.export_to(target)) == 2
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert {r["id"] for r in rows} == {history.blocked_id, history.rewrite_id}
    blocked = next(r for r in rows if r["id"] == history.blocked_id)
    assert blocked["raw_body"] == history.store.get(history.blocked_id).raw_body

    target = tmp_path / "one.csv"
    assert qloop.run_until_complete(view.export_to(target, [history.rewrite_id])) == 1
    records = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [r["id"] for r in records] == [str(history.rewrite_id)]
    assert json.loads(records[0]["request_ids"]) == ["req_zebra_0002"]


def test_export_to_an_unwritable_place_is_a_message_not_a_crash(view, qloop, tmp_path, said):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert qloop.run_until_complete(view.export_to(blocker / "sub" / "out.jsonl")) is None
    assert said and said[-1].level == "error" and said[-1].text.startswith("The export failed")


def test_backup_is_a_database_sqlite_utils_can_open(view, history, qloop, tmp_path):
    written = qloop.run_until_complete(view.backup_to(tmp_path / "backup.db"))
    assert written is not None
    assert sqlite_utils.Database(written)["requests"].count == history.total


def test_purge_by_age_deletes_old_requests_and_reloads(view, history, qloop):
    cutoff_count = view._purge_count(PurgeChoice(older_than_days=30, include_appealed=False))
    assert 0 < cutoff_count < history.total
    deleted = qloop.run_until_complete(view.purge(PurgeChoice(older_than_days=30, include_appealed=False)))
    assert deleted == cutoff_count
    assert view.model.total() == history.total - deleted == history.store.count()


def test_purge_of_the_current_search_deletes_only_matching_requests(view, history, qloop):
    view.filters.set_search_text("zebra")
    choice = PurgeChoice(older_than_days=None, include_appealed=False)
    assert view._purge_count(choice) == 2
    assert qloop.run_until_complete(view.purge(choice)) == 2
    assert history.store.count("zebra") == 0
    assert history.store.count() == history.total - 2


def test_a_new_request_appears_after_history_changes(view, history, ops, qloop, until):
    new = ops.history.store().record_completed("A freshly recorded kite festival", {"model": "gpt-image-1"},
                                       outcome="ok", source="live")
    ops.history.changed.emit()
    qloop.run_until_complete(until(lambda: view.model.rowCount() and view.model.summary(0).id == new.id))
    index = view.model.index(0, COLUMN_KEYS.index("prompt"))
    assert view.model.data(index) == "A freshly recorded kite festival"
    assert view.model.data(index, SummaryRole).id == new.id
    assert view.model.total() == history.total + 1


def test_the_prompt_cell_is_one_line_and_tooltips_are_escaped(ops, history):
    ops.history.store().record_completed("line one\nline <b>two</b>", {}, outcome="ok", source="live")
    model = HistoryTableModel(ops.history.store)
    model.set_search("line", HistoryFilter())
    index = model.index(0, COLUMN_KEYS.index("prompt"))
    assert model.data(index) == "line one line <b>two</b>"
    assert "&lt;b&gt;two&lt;/b&gt;" in model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_purge_of_a_filter_without_search_deletes_only_matching_requests(view, history, qloop):
    view.filters.outcome.setCurrentIndex(view.filters.outcome.findText("Error"))
    errors = history.store.count("", view.filters.history_filter())
    choice = PurgeChoice(older_than_days=None, include_appealed=False)
    assert view._purge_count(choice) == errors > 0
    assert qloop.run_until_complete(view.purge(choice)) == errors
    assert history.store.count() == history.total - errors
    assert view.count_label.text() == "0 matching request(s)"


def test_requests_in_an_appeal_survive_a_purge_unless_asked(view, history, ops, qloop):
    ops.appeals.add_to_appeal([history.blocked_id])
    view.filters.set_search_text("zebra")
    kept = PurgeChoice(older_than_days=None, include_appealed=False)
    assert view._purge_count(kept) == 1
    qloop.run_until_complete(view.purge(kept))
    assert [s.id for s in history.store.search("zebra").rows] == [history.blocked_id]
