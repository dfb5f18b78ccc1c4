"""The gallery strip under the editor: thumbnails and what can be done with an image."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.ui import dialogs, messages
from workbench.ui.gallery.model import THUMB_SIDE, GalleryItem, GalleryModel
from workbench.ui.gallery.viewer import CompareDialog, ImageViewer
from workbench.ui.lifetime import alive


class GalleryPanel(QWidget):
    """Signals:
        restore_requested(GalleryItem): put this image's prompt and settings back in the editor.
    """

    restore_requested = Signal(object)

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._dialogs: list[QWidget] = []
        self.model = GalleryModel(self)
        self.view = QListView()
        self.view.setObjectName("galleryView")
        self.view.setModel(self.model)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.view.setSpacing(4)
        self.view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)

        title = QLabel("Gallery")
        title.setObjectName("sectionTitle")
        self.empty_hint = QLabel("Generated images appear here. Select two to compare.")
        self.empty_hint.setProperty("hint", True)
        self.empty_hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
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
        header.addWidget(self.empty_hint, 1)
        header.addWidget(self.toolbar, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)

        self.model.thumbnail_needed.connect(self._on_thumbnail_needed)
        self.model.rowsInserted.connect(self._update_actions)
        self.model.rowsRemoved.connect(self._update_actions)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.view.doubleClicked.connect(lambda _index: self.zoom_selected())
        self.zoom_action.triggered.connect(self.zoom_selected)
        self.save_action.triggered.connect(self.save_selected)
        self.copy_action.triggered.connect(self.copy_selected)
        self.folder_action.triggered.connect(self.open_folder)
        self.compare_action.triggered.connect(self.compare_selected)
        self.restore_action.triggered.connect(self._on_restore)
        self._update_actions()

    # --- selection ----------------------------------------------------------------------

    def selected_items(self) -> list[GalleryItem]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedIndexes())
        return [self.model.item(row) for row in rows]

    def select_keys(self, keys: list[str]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        for key in keys:
            row = self.model.row_of(key)
            if row >= 0:
                selection.select(self.model.index(row), selection.SelectionFlag.Select)

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
        self.empty_hint.setVisible(self.model.rowCount() == 0)

    # --- actions ------------------------------------------------------------------------

    @asyncSlot(str, object)
    async def _on_thumbnail_needed(self, key: str, source) -> None:
        image = await self._ops.load_image(source, THUMB_SIDE)
        if alive(self, self.model) and not image.isNull():
            self.model.set_thumbnail(key, QPixmap.fromImage(image))

    @asyncSlot()
    async def zoom_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1:
            return
        image = await self._ops.load_image(items[0].source)
        if alive(self):
            self._keep(ImageViewer(items[0], image, self.window()))

    @asyncSlot()
    async def compare_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 2:
            return
        left = await self._ops.load_image(items[0].source)
        right = await self._ops.load_image(items[1].source)
        if not alive(self):
            return
        self._keep(CompareDialog((items[0], left), (items[1], right), self.window()))

    @asyncSlot()
    async def copy_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1:
            return
        image = await self._ops.load_image(items[0].source)
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
            self._ops.save_image_copy(source, Path(target))

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
