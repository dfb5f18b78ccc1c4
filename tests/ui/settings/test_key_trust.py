"""Saving a key never claims "saved in the system keyring" unless the keyring really kept it.

The keyrings here are real backend classes installed with keyring.set_keyring: one refuses every
write (a locked store), one accepts writes and keeps nothing (like the null backend, but with a
priority that makes it look usable). The dialog and the core run unpatched.
"""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.errors
import pytest
from PySide6.QtCore import Qt

from workbench.core.api import keys
from workbench.core.api.profiles import Profile
from workbench.ui.settings.dialog import SettingsDialog


class LockedKeyring(keyring.backend.KeyringBackend):
    """A backend that is there but refuses every write (a locked collection)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service, username):
        raise keyring.errors.PasswordDeleteError(username)


class ForgetfulKeyring(keyring.backend.KeyringBackend):
    """A backend that accepts a key without complaint and keeps nothing."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def forget_session_keys():
    yield
    keys._forget_all_for_tests()


@pytest.fixture(params=[LockedKeyring, ForgetfulKeyring], ids=["locked", "forgetful"])
def failing_keyring(request):
    previous = keyring.get_keyring()
    keyring.set_keyring(request.param())
    yield request.param
    keyring.set_keyring(previous)


@pytest.fixture
def dialog(qtbot, ops, failing_keyring):
    widget = SettingsDialog(ops)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


@pytest.fixture
def page(dialog):
    return dialog.profiles


def test_core_reads_the_key_back_and_reports_a_keyring_that_failed(failing_keyring):
    stored = keys.set_key("OpenAI", "sk-trust-0123456789", session_fallback=False)
    assert stored.stored_in == ""
    assert "not saved" in stored.message and "OPENAI_API_KEY" in stored.message
    assert keys.get_key("OpenAI") is None
    kept = keys.set_key("OpenAI", "sk-trust-0123456789")  # the CLI-style default keeps it in memory
    assert kept.stored_in == "session" and "this session only" in kept.message
    assert keys.get_key("OpenAI").source == "session"


def test_a_failing_keyring_is_said_and_never_called_saved(page, ops, said):
    page.select("OpenAI")
    page.key.setText("sk-trust-0123456789")
    page.save_key_button.click()
    assert page.key_fallback.isVisible()
    text = page.key_fallback_text.text()
    assert "not saved" in text and "OPENAI_API_KEY" in text and "session only" in text
    assert page.session_key_button.isVisible()
    assert page.key.text() == "sk-trust-0123456789"  # still typed: the user chooses where it goes
    assert "system keyring" not in page.key_status.text()
    assert not any("saved in the system keyring" in m.text for m in said)
    assert ops.profiles.key_source(ops.profiles.profile("OpenAI")) is None


def test_the_session_only_choice_keeps_the_key_in_memory_for_this_run(page, ops, said, workbench_home):
    page.select("OpenAI")
    page.key.setText("sk-trust-0123456789")
    page.save_key_button.click()
    page.session_key_button.click()
    assert ops.profiles.key_source(ops.profiles.profile("OpenAI")) == "session"
    assert "this session only" in page.key_status.text()
    assert page.key.text() == "" and not page.key_fallback.isVisible()
    assert any(m.level == "info" and "session only" in m.text for m in said)
    for path in workbench_home.rglob("*"):  # never written anywhere
        if path.is_file():
            assert "sk-trust-0123456789" not in path.read_text(errors="ignore")


def test_an_azure_profile_is_told_its_own_environment_variable(page, ops):
    assert ops.profiles.save_profile(Profile(name="Contoso", kind="azure", azure_endpoint="https://contoso.openai.azure.com",
                                    azure_deployment="img", api_version="2025-04-01-preview"))
    page.reload("Contoso")
    page.key.setText("azure-key-0123456789")
    page.save_key_button.click()
    assert "AZURE_OPENAI_API_KEY" in page.key_fallback_text.text()


def test_choosing_another_profile_hides_the_choices(page):
    page.select("OpenAI")
    page.key.setText("sk-trust-0123456789")
    page.save_key_button.click()
    assert page.key_fallback.isVisible()
    page.list.setCurrentItem(page.list.findItems("Sandbox", Qt.MatchFlag.MatchExactly)[0])
    assert not page.key_fallback.isVisible()
