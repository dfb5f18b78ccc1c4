"""History operations: the history store (opened on first use) and its images as gallery items."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from workbench.ui import messages
from workbench.ui.gallery.model import GalleryItem


class HistoryOperations(QObject):
    """The one history store of a running workbench.

    Signals:
        changed(): a request was recorded or completed.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def store(self):
        """The history store, opened on first use (migrations and crash recovery run here)."""
        if self._store is None:
            from workbench.core.store import HistoryStore

            self._store = HistoryStore.open()
            for warning in self._store.warnings:  # a 0-byte file set aside, read-only, journal replayed
                messages.warning(warning)
        return self._store

    def gallery_items(self, history_id: int | None) -> list[GalleryItem]:
        """The stored output images of one request, as gallery items."""
        if history_id is None:
            return []
        entry = self.store().get(history_id)
        return [
            GalleryItem(
                key=f"{entry.id}:{image.position}",
                prompt=entry.prompt,
                params=dict(entry.params),
                profile=entry.profile,
                history_id=entry.id,
                path=image.path,
                created_at=entry.created_at,
                review_state=entry.review_state,
            )
            for image in entry.images
            if image.role == "output"
        ]

    def recent_gallery_items(self, limit: int = 30) -> list[GalleryItem]:
        """Images of the most recent successful requests, newest first."""
        from workbench.core.store import HistoryFilter

        items: list[GalleryItem] = []
        with messages.handle_user_errors("History could not be read"):
            page = self.store().search("", HistoryFilter(outcomes=("ok",)), limit=limit)
            for row in page.rows:
                items.extend(self.gallery_items(row.id))
        return items
