"""`workbench desensitize [--json] [--framing auto|none|TEXT] TEXT|-`: propose a safer prompt.

Prints the rewrite as a readable diff, or with `--json` one object:
`{"original", "rewritten", "edits", "framing", "remaining", "hard_block", …}`. Hard-line
prompts come back unchanged with `hard_block: true` and the reason. Exit 0 whenever a result
is printed (a hard block is a result); 2 with one line on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli._io import read_text_argument
from workbench.cli._policy_args import add_policy_args, policy_from
from workbench.core.errors import BadInputError
from workbench.core.rewrite import best_framing, desensitize, known_framings, suggest_framings, with_framing
from workbench.core.rewrite.models import RewriteResult
from workbench.core.screening import ScanResult, scan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "desensitize", help="rewrite a prompt's risky words into safer equivalents (a proposal, nothing is sent)"
    )
    parser.add_argument("text", metavar="TEXT|-", help="the prompt, or - to read it from standard input")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument(
        "--framing",
        default="auto",
        metavar="auto|none|TEXT",
        help="auto: add the best framing for the categories found (default); none: no framing; "
        "anything else: that framing text (or a known framing's id)",
    )
    add_policy_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = read_text_argument(args.text)
    _check_text(text)
    policy = policy_from(args)
    result = desensitize(text, scanner=lambda t: scan(t, profile=policy))
    first = ScanResult(text, result.findings)
    suggestions = suggest_framings(first)
    choice = _framing_choice(args.framing)
    if choice == "auto":
        result = best_framing(result, suggestions)
    elif choice is not None:
        result = with_framing(result, choice)
    if args.json:
        out = result.to_dict()
        out["framing_suggestions"] = [s.to_dict() for s in suggestions]
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(format_result(result, suggestions))
    return 0


def _check_text(text: str) -> None:
    if not text.strip():
        raise BadInputError("nothing to desensitize: the prompt is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInputError("the prompt is not valid UTF-8 text") from None


def _framing_choice(value: str) -> object | None:
    """None, "auto", a known framing (by id) or the custom framing text."""
    wanted = value.strip()
    if wanted.lower() == "none":
        return None
    if wanted.lower() == "auto":
        return "auto"
    if not wanted:
        raise BadInputError("--framing needs auto, none or a framing text")
    for framing in known_framings():
        if framing.id == wanted:
            return framing
    return wanted


def format_result(result: RewriteResult, suggestions: list) -> str:
    """The human-readable report: verdicts, an inline diff, each edit with its reason."""
    if result.hard_block:
        return "\n".join(["verdict: hard_block (unchanged)", result.message])
    lines = [f"verdict: {result.verdict_before} → {result.verdict}"]
    if not result.edits:
        lines.append(result.message)
        return "\n".join(lines)
    lines += [f"rewritten: {_printable(result.rewritten.rstrip())}", f"diff: {inline_diff(result).rstrip()}", "edits:"]
    for e in result.edits:
        lines.append(f"  [{e.start}:{e.end}] {_shown(e.before)} → {_shown(e.after)}  ({e.category})")
        if e.reason:
            lines.append(f"      {e.reason}")
    if result.framing:
        lines.append(f"framing: {result.framing}")
    others = [s for s in suggestions if s.text.rstrip(":") != (result.framing or "").rstrip(":")]
    if others:
        lines.append("other framings: " + " | ".join(f"{s.text} ({s.rationale})" for s in others))
    if result.remaining:
        lines.append("still flagged:")
        for f in result.remaining:
            lines.append(f"  [{f.start}:{f.end}] {_shown(f.text)}  {f.category} · {f.severity}")
    return "\n".join(lines)


def inline_diff(result: RewriteResult) -> str:
    """The original with each edit shown as [-before-]{+after+}."""
    out, pos = [], 0
    for e in result.edits:
        out.append(result.original[pos : e.start])
        removed = f"[-{e.before}-]" if e.before else ""
        added = f"{{+{e.after}+}}" if e.after else ""
        out.append(removed + added)
        pos = e.end
    out.append(result.original[pos:])
    return _printable("".join(out))


def _shown(text: str) -> str:
    return repr(_printable(text))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch in "\n\t" else ch.encode("unicode_escape").decode() for ch in text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(argparse.Namespace(text="-", json=False, framing="auto", profile=None, provider=None,
                                    model=None, moderation="auto")))
