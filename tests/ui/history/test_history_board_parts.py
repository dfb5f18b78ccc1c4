"""History rows with a saved image show its thumbnail (decoded off the GUI thread); empty states."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from workbench.ui.history.model import COLUMN_KEYS


def test_a_row_with_a_saved_image_shows_a_thumbnail_beside_its_prompt(history, open_view, qloop, until, qtbot):
    view = open_view()
    model = view.model
    row = model.row_of(history.rewrite_id)
    blocked_row = model.row_of(history.blocked_id)
    prompt = COLUMN_KEYS.index("prompt")
    asked = []
    model.thumbnail_needed.connect(lambda history_id, path: asked.append(history_id))
    view.table.scrollTo(model.index(row, prompt))
    # Painting asks for the thumbnail; the view decodes it on a worker and hands it back.
    model.data(model.index(row, prompt), Qt.ItemDataRole.DecorationRole)
    qloop.run_until_complete(until(lambda: model.has_thumbnail(history.rewrite_id)))
    pixmap = model.data(model.index(row, prompt), Qt.ItemDataRole.DecorationRole)
    assert pixmap.width() <= view.table.iconSize().width() and pixmap.height() <= view.table.iconSize().height()
    assert QColor(pixmap.toImage().pixelColor(pixmap.width() // 2, pixmap.height() // 2)) == QColor("#3366aa")
    assert asked.count(history.rewrite_id) <= 1  # asked once, not on every repaint
    # A blocked request saved no image: no thumbnail, nothing asked.
    assert model.data(model.index(blocked_row, prompt), Qt.ItemDataRole.DecorationRole) is None
    assert history.blocked_id not in asked


def test_an_empty_history_says_what_to_do_and_a_filter_that_matches_nothing_says_so(open_view, qtbot):
    view = open_view()
    assert view.model.rowCount() == 0
    assert "No requests yet" in view.empty_state.text() and "Import errors" in view.empty_state.text()
    assert view.empty_state.label.isVisible()
    view.filters.set_search_text("zebra")
    qtbot.waitUntil(lambda: "No request matches" in view.empty_state.text())
