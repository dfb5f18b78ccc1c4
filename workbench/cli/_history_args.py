"""Options and helpers shared by the history, appeal, import and stats commands."""

from __future__ import annotations

import argparse
import sys

from workbench.core.api.records import OUTCOMES
from workbench.core.errors import BadInputError
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
    group.add_argument("--source", choices=("live", "import", "demo", "trigger"),
                       help="only live, imported, demo or find-the-trigger rows")
    group.add_argument("--review", choices=("approved", "rejected", "unreviewed"),
                       help="only requests in this human-review state")
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
        request_id=args.request_id, review=getattr(args, "review", None),
    )


def open_store() -> HistoryStore:
    """The user's history (honours WORKBENCH_HOME); StoreError gives the one-line message."""
    store = HistoryStore.open()
    for warning in store.warnings:  # a 0-byte file set aside, opened read-only, journal replayed
        print(f"workbench: warning: {warning}", file=sys.stderr)
    return store


def safe(text: str | None, limit: int | None = None) -> str:
    """Text for a terminal: control characters (ANSI escapes, bidi overrides) shown escaped."""
    from workbench.core.io.textinput import terminal_safe

    return terminal_safe(text, limit)


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
