"""Batch audit work that needs no Qt: screening each prompt with a suggested rewrite, and
writing the report as CSV or JSONL.

`audit_prompts` runs on a worker thread and reports batches through a callback. Each JSONL
record is the `workbench audit --json` record (index, text, verdict, categories, findings) plus
`line`, `rewrite` (the desensitized prompt, or null when nothing needs rewriting), `rewrite_verdict`,
`hard_block`, `message` and, for unreadable input lines, `error`.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPORT_FORMATS = {"csv": "CSV (*.csv)", "jsonl": "JSON Lines (*.jsonl)"}
BATCH_SECONDS = 0.1  # how often results are handed to the GUI while screening
CSV_COLUMNS = ("index", "line", "verdict", "categories", "terms", "text", "rewrite", "rewrite_verdict",
               "hard_block", "error")


@dataclass
class AuditRow:
    """One input record and what screening made of it."""

    index: int
    line: int
    text: str
    verdict: str = "clear"
    categories: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    rewrite: str | None = None
    rewrite_verdict: str | None = None
    hard_block: bool = False
    message: str = ""
    error: str | None = None
    profile: str = ""  # the policy profile that judged the verdict

    @property
    def risky(self) -> bool:
        return self.error is None and self.verdict != "clear"

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"index": self.index, "line": self.line, "error": self.error}
        return {
            "index": self.index, "line": self.line, "text": self.text, "verdict": self.verdict,
            "categories": self.categories, "findings": self.findings, "rewrite": self.rewrite,
            "rewrite_verdict": self.rewrite_verdict, "hard_block": self.hard_block, "message": self.message,
            **({"profile": self.profile} if self.profile else {}),
        }


def audit_row(index: int, line: int, text: str, scan: Callable, desensitize: Callable) -> AuditRow:
    """Screen one prompt and, if anything was found, propose the one-click rewrite."""
    result = scan(text)
    row = AuditRow(index, line, text, result.verdict, list(result.categories),
                   [f.to_dict() for f in result.findings], profile=result.profile)
    if result.findings:
        rewrite = desensitize(text, scan_result=result)
        row.hard_block = rewrite.hard_block
        row.message = rewrite.message
        if rewrite.changed:
            row.rewrite = rewrite.rewritten
            row.rewrite_verdict = rewrite.verdict
    return row


def audit_prompts(data: bytes, name: str, fmt: str | None, on_batch: Callable[[list[AuditRow], int, int], None],
                  cancelled: threading.Event) -> int:
    """Screen every prompt of a file, calling `on_batch(rows, done, total)` now and then.

    Runs on a worker thread; `on_batch` must hand the rows to the GUI thread itself.
    Returns how many records were screened (fewer if cancelled).

    Raises:
        BadInputError: the file is binary, not UTF-8, a CSV without a prompt column, or empty.
    """
    from workbench.core.errors import BadInputError
    from workbench.core.io.prompt_files import read_prompts
    from workbench.core.rewrite import desensitize
    from workbench.core.screening import scan

    records = list(read_prompts(data, name, fmt))
    if not records:
        raise BadInputError(f"{name}: no prompts found")
    batch: list[AuditRow] = []
    last = time.monotonic()
    done = 0
    for index, record in enumerate(records):
        if cancelled.is_set():
            break
        if record.error is not None:
            batch.append(AuditRow(index, record.line, "", verdict="", error=record.error))
        else:
            batch.append(audit_row(index, record.line, record.text or "", scan, desensitize))
        done = index + 1
        if time.monotonic() - last >= BATCH_SECONDS:
            on_batch(batch, done, len(records))
            batch, last = [], time.monotonic()
    on_batch(batch, done, len(records))
    return done


def report_text(rows: list[AuditRow], fmt: str) -> str:
    """The report in `csv` or `jsonl`, rows in input order."""
    if fmt == "jsonl":
        return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        terms = "; ".join(sorted({str(f.get("text", "")) for f in r.findings}))
        writer.writerow([r.index, r.line, r.verdict, ";".join(r.categories), terms, r.text, r.rewrite or "",
                         r.rewrite_verdict or "", "yes" if r.hard_block else "", r.error or ""])
    return out.getvalue()


def write_report(rows: list[AuditRow], fmt: str, target: Path) -> Path:
    """Write the report atomically. Raises BadInputError for an unwritable place."""
    from workbench.core.store.atomic import atomic_write_text

    atomic_write_text(Path(target), report_text(rows, fmt))
    return Path(target)
