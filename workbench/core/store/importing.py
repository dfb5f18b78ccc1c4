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

Error bodies are parsed by `workbench.core.api.error_parsing.parse_error_body` (one parser for live
calls and imports). A pasted body is stored exactly as pasted (byte for byte) and parsed
separately; text that is neither an error body nor a log ("hello world", absurdly nested JSON)
is refused with one message. A line that cannot be used is reported with its line number and
skipped; every good line is kept. Imported rows have `source="import"` and
`source_detail="<file>:<line>"`; a line imported twice (same content) is skipped as a duplicate.

Each new row's prompt is screened by the screening engine (its findings, not a profile's
verdict) and the findings stored as for a live request; the batch's judged outcomes are counted
into calibration in the same transaction (`calibration.history.record_requests`, the live rules:
Sandbox, demo, probes and errors never count). Duplicates are neither screened nor counted; a
missing, too long (> 32,000 characters) or binary prompt imports without findings.

Files are read as a stream: memory stays flat however long the log, `progress` is called after
every batch and `cancel` is polled (batches already written stay; the report says cancelled).
Support's own knowledge comes in as `ImportFields` (request ID, prompt, time, model, account,
status) and an imported entry can be completed later with `complete_entry`, every change kept
in `request_edits`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from workbench.core import calibration
from workbench.core.api.error_parsing import outcome_for, parse_error_body
from workbench.core.api.records import ErrorRecord
from workbench.core.calibration import history
from workbench.core.errors import BadInputError
from workbench.core.io.textinput import MAX_INPUT_BYTES, decode_text, prompt_too_long
from workbench.core.store.history import HistoryStore
from workbench.core.store.promptkey import prompt_key, prompt_sha256
from workbench.core.store.timestamps import parse_utc, utc_now

if TYPE_CHECKING:  # imported for real on the first prompt screened (the CLI starts faster)
    from workbench.core.screening import Engine

_Number = TypeVar("_Number", int, float)  # what `_number` coerces a field to

FORMATS = ("auto", "body", "jsonl", "csv", "json")
BATCH = 2000  # rows per transaction (and per progress report)

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
SNIFF_BYTES = 64 * 1024
KEEP_IDS = 1000  # a report keeps the first IDs and problems (plus counts), not a million of them
KEEP_PROBLEMS = 1000
NOT_AN_ERROR = ("is not an error body or a request log: it has no error code, message shape, HTTP status "
                "or request ID (paste the body your SDK or log printed)")

Progress = Callable[[int, int, "ImportReport"], None]  # (bytes read, total bytes, report so far)
Cancel = Callable[[], bool]


@dataclass
class ImportFields:
    """What support knows about a pasted error besides its body; every field is optional."""

    request_id: str = ""
    prompt: str = ""
    time: str = ""  # when it happened (UTC unless an offset is given)
    model: str = ""
    account: str = ""  # the account, organization or profile it ran under
    http_status: int | None = None
    notes: str = ""

    def is_empty(self) -> bool:
        return not any((self.request_id, self.prompt, self.time, self.model, self.account, self.notes,
                        self.http_status))


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
    """What an import did. `ids` and `problems` keep the first KEEP_* entries; counts are exact."""

    source: str
    format: str
    imported: int = 0
    duplicates: int = 0
    ids: list[int] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    first_id: int | None = None
    last_id: int | None = None
    skipped_count: int = 0
    notes_count: int = 0
    lines: int = 0
    cancelled: bool = False

    @property
    def skipped(self) -> int:
        return self.skipped_count

    def problem(self, line: int, message: str, *, skipped: bool = True) -> None:
        if skipped:
            self.skipped_count += 1
        else:
            self.notes_count += 1
        if len(self.problems) < KEEP_PROBLEMS:
            self.problems.append(LineProblem(line, message, skipped))

    def added(self, row_id: int) -> None:
        self.imported += 1
        self.first_id = row_id if self.first_id is None else self.first_id
        self.last_id = row_id
        if len(self.ids) < KEEP_IDS:
            self.ids.append(row_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "format": self.format, "imported": self.imported,
            "duplicates": self.duplicates, "skipped": self.skipped, "ids": self.ids,
            "first_id": self.first_id, "last_id": self.last_id, "cancelled": self.cancelled,
            "problems": [{"line": p.line, "message": p.message, "skipped": p.skipped} for p in self.problems],
        }


def import_file(store: HistoryStore, path: Path | str, *, fmt: str = "auto", fields: ImportFields | None = None,
                progress: Progress | None = None, cancel: Cancel | None = None) -> ImportReport:
    """Import a file, streamed: JSONL and CSV logs are read line by line (flat memory)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise BadInputError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        total = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            chosen = fmt if fmt != "auto" else detect_format(_sniff_text(head, path.name), path.name)
            if chosen in ("body", "json"):  # one document: read it whole, within the size limit
                if total > MAX_INPUT_BYTES:
                    raise BadInputError(f"{path.name} is {total / 1e6:.0f} MB, too big for one error body or "
                                        "JSON array; a long log should be JSON Lines or CSV")
                data = head + handle.read()
                return import_bytes(store, data, source=path.name, fmt=chosen, fields=fields)
            handle.seek(0)
            if b"\x00" in head:
                raise BadInputError(f"{path.name} looks like a binary file, not text")
            lines = _LineReader(handle, path.name)
            return _import_lines(store, lines, source=path.name, fmt=chosen, fields=fields, total=total,
                                 tell=lambda: lines.consumed, progress=progress, cancel=cancel)
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise BadInputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def import_bytes(store: HistoryStore, data: bytes, *, source: str, fmt: str = "auto",
                 fields: ImportFields | None = None) -> ImportReport:
    """Import bytes (a file's content or standard input)."""
    return import_text(store, decode_text(data, source=source), source=source, fmt=fmt, fields=fields)


def import_text(store: HistoryStore, text: str, *, source: str = "pasted text", fmt: str = "auto",
                fields: ImportFields | None = None, progress: Progress | None = None,
                cancel: Cancel | None = None) -> ImportReport:
    """Import text: a pasted error body, or a JSONL/CSV/JSON log.

    Raises:
        BadInputError: empty input, an unknown format name, or text that is not an error or a log.
    """
    if fmt not in FORMATS:
        raise BadInputError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not text.strip():
        raise BadInputError(f"{source} is empty")
    chosen = detect_format(text, source) if fmt == "auto" else fmt
    if chosen == "body":
        return import_pasted(store, text, fields=fields, source=source)
    if chosen == "json":
        report = ImportReport(source=source, format=chosen)
        _write_all(store, _json_records(text, report), report, fields, progress=None, cancel=cancel)
        return _finish(report)
    lines = io.StringIO(text, newline="")
    return _import_lines(store, lines, source=source, fmt=chosen, fields=fields, total=len(text),
                         tell=lines.tell, progress=progress, cancel=cancel)


def import_pasted(store: HistoryStore, text: str, *, fields: ImportFields | None = None,
                  source: str = "pasted text") -> ImportReport:
    """Import one pasted error body, stored exactly as pasted, with what support knows about it.

    Raises:
        BadInputError: empty text, or text that is neither an error body nor a log.
    """
    fields = fields or ImportFields()
    if not text.strip():
        raise BadInputError(f"{source} is empty")
    error = parse_error_body(text, status=fields.http_status)
    if not looks_like_error(error):
        raise BadInputError(f"{source} {NOT_AN_ERROR}")
    report = ImportReport(source=source, format="body")
    row = _row(_echoed_prompt_text(text), {}, error, error.http_status, [], {})
    _apply_fields(row, fields, report, 1)
    # The same body pasted again with different facts is a different report, not a duplicate.
    canonical = text if fields.is_empty() else text + "\x00" + json.dumps(vars(fields), sort_keys=True)
    _write(store, [(1, row, canonical)], report)
    return _finish(report)


def looks_like_error(error: ErrorRecord) -> bool:
    """Whether a parsed text said anything an error says (kind, code, status, request ID)."""
    return bool(error.kind != "unknown" or error.code or error.type or error.http_status or error.request_ids
                or error.categories)


def detect_format(text: str, name: str = "") -> str:
    """'body', 'jsonl', 'csv' or 'json' for this content (and file name)."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    stripped = text.strip()
    try:
        whole = json.loads(stripped) if len(stripped) < SNIFF_BYTES or stripped[:1] == "[" else None
    except (ValueError, RecursionError):
        whole = None
    if whole is None and stripped[:1] == "[" and stripped[1:2] in ("{", "\n", " ", "\r"):
        return "json"  # an array of records too long to sniff whole
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


def _jsonl_records(lines: Iterable[str], report: ImportReport) -> Iterator[tuple[int, Any, str]]:
    for number, line in enumerate(lines, start=1):
        report.lines = number
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            report.problem(number, f"not valid JSON ({_json_reason(exc)})")
            continue
        if not isinstance(value, dict):
            report.problem(number, "expected a JSON object")
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
            report.problem(number, "expected a JSON object (record in the array)")
            continue
        yield number, value, json.dumps(value, sort_keys=True)


def _csv_records(lines: Iterable[str], report: ImportReport) -> Iterator[tuple[int, Any, str]]:
    reader = csv.DictReader(lines)
    if not reader.fieldnames:
        raise BadInputError(f"{report.source}: the CSV file has no header line")
    try:
        for row in reader:
            number = reader.line_num
            report.lines = number
            if None in row:  # more cells than header columns
                report.problem(number, "more cells than header columns", skipped=False)
                row.pop(None, None)
            if not any((v or "").strip() for v in row.values()):
                continue
            record = {(k or "").strip(): _cell(v) for k, v in row.items()}
            yield number, record, json.dumps(row, sort_keys=True, default=str)
    except csv.Error as exc:
        report.problem(reader.line_num, f"CSV error ({exc}); the rest of the file was not read")


def _cell(value: str | None) -> Any:
    """CSV cells holding JSON (bodies, headers, usage) are decoded; others stay text."""
    text = (value or "").strip()
    if text[:1] in "{[":
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return text
    return text


def _json_reason(exc: ValueError | RecursionError) -> str:
    return getattr(exc, "msg", str(exc)) + (f" at column {exc.colno}" if hasattr(exc, "colno") else "")


# -- writing --------------------------------------------------------------------------------


def _import_lines(store: HistoryStore, lines: Iterable[str], *, source: str, fmt: str,
                  fields: ImportFields | None, total: int, tell: Callable[[], int],
                  progress: Progress | None, cancel: Cancel | None) -> ImportReport:
    report = ImportReport(source=source, format=fmt)
    records = _jsonl_records(lines, report) if fmt == "jsonl" else _csv_records(lines, report)
    tick = (lambda: progress(_safe_tell(tell, total), total, report)) if progress else None
    _write_all(store, records, report, fields, progress=tick, cancel=cancel)
    return _finish(report)


def _write_all(store: HistoryStore, records: Iterable[tuple[int, Any, str]], report: ImportReport,
               fields: ImportFields | None, *, progress: Callable[[], None] | None, cancel: Cancel | None) -> None:
    batch: list[tuple[int, dict[str, Any], str]] = []
    for number, value, canonical in records:
        try:
            row = record_to_row(value, number, report)
        except BadInputError as exc:
            report.problem(number, exc.user_message)
            continue
        if fields is not None:
            _apply_fields(row, fields, report, number, defaults_only=True)
        batch.append((number, row, canonical))
        if len(batch) >= BATCH:
            _write(store, batch, report)
            batch = []
            if progress:
                progress()
            if cancel and cancel():
                report.cancelled = True
                return
    if batch:
        _write(store, batch, report)
    if progress:
        progress()


def _write(store: HistoryStore, batch: list[tuple[int, dict[str, Any], str]], report: ImportReport) -> None:
    """One batch in one transaction: the new rows with their findings, and their outcomes
    counted into calibration (a line already in history is neither screened nor counted)."""
    rows = [{**row, "source": "import", "source_detail": f"{report.source}:{number}",
             "import_key": hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()}
            for number, row, canonical in batch]
    present = store.present_import_keys(row["import_key"] for row in rows)
    _screen([(number, row) for (number, _, _), row in zip(batch, rows, strict=True)
             if row["import_key"] not in present], report)
    with store.transaction():
        outcomes = store.record_completed_many(rows)
        delta = history.record_requests(store.db, [int(o.id) for o in outcomes if o.id is not None])
    calibration.add_to_active(str(store.path), delta)  # after the commit: the editor judges with it
    for outcome in outcomes:
        if outcome.duplicate:
            report.duplicates += 1
        else:
            report.added(int(outcome.id or 0))


def _screen(rows: list[tuple[int, dict[str, Any]]], report: ImportReport) -> None:
    """Findings for each row's prompt, so an imported outcome teaches calibration per term as a
    live one does. The engine's findings, not a policy profile's verdict: what is stored (term,
    category) must not depend on the profile or the calibration of the moment. A prompt the API
    would refuse (too long, binary) is not screened; its row imports without findings."""
    engine: Engine | None = None
    seen: dict[str, tuple[Any, ...]] = {}  # a log repeats prompts (retries): screen each once
    for number, row in rows:
        prompt = row.get("prompt")
        if not _screenable(prompt):
            continue
        if prompt not in seen:
            engine = engine or _engine()
            seen[prompt], problem = _findings_of(engine, prompt)
            if problem:
                report.problem(number, problem, skipped=False)
        row["findings"] = seen[prompt]


def _screenable(prompt: Any) -> TypeGuard[str]:
    return (isinstance(prompt, str) and bool(prompt.strip()) and "\x00" not in prompt
            and prompt_too_long(prompt) is None)


def _engine() -> Engine:
    from workbench.core.screening import get_engine

    return get_engine()


def _findings_of(engine: Engine, prompt: str) -> tuple[tuple[Any, ...], str]:
    """The engine's findings for a prompt, and why there are none when screening failed."""
    try:
        return tuple(engine.scan(prompt).findings), ""
    except Exception as exc:  # noqa: BLE001 - a screening fault must not lose support's log
        return (), f"imported without findings: screening failed ({exc!r:.80})"


def _finish(report: ImportReport) -> ImportReport:
    report.problems.sort(key=lambda p: p.line)
    return report


def _apply_fields(row: dict[str, Any], fields: ImportFields, report: ImportReport, number: int, *,
                  defaults_only: bool = False) -> None:
    """Support's fields on a row: they win for a pasted body, fill gaps for a log line."""
    def use(current: Any) -> bool:
        return not defaults_only or current in (None, "", [], {})

    if fields.prompt and use(row["prompt"]):
        row["prompt"] = fields.prompt
    if fields.request_id:
        given = [i.strip() for i in fields.request_id.replace(",", " ").split() if i.strip()]
        row["request_ids"] = list(dict.fromkeys(given + list(row["request_ids"])))
    if fields.model and use(row["params"].get("model")):
        row["params"] = {**row["params"], "model": fields.model}
    if fields.account and use(row["profile"]):
        row["profile"] = fields.account
    if fields.notes and use(row["notes"]):
        row["notes"] = fields.notes
    if fields.http_status is not None and use(row["http_status"]):
        row["http_status"] = fields.http_status
    if fields.time and use(row.get("created_at")):
        created = parse_utc(fields.time)
        if created is None:
            raise BadInputError(f"unreadable time {fields.time[:40]!r}; use e.g. 2026-11-21T10:04:05Z")
        row["created_at"] = created


def _sniff_text(head: bytes, name: str) -> str:
    text = head.decode("utf-8-sig", "ignore")
    return text if len(head) < SNIFF_BYTES else text.rsplit("\n", 1)[0]


class _LineReader:
    """UTF-8 lines of a binary file, a chunk at a time (newline="" semantics, for csv);
    `consumed` is how many bytes the lines handed out so far took (for progress)."""

    def __init__(self, handle: Any, name: str) -> None:
        self.handle, self.name, self.consumed = handle, name, 0

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        pending = ""
        offset = 0
        while True:
            chunk = self.handle.read(1 << 20)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise BadInputError(f"{self.name} is not valid UTF-8 text (byte {offset + exc.start})") from None
            offset += len(chunk)
            if text:
                parts = (pending + text).splitlines(keepends=True)
                pending = parts.pop() if parts and not parts[-1].endswith(("\n", "\r")) else ""
                for line in parts:
                    self.consumed += len(line.encode("utf-8", "surrogatepass"))
                    yield line
            if not chunk:
                if pending:
                    self.consumed += len(pending.encode("utf-8", "surrogatepass"))
                    yield pending
                return


def _safe_tell(tell: Callable[[], int], total: int) -> int:
    try:
        return min(int(tell()), total)
    except (OSError, ValueError):
        return total


def record_to_row(value: Any, number: int, report: ImportReport | None = None) -> dict[str, Any]:
    """Keyword arguments for `HistoryStore.record_completed` from one record (or a raw body)."""
    if not isinstance(value, Mapping):
        body_error = parse_error_body(value)
        if not looks_like_error(body_error):
            raise BadInputError(NOT_AN_ERROR.removeprefix("is "))
        return _row("", {}, body_error, None, [], {})
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
            report.problem(number, f"unreadable timestamp {str(raw_time)[:40]!r}; the import time was used",
                           skipped=False)
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


def _echoed_prompt_text(text: str) -> str:
    """The prompt fal.ai echoed in a pasted 422 body, if the paste is that JSON."""
    if '"input"' not in text[:SNIFF_BYTES]:
        return ""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return ""
    return _echoed_prompt(value) if isinstance(value, Mapping) else ""


def _echoed_prompt(record: Mapping[str, Any]) -> str:
    """fal.ai echoes the request under detail[].input: recover the prompt from it."""
    detail = record.get("detail")
    for item in detail if isinstance(detail, list) else []:
        echo = item.get("input") if isinstance(item, Mapping) else None
        prompt = echo.get("prompt") if isinstance(echo, Mapping) else None
        if isinstance(prompt, str):
            return prompt
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
    provider = _str_or_none(_first(record, ("provider",)))
    if error is not None and provider == "sandbox":
        error.provider = provider  # the log's word over the body's shape: a Sandbox row never counts
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
        "provider": provider or (error.provider if error else None),
        "base_url": url or None,
        "endpoint": endpoint,
        "notes": str(_first(record, NOTE_KEYS) or ""),
    }


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
    # Only the parents this record has are searched (a million-line log pays for every lookup).
    parents = [record] + [_lower_keys(inner) for p in PARAM_PARENTS[1:]
                          if p[:-1] in record and (inner := _as_mapping(record.get(p[:-1])))]
    params: dict[str, Any] = {}
    for name in PARAM_NAMES:
        for parent in parents:
            value = parent.get(name)
            if value not in (None, "") and not isinstance(value, (dict, list)):
                params[name] = value
                break
    if "n" in params:
        params["n"] = _number(params["n"], int) or 1
    return params


def _as_mapping(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value if isinstance(value, Mapping) else None


def _status(value: Any) -> int | None:
    number = _number(value, int)
    return number if number is not None and 100 <= number <= 599 else None


def _latency(record: Mapping[str, Any]) -> float | None:
    for key, factor in LATENCY_KEYS:
        number = _number(record.get(key), float)
        if number is not None:
            return round(number * factor, 3)
    return None


def _number(value: Any, kind: type[_Number]) -> _Number | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


# -- completing an imported entry later ------------------------------------------------------

EDITABLE = ("prompt", "request_ids", "notes", "model", "profile", "created_at")


@dataclass(frozen=True)
class Edit:
    """One recorded change to an entry."""

    edited_at: str
    field: str
    old_value: str
    new_value: str


def complete_entry(store: HistoryStore, request_id: int, *, prompt: str | None = None,
                   request_ids: list[str] | None = None, notes: str | None = None, model: str | None = None,
                   account: str | None = None, time: str | None = None) -> list[Edit]:
    """Fill in what was missing from an imported entry; every changed field is recorded.

    `request_ids` are added in front of the ones already stored (none is lost). Returns the
    edits made (empty when nothing changed).

    Raises:
        BadInputError: no such entry, or an unreadable time.
    """
    entry = store.get(request_id)
    wanted: dict[str, Any] = {}
    if prompt is not None and prompt != entry.prompt:
        wanted["prompt"] = prompt
    if request_ids:
        merged = list(dict.fromkeys([i.strip() for i in request_ids if i.strip()] + list(entry.request_ids)))
        if merged != list(entry.request_ids):
            wanted["request_ids"] = merged
    if notes is not None and notes != entry.notes:
        wanted["notes"] = notes
    if model is not None and model != (entry.model or ""):
        wanted["model"] = model
    if account is not None and account != (entry.profile or ""):
        wanted["profile"] = account
    if time:
        created = parse_utc(time)
        if created is None:
            raise BadInputError(f"unreadable time {time[:40]!r}; use e.g. 2026-11-21T10:04:05Z")
        if created != entry.created_at:
            wanted["created_at"] = created
    if not wanted:
        return []
    return _record_edits(store, request_id, wanted)


def edits_of(store: HistoryStore, request_id: int) -> list[Edit]:
    """The recorded changes to an entry, oldest first."""
    rows = store.db.execute("SELECT edited_at, field, old_value, new_value FROM request_edits "
                            "WHERE request_id = ? ORDER BY id", [int(request_id)]).fetchall()
    return [Edit(*(value or "" for value in row)) for row in rows]


def _record_edits(store: HistoryStore, request_id: int, wanted: dict[str, Any]) -> list[Edit]:
    now = utc_now()
    edits: list[Edit] = []
    # The new prompt's findings, as if it had come with the line (screened before the write lock).
    prompt = (store.scrub(str(wanted["prompt"])) or "") if "prompt" in wanted else None
    findings = _findings_of(_engine(), prompt)[0] if _screenable(prompt) else ()
    with store.transaction():
        current = dict(zip(EDITABLE, store.db.execute(
            f"SELECT {', '.join(EDITABLE)} FROM requests WHERE id = ?", [request_id]).fetchone(), strict=True))
        update: dict[str, Any] = {}
        for name, value in wanted.items():
            stored = json.dumps(value) if name == "request_ids" else store.scrub(str(value)) or ""
            update[name] = stored
            if name == "prompt":
                update["prompt_sha256"], update["prompt_key"] = prompt_sha256(stored), prompt_key(stored)
            edits.append(Edit(now, name, str(current[name] or ""), stored))
        store.db.table("requests").update(request_id, update)
        store.db.table("request_edits").insert_all(
            {"request_id": request_id, "edited_at": e.edited_at, "field": e.field,
             "old_value": e.old_value, "new_value": e.new_value} for e in edits)
        if prompt is not None:
            store.replace_findings(request_id, findings)
        if "prompt" in update or "model" in update:
            # Its terms or its family changed under counts already made: the next load recounts.
            history.set_state(store.db, "fingerprint", "")
    return edits
