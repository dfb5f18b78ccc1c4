"""Writing chosen history requests to a JSONL or CSV file (run on the history worker thread).

The columns match `workbench history export` (the CLI's `EXPORT_COLUMNS`), so files from the
app and from the command line can be processed by the same scripts. Everything written comes
from the store, which has already removed secrets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMATS = {"jsonl": "JSON Lines (*.jsonl)", "csv": "CSV (*.csv)"}


def export_columns() -> tuple[str, ...]:
    from workbench.cli.history import EXPORT_COLUMNS

    return EXPORT_COLUMNS


def export_requests(store, ids: Sequence[int], fmt: str, target: Path) -> int:
    """Write these requests (complete entries, raw bodies included) to `target`; returns how many.

    Raises:
        BadInputError: unknown format or unwritable file.
    """
    from workbench.core.errors import BadInputError
    from workbench.core.store.atomic import atomic_write_text

    if fmt not in FORMATS:
        raise BadInputError(f"unknown export format {fmt!r}; use jsonl or csv")
    rows = [store.get(int(i)).to_dict() for i in ids]
    atomic_write_text(Path(target), _jsonl(rows) if fmt == "jsonl" else _csv(rows))
    return len(rows)


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _csv(rows: list[dict[str, Any]]) -> str:
    columns = export_columns()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([json.dumps(r.get(c), ensure_ascii=False) if isinstance(r.get(c), (list, dict)) else r.get(c)
                         for c in columns])
    return out.getvalue()


def matching_ids(store, query: str, flt) -> list[int]:
    """Ids of every request matching a search, newest first (pages through the keyset cursor)."""
    ids: list[int] = []
    before = None
    while True:
        page = store.search(query, flt, limit=1000, before=before)
        ids.extend(row.id for row in page.rows)
        if page.next_before is None:
            return ids
        before = page.next_before
