"""Importing errors and request logs into history (`workbench import`, the GUI's paste box).

Accepted input (detected from the file name and the content):
- **a single error body**: JSON (`{"error": {...}}`, fal's `{"detail": [...]}`, Azure's
  `content_filter` shapes, a logged exchange), the SDK's `Error code: 400 - {...}` string, SSE
  text, or plain text containing such a body;
- **JSONL** (`.jsonl`/`.ndjson`, or several JSON lines): one request per line;
- **CSV** (`.csv`, or a header line naming known columns): one request per row;
- a **JSON array** of records (`.json`).

Fields of a log record (case-insensitive; dotted names are nested objects; extra fields are
ignored). Only an error body or a prompt is required:

| meaning | accepted names |
|---|---|
| timestamp (UTC unless an offset is given; epoch s/ms ok) | timestamp, time, ts, created_at, created, datetime, date, @timestamp, request_time, start_time |
| prompt | prompt, request.prompt, input.prompt, request_body.prompt, params.prompt, body.prompt |
| error body (JSON text or object) | error, response_body, response, body, error_body, detail, raw, raw_body |
| HTTP status | status_code, status, http_status, response.status, response_status |
| response headers (for request IDs) | headers, response_headers, response.headers |
| request ID | request_id, x-request-id, x_request_id, requestid, apim-request-id |
| model, size, quality, moderation, n, background, output_format | the same names, top level or under request / input / params |
| profile, provider, base_url, endpoint | profile, provider, base_url (or url), endpoint (generate/edit) |
| latency | latency_ms, duration_ms, elapsed_ms; latency_s, duration_s, elapsed_s (seconds) |
| tokens, cost | usage.{input,output,total}_tokens or top-level; cost, cost_usd, actual_cost |
| notes | notes, note, comment |

Error bodies are parsed by `workbench.core.api.errors.parse_error_body` (one parser for live
calls and imports). A line that cannot be used is reported with its line number and skipped;
every good line is kept. Imported rows have `source="import"` and `source_detail="<file>:<line>"`;
a line imported twice (same content) is skipped as a duplicate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.api.errors import parse_error_body
from workbench.core.errors import BadInputError
from workbench.core.files import read_bounded
from workbench.core.records import ErrorRecord
from workbench.core.store.history import HistoryStore
from workbench.core.store.timestamps import parse_utc
from workbench.core.textinput import MAX_INPUT_BYTES, decode_text

FORMATS = ("auto", "body", "jsonl", "csv", "json")
BATCH = 500

TIME_KEYS = ("timestamp", "time", "ts", "created_at", "created", "datetime", "date", "@timestamp",
             "request_time", "start_time")
PROMPT_KEYS = ("prompt", "request.prompt", "input.prompt", "request_body.prompt", "params.prompt", "body.prompt")
BODY_KEYS = ("error", "response_body", "response", "body", "error_body", "detail", "raw", "raw_body")
STATUS_KEYS = ("status_code", "status", "http_status", "response.status", "response.status_code", "response_status")
HEADER_KEYS = ("headers", "response_headers", "response.headers")
ID_KEYS = ("request_id", "x-request-id", "x_request_id", "requestid", "apim-request-id", "response.request_id")
PARAM_NAMES = ("model", "size", "quality", "moderation", "n", "background", "output_format",
               "output_compression", "input_fidelity")
PARAM_PARENTS = ("", "request.", "input.", "params.", "request_body.", "body.")
LATENCY_KEYS = (("latency_ms", 1.0), ("duration_ms", 1.0), ("elapsed_ms", 1.0),
                ("latency_s", 1000.0), ("duration_s", 1000.0), ("elapsed_s", 1000.0))
COST_KEYS = ("actual_cost", "cost_usd", "cost")
NOTE_KEYS = ("notes", "note", "comment")
CSV_HINTS = {"prompt", "error", "status", "status_code", "request_id", "timestamp", "response_body", "model"}


@dataclass
class LineProblem:
    """A problem with one input line; `skipped` lines were not imported."""

    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    source: str
    format: str
    imported: int = 0
    duplicates: int = 0
    ids: list[int] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "format": self.format, "imported": self.imported,
            "duplicates": self.duplicates, "skipped": self.skipped, "ids": self.ids,
            "problems": [{"line": p.line, "message": p.message, "skipped": p.skipped} for p in self.problems],
        }


def import_file(store: HistoryStore, path: Path | str, *, fmt: str = "auto") -> ImportReport:
    """Import a file; see the module docstring for what it may contain."""
    path = Path(path)
    data = read_bounded(path, MAX_INPUT_BYTES)
    return import_bytes(store, data, source=path.name, fmt=fmt)


def import_bytes(store: HistoryStore, data: bytes, *, source: str, fmt: str = "auto") -> ImportReport:
    """Import bytes (a file's content or standard input)."""
    return import_text(store, decode_text(data, source=source), source=source, fmt=fmt)


def import_text(store: HistoryStore, text: str, *, source: str = "pasted text", fmt: str = "auto") -> ImportReport:
    """Import text: a pasted error body, or a JSONL/CSV/JSON log.

    Raises:
        BadInputError: empty input or an unknown format name.
    """
    if fmt not in FORMATS:
        raise BadInputError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not text.strip():
        raise BadInputError(f"{source} is empty")
    chosen = detect_format(text, source) if fmt == "auto" else fmt
    report = ImportReport(source=source, format=chosen)
    records = {"body": _body_records, "jsonl": _jsonl_records, "csv": _csv_records, "json": _json_records}[chosen]
    batch: list[tuple[int, Any, str]] = []
    for item in records(text, report):
        batch.append(item)
        if len(batch) >= BATCH:
            _write(store, batch, report)
            batch = []
    if batch:
        _write(store, batch, report)
    report.problems.sort(key=lambda p: p.line)
    return report


def detect_format(text: str, name: str = "") -> str:
    """'body', 'jsonl', 'csv' or 'json' for this content (and file name)."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    stripped = text.strip()
    try:
        whole = json.loads(stripped)
    except (ValueError, RecursionError):
        whole = None
    if isinstance(whole, list):
        return "json"
    if isinstance(whole, dict):
        return "body"
    lines = [line.strip() for line in stripped.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("{") and lines[1].startswith("{"):
        return "jsonl"
    if len(lines) > 1 and "," in lines[0] and not lines[0].startswith(("{", "Error code")):
        header = {h.strip().strip('"').lower() for h in next(csv.reader([lines[0]]))}
        if header & CSV_HINTS:
            return "csv"
    return "body"


# -- reading records ------------------------------------------------------------------------


def _body_records(text: str, report: ImportReport) -> Iterator[tuple[int, Any, str]]:
    stripped = text.strip()
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        value = None
    yield 1, value if isinstance(value, dict) else stripped, stripped


def _jsonl_records(text: str, report: ImportReport) -> Iterator[tuple[int, Any, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            report.problems.append(LineProblem(number, f"not valid JSON ({_json_reason(exc)})"))
            continue
        if not isinstance(value, dict):
            report.problems.append(LineProblem(number, "expected a JSON object"))
            continue
        yield number, value, line


def _json_records(text: str, report: ImportReport) -> Iterator[tuple[int, Any, str]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise BadInputError(f"{report.source} is not valid JSON ({_json_reason(exc)})") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise BadInputError(f"{report.source}: expected a JSON array of records, not {type(data).__name__}")
    for number, value in enumerate(data, start=1):
        if not isinstance(value, dict):
            report.problems.append(LineProblem(number, "expected a JSON object (record in the array)"))
            continue
        yield number, value, json.dumps(value, sort_keys=True)


def _csv_records(text: str, report: ImportReport) -> Iterator[tuple[int, Any, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise BadInputError(f"{report.source}: the CSV file has no header line")
    try:
        for row in reader:
            number = reader.line_num
            if None in row:  # more cells than header columns
                report.problems.append(LineProblem(number, "more cells than header columns", skipped=False))
                row.pop(None, None)
            if not any((v or "").strip() for v in row.values()):
                continue
            record = {(k or "").strip(): _cell(v) for k, v in row.items()}
            yield number, record, json.dumps(row, sort_keys=True, default=str)
    except csv.Error as exc:
        report.problems.append(LineProblem(reader.line_num, f"CSV error ({exc}); the rest of the file was not read"))


def _cell(value: str | None) -> Any:
    """CSV cells holding JSON (bodies, headers, usage) are decoded; others stay text."""
    text = (value or "").strip()
    if text[:1] in "{[":
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return text
    return text


def _json_reason(exc: ValueError) -> str:
    return getattr(exc, "msg", str(exc)) + (f" at column {exc.colno}" if hasattr(exc, "colno") else "")


# -- writing --------------------------------------------------------------------------------


def _write(store: HistoryStore, batch: list[tuple[int, Any, str]], report: ImportReport) -> None:
    with store.transaction():
        for number, value, canonical in batch:
            try:
                row = record_to_row(value, number, report)
            except BadInputError as exc:
                report.problems.append(LineProblem(number, exc.user_message))
                continue
            key = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
            outcome = store.record_completed(
                **row, source="import", source_detail=f"{report.source}:{number}", import_key=key)
            if outcome.duplicate:
                report.duplicates += 1
            else:
                report.imported += 1
                report.ids.append(int(outcome.id or 0))


def record_to_row(value: Any, number: int, report: ImportReport | None = None) -> dict[str, Any]:
    """Keyword arguments for `HistoryStore.record_completed` from one record (or a raw body)."""
    if not isinstance(value, Mapping):
        return _row("", {}, parse_error_body(value), None, [], {})
    record = _lower_keys(value)
    status = _status(_first(record, STATUS_KEYS))
    headers = _first(record, HEADER_KEYS)
    headers = headers if isinstance(headers, Mapping) else None
    prompt = _first(record, PROMPT_KEYS)
    if prompt is not None and not isinstance(prompt, str):
        raise BadInputError("the prompt is not text")
    error = _error(record, prompt or "", status, headers)
    prompt = prompt or _echoed_prompt(record)
    if error is None and not prompt:
        raise BadInputError("nothing to import: no prompt and no error")
    ids = [str(v) for v in (_first(record, ID_KEYS),) if v not in (None, "")]
    created = None
    raw_time = _first(record, TIME_KEYS)
    if raw_time not in (None, ""):
        created = parse_utc(raw_time)
        if created is None and report is not None:
            report.problems.append(LineProblem(number, f"unreadable timestamp {str(raw_time)[:40]!r}; "
                                                       "the import time was used", skipped=False))
    row = _row(prompt, _params(record), error, status, ids, record)
    row["created_at"] = created
    return row


def _error(record: dict[str, Any], prompt: str, status: int | None,
           headers: Mapping[str, Any] | None) -> ErrorRecord | None:
    """The error of a record, or None if the request succeeded."""
    if not prompt and any(record.get(k) not in (None, "", [], {}) for k in ("error", "detail")):
        return parse_error_body(record, status=status, headers=headers)  # the record is the body
    key, body = _first_item(record, BODY_KEYS)
    if body in (None, ""):
        if status is not None and status >= 400:
            return parse_error_body(record, status=status, headers=headers)
        if not prompt:  # no log fields at all: the record may itself be a body (Azure `data[].error`)
            error = parse_error_body(record, status=status, headers=headers)
            return error if error.kind != "unknown" else None
        return None
    if key == "error" and isinstance(body, Mapping) and "error" not in body:
        body = {"error": dict(body)}  # an inner error object: give it its envelope back
    error = parse_error_body(body, status=status, headers=headers)
    if status is not None and status < 400:
        # A success body (images, usage) - unless it carries an output-stage filter (Azure, HTTP 200).
        return error if error.kind == "blocked" else None
    if status is None and error.kind == "unknown" and not (error.code or error.message or error.categories):
        return None
    return error


def _echoed_prompt(record: Mapping[str, Any]) -> str:
    """fal.ai echoes the request under detail[].input: recover the prompt from it."""
    detail = record.get("detail")
    for item in detail if isinstance(detail, list) else []:
        echo = item.get("input") if isinstance(item, Mapping) else None
        if isinstance(echo, Mapping) and isinstance(echo.get("prompt"), str):
            return echo["prompt"]
    return ""


def _row(prompt: str, params: dict[str, Any], error: ErrorRecord | None, status: int | None,
         ids: list[str], record: dict[str, Any]) -> dict[str, Any]:
    usage = _first(record, ("usage", "response.usage", "body.usage"))
    usage = dict(usage) if isinstance(usage, Mapping) else {}
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        if key in record and key not in usage:
            usage[key] = _number(record[key], int)
    endpoint = str(_first(record, ("endpoint",)) or "")
    url = str(_first(record, ("base_url", "url")) or "")
    if endpoint not in ("generate", "edit"):
        endpoint = "edit" if "/edits" in (endpoint + url) else "generate"
    return {
        "prompt": prompt,
        "params": params,
        "outcome": outcome_for(error),
        "error": error,
        "http_status": status if status is not None else (error.http_status if error else None),
        "request_ids": ids,
        "latency_ms": _latency(record),
        "usage": usage,
        "actual_cost": _number(_first(record, COST_KEYS), float),
        "profile": _str_or_none(_first(record, ("profile",))),
        "provider": _str_or_none(_first(record, ("provider",))) or (error.provider if error else None),
        "base_url": url or None,
        "endpoint": endpoint,
        "notes": str(_first(record, NOTE_KEYS) or ""),
    }


def outcome_for(error: ErrorRecord | None) -> str:
    """History outcome for an imported error (None means the request succeeded)."""
    if error is None:
        return "ok"
    if error.kind == "blocked":
        return "blocked_output" if error.stage == "output" else "blocked_input"
    if error.kind == "cancelled":
        return "cancelled"
    return "error"


def _lower_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in value.items()}


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    return _first_item(record, names)[1]


def _first_item(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        value = _lookup(record, name)
        if value not in (None, ""):
            return name, value
    return None, None


def _lookup(record: Mapping[str, Any], dotted: str) -> Any:
    if dotted in record:
        return record[dotted]
    head, _, rest = dotted.partition(".")
    if not rest:
        return None
    inner = record.get(head)
    if isinstance(inner, str) and inner.strip().startswith("{"):
        try:
            inner = json.loads(inner)
        except (ValueError, RecursionError):
            return None
    return _lookup(_lower_keys(inner), rest) if isinstance(inner, Mapping) else None


def _params(record: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in PARAM_NAMES:
        for parent in PARAM_PARENTS:
            value = _lookup(record, parent + name)
            if value not in (None, "") and not isinstance(value, (dict, list)):
                params[name] = value
                break
    if "n" in params:
        params["n"] = _number(params["n"], int) or 1
    return params


def _status(value: Any) -> int | None:
    number = _number(value, int)
    return number if number is not None and 100 <= number <= 599 else None


def _latency(record: Mapping[str, Any]) -> float | None:
    for key, factor in LATENCY_KEYS:
        number = _number(record.get(key), float)
        if number is not None:
            return round(number * factor, 3)
    return None


def _number(value: Any, kind: type) -> Any:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
