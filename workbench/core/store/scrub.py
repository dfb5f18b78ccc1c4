"""Keeping secrets out of history and exports, and redacting prompt echoes.

Keys must never reach the database, logs or exports (DESIGN.md, Reliability and security).
Everything the store writes and every export passes through `scrub_text`/`scrub_value`, which
remove API-key shapes (OpenAI `sk-…`, bearer tokens), credential query parameters and URL
user-info, values under credential-named keys (`api-key`, `authorization`, …), and any exact
secret the caller knows (the key of the active profile).

`redact_echoes` removes copies of a prompt that providers echo back in error bodies (fal.ai
returns the whole request under `input`; some messages quote the prompt).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from workbench.core.api.keys import redact as redact_known_keys
from workbench.core.io.textinput import clean_surrogates

SECRET_MARK = "[REDACTED]"  # same marker as workbench.core.api.keys.redact
PROMPT_MARK = "[prompt redacted]"

_KEY_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),  # OpenAI keys, incl. sk-proj-… and sk-svcacct-…
    re.compile(r"(?i)\bbearer\s+(?=[A-Za-z._~+/\-]*\d)[A-Za-z0-9._~+/\-]{12,}=*"),
    re.compile(r"\bkey-[A-Za-z0-9]{24,}\b"),
)
_CREDENTIAL_PARAM = re.compile(
    r"(?i)([?&;](?:api[-_]?key|access[-_]?token|token|secret|password|sig|key)=)([^&\s\"'<>]+)"
)
# Quoted credential fields as they appear in JSON or Python reprs of headers/configs; bare words
# such as "secret:" are left alone because prompts use them.
_CREDENTIAL_FIELD = re.compile(
    r"(?i)([\"'](?:api[-_]?key|authorization|x-api-key|ocp-apim-subscription-key|"
    r"password|secret|client[-_]secret|access[-_]?token)[\"']\s*[:=]\s*)(\"[^\"]*\"|'[^']*')"
)
# Every pattern above needs one of these words (lower case); text without any is left to the
# exact-secret pass. A substring test is ten times faster than the patterns (a 1M-line import).
_SECRET_WORDS = ("sk-", "bearer", "key-", "=", "authorization", "apikey", "api-key", "api_key", "password", "secret",
                 "accesstoken", "access-token", "access_token", "subscription-key")
SENSITIVE_KEYS = frozenset(
    {
        "api_key", "api-key", "apikey", "authorization", "x-api-key", "ocp-apim-subscription-key",
        "password", "secret", "access_token", "client_secret", "openai_api_key", "fal_key",
    }
)


def scrub_text(text: str | None, known: Iterable[str] = ()) -> str | None:
    """Remove secrets from free text; `None` stays `None`."""
    if not text:
        return text
    for secret in known:
        if secret and len(secret) >= 8:
            text = text.replace(secret, SECRET_MARK)
    lowered = text.lower()
    if any(word in lowered for word in _SECRET_WORDS):  # else none of the patterns can match
        for pattern in _KEY_PATTERNS:
            text = pattern.sub(SECRET_MARK, text)
        text = _CREDENTIAL_PARAM.sub(lambda m: m.group(1) + SECRET_MARK, text)
        text = _CREDENTIAL_FIELD.sub(lambda m: m.group(1) + _quoted_mark(m.group(2)), text)
    # Every key this process has seen (profiles, environment), as remembered by the key manager.
    # Lone surrogates (a "\ud83d" escape in a provider's JSON, an undecodable command-line byte)
    # cannot be stored as UTF-8: replace them rather than fail the write.
    return clean_surrogates(redact_known_keys(text))


def _quoted_mark(original: str) -> str:
    if original[:1] in "\"'":
        return original[0] + SECRET_MARK + original[0]
    return SECRET_MARK


def scrub_value(value: Any, known: Iterable[str] = ()) -> Any:
    """Scrub a JSON-like value: strings are scrubbed, credential-named keys are blanked."""
    known = tuple(known)
    if isinstance(value, str):
        return scrub_text(value, known)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, str) and key.lower() in SENSITIVE_KEYS and item not in (None, ""):
                out[key] = SECRET_MARK
            else:
                out[key] = scrub_value(item, known)
        return out
    if isinstance(value, (list, tuple)):
        return [scrub_value(item, known) for item in value]
    return value


def clean_base_url(url: str | None) -> str | None:
    """A base URL without user-info and without credential query parameters."""
    if not url:
        return url
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return scrub_text(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = [
        (k, SECRET_MARK if k.lower().replace("_", "-") in {"api-key", "key", "token", "sig", "secret"} else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    cleaned = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))
    return scrub_text(cleaned)


def redact_echoes(body: str | None, prompt: str, mark: str = PROMPT_MARK) -> str | None:
    """Remove copies of `prompt` from a provider body (JSON-aware, falls back to plain text)."""
    if not body or not prompt or not prompt.strip():
        return body
    try:
        parsed = json.loads(body)
    except (ValueError, TypeError):
        return _replace_all(body, prompt, mark)
    redacted = _redact_in_value(parsed, prompt, mark)
    return json.dumps(redacted, ensure_ascii=False)


def _redact_in_value(value: Any, prompt: str, mark: str) -> Any:
    if isinstance(value, str):
        return _replace_all(value, prompt, mark)
    if isinstance(value, dict):
        return {
            k: (mark if k in ("prompt", "revised_prompt") and isinstance(v, str) and v
                else _redact_in_value(v, prompt, mark))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_in_value(v, prompt, mark) for v in value]
    return value


def _replace_all(text: str, prompt: str, mark: str) -> str:
    escaped = json.dumps(prompt, ensure_ascii=False)[1:-1]  # as it appears inside JSON strings
    for needle in {prompt, prompt.strip(), escaped}:
        if needle and len(needle) >= 4:
            text = text.replace(needle, mark)
    return text
