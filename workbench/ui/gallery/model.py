"""GalleryModel: one row per image (final or streamed partial), newest first, lazy thumbnails.

Thumbnails are decoded once at the largest board size (off the GUI thread, by the panel) and
handed to the view as icons, which scale them down to whatever size the board shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from workbench.ui.messages import plain_tooltip

ItemRole = Qt.ItemDataRole.UserRole + 1
MIN_SIDE, DEFAULT_SIDE, MAX_SIDE = 64, 144, 320  # thumbnail sizes on the board (pixels)
THUMB_SIDE = MAX_SIDE  # decoded once at the largest size; the view scales down


@dataclass
class GalleryItem:
    """An image and what produced it, enough to restore the prompt and its settings."""

    key: str
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None
    history_id: int | None = None
    path: str | None = None  # the stored file (final images)
    data: bytes | None = None  # in-memory bytes (streamed partial frames)
    partial: bool = False
    created_at: str = ""
    review_state: str | None = None  # approved | rejected | None (human review)

    @property
    def model_name(self) -> str:
        return str(self.params.get("model") or "")

    @property
    def outcome(self) -> str:
        """What the board filters by: a partial frame, or the image's review state."""
        if self.partial:
            return "partial"
        return self.review_state or "unreviewed"

    @property
    def source(self) -> str | bytes | None:
        return self.path or self.data

    @property
    def label(self) -> str:
        parts = []
        if self.history_id is not None:
            parts.append(f"#{self.history_id}")
        if self.partial:
            parts.append("partial…")
        elif self.params.get("size"):
            parts.append(str(self.params["size"]))
        return " · ".join(parts) or "image"


def _placeholder(side: int) -> QPixmap:
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor(128, 128, 128, 40))
    painter = QPainter(pixmap)
    painter.setPen(QColor(128, 128, 128))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "…")
    painter.end()
    return pixmap


class GalleryModel(QAbstractListModel):
    """Signals:
        thumbnail_needed(str, object): a row was shown without a thumbnail (key, source).
    """

    thumbnail_needed = Signal(str, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: list[GalleryItem] = []
        self._thumbs: dict[str, QIcon] = {}
        self._requested: set[str] = set()
        self._placeholder = QIcon(_placeholder(THUMB_SIDE))

    # --- content ------------------------------------------------------------------------

    def items(self) -> list[GalleryItem]:
        return list(self._items)

    def item(self, row: int) -> GalleryItem:
        return self._items[row]

    def row_of(self, key: str) -> int:
        for row, item in enumerate(self._items):
            if item.key == key:
                return row
        return -1

    def prepend(self, items: list[GalleryItem]) -> None:
        """Add items at the top (newest first), skipping keys already shown."""
        fresh = [i for i in items if self.row_of(i.key) < 0]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._items[0:0] = fresh
        self.endInsertRows()

    def append(self, items: list[GalleryItem]) -> None:
        fresh = [i for i in items if self.row_of(i.key) < 0]
        if not fresh:
            return
        first = len(self._items)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._items.extend(fresh)
        self.endInsertRows()

    def replace(self, key: str, item: GalleryItem) -> None:
        """Swap an item in place (a partial frame superseded by the next one or the final)."""
        row = self.row_of(key)
        if row < 0:
            self.prepend([item])
            return
        self._items[row] = item
        self._thumbs.pop(key, None)
        self._requested.discard(key)
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def remove_keys(self, keys: set[str]) -> None:
        for row in reversed(range(len(self._items))):
            if self._items[row].key in keys:
                self.beginRemoveRows(QModelIndex(), row, row)
                item = self._items.pop(row)
                self.endRemoveRows()
                self._thumbs.pop(item.key, None)
                self._requested.discard(item.key)

    def set_thumbnail(self, key: str, pixmap: QPixmap) -> None:
        row = self.row_of(key)
        if row < 0:
            return
        self._thumbs[key] = QIcon(pixmap)
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def has_thumbnail(self, key: str) -> bool:
        return key in self._thumbs

    def models(self) -> list[str]:
        """The distinct model names shown (for the board's model filter)."""
        return sorted({item.model_name for item in self._items if item.model_name})

    # --- Qt model -----------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.label
        if role == Qt.ItemDataRole.DecorationRole:
            thumb = self._thumbs.get(item.key)
            if thumb is None:
                if item.key not in self._requested and item.source is not None:
                    self._requested.add(item.key)
                    self.thumbnail_needed.emit(item.key, item.source)
                return self._placeholder
            return thumb
        if role == Qt.ItemDataRole.ToolTipRole:
            settings = ", ".join(f"{k}={v}" for k, v in item.params.items() if v not in (None, "", {}))
            prompt = item.prompt if len(item.prompt) < 400 else item.prompt[:399] + "…"
            return plain_tooltip(f"{prompt}\n\n{settings}")
        if role == ItemRole:
            return item
        return None
