"""The History tab: the request table over the store (paged), search, filters, details, actions."""

from workbench.ui.history.model import HistoryTableModel
from workbench.ui.history.view import HistoryView

__all__ = ["HistoryTableModel", "HistoryView"]
