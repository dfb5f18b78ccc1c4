"""Test set-up: offscreen Qt, a temporary WORKBENCH_HOME, an in-memory keyring, no network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ("gui_fixtures",)  # tests/gui_fixtures.py: qloop, until, said, ops, make_window

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import keyring.errors  # noqa: E402
import pytest  # noqa: E402


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict, so tests never touch a real secret store."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.store[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture(autouse=True)
def workbench_home(tmp_path, monkeypatch):
    """Every test gets its own empty WORKBENCH_HOME and no real API keys."""
    home = tmp_path / "wbhome"
    home.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    for var in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID"):
        monkeypatch.delenv(var, raising=False)
    yield home
    from workbench.logsetup import close_logging  # the CLI opened a log file in this home

    close_logging()


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def pytest_collection_modifyitems(config, items):
    """Mark Qt tests `gui` and run the core tests first (fast feedback)."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "qapp" in names or "qtbot" in names:
            item.add_marker(pytest.mark.gui)
    items.sort(key=lambda item: 1 if item.get_closest_marker("gui") else 0)


@pytest.fixture(autouse=True, scope="session")
def sandbox_url_provider():
    """Core asks for the Sandbox's URL through a provider; install the one app.py and the CLI do."""
    from workbench.cli import shared_sandbox_url
    from workbench.core.api import sandbox_url

    sandbox_url.set_provider(shared_sandbox_url)
    yield
    sandbox_url.set_provider(None)
