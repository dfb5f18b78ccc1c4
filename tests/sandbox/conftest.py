"""A Sandbox per test module, on 127.0.0.1 and a free port."""

from __future__ import annotations

import pytest

from workbench.sandbox import SandboxServer


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server
