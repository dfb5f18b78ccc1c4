"""The History tab's export: file-dialog filters over the core's streaming export.

The rows and columns are those of `workbench history export`; both call
`workbench.core.store.export` (run here on the history worker thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench.core.store.export import export_to_file, matching_ids

FORMATS = {"jsonl": "JSON Lines (*.jsonl)", "csv": "CSV (*.csv)"}

__all__ = ["FORMATS", "export_requests", "matching_ids"]


def export_requests(store, ids: Iterable[int], fmt: str, target: Path) -> int:
    """Write these requests to `target` (atomically); returns how many.

    Raises:
        BadInputError: unknown format, unwritable file.
    """
    return export_to_file(store, ids, fmt, target)
