"""Exporting history requests as JSON Lines or CSV, one row at a time (flat memory at any size).

`workbench history export` and the History tab's Export button both call `export_to_file`
(or `write_export` for standard output), so their files have the same rows and columns. Rows
are read a page at a time and written as they come: exporting 100,000 requests holds one page
of ids and one request in memory, never the whole file. Everything written comes from the
store, which has already removed secrets.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from workbench.core.errors import BadInputError
from workbench.core.store.atomic import atomic_output

if TYPE_CHECKING:
    from workbench.core.store.history import HistoryStore
    from workbench.core.store.models import HistoryFilter

FORMATS = ("jsonl", "csv")

# CSV columns (JSONL rows carry every field of `HistoryEntry.to_dict()`). Lists and objects
# are written as JSON inside the cell.
EXPORT_COLUMNS = (
    "id", "created_at", "completed_at", "outcome", "endpoint", "prompt", "model", "size", "quality",
    "moderation", "profile", "provider", "base_url", "http_status", "error_kind", "error_type", "error_code",
    "error_message", "stage", "categories", "request_ids", "latency_ms", "input_tokens", "output_tokens",
    "total_tokens", "estimated_cost", "actual_cost", "retries", "parent_id", "source", "source_detail",
    "verdict", "notes", "redacted",
)

PAGE = 1000  # ids read per search page


def iter_matching_ids(store: HistoryStore, query: str = "", flt: HistoryFilter | None = None) -> Iterator[int]:
    """Ids of every request matching a search, newest first (pages through the keyset cursor)."""
    before = None
    while True:
        page = store.search(query, flt, limit=PAGE, before=before)
        yield from (row.id for row in page.rows)
        if page.next_before is None:
            return
        before = page.next_before


def matching_ids(store: HistoryStore, query: str = "", flt: HistoryFilter | None = None) -> list[int]:
    """`iter_matching_ids` as a list (8 bytes an id; used where the ids are needed twice)."""
    return list(iter_matching_ids(store, query, flt))


def write_export(store: HistoryStore, ids: Iterable[int], fmt: str, out: TextIO) -> int:
    """Write these requests (complete entries, raw bodies included) to `out`; returns how many.

    Raises:
        BadInputError: unknown format, or a request that is not in the history.
    """
    check_format(fmt)
    count = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_COLUMNS)
    for request_id in ids:
        row = store.get(int(request_id)).to_dict()
        if writer is not None:
            writer.writerow([_cell(row.get(c)) for c in EXPORT_COLUMNS])
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_to_file(store: HistoryStore, ids: Iterable[int], fmt: str, target: Path | str) -> int:
    """`write_export` into `target`, atomically: a failed export leaves no partial file.

    Raises:
        BadInputError: unknown format, unwritable destination, missing request.
    """
    check_format(fmt)
    with atomic_output(Path(target)) as tmp:
        # newline="" lets the csv module write its own line endings on every platform.
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            return write_export(store, ids, fmt, out)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise BadInputError(f"unknown export format {fmt!r}; use jsonl or csv")


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
