"""Fixtures for the rewrite tests."""

from __future__ import annotations

import pytest
from rewrite_fakes import fake_scan


@pytest.fixture
def rewrite():
    """desensitize(text) with the fixed test scanner; returns the rewritten text."""
    from workbench.core.rewrite import desensitize

    return lambda text: desensitize(text, scanner=fake_scan).rewritten
