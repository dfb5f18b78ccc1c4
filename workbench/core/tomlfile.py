"""Reading an authored TOML data file with one clear message when it cannot be read."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from workbench.core.errors import UserFacingError


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse `path`; `what` names the file in messages ("price table", "sandbox policy").

    Raises:
        UserFacingError: the file is missing, unreadable or not valid TOML.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserFacingError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserFacingError(f"{what} {path} cannot be read: {exc}") from None
