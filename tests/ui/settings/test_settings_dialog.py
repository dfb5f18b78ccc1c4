"""Settings dialog: keys to the (in-memory) keyring, the no-keyring message, profiles, lists."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from workbench.core.api import keys
from workbench.core.settings import load_settings
from workbench.ui.settings.dialog import SettingsDialog


@pytest.fixture
def dialog(qtbot, ops):
    dlg = SettingsDialog(ops)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


@pytest.fixture(autouse=True)
def forget_session_keys():
    yield
    keys._forget_all_for_tests()


def test_saving_a_key_puts_it_in_the_keyring_and_never_in_settings(dialog, memory_keyring, ops, said):
    page = dialog.profiles
    page.select("OpenAI")
    page.key.setText("sk-test-1234567890abcdef")
    page.save_key_button.click()
    assert memory_keyring.store[(keys.SERVICE, "OpenAI")] == "sk-test-1234567890abcdef"
    assert page.key.text() == ""  # never shown again
    assert "system keyring" in page.key_status.text()
    assert not page.key_fallback.isVisibleTo(page)
    assert ops.profiles.active_profile_name() == "OpenAI"  # a key makes OpenAI the default
    for path in ops.screening.block_list_path().parents[1].rglob("*"):
        if path.is_file():
            assert "sk-test-1234567890abcdef" not in path.read_text(errors="ignore")


def test_without_a_keyring_the_user_is_told_and_chooses_the_session(qtbot, ops, said):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        dlg = SettingsDialog(ops)
        qtbot.addWidget(dlg)
        page = dlg.profiles
        assert page.keyring_note.isVisibleTo(page) and "No system keyring" in page.keyring_note.text()
        page.select("OpenAI")
        page.key.setText("sk-session-abcdef123456")
        page.save_key_button.click()
        assert keys.get_key("OpenAI") is None  # nothing kept until the user chooses where
        assert page.key_fallback.isVisibleTo(page) and "OPENAI_API_KEY" in page.key_fallback_text.text()
        page.session_key_button.click()
        assert keys.get_key("OpenAI").source == "session"
        assert "this session only" in page.key_status.text()
        assert not any("system keyring" in m.text and "saved" in m.text for m in said)
    finally:
        keyring.set_keyring(previous)


def test_add_edit_and_remove_a_profile(dialog, ops):
    page = dialog.profiles
    page.add_button.click()
    assert page.list.currentItem().text() == "Profile 1"
    page.name.setText("My gateway")
    page.base_url.setText("https://gateway.example/v1")
    assert page.save_profile()
    saved = load_settings().profile("My gateway")
    assert saved.kind == "compatible" and saved.base_url == "https://gateway.example/v1"
    page.base_url.setText("not a url")
    assert not page.save_profile()  # refused with a message, nothing overwritten
    assert load_settings().profile("My gateway").base_url == "https://gateway.example/v1"
    page.remove_button.click()
    assert all(p.name != "My gateway" for p in load_settings().profiles)


def test_the_sandbox_cannot_be_removed_or_given_a_key(dialog):
    page = dialog.profiles
    page.select("Sandbox")
    assert not page.remove_button.isEnabled()
    assert not page.key.isEnabled()


def test_allow_list_entries_can_be_added_and_removed(dialog, ops):
    lists = dialog.lists
    lists.allow_entry.setText("killer whale")
    lists.allow_add.click()
    assert [lists.allow.item(i).text() for i in range(lists.allow.count())] == ["killer whale"]
    lists.allow.item(0).setSelected(True)
    lists.allow_remove.click()
    assert lists.allow.count() == 0


def test_theme_choice_is_forwarded(dialog):
    chosen = []
    dialog.theme_chosen.connect(chosen.append)
    dialog.appearance.buttons["dark"].setChecked(True)
    assert chosen == ["dark"]
