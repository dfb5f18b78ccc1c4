"""Fixtures for provider-layer tests: a real Sandbox on 127.0.0.1 and clients built on it."""

from __future__ import annotations

import pytest

from workbench.core.api import keys
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.retry import RetryPolicy
from workbench.sandbox import SandboxConfig, SandboxServer

# Fast back-off so retry tests do not wait; the policy logic itself is what is tested.
FAST_RETRY = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02, retry_after_cap=5.0)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="module")
def locked_sandbox():
    """A Sandbox that only accepts one key (auth and compatible-profile tests)."""
    with SandboxServer(config=SandboxConfig(api_key="sk-" "compat-accepted-key-000111")) as server:
        yield server


@pytest.fixture(autouse=True)
def _forget_keys():
    yield
    keys._forget_all_for_tests()


@pytest.fixture
def make_client(sandbox):
    """Build a client on the Sandbox; use it as `async with client:` inside one asyncio.run."""

    def build(profile: Profile | None = None, **kwargs) -> ImageClient:
        profile = profile or Profile(name="Sandbox", kind="sandbox", base_url=sandbox.url)
        kwargs.setdefault("retry", FAST_RETRY)
        kwargs.setdefault("timeout", 20.0)
        return ImageClient.for_profile(profile, **kwargs)

    return build
