"""Keep one table column (a prompt, usually) readable however narrow the window is.

The column stretches to fill the table while there is room; below `min_chars` average
characters it stops shrinking and the table scrolls sideways instead, so the prompt never
collapses to "…" next to fixed-width columns (issue 16: layouts that fit at 1280×800).
Cells elide in the middle: the start and the end of a prompt are what tell two apart.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableView


class ReadableColumn(QObject):
    """Watches the table's viewport and switches the column between Stretch and a floor width."""

    def __init__(self, table: QTableView, column: int, min_chars: int = 30) -> None:
        super().__init__(table)
        self._table = table
        self.column = column
        self.floor = table.fontMetrics().averageCharWidth() * min_chars
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.update()

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != self.column:  # another column was widened or narrowed by the user
            self.update()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.update()
        return False

    def update(self) -> None:
        header = self._table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != self.column and not header.isSectionHidden(c))
        room = self._table.viewport().width() - others
        if room >= self.floor:
            header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(self.column, self.floor)


def keep_readable(table: QTableView, column: int, min_chars: int = 30) -> ReadableColumn:
    """Make `column` of `table` stretch, but never below `min_chars` characters wide."""
    return ReadableColumn(table, column, min_chars)
