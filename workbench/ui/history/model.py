"""HistoryTableModel: the history as a table, newest first, fetched a page at a time.

The store is never loaded whole: the first page comes with `reload()`, and the view asks for
the next page (`canFetchMore`/`fetchMore`) as it scrolls near the end. Pages use the store's
keyset cursor, so page 500 costs what page 1 costs, even at 100,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPixmap

from workbench.ui import labels, messages

PAGE_SIZE = 200
THUMBNAIL_CACHE = 600  # decoded row thumbnails kept (small: about 40 × 28 pixels each)
SummaryRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2

COLUMNS = (
    ("created", "Time (UTC)"),
    ("outcome", "Outcome"),
    ("prompt", "Prompt"),
    ("categories", "Categories"),
    ("model", "Model"),
    ("profile", "Profile"),
    ("request_id", "Request ID"),
    ("cost", "Cost"),
    ("review", "Review"),
)
COLUMN_KEYS = tuple(key for key, _title in COLUMNS)

OUTCOME_COLORS = {
    "ok": "#2e7d32",
    "blocked_input": "#c62828",
    "blocked_output": "#ad1457",
    "blocked_unknown": "#b71c1c",
    "error": "#b26a00",
    "cancelled": "#757575",
    "interrupted": "#757575",
    "pending": "#1565c0",
}
DARK_OUTCOME_COLORS = {
    "ok": "#81c784",
    "blocked_input": "#ef7b7b",
    "blocked_output": "#f48fb1",
    "blocked_unknown": "#e57373",
    "error": "#ffb74d",
    "cancelled": "#9e9e9e",
    "interrupted": "#9e9e9e",
    "pending": "#64b5f6",
}


def outcome_color(outcome: str) -> QColor:
    """The outcome's colour, lighter when the palette is dark so it stays readable."""
    from PySide6.QtWidgets import QApplication

    dark = QApplication.palette().window().color().lightness() < 128
    table = DARK_OUTCOME_COLORS if dark else OUTCOME_COLORS
    return QColor(table.get(outcome, "#9e9e9e"))


def short_time(created_at: str | None, seconds: bool = True) -> str:
    """`2026-11-21T10:04:05.123Z` → `2026-11-21 10:04:05` (still UTC)."""
    return (created_at or "")[:19 if seconds else 16].replace("T", " ")


def one_line(text: str | None, limit: int = 300) -> str:
    """Text for a single table cell: whitespace runs (newlines included) become one space."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class HistoryTableModel(QAbstractTableModel):
    """Rows are `HistorySummary` objects from `HistoryStore.search`, in store order.

    A row whose request saved an image shows a small thumbnail beside its prompt. The model
    never decodes one: it asks for it (`thumbnail_needed`) the first time the row is painted,
    and the view decodes it off the GUI thread and hands it back with `set_thumbnail`.

    Signals:
        thumbnail_needed(int, str): history id and image file of a row shown without its thumbnail.

    Args:
        store: returns the HistoryStore (the GUI thread's; opened on first use).
    """

    thumbnail_needed = Signal(int, str)

    def __init__(self, store: Callable[[], Any], parent=None) -> None:
        super().__init__(parent)
        self._images: dict[int, str] = {}  # history id -> its first output image file
        self._thumbs: dict[int, QPixmap] = {}  # insertion order: the oldest is evicted first
        self._asked: set[int] = set()
        self._store = store
        self._rows: list[Any] = []
        self._cursor: tuple[str, int] | None = None
        self._query = ""
        self._filter: Any = None
        self._total: int | None = None
        self._seen: dict[str, set[str]] = {"profile": set(), "model": set(), "categories": set()}

    # --- what is shown -------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def history_filter(self):
        return self._filter

    def set_search(self, query: str, flt=None) -> None:
        """Show the requests matching a full-text query and a HistoryFilter (first page)."""
        self._query = query or ""
        self._filter = flt
        self.reload()

    def reload(self) -> None:
        """Start again from the newest matching request (after a search or a change)."""
        self.beginResetModel()
        self._rows, self._cursor, self._total = [], None, None
        page = self._page(None)
        if page is not None:
            self._accept(page)
        self.endResetModel()

    def total(self) -> int | None:
        """How many requests match (counted once per search); None if history is unreadable."""
        if self._total is None:
            with messages.handle_user_errors("History could not be read"):
                self._total = self._store().count(self._query, self._filter)
        return self._total

    def _page(self, before):
        with messages.handle_user_errors("History could not be read"):
            return self._store().search(self._query, self._filter, limit=PAGE_SIZE, before=before)
        return None

    def _accept(self, page) -> None:
        self._rows.extend(page.rows)
        self._cursor = page.next_before
        with messages.handle_user_errors("History could not be read"):
            self._images.update(self._store().first_output_images([row.id for row in page.rows]))
        for row in page.rows:
            if row.profile:
                self._seen["profile"].add(row.profile)
            if row.model:
                self._seen["model"].add(row.model)
            self._seen["categories"].update(row.categories)

    def seen_values(self, field: str) -> list[str]:
        """Distinct profiles, models or categories among the rows loaded so far."""
        return sorted(self._seen.get(field, ()))

    # --- thumbnails ----------------------------------------------------------------------

    def set_thumbnail(self, history_id: int, pixmap: QPixmap) -> None:
        """The decoded thumbnail of a row's image (repaints that row's prompt cell)."""
        self._thumbs[history_id] = pixmap
        while len(self._thumbs) > THUMBNAIL_CACHE:
            evicted = next(iter(self._thumbs))
            del self._thumbs[evicted]
            self._asked.discard(evicted)
        row = self.row_of(history_id)
        if row is not None:
            index = self.index(row, COLUMN_KEYS.index("prompt"))
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def has_thumbnail(self, history_id: int) -> bool:
        return history_id in self._thumbs

    def _thumbnail(self, history_id: int) -> QPixmap | None:
        thumb = self._thumbs.get(history_id)
        path = self._images.get(history_id)
        if thumb is None and path is not None and history_id not in self._asked:
            self._asked.add(history_id)
            self.thumbnail_needed.emit(history_id, path)
        return thumb

    # --- lazy paging ---------------------------------------------------------------------

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._cursor is None:
            return
        page = self._page(self._cursor)
        if page is None or not page.rows:
            self._cursor = None
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._accept(page)
        self.endInsertRows()

    # --- rows ----------------------------------------------------------------------------

    def summary(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def update_row(self, summary) -> None:
        """Replace one loaded row (e.g. after a review) without reloading the table."""
        row = self.row_of(summary.id)
        if row is not None:
            self._rows[row] = summary
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, history_id: int) -> int | None:
        """The row showing this request, if it has been loaded."""
        for row, summary in enumerate(self._rows):
            if summary.id == history_id:
                return row
        return None

    # --- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(COLUMNS):
                return COLUMNS[section][1]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = COLUMN_KEYS[index.column()] if 0 <= index.column() < len(COLUMN_KEYS) else None
        if key is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "prompt":
                return messages.plain_tooltip(row.prompt_preview)
            if key == "outcome" and row.error_code:
                return messages.plain_tooltip(f"{row.error_code} (HTTP {row.http_status or '-'})")
            if key in ("created", "request_id", "categories"):
                return messages.plain_tooltip(_display(row, key) if key != "created" else row.created_at)
            return None
        if role == Qt.ItemDataRole.DecorationRole and key == "prompt":
            return self._thumbnail(row.id)
        if role == Qt.ItemDataRole.ForegroundRole and key == "outcome":
            return outcome_color(row.outcome)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "cost":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SummaryRole:
            return row
        if role == IdRole:
            return row.id
        return None


def _display(row, key: str) -> str:
    if key == "created":
        return short_time(row.created_at, seconds=False)
    if key == "outcome":
        return labels.OUTCOME_LABELS.get(row.outcome, row.outcome)
    if key == "categories":
        return ", ".join(labels.category(c) for c in row.categories)
    if key == "prompt":
        return ("[redacted] " if row.redacted else "") + one_line(row.prompt_preview)
    if key == "model":
        return row.model or ""
    if key == "profile":
        return row.profile or ""
    if key == "request_id":
        return row.request_id or ""
    if key == "cost":
        return f"${row.actual_cost:.3f}" if row.actual_cost is not None else ""
    if key == "review":
        return row.review_state or ""
    return ""
