"""GalleryFilter: which images the board shows (prompt text, outcome, model)."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel

from workbench.ui.gallery.model import GalleryModel

OUTCOMES = (
    ("", "Any outcome"),
    ("unreviewed", "Not reviewed"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("partial", "Streaming (partial)"),
)


class GalleryFilter(QSortFilterProxyModel):
    """Keeps the rows whose prompt contains every typed word, with the chosen outcome and model."""

    def __init__(self, source: GalleryModel, parent=None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self._words: list[str] = []
        self._outcome = ""
        self._model = ""

    def set_filter(self, text: str, outcome: str = "", model: str = "") -> None:
        """Show the rows whose prompt has every word of `text`, with this outcome and model ("" = any)."""
        self.beginFilterChange()  # Qt 6.10+: invalidateRowsFilter() is deprecated
        self._words = text.casefold().split()
        self._outcome = outcome or ""
        self._model = model or ""
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtered(self) -> bool:
        return bool(self._words or self._outcome or self._model)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        item = self.sourceModel().item(source_row)
        if self._outcome and item.outcome != self._outcome:
            return False
        if self._model and item.model_name != self._model:
            return False
        prompt = item.prompt.casefold()
        return all(word in prompt for word in self._words)
