"""`workbench import FILE|-`: pasted error bodies and JSONL/CSV logs into history.
`workbench complete ID`: fill in what an imported entry was missing (every change is recorded)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

from workbench.cli._history_args import open_store, safe
from workbench.cli._io import read_file_bytes
from workbench.core.errors import BadInputError
from workbench.core.store.importing import (
    FORMATS,
    ImportFields,
    ImportReport,
    complete_entry,
    import_bytes,
    import_file,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import an error body or a JSONL/CSV request log into history",
        description="Import a pasted error body (JSON, the SDK's 'Error code: 400 - {...}' string, a log line) or a "
                    "JSONL/CSV/JSON log from OpenAI, Azure, fal.ai or a proxy. A body is stored exactly as pasted. "
                    "Text that is not an error or a log is refused. Bad lines are reported with their line numbers "
                    "and skipped; good lines are kept. Logs are streamed (progress on standard error; Ctrl-C stops "
                    "after the current batch and keeps what was written). Exit 0: all imported; 1: some lines "
                    "skipped or stopped early; 2: nothing could be imported.")
    parser.add_argument("file", metavar="FILE|-", help="the file, or - for standard input")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="default: detect from name and content")
    parser.add_argument("--source", help="name recorded as the rows' source (default: the file name)")
    parser.add_argument("--json", action="store_true", help="print the import report as JSON")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show progress on standard error (default: when it is a terminal)")
    _field_args(parser, "what you know about a pasted body (for a log: used where a line lacks it)")
    parser.set_defaults(func=run)

    complete = subparsers.add_parser(
        "complete", help="complete an imported history entry (prompt, request IDs, notes, …)",
        description="Fill in what an imported entry was missing. Request IDs are added in front of the stored "
                    "ones (none is lost). Every change is recorded with its old value and time.")
    complete.add_argument("id", type=int, help="the history entry (#id)")
    _field_args(complete, "new values")
    complete.set_defaults(func=run_complete)


def _field_args(parser: argparse.ArgumentParser, title: str) -> None:
    group = parser.add_argument_group("fields", title)
    group.add_argument("--request-id", default="", help="request ID(s) from provider support, comma-separated")
    group.add_argument("--prompt", default="", help="the prompt that was sent")
    group.add_argument("--time", default="", help="when it happened (ISO 8601, UTC unless an offset is given)")
    group.add_argument("--model", default="", help="the model, e.g. gpt-image-1.5")
    group.add_argument("--account", default="", help="the account, organization or profile it ran under")
    group.add_argument("--notes", default="", help="free notes")
    if parser.prog.endswith("import"):
        group.add_argument("--status", type=int, default=None, help="the HTTP status, if the body does not say")


def _fields(args: argparse.Namespace) -> ImportFields:
    status = getattr(args, "status", None)
    if status is not None and not 100 <= status <= 599:
        raise BadInputError(f"--status {status} is not an HTTP status (100-599)")
    return ImportFields(request_id=args.request_id, prompt=args.prompt, time=args.time, model=args.model,
                        account=args.account, http_status=status, notes=args.notes)


def run(args: argparse.Namespace) -> int:
    fields = _fields(args)
    fields = None if fields.is_empty() else fields
    show = sys.stderr.isatty() if args.progress is None else args.progress
    stop = _Stop()
    with open_store() as store, stop:
        if args.file == "-":
            data, name = read_file_bytes(args.file)
            report = import_bytes(store, data, source=args.source or name, fmt=args.format, fields=fields)
        else:
            report = import_file(store, Path(args.file), fmt=args.format, fields=fields,
                                 progress=_Progress() if show else None, cancel=stop)
            if args.source:
                report.source = args.source
    if report.imported == 0 and report.duplicates == 0 and not report.cancelled:
        first = report.problems[0] if report.problems else None
        raise BadInputError(f"nothing could be imported from {report.source}" + (f" ({first})" if first else ""))
    _print_report(report, args.json)
    return 1 if report.skipped or report.cancelled else 0


def run_complete(args: argparse.Namespace) -> int:
    ids = [i.strip() for i in args.request_id.split(",") if i.strip()]
    with open_store() as store:
        edits = complete_entry(store, args.id, prompt=args.prompt or None, request_ids=ids or None,
                               notes=args.notes or None, model=args.model or None, account=args.account or None,
                               time=args.time or None)
    if not edits:
        print(f"#{args.id}: nothing changed")
    for edit in edits:
        print(f"#{args.id}: {edit.field} changed at {edit.edited_at}")
    return 0


def _print_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(f"imported {report.imported} request(s) from {safe(report.source)} ({report.format})"
              + (f", {report.duplicates} already present" if report.duplicates else "")
              + (f", {report.skipped} line(s) skipped" if report.skipped else "")
              + (" - stopped early; what was read is kept" if report.cancelled else ""))
        if report.first_id is not None:
            print(f"history ids: #{report.first_id}"
                  + (f" to #{report.last_id}" if report.last_id != report.first_id else ""))
    for problem in report.problems:
        print(f"workbench: {safe(str(problem))}", file=sys.stderr)
    hidden = report.skipped + report.notes_count - len(report.problems)
    if hidden > 0:
        print(f"workbench: … and {hidden} more line problem(s)", file=sys.stderr)


class _Progress:
    """A one-line progress meter on standard error, at most a few updates a second."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, total: int, report: ImportReport) -> None:
        now = time.monotonic()
        if now - self.last < 0.25 and done < total:
            return
        self.last = now
        share = f"{100 * done / total:5.1f} %" if total else ""
        print(f"\r{share}  {report.imported:,} imported, {report.skipped:,} skipped", end="", file=sys.stderr,
              flush=True)
        if done >= total:
            print(file=sys.stderr)


class _Stop:
    """Ctrl-C asks the import to stop after the current batch (a second Ctrl-C stops at once)."""

    def __init__(self) -> None:
        self.asked = False
        self.previous = None

    def __call__(self) -> bool:
        return self.asked

    def __enter__(self) -> _Stop:
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread (tests calling main() from a worker)
            self.previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        print("\nworkbench: stopping after the current batch …", file=sys.stderr)
