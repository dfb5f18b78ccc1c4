"""Appeal operations: the draft appeals, and adding requests to one."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from workbench.ui import messages
from workbench.ui.operations.history import HistoryOperations


class AppealOperations(QObject):
    """Signals:
        changed(int): an appeal was created or changed (its id).
    """

    changed = Signal(int)

    def __init__(self, history: HistoryOperations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._history = history

    def draft_appeals(self) -> list:
        from workbench.core.appeal.store import AppealStore

        with messages.handle_user_errors("Appeals could not be read"):
            return AppealStore(self._history.store()).list("draft")
        return []

    def add_to_appeal(self, history_ids: list[int], appeal_id: int | None = None):
        """Add requests to an appeal (a new draft when `appeal_id` is None); the appeal or None."""
        from workbench.core.appeal.store import AppealStore

        with messages.handle_user_errors("The request was not added to an appeal"):
            appeals = AppealStore(self._history.store())
            if appeal_id is None:
                appeal = appeals.create(history_ids)
            else:
                appeal = appeals.add_requests(appeal_id, history_ids)
            messages.info(f"Added to appeal #{appeal.id} (draft). Complete it in the Appeals tab.")
            self.changed.emit(appeal.id)
            return appeal
        return None
