"""Turning untrusted bytes into prompt text, with one clear message when that is impossible."""

from __future__ import annotations

import unicodedata

from workbench.core.errors import BadInputError

# The image API takes at most 32,000 characters; screening copes with far more, but anything
# beyond this is not a prompt (a log file, a binary pasted by mistake).
MAX_INPUT_BYTES = 64 * 1024 * 1024
# The longest prompt the GPT image models accept. A longer one is refused before it is
# screened or sent: the API would reject it, and screening 10 MB takes ~25 s and ~1 GB.
MAX_PROMPT_CHARS = 32_000


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


def prompt_too_long(text: str) -> str | None:
    """Why `text` cannot be a prompt because of its length; None when it fits the API."""
    if len(text) <= MAX_PROMPT_CHARS:
        return None
    return (f"the prompt has {len(text):,} characters; GPT image models accept at most "
            f"{MAX_PROMPT_CHARS:,}")


def check_prompt(text: str, *, source: str = "the prompt") -> str:
    """`text` itself when it fits the API's prompt limit.

    Raises:
        BadInputError: longer than MAX_PROMPT_CHARS (one line naming the size and the limit).
    """
    problem = prompt_too_long(text)
    if problem is not None:
        raise BadInputError(problem if source == "the prompt" else f"{source}: {problem}")
    return text


def clean_surrogates(text: str) -> str:
    """Replace lone surrogates (possible from some clipboards and JSON) so text can be encoded."""
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# Characters a terminal shows as nothing (or as blank space) although they are letters or marks:
# fillers, blank braille, variation selectors, the combining grapheme joiner.
_INVISIBLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0, *range(0x180B, 0x1810),
     *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
)
# Control, format (bidi overrides, zero-width), separators, private use, surrogates, unassigned.
_ESCAPED_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"))


def terminal_safe(text: str | None, limit: int | None = None) -> str:
    """One line for a terminal: direction-control, invisible and control characters escaped.

    `\u202e` (right-to-left override), zero-width spaces, ANSI escapes and the like are shown
    as their escape, so what a prompt contains is what the terminal shows; tabs and newlines
    become spaces. `limit` truncates (before escaping) with an ellipsis.
    """
    text = text or ""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    out = []
    for ch in text:
        if ch in "\n\t\r":
            out.append(" ")
        elif ord(ch) in _INVISIBLE or unicodedata.category(ch) in _ESCAPED_CATEGORIES:
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
