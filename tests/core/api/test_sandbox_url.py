"""Core asks an installed provider for the Sandbox URL instead of importing the Sandbox."""

from __future__ import annotations

import pytest

from workbench.core.api import sandbox_url
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.errors import UserFacingError


@pytest.fixture
def provider():
    """Restore the session's provider (tests/conftest.py installs the CLI's) afterwards."""
    previous = sandbox_url._provider
    yield
    sandbox_url.set_provider(previous)


def test_sandbox_profile_uses_the_installed_provider(provider):
    sandbox_url.set_provider(lambda: "http://127.0.0.1:9/v1")
    client = ImageClient.for_profile(Profile(name="Sandbox", kind="sandbox"))
    assert client.base_url == "http://127.0.0.1:9/v1"


def test_without_a_provider_one_clear_message(provider):
    sandbox_url.set_provider(None)
    with pytest.raises(UserFacingError, match="Sandbox is not available here"):
        ImageClient.for_profile(Profile(name="Sandbox", kind="sandbox"))
    # an explicit base URL needs no provider
    client = ImageClient.for_profile(Profile(name="Sandbox", kind="sandbox", base_url="http://127.0.0.1:9/v1"))
    assert client.base_url == "http://127.0.0.1:9/v1"


def test_the_cli_installs_the_shared_sandbox(provider):
    from workbench.cli import main

    sandbox_url.set_provider(None)
    assert main(["history", "list"]) == 0
    assert sandbox_url._provider is not None
