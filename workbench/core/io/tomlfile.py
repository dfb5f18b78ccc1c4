"""Reading an authored TOML data file with one clear message when it cannot be read.

TOML accepts `inf`, `nan`, `1e400` (which is inf) and integers of any size; none of them is a
price, a score or a count, and they turn into an `OverflowError` or a silent NaN far from the
file. Every number is checked here: finite, and within `[minimum, maximum]` (by default a
magnitude of at most 10^12), with a message naming the key.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from workbench.core.errors import UserFacingError

MAX_MAGNITUDE = 1e12


def read_toml(path: Path, what: str, *, minimum: float = -MAX_MAGNITUDE,
              maximum: float = MAX_MAGNITUDE) -> dict[str, Any]:
    """Parse `path`; `what` names the file in messages ("price table", "sandbox policy").

    Raises:
        UserFacingError: the file is missing, unreadable or not valid TOML, or holds a number
            that is not finite or lies outside `[minimum, maximum]`.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserFacingError(f"{what} not found: {path}") from None
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:  # ValueError: a 5,000-digit integer
        raise UserFacingError(f"{what} {path} cannot be read: {exc}") from None
    problem = _bad_number(data, "", minimum, maximum)
    if problem:
        raise UserFacingError(f"{what} {path}: {problem}")
    return data


def _bad_number(value: Any, key: str, minimum: float, maximum: float) -> str | None:
    """The first number out of bounds, as a message naming its key; None if all are fine."""
    if isinstance(value, dict):
        for name, item in value.items():
            found = _bad_number(item, f"{key}.{name}" if key else str(name), minimum, maximum)
            if found:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_number(item, f"{key}[{index}]", minimum, maximum)
            if found:
                return found
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{key} = {value} is not a finite number"
    if not minimum <= value <= maximum:
        if isinstance(value, float):
            shown = f"{value:.6g}"
        elif abs(value) < 10**15:
            shown = str(value)
        else:  # never format a huge integer as a float: that is the OverflowError
            shown = f"an integer of {len(str(abs(value)))} digits"
        return f"{key} = {shown} is out of range (allowed: {minimum:g} to {maximum:g})"
    return None
