"""The Appeals tab: appeal list, composer, packet preview and export (Markdown, PDF, JSON, ZIP)."""

from workbench.ui.appeals.view import AppealsView

__all__ = ["AppealsView"]
