"""The gallery as a board (issue 16 item 5): resizable grid, filters, keyboard navigation, empty states."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from workbench.ui.gallery import GalleryItem, GalleryPanel
from workbench.ui.gallery.model import DEFAULT_SIDE, MAX_SIDE
from workbench.ui.gallery.viewer import ImageViewer

PROMPTS = (
    ("A lighthouse on a cliff at dusk", "gpt-image-1", "approved"),
    ("A red fox in fresh snow", "gpt-image-1-mini", None),
    ("A lighthouse keeper's cat", "gpt-image-1-mini", "rejected"),
    ("Isometric robot barista", "gpt-image-1", None),
)


def board_items(tmp_path) -> list[GalleryItem]:
    made = []
    for i, (prompt, model, review) in enumerate(PROMPTS, start=1):
        image = QImage(200, 160, QImage.Format.Format_RGB32)
        image.fill(QColor.fromHsv(i * 60, 200, 200))
        path = tmp_path / f"{i}.png"
        assert image.save(str(path))
        made.append(GalleryItem(key=f"{i}:0", prompt=prompt, params={"model": model, "size": "1024x1024"},
                                history_id=i, path=str(path), review_state=review))
    return made


def open_board(qtbot, ops, tmp_path) -> GalleryPanel:
    panel = GalleryPanel(ops.images)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.model.append(board_items(tmp_path))
    return panel


def prompts(panel) -> list[str]:
    return [item.prompt for item in panel.shown_items()]


def test_typing_in_the_filter_and_choosing_outcome_and_model_narrow_the_board(qtbot, ops, tmp_path):
    panel = open_board(qtbot, ops, tmp_path)
    assert len(prompts(panel)) == 4
    QTest.keyClicks(panel.search, "lighthouse")
    assert prompts(panel) == ["A lighthouse on a cliff at dusk", "A lighthouse keeper's cat"]
    panel.model_filter.setCurrentIndex(panel.model_filter.findData("gpt-image-1-mini"))
    assert prompts(panel) == ["A lighthouse keeper's cat"]
    panel.outcome.setCurrentIndex(panel.outcome.findData("approved"))
    assert prompts(panel) == []
    assert "No image matches the filter" in panel.empty_state.text()
    assert panel.empty_state.label.isVisible()
    panel.search.clear()
    panel.model_filter.setCurrentIndex(0)
    assert prompts(panel) == ["A lighthouse on a cliff at dusk"]
    panel.outcome.setCurrentIndex(panel.outcome.findData("unreviewed"))
    assert prompts(panel) == ["A red fox in fresh snow", "Isometric robot barista"]
    assert not panel.empty_state.label.isVisible()
    # The model filter offers exactly the models on the board.
    assert [panel.model_filter.itemText(i) for i in range(panel.model_filter.count())] == \
        ["Any model", "gpt-image-1", "gpt-image-1-mini"]


def test_selection_and_actions_follow_the_filtered_rows(qtbot, ops, tmp_path):
    panel = open_board(qtbot, ops, tmp_path)
    QTest.keyClicks(panel.search, "fox")
    panel.select_keys(["2:0"])
    assert [i.key for i in panel.selected_items()] == ["2:0"]
    assert panel.restore_action.isEnabled()
    with qtbot.waitSignal(panel.restore_requested) as restored:
        panel.restore_action.trigger()
    assert restored.args[0].prompt == "A red fox in fresh snow"


def test_arrow_keys_move_through_the_grid_and_enter_opens_the_viewer(qtbot, ops, qloop, until, tmp_path):
    panel = open_board(qtbot, ops, tmp_path)
    view = panel.view
    view.setFocus()
    panel.select_keys(["1:0"])
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert [i.key for i in panel.selected_items()] == ["2:0"]
    QTest.keyClick(view, Qt.Key.Key_Right)
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert [i.key for i in panel.selected_items()] == ["2:0"]

    async def scenario():
        QTest.keyClick(view, Qt.Key.Key_Return)
        await until(lambda: any(isinstance(d, ImageViewer) for d in panel._dialogs))

    qloop.run_until_complete(scenario())
    viewer = next(d for d in panel._dialogs if isinstance(d, ImageViewer))
    assert "#2" in viewer.windowTitle()
    viewer.close()

    async def quick_look():
        QTest.keyClick(view, Qt.Key.Key_Right)
        QTest.keyClick(view, Qt.Key.Key_Space)
        await until(lambda: any(isinstance(d, ImageViewer) and "#3" in d.windowTitle() for d in panel._dialogs))

    qloop.run_until_complete(quick_look())


def test_thumbnail_size_follows_the_slider_and_ctrl_wheel_and_is_remembered(qtbot, ops, qloop, until, tmp_path):
    panel = open_board(qtbot, ops, tmp_path)
    assert panel.thumbnail_side == DEFAULT_SIDE
    qloop.run_until_complete(until(lambda: all(panel.model.has_thumbnail(f"{i}:0") for i in range(1, 5))))
    first = panel.view.visualRect(panel.shown.index(0, 0))
    panel.size_slider.setValue(240)
    assert panel.view.iconSize().width() == 240
    assert panel.view.visualRect(panel.shown.index(0, 0)).width() > first.width()
    # Ctrl+wheel over the thumbnails: one notch up is one step bigger.
    viewport = panel.view.viewport()
    wheel = QWheelEvent(QPointF(20, 20), QPointF(viewport.mapToGlobal(QPoint(20, 20))), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, wheel)
    assert panel.thumbnail_side == 256
    panel.size_slider.setValue(MAX_SIDE + 100)
    assert panel.thumbnail_side == MAX_SIDE
    panel.size_slider.setValue(200)
    qtbot.waitUntil(lambda: not panel._save_side_timer.isActive())
    again = GalleryPanel(ops.images)
    qtbot.addWidget(again)
    assert again.thumbnail_side == 200 and again.view.iconSize().width() == 200


def test_an_empty_board_says_what_to_do(qtbot, ops):
    panel = GalleryPanel(ops.images)
    qtbot.addWidget(panel)
    panel.show()
    assert "Press Generate" in panel.empty_state.text()
    assert panel.empty_state.label.isVisible()
