"""API keys: where they come from, where they may go (the OS keyring, memory) and redaction.

Lookup order for a profile: the OS keyring, then a key entered for this session only, then the
environment (`OPENAI_API_KEY`, or `AZURE_OPENAI_API_KEY` for Azure profiles). Keys are never
written to a file by this module. Where no keyring backend exists (headless Linux), `set_key`
keeps the key in memory and says so plainly.

Every key this process has seen is remembered (in memory) so that `redact()` can scrub it from
error messages, raw bodies and log lines, together with anything that looks like an OpenAI key.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass

import keyring

from workbench.core.errors import UserFacingError

SERVICE = "prompt-workbench"
OPENAI_ENV = "OPENAI_API_KEY"
AZURE_ENV = "AZURE_OPENAI_API_KEY"

NO_KEYRING_MESSAGE = (
    "No system keyring is available on this machine, so a key can be kept for this session only. "
    "To keep it across restarts, set {env} in your environment (or install a keyring backend)."
)

SESSION_ONLY_MESSAGE = (
    "The system keyring {problem}, so the key is kept for this session only. To keep it across "
    "restarts, set {env} in your environment (or install a keyring backend)."
)
NOT_SAVED_MESSAGE = (
    "The key was not saved: the system keyring {problem}. You can keep it for this session only "
    "(in memory until you quit), or set {env} in your environment before starting the workbench."
)

log = logging.getLogger(__name__)

_session_keys: dict[str, str] = {}
_known_keys: set[str] = set()
_lock = threading.Lock()

# `sk-…` / `sk-proj-…` style secrets, including the partly masked echo in 401 messages.
_KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-*.]{6,}")
# Header-shaped secrets that may appear in logged requests.
_HEADER_PATTERN = re.compile(r"(?i)\b(authorization|api-key|x-api-key)(\"?\s*[:=]\s*\"?)(bearer\s+)?[^\s\"',}]+")
REDACTED = "[REDACTED]"
_KEY_WORDS = ("sk-", "authorization", "api-key")  # the patterns below need one of these (lower case)


class MissingKeyError(UserFacingError):
    """A profile that needs a key has none (keyring, session or environment)."""


@dataclass(frozen=True)
class KeyLookup:
    """A key and where it came from: `keyring`, `session` or `env:NAME`."""

    value: str
    source: str


@dataclass(frozen=True)
class KeyStoreResult:
    """Where `set_key` put the key: `keyring` or `session` (with a message saying why)."""

    stored_in: str
    message: str = ""


def env_var_for(kind: str) -> str:
    """The environment variable consulted for a profile kind."""
    return AZURE_ENV if kind == "azure" else OPENAI_ENV


def remember(key: str | None) -> None:
    """Register a key so that `redact()` removes it from any text from now on."""
    if key and len(key) >= 4:
        with _lock:
            _known_keys.add(key)


def get_key(profile_name: str, kind: str = "openai") -> KeyLookup | None:
    """The key for a profile: keyring, then session, then environment; None if there is none."""
    try:
        stored = keyring.get_password(SERVICE, profile_name)
    except Exception as exc:  # NoKeyringError, a locked or broken backend: fall through
        log.debug("keyring unavailable: %s", type(exc).__name__)
        stored = None
    if stored:
        remember(stored)
        return KeyLookup(stored, "keyring")
    with _lock:
        session = _session_keys.get(profile_name)
    if session:
        return KeyLookup(session, "session")
    env_name = env_var_for(kind)
    env_value = os.environ.get(env_name, "").strip()
    if env_value:
        remember(env_value)
        return KeyLookup(env_value, f"env:{env_name}")
    return None


def require_key(profile_name: str, kind: str = "openai") -> KeyLookup:
    """Like `get_key` but raises `MissingKeyError` with one clear line."""
    found = get_key(profile_name, kind)
    if found is None:
        raise MissingKeyError(
            f"no API key for profile {profile_name!r}: add one in Settings, or set {env_var_for(kind)}"
        )
    return found


def set_key(profile_name: str, key: str, *, kind: str = "openai", session_fallback: bool = True) -> KeyStoreResult:
    """Store a key in the OS keyring and read it back to be sure it is there.

    When the keyring refuses it or does not keep it (no backend, a locked or null one), the key
    is kept for this session only if `session_fallback`; otherwise it is not stored at all
    (`stored_in == ""`) and the message says why and what the user can do instead.
    """
    key = key.strip()
    if not key:
        raise UserFacingError("the API key is empty")
    remember(key)
    problem = _store_in_keyring(profile_name, key)
    if problem is None:
        with _lock:
            _session_keys.pop(profile_name, None)
        return KeyStoreResult("keyring")
    env = env_var_for(kind)
    if session_fallback:
        with _lock:
            _session_keys[profile_name] = key
        return KeyStoreResult("session", SESSION_ONLY_MESSAGE.format(problem=problem, env=env))
    return KeyStoreResult("", NOT_SAVED_MESSAGE.format(problem=problem, env=env))


def _store_in_keyring(profile_name: str, key: str) -> str | None:
    """None when the keyring holds exactly `key` afterwards; else what went wrong, for the user."""
    try:
        keyring.set_password(SERVICE, profile_name, key)
    except Exception as exc:  # NoKeyringError or a backend that fails (locked, no D-Bus)
        return f"refused the key ({type(exc).__name__})"
    try:
        stored = keyring.get_password(SERVICE, profile_name)
    except Exception as exc:
        return f"accepted the key but could not read it back ({type(exc).__name__})"
    if stored != key:  # e.g. the null backend: set does nothing, get returns None
        return "accepted the key but did not keep it"
    return None


def set_session_key(profile_name: str, key: str) -> None:
    """Keep a key in memory for this process only (never on disk)."""
    key = key.strip()
    if key:
        remember(key)
        with _lock:
            _session_keys[profile_name] = key


def delete_key(profile_name: str) -> None:
    """Forget a profile's key everywhere we put it (keyring and session)."""
    with _lock:
        _session_keys.pop(profile_name, None)
    try:
        keyring.delete_password(SERVICE, profile_name)
    except Exception:
        pass  # not stored there, or no usable keyring: nothing to delete


def keyring_available() -> tuple[bool, str]:
    """Whether a usable keyring backend exists, and a one-line explanation when it does not."""
    try:
        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 0)
    except Exception as exc:  # a broken backend configuration: report, don't crash
        return False, f"the keyring could not be loaded ({type(exc).__name__})"
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith("keyring.backends.fail") or (isinstance(priority, (int, float)) and priority <= 0):
        return False, NO_KEYRING_MESSAGE.format(env=OPENAI_ENV)
    return True, ""


def redact(text: str) -> str:
    """Remove every known key, anything shaped like `sk-…`, and auth header values from text."""
    if not text:
        return text
    with _lock:
        known = sorted(_known_keys, key=len, reverse=True)
    for env_name in (OPENAI_ENV, AZURE_ENV):
        value = os.environ.get(env_name, "").strip()
        if len(value) >= 4:
            known.append(value)
    for key in known:
        if key in text:
            text = text.replace(key, REDACTED)
    lowered = text.lower()
    if not any(word in lowered for word in _KEY_WORDS):
        return text
    text = _KEY_PATTERN.sub(REDACTED, text)
    return _HEADER_PATTERN.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts keys from the formatted message (attach to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the logger's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse a pre-filled exc_text, so the traceback is redacted too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def masks_known_key(masked: str) -> bool:
    """Whether an SDK-masked key ("sk-ab****wxyz") shows the ends of a key this process knows:
    such a mask is redacted too; masks of other people's keys (pasted bodies) are kept."""
    head, _, tail = masked.partition("*")
    tail = tail.strip("*")
    with _lock:
        known = list(_known_keys)
    known += [os.environ.get(name, "").strip() for name in (OPENAI_ENV, AZURE_ENV)]
    return any(k and k.startswith(head) and (not tail or k.endswith(tail)) for k in known)


def install_log_redaction(*handlers: logging.Handler) -> None:
    """Attach `RedactingFilter` to the given handlers (default: the root logger's handlers)."""
    targets = handlers or tuple(logging.getLogger().handlers)
    for handler in targets:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def _forget_all_for_tests() -> None:
    with _lock:
        _session_keys.clear()
        _known_keys.clear()
