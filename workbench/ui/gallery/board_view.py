"""GalleryView: the board's thumbnail grid, with Ctrl+wheel to resize and Space for a quick look.

Arrow keys move through the grid (QListView's own navigation), Enter or a double click opens
the current image (the `activated` signal), Space opens it too without changing the selection.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListView

from workbench.ui.gallery.model import DEFAULT_SIDE


class GalleryView(QListView):
    """Signals:
        resize_requested(int): Ctrl+wheel asked for bigger (+1) or smaller (-1) thumbnails.
        quick_look_requested(): Space on the current image.
    """

    resize_requested = Signal(int)
    quick_look_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("galleryView")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.set_side(DEFAULT_SIDE)

    def set_side(self, side: int) -> None:
        """Show thumbnails `side` pixels square (the grid follows)."""
        self.setIconSize(QSize(side, side))
        self.setGridSize(QSize(side + 16, side + self.fontMetrics().height() + 14))

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = event.angleDelta().y()
            if step:
                self.resize_requested.emit(1 if step > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.modifiers() and self.currentIndex().isValid():
            self.quick_look_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)
