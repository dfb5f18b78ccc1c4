"""UTC timestamps as stored in history: ISO 8601 text that sorts correctly as a string.

Every timestamp written by the store has the form `2026-11-21T10:04:05.123Z`. Imported logs
carry many other forms (epoch seconds or milliseconds, offsets, a space instead of `T`); they are
converted here so that date filters and trends compare like with like.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_NUMERIC = re.compile(r"^\d{9,13}(\.\d+)?$")


def utc_now() -> str:
    """The current time in the stored format."""
    return format_utc(datetime.now(UTC))


def format_utc(moment: datetime) -> str:
    """A datetime in the stored format; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_utc(value: object) -> str | None:
    """Convert a timestamp from a log (string or number) to the stored format; None if unusable.

    Accepts epoch seconds or milliseconds, ISO 8601 with `Z` or an offset, and
    `YYYY-MM-DD HH:MM:SS` (taken as UTC, which is what servers log).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _NUMERIC.match(text):
        return _from_epoch(float(text))
    candidate = text.replace(" ", "T", 1)
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    candidate = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", candidate)  # +0000 -> +00:00
    try:
        return format_utc(datetime.fromisoformat(candidate))
    except ValueError:
        return None


def _from_epoch(number: float) -> str | None:
    if number > 1e11:  # milliseconds
        number /= 1000.0
    try:
        return format_utc(datetime.fromtimestamp(number, UTC))
    except (OverflowError, OSError, ValueError):
        return None


def parse_age(text: str) -> timedelta:
    """`30d`, `12h`, `2w`, `45m` → timedelta. Raises ValueError with a readable message."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text or "")
    if not match:
        raise ValueError(f"cannot read age {text!r}; use e.g. 30d, 12h, 2w or 45m")
    amount, unit = int(match.group(1)), match.group(2)
    return {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
            "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]


def cutoff(age: timedelta) -> str:
    """The stored-format timestamp `age` ago."""
    return format_utc(datetime.now(UTC) - age)


def parse_date_bound(text: str, *, end: bool = False) -> str:
    """A `--since`/`--until` value (date or timestamp) as a comparable stored-format bound.

    A bare date as an upper bound means the end of that day.
    """
    text = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text + ("T23:59:59.999Z" if end else "T00:00:00.000Z")
    parsed = parse_utc(text)
    if parsed is None:
        raise ValueError(f"cannot read date {text!r}; use YYYY-MM-DD or an ISO 8601 timestamp")
    return parsed
