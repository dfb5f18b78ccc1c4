"""Shared by every core test: no calibration snapshot leaks from one test into the next."""

from __future__ import annotations

import pytest

from workbench.core import calibration


@pytest.fixture(autouse=True)
def no_active_snapshot():
    calibration.set_active(None)
    yield
    calibration.set_active(None)
