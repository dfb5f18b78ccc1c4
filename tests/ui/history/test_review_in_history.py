"""Human review wired into History: review the selected row, see it in SQLite and the table,
filter by review state, the review counts, and "Complete entry…" for imported rows."""

from __future__ import annotations

import pytest

from workbench.core.api.records import ErrorRecord
from workbench.ui.history.model import COLUMN_KEYS


@pytest.fixture
def view(open_view, history):
    return open_view()


def _review_cell(view, history_id: int) -> str:
    row = view.model.row_of(history_id)
    return view.model.index(row, COLUMN_KEYS.index("review")).data()


def test_reviewing_the_selected_row_persists_and_updates_the_row_in_place(view, history, ops):
    view.filters.set_search_text("zebra")
    view.show_request(history.rewrite_id)
    box = view.details.review
    assert view.details.sections["review"].isVisibleTo(view) and box.isEnabled()
    assert _review_cell(view, history.rewrite_id) == ""
    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))
    box.target.setCurrentIndex(1)  # image 1
    box.note.setText("hands look wrong")
    box.reviewer.setText("ana")
    box.reject.click()
    stored = ops.history.store().db.execute(
        "SELECT state, reviewer, note, image_position FROM reviews WHERE request_id = ?",
        [history.rewrite_id]).fetchall()
    assert stored == [("rejected", "ana", "hands look wrong", 1)]
    assert ops.history.store().get(history.rewrite_id).review_state == "rejected"
    assert _review_cell(view, history.rewrite_id) == "rejected"
    assert resets == []  # the row changed in place; the table was not reloaded
    assert "1 rejected" in view.filters.review_counts.text()
    assert view.details.entry.review_state == "rejected"


def test_filter_by_review_state_and_counts(view, history, ops, qloop, until):
    from workbench.core.store.reviews import add_review

    add_review(ops.history.store(), history.blocked_id, "approved", reviewer="bo")
    view.refresh()
    review = view.filters.review
    review.setCurrentIndex(review.findData("approved"))
    qloop.run_until_complete(until(lambda: view.model.rowCount() == 1))
    assert view.model.summary(0).id == history.blocked_id
    assert _review_cell(view, history.blocked_id) == "approved"
    assert view.filters.is_filtered()
    assert view.filters.review_counts.text().startswith("Reviewed: 1 approved · 0 rejected")
    review.setCurrentIndex(review.findData("unreviewed"))
    qloop.run_until_complete(until(lambda: view.model.total() == history.total - 1))
    view.filters.clear()
    assert view.filters.review.currentData() is None


def test_complete_entry_opens_non_modally_for_an_imported_row_lacking_fields(view, ops, qloop, until):
    entry_id = ops.history.store().record_completed(
        "", {}, outcome="blocked_input", http_status=400, source="import",
        error=ErrorRecord(kind="blocked", message="Your request was rejected by the safety system.",
                          stage="input", http_status=400, code="moderation_blocked")).id
    view.show_request(int(entry_id), select=False)
    button = view.details.complete_button
    assert button.isVisibleTo(view)
    button.click()
    dialog = view._complete_dialog
    assert dialog.isVisible()  # .open(): shown, no nested event loop
    qloop.run_until_complete(until(lambda: dialog.title.text().startswith(f"Request #{entry_id}")))
    dialog.prompt.setPlainText("a duel in the rain")
    dialog.model.setText("gpt-image-1")
    dialog.request_ids.setText("req_later_1")
    dialog.save_button.click()
    qloop.run_until_complete(until(lambda: dialog.status.text().startswith("Saved")))
    qloop.run_until_complete(until(lambda: view.details.entry.prompt == "a duel in the rain"))
    assert not view.details.complete_button.isVisibleTo(view)  # nothing lacking any more
    dialog.close()


def test_a_live_request_offers_no_complete_entry(view, history):
    view.show_request(history.rewrite_id)
    assert not view.details.complete_button.isVisibleTo(view)
