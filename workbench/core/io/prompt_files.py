"""Reading prompt files for batch audit: .txt (a prompt a line), .csv (`prompt`/`text`
column) and .jsonl (`text`/`prompt` field); bad lines are reported, not fatal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.core.errors import BadInputError
from workbench.core.io.textinput import decode_text, prompt_too_long

FIELDS = ("prompt", "text")
FORMATS = ("txt", "csv", "jsonl")


@dataclass(frozen=True)
class PromptRecord:
    """One input record: its text, or why it could not be read."""

    line: int  # 1-based line (txt/jsonl) or row (csv, header excluded) in the input
    text: str | None
    error: str | None = None


def detect_format(name: str, text: str) -> str:
    """By extension, else by content: JSON objects → jsonl, a prompt/text header → csv, else txt."""
    lower = name.lower()
    for fmt in FORMATS:
        if lower.endswith("." + fmt):
            return fmt
    if lower.endswith(".json") or lower.endswith(".ndjson"):
        return "jsonl"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    header = [h.strip().strip('"').lower() for h in first.split(",")]
    if len(header) > 1 and any(f in header for f in FIELDS):
        return "csv"
    return "txt"


def read_prompts(data: bytes, name: str = "input", fmt: str | None = None) -> Iterator[PromptRecord]:
    """Yield the prompts of a file in input order.

    Raises:
        BadInputError: binary or non-UTF-8 data, or a CSV without a prompt/text column.
    """
    text = decode_text(data, source=name)
    fmt = fmt or detect_format(name, text)
    for record in _records(text, name, fmt):
        too_long = prompt_too_long(record.text) if record.text is not None else None
        # Over the API's limit: a per-record error (the rest is still audited), never screened.
        yield PromptRecord(record.line, None, f"line {record.line}: {too_long}") if too_long else record


def _records(text: str, name: str, fmt: str) -> Iterator[PromptRecord]:
    if fmt == "jsonl":
        yield from _jsonl(text)
    elif fmt == "csv":
        yield from _csv(text, name)
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield PromptRecord(number, line)


def _jsonl(text: str) -> Iterator[PromptRecord]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield PromptRecord(number, None, f"line {number}: not valid JSON ({exc.msg})")
            continue
        if isinstance(obj, str):
            yield PromptRecord(number, obj)
            continue
        value = next((obj[f] for f in FIELDS if isinstance(obj, dict) and isinstance(obj.get(f), str)), None)
        if value is None:
            yield PromptRecord(number, None, f"line {number}: no string field 'text' or 'prompt'")
        else:
            yield PromptRecord(number, value)


def _csv(text: str, name: str) -> Iterator[PromptRecord]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise BadInputError(f"{name}: not a readable CSV file ({exc})") from None
    names = [h.strip().lower() for h in header]
    column = next((names.index(f) for f in FIELDS if f in names), None)
    if column is None:
        raise BadInputError(
            f"{name}: no 'prompt' or 'text' column (columns: {', '.join(header)[:200]})"
        )
    row_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_number += 1
            yield PromptRecord(row_number, None, f"row {row_number}: {exc}")
            continue
        row_number += 1
        if not any(cell.strip() for cell in row):
            continue
        if column >= len(row):
            yield PromptRecord(row_number, None, f"row {row_number}: missing the '{header[column]}' column")
        else:
            yield PromptRecord(row_number, row[column])
