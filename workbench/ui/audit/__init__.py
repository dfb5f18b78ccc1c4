"""The Batch audit dialog: screen a txt/csv/jsonl file of prompts, see risk and rewrites, export."""

from workbench.ui.audit.dialog import BatchAuditDialog

__all__ = ["BatchAuditDialog"]
