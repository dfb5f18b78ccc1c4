"""A "what to do" note over an empty item view (issue 16: empty states that say what to do).

The note is a plain-text label laid over the view's viewport, shown while the model has no
rows. Its text comes from a callable, so a view can say "nothing yet: do this" or "nothing
matches: clear the filter" depending on why it is empty.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel


class EmptyState(QObject):
    """Shows `label` centred over `view` while `view.model()` is empty."""

    def __init__(self, view: QAbstractItemView, text: Callable[[], str]) -> None:
        super().__init__(view)
        self._view = view
        self._text = text
        self.label = QLabel(view.viewport())
        self.label.setObjectName("emptyState")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setProperty("hint", True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update)
        self.update()

    def update(self, *_args) -> None:
        empty = self._view.model().rowCount() == 0
        if empty:
            self.label.setText(self._text())
            self._place()
        self.label.setVisible(empty)

    def text(self) -> str:
        """What the note says now ("" while the view has rows)."""
        return self.label.text() if not self.label.isHidden() else ""

    def _place(self) -> None:
        area = self._view.viewport().rect().adjusted(16, 8, -16, -8)
        self.label.setGeometry(area)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False
