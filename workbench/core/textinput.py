"""Turning untrusted bytes into prompt text, with one clear message when that is impossible."""

from __future__ import annotations

from workbench.core.errors import BadInputError

# The image API takes at most 32,000 characters; screening copes with far more, but anything
# beyond this is not a prompt (a log file, a binary pasted by mistake).
MAX_INPUT_BYTES = 64 * 1024 * 1024


def decode_text(data: bytes, *, source: str = "input") -> str:
    """Decode UTF-8 (with or without BOM) text; refuse binary data and invalid encodings.

    Raises:
        BadInputError: for binary data (NUL bytes), invalid UTF-8 or oversize input.
    """
    if len(data) > MAX_INPUT_BYTES:
        raise BadInputError(
            f"{source} is {len(data) / 1e6:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB"
        )
    if b"\x00" in data[:65536]:
        raise BadInputError(f"{source} looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"{source} is not valid UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
        ) from None


def clean_surrogates(text: str) -> str:
    """Replace lone surrogates (possible from some clipboards and JSON) so text can be encoded."""
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
