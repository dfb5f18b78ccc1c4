"""Choose what to purge from history: requests older than some days, or the current search."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
)

from workbench.ui import dialogs


@dataclass(frozen=True)
class PurgeChoice:
    """What to delete: `older_than_days` (None: use the current search's filter)."""

    older_than_days: int | None
    include_appealed: bool


class PurgeDialog(QDialog):
    """Shows how many requests a choice would delete before anything is deleted.

    Args:
        count: returns how many requests a PurgeChoice would delete (a dry run).
        filter_description: what the current search/filters are, in words.
    """

    def __init__(self, count, filter_description: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Purge history")
        self._count = count
        self.by_age = QRadioButton("Requests older than")
        self.by_filter = QRadioButton(f"Requests matching the current search: {filter_description}")
        self.by_filter.setEnabled(bool(filter_description))
        group = QButtonGroup(self)
        group.addButton(self.by_age)
        group.addButton(self.by_filter)
        self.by_age.setChecked(True)
        self.days = QSpinBox(minimum=1, maximum=3650, value=90, suffix=" days")
        self.include_appealed = QCheckBox("Also delete requests that belong to an appeal")
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        grid = QGridLayout()
        grid.addWidget(self.by_age, 0, 0)
        grid.addWidget(self.days, 0, 1)
        grid.addWidget(self.by_filter, 1, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Deleted requests and their image files cannot be recovered. Make a backup first."))
        layout.addLayout(grid)
        layout.addWidget(self.include_appealed)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        for signal in (self.by_age.toggled, self.days.valueChanged, self.include_appealed.toggled):
            signal.connect(self._update)
        self._update()

    def choice(self) -> PurgeChoice:
        return PurgeChoice(self.days.value() if self.by_age.isChecked() else None,
                           self.include_appealed.isChecked())

    def _update(self, *_args) -> None:
        n = self._count(self.choice())
        self.summary.setText(f"{n} request(s) will be deleted.")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"Delete {n}")
        ok.setEnabled(n > 0)

    @classmethod
    async def ask(cls, count, filter_description: str, parent=None) -> PurgeChoice | None:
        dialog = cls(count, filter_description, parent)
        if not await dialogs.run(dialog):
            return None
        return dialog.choice()
