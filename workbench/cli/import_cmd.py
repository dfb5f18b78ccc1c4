"""`workbench import FILE|-`: pasted error bodies and JSONL/CSV logs into history."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli._history_args import open_store, safe
from workbench.cli._io import read_file_bytes
from workbench.core.errors import BadInputError
from workbench.core.importing import FORMATS, import_bytes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import an error body or a JSONL/CSV request log into history",
        description="Import a pasted error body (JSON or the SDK's 'Error code: 400 - {...}' string) or a "
                    "JSONL/CSV/JSON log from OpenAI, Azure, fal.ai or a proxy. Bad lines are reported with "
                    "their line numbers and skipped; good lines are kept. Exit 0: all imported; 1: some "
                    "lines skipped; 2: nothing could be imported.")
    parser.add_argument("file", metavar="FILE|-", help="the file, or - for standard input")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="default: detect from name and content")
    parser.add_argument("--source", help="name recorded as the rows' source (default: the file name)")
    parser.add_argument("--json", action="store_true", help="print the import report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data, name = read_file_bytes(args.file)
    with open_store() as store:
        report = import_bytes(store, data, source=args.source or name, fmt=args.format)
    if report.imported == 0 and report.duplicates == 0:
        first = report.problems[0] if report.problems else None
        raise BadInputError(f"nothing could be imported from {report.source}" + (f" ({first})" if first else ""))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(f"imported {report.imported} request(s) from {safe(report.source)} ({report.format})"
              + (f", {report.duplicates} already present" if report.duplicates else "")
              + (f", {report.skipped} line(s) skipped" if report.skipped else ""))
        if report.ids:
            print(f"history ids: #{report.ids[0]}" + (f" to #{report.ids[-1]}" if len(report.ids) > 1 else ""))
    for problem in report.problems:
        print(f"workbench: {safe(str(problem))}", file=sys.stderr)
    return 1 if report.skipped else 0
