"""Shared input/output helpers for CLI commands."""

from __future__ import annotations

import json
import sys
from typing import Any

from workbench.core.io.files import read_bounded
from workbench.core.io.textinput import MAX_INPUT_BYTES, check_prompt, decode_text


def read_stdin_bytes() -> bytes:
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    return data


def read_text_argument(value: str) -> str:
    """A prompt argument: the text itself, or standard input for `-`; at most the API's limit."""
    if value == "-":
        return check_prompt(decode_text(read_stdin_bytes(), source="standard input"), source="standard input")
    return check_prompt(value)


def read_file_bytes(value: str) -> tuple[bytes, str]:
    """A FILE|- argument: (bytes, display name). Raises BadInputError with one clear line."""
    if value == "-":
        return read_stdin_bytes(), "standard input"
    return read_bounded(value, MAX_INPUT_BYTES), value


def print_json_line(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
