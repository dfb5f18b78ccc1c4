"""`workbench audit [--json] FILE|-`: screen every prompt of a txt/csv/jsonl file."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from workbench.cli._history_args import safe
from workbench.cli._io import print_json_line, read_file_bytes
from workbench.cli._policy_args import add_policy_args, policy_from
from workbench.core.errors import BadInputError
from workbench.core.io.prompt_files import FORMATS, read_prompts
from workbench.core.screening import scan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="screen a file of prompts (txt, csv or jsonl)")
    parser.add_argument("file", metavar="FILE|-", help="prompt file, or - for standard input")
    parser.add_argument("--json", action="store_true", help="one JSON object per input record")
    parser.add_argument("--format", choices=FORMATS, help="input format (default: by extension or content)")
    add_policy_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data, name = read_file_bytes(args.file)
    policy = policy_from(args)
    verdicts: Counter[str] = Counter()
    errors = 0
    index = 0
    for record in read_prompts(data, name, args.format):
        if record.error is not None:
            errors += 1
            if args.json:
                print_json_line({"index": index, "line": record.line, "error": record.error})
            else:
                print(f"{index + 1:>5}  error    {safe(record.error)}")  # people count from 1
            index += 1
            continue
        result = scan(record.text or "", profile=policy)
        verdicts[result.verdict] += 1
        if args.json:
            print_json_line(result.to_dict(index))
        else:
            print(_row(index + 1, result))  # --json keeps the 0-based `index` contract
        index += 1
    if index == 0:
        raise BadInputError(f"{name}: no prompts found")
    if not args.json:
        summary = ", ".join(f"{v} {k}" for k, v in verdicts.most_common())
        print(f"\n{index} prompts: {summary}" + (f", {errors} unreadable" if errors else ""))
    if errors:
        print(f"workbench: {errors} record(s) could not be read (see 'error' records)", file=sys.stderr)
        return 1
    return 0


def _row(number: int, result) -> str:
    # Terminal output: direction overrides, zero-width and other invisible or control characters
    # are shown escaped (\u202e), so a prompt cannot reorder or hide what the terminal shows.
    text = safe(" ".join(result.text.split()), 60)
    cats = safe(",".join(result.categories))[:30]
    return f"{number:>5}  {result.verdict:<15} {cats:<30} {text}"
