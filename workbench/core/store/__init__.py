"""The history store: SQLite database (sqlite-utils), image files, maintenance.

Public API (used by the GUI, CLI, importers and appeals):
    HistoryStore.open(path=None, ...) -> HistoryStore
    HistoryFilter, HistoryEntry, HistorySummary, Page, StoredImage, IntegrityReport
    open_history(path) -> sqlite_utils.Database  (migrated; WAL; foreign keys on)
"""

from workbench.core.store.db import open_history
from workbench.core.store.history import HistoryStore, LineageNode
from workbench.core.store.models import (
    BLOCKED_OUTCOMES,
    JUDGED_OUTCOMES,
    HistoryEntry,
    HistoryFilter,
    HistorySummary,
    ImportOutcome,
    IntegrityReport,
    Page,
    StoredImage,
)

__all__ = [
    "BLOCKED_OUTCOMES",
    "JUDGED_OUTCOMES",
    "HistoryEntry",
    "HistoryFilter",
    "HistoryStore",
    "HistorySummary",
    "ImportOutcome",
    "IntegrityReport",
    "LineageNode",
    "Page",
    "StoredImage",
    "open_history",
]
