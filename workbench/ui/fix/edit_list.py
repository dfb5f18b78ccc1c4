"""The edits of a desensitize proposal, each with a checkbox (apply all or some)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from workbench.ui import labels
from workbench.ui.messages import plain_tooltip

EditRole = Qt.ItemDataRole.UserRole + 1


def _one_line(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EditList(QListWidget):
    """Signals:
        selection_changed(): a checkbox was toggled.
    """

    selection_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("editList")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setUniformItemSizes(True)
        self.itemChanged.connect(lambda _item: self.selection_changed.emit())

    def set_edits(self, edits) -> None:
        self.blockSignals(True)
        self.clear()
        for edit in edits:
            after = _one_line(edit.after) if edit.after else "(removed)"
            item = QListWidgetItem(f"“{_one_line(edit.before)}” → “{after}”" if edit.after else
                                   f"“{_one_line(edit.before)}” → {after}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(plain_tooltip(
                f"“{edit.before}” → “{edit.after}”\n{labels.category(edit.category)}: {edit.reason}"))
            item.setData(EditRole, edit)
            self.addItem(item)
        self.blockSignals(False)
        self.selection_changed.emit()

    def checked_edits(self) -> list:
        return [
            self.item(row).data(EditRole)
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.blockSignals(True)
        for row in range(self.count()):
            self.item(row).setCheckState(state)
        self.blockSignals(False)
        self.selection_changed.emit()
