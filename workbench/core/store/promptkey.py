"""Fingerprints of prompts: the exact text (sha256) and the "same prompt" key for reproduction.

Two prompts count as the same for appeal reproduction and "top blocked prompts" when they differ
only in case, Unicode compatibility forms, invisible characters or whitespace.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")


def normalise_prompt(prompt: str) -> str:
    """Case-folded NFKC text with invisible characters removed and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", prompt or "")
    text = _INVISIBLE.sub("", text).casefold()
    return _SPACE.sub(" ", text).strip().rstrip(".!,;: ").strip()


def prompt_sha256(prompt: str) -> str:
    """Hash of the exact prompt text, kept even after the text is redacted."""
    return hashlib.sha256((prompt or "").encode("utf-8", "surrogatepass")).hexdigest()


def prompt_key(prompt: str) -> str:
    """Stable key of the normalised prompt (32 hex digits)."""
    return hashlib.sha256(normalise_prompt(prompt).encode("utf-8", "surrogatepass")).hexdigest()[:32]
