"""The findings of the current prompt as a list; activating a row selects the span in the editor."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QListView, QWidget

from workbench.core.screening.models import SEVERITY_RANK, Finding, ScanResult
from workbench.ui import labels, theme
from workbench.ui.messages import plain_tooltip
from workbench.ui.widgets.empty_state import EmptyState

FindingRole = Qt.ItemDataRole.UserRole + 1


def _swatch(color: QColor, size: int = 12) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return pixmap


class FindingsModel(QAbstractListModel):
    """Findings ordered by position, worst severity first among equal starts."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []
        self._swatches: dict[str, QPixmap] = {}

    def set_result(self, result: ScanResult) -> None:
        findings = sorted(result.findings, key=lambda f: (f.start, -SEVERITY_RANK[f.severity]))
        if findings == self._findings:
            return
        self.beginResetModel()
        self._findings = findings
        self.endResetModel()

    def refresh_colors(self) -> None:
        self._swatches.clear()
        if self._findings:
            self.dataChanged.emit(self.index(0), self.index(len(self._findings) - 1))

    def finding(self, row: int) -> Finding:
        return self._findings[row]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._findings)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._findings):
            return None
        f = self._findings[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(f.text.split()) or "(invisible)"
            if len(text) > 40:
                text = text[:39] + "…"
            return f"“{text}”  {labels.category(f.category)} · {labels.severity(f.severity)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            # Plain-text tooltip: Qt shows it as rich text only if it looks like markup.
            return plain_tooltip(f.message or labels.category(f.category))
        if role == Qt.ItemDataRole.DecorationRole:
            swatch = self._swatches.get(f.category)
            if swatch is None:
                swatch = self._swatches[f.category] = _swatch(theme.category_color(f.category))
            return swatch
        if role == FindingRole:
            return f
        return None


class FindingsList(QListView):
    """Signals:
        finding_activated(Finding): the user clicked a finding.
    """

    finding_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingsList")
        self.model_ = FindingsModel(self)
        self.setModel(self.model_)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(12, 12))
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.clicked.connect(self._on_clicked)
        self.activated.connect(self._on_clicked)
        self._prompt_empty = True
        self.empty_state = EmptyState(self, self._empty_text)

    def set_result(self, result: ScanResult) -> None:
        self._prompt_empty = not result.text.strip()
        self.model_.set_result(result)
        self.empty_state.update()

    def _empty_text(self) -> str:
        if self._prompt_empty:
            return "Type or paste a prompt above: risky words are underlined as you type and listed here."
        return ("No risky words found. Local screening is a guide, not a guarantee: "
                "the image endpoint has its own safety system.")

    def _on_clicked(self, index) -> None:
        if index.isValid():
            self.finding_activated.emit(self.model_.finding(index.row()))
