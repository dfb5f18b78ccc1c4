"""Options and helpers shared by the history, appeal, import and stats commands."""

from __future__ import annotations

import argparse
import unicodedata

from workbench.core.errors import BadInputError
from workbench.core.records import OUTCOMES
from workbench.core.store import HistoryFilter, HistoryStore
from workbench.core.store.timestamps import parse_date_bound


def add_filter_args(parser: argparse.ArgumentParser, *, outcome: bool = True) -> None:
    group = parser.add_argument_group("filters")
    if outcome:
        group.add_argument("--outcome", action="append", choices=OUTCOMES + ("blocked",),
                           help="only this outcome (repeatable; 'blocked' = any stage)")
    group.add_argument("--category", help="only requests blocked for this category (e.g. violence)")
    group.add_argument("--stage", choices=("input", "output", "unknown"), help="only blocks at this stage")
    group.add_argument("--profile", help="only this provider profile")
    group.add_argument("--model", help="only this model")
    group.add_argument("--since", metavar="DATE", help="from this date or UTC timestamp (inclusive)")
    group.add_argument("--until", metavar="DATE", help="up to this date or UTC timestamp (inclusive)")
    group.add_argument("--source", choices=("live", "import", "demo"), help="only live, imported or demo rows")
    group.add_argument("--request-id", metavar="ID", help="only requests with this provider request ID")


def filter_from_args(args: argparse.Namespace) -> HistoryFilter:
    outcomes: list[str] = []
    for value in getattr(args, "outcome", None) or ():
        outcomes.extend(("blocked_input", "blocked_output", "blocked_unknown") if value == "blocked" else (value,))
    try:
        since = parse_date_bound(args.since) if args.since else None
        until = parse_date_bound(args.until, end=True) if args.until else None
    except ValueError as exc:
        raise BadInputError(str(exc)) from None
    return HistoryFilter(
        outcomes=tuple(dict.fromkeys(outcomes)), category=args.category, stage=args.stage,
        profile=args.profile, model=args.model, since=since, until=until, source=args.source,
        request_id=args.request_id,
    )


def open_store() -> HistoryStore:
    """The user's history (honours WORKBENCH_HOME); StoreError gives the one-line message."""
    return HistoryStore.open()


def safe(text: str | None, limit: int | None = None) -> str:
    """Text for a terminal: control characters (ANSI escapes, bidi overrides) shown escaped."""
    text = text or ""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def safe_block(text: str | None) -> str:
    """Multi-line text for a terminal: lines kept, other control characters escaped."""
    return "\n".join(safe(line) for line in (text or "").splitlines())


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return number
