"""Zoomable single-image viewer and the side-by-side compare dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.gallery.model import GalleryItem


def describe(item: GalleryItem) -> str:
    """Prompt and settings of an image, as plain text."""
    settings = "\n".join(f"{k}: {v}" for k, v in item.params.items() if v not in (None, "", {}))
    head = f"Request #{item.history_id}" if item.history_id is not None else "Not recorded yet"
    if item.profile:
        head += f" · {item.profile}"
    return f"{head}\n\n{item.prompt}\n\n{settings}".strip()


class ZoomableImage(QScrollArea):
    """An image that fits the view, or is shown at a chosen zoom (Ctrl+wheel, +/-, 0 = fit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self._zoom: float | None = None  # None: fit to view
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setWidget(self.label)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidgetResizable(True)

    def set_image(self, image: QImage) -> None:
        self._pixmap = QPixmap.fromImage(image)
        self._refresh()

    @property
    def zoom(self) -> float | None:
        return self._zoom

    def set_zoom(self, zoom: float | None) -> None:
        self._zoom = None if zoom is None else max(0.05, min(zoom, 16.0))
        self.setWidgetResizable(self._zoom is None)
        self._refresh()

    def zoom_by(self, factor: float) -> None:
        current = self._zoom if self._zoom is not None else self._fit_factor()
        self.set_zoom(current * factor)

    def _fit_factor(self) -> float:
        if self._pixmap.isNull():
            return 1.0
        area = self.viewport().size()
        return min(area.width() / self._pixmap.width(), area.height() / self._pixmap.height(), 1.0)

    def _refresh(self) -> None:
        if self._pixmap.isNull():
            self.label.setText("This image cannot be shown.")
            return
        factor = self._fit_factor() if self._zoom is None else self._zoom
        scaled = self._pixmap.scaled(
            max(1, int(self._pixmap.width() * factor)),
            max(1, int(self._pixmap.height() * factor)),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.label.setPixmap(scaled)
        if self._zoom is not None:
            self.label.resize(scaled.size())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._zoom is None:
            self._refresh()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8)
            event.accept()
            return
        super().wheelEvent(event)


class ImageViewer(QDialog):
    """One image with zoom controls and its prompt and settings."""

    def __init__(self, item: GalleryItem, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Image {item.label}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 760)
        self.view = ZoomableImage()
        self.view.set_image(image)
        buttons = QHBoxLayout()
        for text, slot, keys in (
            ("Fit", lambda: self.view.set_zoom(None), "0"),
            ("100 %", lambda: self.view.set_zoom(1.0), "1"),
            ("Zoom in", lambda: self.view.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn),
            ("Zoom out", lambda: self.view.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            QShortcut(QKeySequence(keys), self, activated=slot)
        buttons.addStretch(1)
        info = QPlainTextEdit(describe(item))
        info.setReadOnly(True)
        info.setMaximumHeight(110)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(info)


class CompareDialog(QDialog):
    """Two images side by side, each with its prompt and settings."""

    def __init__(self, left: tuple[GalleryItem, QImage], right: tuple[GalleryItem, QImage],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare {left[0].label} and {right[0].label}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1280, 760)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.views = []
        for item, image in (left, right):
            pane = QWidget()
            pane_layout = QVBoxLayout(pane)
            view = ZoomableImage()
            view.set_image(image)
            info = QPlainTextEdit(describe(item))
            info.setReadOnly(True)
            info.setMaximumHeight(130)
            pane_layout.addWidget(view, 1)
            pane_layout.addWidget(info)
            splitter.addWidget(pane)
            self.views.append(view)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
