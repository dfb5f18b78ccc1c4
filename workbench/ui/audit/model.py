"""AuditResultsModel: one row per audited prompt (verdict, categories, prompt, suggested rewrite),
filled in batches while screening runs; AuditFilterProxy shows all, risky or unreadable rows."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from workbench.ui import labels, messages, theme
from workbench.ui.audit.report import AuditRow
from workbench.ui.history.model import one_line

RowRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = (("index", "#"), ("line", "Line"), ("verdict", "Verdict"), ("categories", "Categories"),
           ("text", "Prompt"), ("rewrite", "Suggested rewrite"))
COLUMN_KEYS = tuple(k for k, _t in COLUMNS)
VERDICT_RANK = {"clear": 0, "caution": 1, "likely_blocked": 2, "hard_block": 3}
SHOW = (("All prompts", "all"), ("Risky (caution or worse)", "risky"),
        ("Likely blocked or hard line", "blocked"), ("Unreadable lines", "errors"))


class AuditResultsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.endResetModel()

    def append_rows(self, rows: list[AuditRow]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (0 <= index.column() < len(COLUMNS)):
            return None
        row = self.rows[index.row()]
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key in ("text", "rewrite"):
            value = row.text if key == "text" else (row.rewrite or row.message)
            return messages.plain_tooltip(value) if value else None
        if role == Qt.ItemDataRole.ForegroundRole and key == "verdict":
            return theme.verdict_color(row.verdict) if row.error is None else theme.verdict_color("hard_block")
        if role == RowRole:
            return row
        return None


def _display(row: AuditRow, key: str) -> str:
    if key == "index":  # shown 1-based; the report's `index` field keeps the 0-based contract
        return str(row.index + 1)
    if key == "line":
        return str(row.line)
    if row.error is not None:
        return {"verdict": "Unreadable", "text": row.error}.get(key, "")
    if key == "verdict":
        return theme.VERDICT_LABELS.get(row.verdict, row.verdict)
    if key == "categories":
        return ", ".join(labels.category(c) for c in row.categories)
    if key == "text":
        return one_line(row.text)
    if key == "rewrite":
        if row.hard_block:
            return "No rewrite: hard line"
        return one_line(row.rewrite) if row.rewrite else ""
    return ""


class AuditFilterProxy(QSortFilterProxyModel):
    """Shows all rows, risky ones, likely-blocked ones, or unreadable lines."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.show = "all"

    def set_show(self, show: str) -> None:
        self.beginFilterChange()
        self.show = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if self.show == "all":
            return True
        row = self.sourceModel().rows[source_row]
        if self.show == "errors":
            return row.error is not None
        if row.error is not None:
            return False
        if self.show == "risky":
            return row.risky
        return VERDICT_RANK.get(row.verdict, 0) >= VERDICT_RANK["likely_blocked"]
