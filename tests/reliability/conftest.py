"""Fixtures of the reliability suite (helpers live in reliability_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(workbench_home) -> Path:
    return workbench_home


@pytest.fixture
def history_db(home) -> Path:
    return home / "data" / "history.db"

# qloop, said, ops and make_window come from tests/gui_fixtures.py (shared with tests/ui).
