"""Choose where a blocked request goes: a new appeal, or an existing draft."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from workbench.ui import dialogs


class AppealChoiceDialog(QDialog):
    def __init__(self, drafts: list, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to appeal")
        self.choices = QListWidget()
        new = QListWidgetItem("New appeal")
        new.setData(256, "new")
        self.choices.addItem(new)
        for appeal in drafts:
            title = appeal.title or "untitled"
            item = QListWidgetItem(f"#{appeal.id} · {title} · {len(appeal.request_ids)} request(s)")
            item.setData(256, appeal.id)
            self.choices.addItem(item)
        # The latest draft is where a run of blocked requests usually goes; "New appeal" otherwise.
        latest = max(range(len(drafts)), key=lambda i: (drafts[i].updated_at or "", drafts[i].id), default=None)
        self.choices.setCurrentRow(0 if latest is None else latest + 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.choices.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Add the blocked request to:"))
        layout.addWidget(self.choices)
        layout.addWidget(buttons)

    def choice(self):
        item = self.choices.currentItem()
        return item.data(256) if item is not None else None

    @classmethod
    async def ask(cls, drafts: list, parent=None):
        """"new", a draft appeal id, or None if cancelled. With no drafts there is nothing to ask."""
        if not drafts:
            return "new"
        dialog = cls(drafts, parent)
        if not await dialogs.run(dialog):
            return None
        return dialog.choice()
