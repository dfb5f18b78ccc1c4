"""The gallery board under the editor: a resizable, filterable thumbnail grid and what can be done with an image."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.ui import dialogs, messages, uistate
from workbench.ui.gallery.board_filter import OUTCOMES, GalleryFilter
from workbench.ui.gallery.board_view import GalleryView
from workbench.ui.gallery.model import DEFAULT_SIDE, MAX_SIDE, MIN_SIDE, THUMB_SIDE, GalleryItem, GalleryModel
from workbench.ui.gallery.viewer import CompareDialog, ImageViewer
from workbench.ui.lifetime import alive
from workbench.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from workbench.ui.operations.images import ImageOperations

SIDE_STEP = 16  # one Ctrl+wheel notch
SAVE_SIDE_DELAY_MS = 500  # the size is written once the slider rests


class GalleryPanel(QWidget):
    """The board: a grid of thumbnails (resizable, filterable, keyboard-driven) and its actions.

    Signals:
        restore_requested(GalleryItem): put this image's prompt and settings back in the editor.
    """

    restore_requested = Signal(object)

    def __init__(self, images: ImageOperations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images = images
        self._dialogs: list[QWidget] = []
        self.model = GalleryModel(self)
        self.shown = GalleryFilter(self.model, self)
        self.view = GalleryView()
        self.view.setModel(self.shown)
        self.empty_state = EmptyState(self.view, self._empty_text)

        title = QLabel("Gallery")
        title.setObjectName("sectionTitle")
        # A tool bar folds actions into a "»" menu when the window is narrow.
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.zoom_action = self.toolbar.addAction("Zoom")
        self.save_action = self.toolbar.addAction("Save as…")
        self.copy_action = self.toolbar.addAction("Copy")
        self.folder_action = self.toolbar.addAction("Open folder")
        self.compare_action = self.toolbar.addAction("Compare")
        self.restore_action = self.toolbar.addAction("Restore prompt && settings")
        self.toolbar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.toolbar, 1)

        self.search = QLineEdit(objectName="galleryFilter", placeholderText="Filter by prompt…")
        self.search.setClearButtonEnabled(True)
        self.outcome = QComboBox(objectName="galleryOutcome")
        for value, text in OUTCOMES:
            self.outcome.addItem(text, value)
        self.outcome.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model_filter = QComboBox(objectName="galleryModel")
        self.model_filter.addItem("Any model", "")
        self.model_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.size_slider = QSlider(Qt.Orientation.Horizontal, objectName="gallerySize")
        self.size_slider.setRange(MIN_SIDE, MAX_SIDE)
        self.size_slider.setSingleStep(SIDE_STEP)
        self.size_slider.setPageStep(SIDE_STEP * 4)
        self.size_slider.setMaximumWidth(140)
        self.size_slider.setToolTip("Thumbnail size (Ctrl+wheel over the images)")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.outcome)
        filters.addWidget(self.model_filter)
        filters.addWidget(QLabel("Size"))
        filters.addWidget(self.size_slider)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)

        self._save_side_timer = QTimer(self, singleShot=True, interval=SAVE_SIDE_DELAY_MS)
        self.size_slider.setValue(max(MIN_SIDE, min(uistate.load_gallery_side(DEFAULT_SIDE), MAX_SIDE)))
        self.view.set_side(self.size_slider.value())
        self._connect_signals()
        self._update_actions()

    def _connect_signals(self) -> None:
        self.model.thumbnail_needed.connect(self._on_thumbnail_needed)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._on_items_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.view.activated.connect(self._on_activated)  # Enter or a double click
        self.view.quick_look_requested.connect(lambda: self._on_activated(self.view.currentIndex()))
        self.view.resize_requested.connect(lambda step: self.size_slider.setValue(
            self.size_slider.value() + step * SIDE_STEP))
        self.size_slider.valueChanged.connect(self._on_side_changed)
        self._save_side_timer.timeout.connect(lambda: uistate.save_gallery_side(self.size_slider.value()))
        self.search.textChanged.connect(self._on_filter_changed)
        self.outcome.currentIndexChanged.connect(self._on_filter_changed)
        self.model_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.zoom_action.triggered.connect(self.zoom_selected)
        self.save_action.triggered.connect(self.save_selected)
        self.copy_action.triggered.connect(self.copy_selected)
        self.folder_action.triggered.connect(self.open_folder)
        self.compare_action.triggered.connect(self.compare_selected)
        self.restore_action.triggered.connect(self._on_restore)

    # --- board ---------------------------------------------------------------------------

    @property
    def thumbnail_side(self) -> int:
        return self.size_slider.value()

    def _on_side_changed(self, side: int) -> None:
        self.view.set_side(side)
        self._save_side_timer.start()

    def _on_filter_changed(self, *_args) -> None:
        self.shown.set_filter(self.search.text(), self.outcome.currentData(), self.model_filter.currentData())
        self.empty_state.update()
        self._update_actions()

    def _on_items_changed(self, *_args) -> None:
        chosen = self.model_filter.currentData()
        names = self.model.models()
        if names != [self.model_filter.itemData(i) for i in range(1, self.model_filter.count())]:
            self.model_filter.blockSignals(True)
            while self.model_filter.count() > 1:
                self.model_filter.removeItem(1)
            for name in names:
                self.model_filter.addItem(name, name)
            self.model_filter.setCurrentIndex(max(0, self.model_filter.findData(chosen)))
            self.model_filter.blockSignals(False)
        self._update_actions()

    def _empty_text(self) -> str:
        if self.model.rowCount() and self.shown.is_filtered():
            return "No image matches the filter. Clear the text or choose Any outcome / Any model."
        return ("No images yet. Press Generate: results appear here. Arrow keys move, Enter zooms, "
                "select two to compare, Ctrl+wheel resizes.")

    def _on_activated(self, index) -> None:
        if not index.isValid():
            return
        selection = self.view.selectionModel()
        selection.select(index, selection.SelectionFlag.ClearAndSelect)
        self.zoom_selected()

    # --- selection ----------------------------------------------------------------------

    def selected_items(self) -> list[GalleryItem]:
        rows = sorted(self.shown.mapToSource(index).row() for index in self.view.selectionModel().selectedIndexes())
        return [self.model.item(row) for row in rows]

    def shown_items(self) -> list[GalleryItem]:
        """The images the board shows now (after the filter), in order."""
        return [self.model.item(self.shown.mapToSource(self.shown.index(r, 0)).row())
                for r in range(self.shown.rowCount())]

    def select_keys(self, keys: list[str]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        for key in keys:
            row = self.model.row_of(key)
            index = self.shown.mapFromSource(self.model.index(row)) if row >= 0 else None
            if index is not None and index.isValid():
                selection.select(index, selection.SelectionFlag.Select)
                selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)

    def _update_actions(self, *_args) -> None:
        items = self.selected_items()
        one = len(items) == 1
        stored = one and items[0].path is not None
        self.zoom_action.setEnabled(one)
        self.save_action.setEnabled(stored)
        self.copy_action.setEnabled(one)
        self.folder_action.setEnabled(stored)
        self.compare_action.setEnabled(len(items) == 2)
        self.restore_action.setEnabled(one)

    # --- actions ------------------------------------------------------------------------

    @asyncSlot(str, object)
    async def _on_thumbnail_needed(self, key: str, source) -> None:
        image = await self._images.load_image(source, THUMB_SIDE)
        if alive(self, self.model) and not image.isNull():
            self.model.set_thumbnail(key, QPixmap.fromImage(image))

    @asyncSlot()
    async def zoom_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1:
            return
        image = await self._images.load_image(items[0].source)
        if alive(self):
            self._keep(ImageViewer(items[0], image, self.window()))

    @asyncSlot()
    async def compare_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 2:
            return
        left = await self._images.load_image(items[0].source)
        right = await self._images.load_image(items[1].source)
        if not alive(self):
            return
        self._keep(CompareDialog((items[0], left), (items[1], right), self.window()))

    @asyncSlot()
    async def copy_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1:
            return
        image = await self._images.load_image(items[0].source)
        if not alive(self):
            return
        if image.isNull():
            messages.error("This image cannot be read, so it was not copied.")
            return
        QGuiApplication.clipboard().setImage(image)
        messages.info("Image copied to the clipboard.")

    @asyncSlot()
    async def save_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1 or items[0].path is None:
            return
        source = Path(items[0].path)
        target = await dialogs.save_file(
            self, "Save image as", Path.home() / f"workbench-{items[0].history_id or 'image'}{source.suffix}",
            f"Image (*{source.suffix});;All files (*)",
        )
        if target is not None and alive(self):
            self._images.save_image_copy(source, Path(target))

    def open_folder(self) -> None:
        items = self.selected_items()
        if len(items) == 1 and items[0].path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(items[0].path).parent)))

    def _on_restore(self) -> None:
        items = self.selected_items()
        if len(items) == 1:
            self.restore_requested.emit(items[0])

    def _keep(self, dialog: QWidget) -> None:
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._dialogs.remove(d) if d in self._dialogs else None)
        dialog.show()
