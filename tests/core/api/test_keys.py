"""Key lookup order, the no-keyring fallback, and redaction."""

from __future__ import annotations

import logging

import keyring
import keyring.backend
import keyring.errors
import pytest

from workbench.core.api import keys
from workbench.core.errors import UserFacingError


class NoKeyring(keyring.backend.KeyringBackend):
    """Behaves like keyring's `fail` backend on a headless machine."""

    priority = 0  # type: ignore[assignment]

    def get_password(self, service, username):
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def set_password(self, service, username, password):
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def delete_password(self, service, username):
        raise keyring.errors.NoKeyringError("No recommended backend was available.")


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)
    keys._forget_all_for_tests()


def test_keyring_wins_over_session_and_environment(memory_keyring, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-000000")
    assert keys.get_key("OpenAI").source == "env:OPENAI_API_KEY"
    keys.set_session_key("OpenAI", "sk-session-111111")
    assert keys.get_key("OpenAI").source == "session"
    assert keys.set_key("OpenAI", "sk-keyring-222222").stored_in == "keyring"
    found = keys.get_key("OpenAI")
    assert (found.value, found.source) == ("sk-keyring-222222", "keyring")
    assert memory_keyring.store[(keys.SERVICE, "OpenAI")] == "sk-keyring-222222"
    keys.delete_key("OpenAI")
    assert keys.get_key("OpenAI").source == "env:OPENAI_API_KEY"
    keys._forget_all_for_tests()


def test_azure_profiles_read_the_azure_variable(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-env-key-99")
    assert keys.get_key("Azure", "azure").value == "azure-env-key-99"
    assert keys.get_key("Other", "openai") is None


def test_missing_key_is_one_clear_line():
    with pytest.raises(keys.MissingKeyError, match="no API key for profile 'OpenAI'.*OPENAI_API_KEY"):
        keys.require_key("OpenAI")


def test_no_keyring_falls_back_to_a_session_key_with_a_message(no_keyring, workbench_home):
    available, message = keys.keyring_available()
    assert not available and "session" in message
    stored = keys.set_key("OpenAI", "sk-headless-333333")
    assert stored.stored_in == "session" and "this session only" in stored.message
    assert keys.get_key("OpenAI").value == "sk-headless-333333"
    keys.delete_key("OpenAI")  # must not raise without a keyring
    assert keys.get_key("OpenAI") is None
    assert not any(p.is_file() for p in workbench_home.rglob("*"))  # nothing written anywhere


def test_empty_key_is_refused():
    with pytest.raises(UserFacingError):
        keys.set_key("OpenAI", "   ")


def test_redact_known_keys_patterns_and_headers(monkeypatch):
    keys.remember("custom-gateway-token-xyz")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azurekey0123456789")
    text = ("token custom-gateway-token-xyz, sk-proj-abcDEF123456789, azurekey0123456789, "
            "Authorization: Bearer abc.def.ghi, api-key: zzz999, masked sk-abc********wxyz")
    cleaned = keys.redact(text)
    for secret in ("custom-gateway-token-xyz", "sk-proj-abcDEF123456789", "azurekey0123456789", "abc.def.ghi", "zzz999", "wxyz"):
        assert secret not in cleaned
    assert cleaned.count(keys.REDACTED) >= 6
    assert keys.redact("a harmless sentence about skies") == "a harmless sentence about skies"
    keys._forget_all_for_tests()


def test_redacting_log_filter(tmp_path):
    keys.remember("sk-log-secret-444444")
    handler = logging.FileHandler(tmp_path / "x.log")
    keys.install_log_redaction(handler)
    keys.install_log_redaction(handler)  # idempotent
    assert sum(isinstance(f, keys.RedactingFilter) for f in handler.filters) == 1
    logger = logging.getLogger("workbench.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("calling with %s", "sk-log-secret-444444")
        try:
            raise RuntimeError("boom sk-log-secret-444444")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        handler.close()
    content = (tmp_path / "x.log").read_text()
    assert "sk-log-secret-444444" not in content and "calling with" in content and "RuntimeError" in content
    keys._forget_all_for_tests()
