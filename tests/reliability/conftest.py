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


@pytest.fixture
def qloop(qapp):
    """A qasync loop for GUI-layer scenarios (like tests/ui/conftest.py, which is not visible here)."""
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def said():
    """Every message the GUI showed the user during the test."""
    from workbench.ui import messages

    messages.reset_bridge()
    yield messages.bridge().history
    messages.reset_bridge()


@pytest.fixture
def ops(qloop, said):
    from workbench.ui.operations import Operations

    operations = Operations()
    yield operations
    qloop.run_until_complete(operations.close())
