"""Shared input/output helpers for CLI commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from workbench.core.errors import BadInputError
from workbench.core.textinput import MAX_INPUT_BYTES, decode_text


def read_stdin_bytes() -> bytes:
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    return data


def read_text_argument(value: str) -> str:
    """A TEXT|- argument: the text itself, or standard input for `-`."""
    if value == "-":
        return decode_text(read_stdin_bytes(), source="standard input")
    return value


def read_file_bytes(value: str) -> tuple[bytes, str]:
    """A FILE|- argument: (bytes, display name). Raises BadInputError with one clear line."""
    if value == "-":
        return read_stdin_bytes(), "standard input"
    path = Path(value)
    try:
        if path.is_dir():
            raise BadInputError(f"{value} is a folder, not a file")
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise BadInputError(f"{value} is {size / 1e6:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB")
        return path.read_bytes(), value
    except FileNotFoundError:
        raise BadInputError(f"{value}: no such file") from None
    except PermissionError:
        raise BadInputError(f"{value}: permission denied") from None
    except OSError as exc:
        raise BadInputError(f"{value}: cannot read ({exc.strerror or exc})") from None


def print_json_line(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
