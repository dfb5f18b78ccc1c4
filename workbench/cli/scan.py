"""`workbench scan [--json] TEXT|-`: screen one prompt."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli._io import read_text_argument
from workbench.cli._policy_args import add_policy_args, policy_from
from workbench.core.screening import ScanResult, scan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scan", help="screen one prompt for likely safety blocks")
    parser.add_argument("text", metavar="TEXT|-", help="the prompt, or - to read it from standard input")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    add_policy_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = scan(read_text_argument(args.text), profile=policy_from(args))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(format_result(result))
    return 0


def format_result(result: ScanResult) -> str:
    lines = [f"verdict: {result.verdict}"]
    if result.profile and result.findings:
        lines.append(f"judged for: {result.profile}")
    if result.categories:
        lines.append(f"categories: {', '.join(result.categories)}")
    for f in result.findings:
        shown = f.text if f.text.isprintable() else f.text.encode("unicode_escape").decode()
        lines.append(f"  [{f.start}:{f.end}] {shown!r}  {f.category} · {f.severity}")
        lines.append(f"      {f.message}")
        alternatives = [r for r in f.replacements if r]
        if alternatives and f.severity != "critical":
            lines.append(f"      try: {' / '.join(alternatives)}")
    if result.notes:
        why = {"constraint": "asked to leave out", "mention": "no harm near it"}
        seen = ", ".join(f"{n.text!r} ({why.get(n.scope, n.scope)})" for n in result.notes)
        lines.append(f"not a risk here: {seen}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(argparse.Namespace(text="-", json=False, profile=None, provider=None, model=None,
                                    moderation="auto")))
