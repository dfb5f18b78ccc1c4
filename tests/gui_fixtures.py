"""GUI test fixtures (a pytest plugin loaded by tests/conftest.py, shared by tests/ui and
tests/reliability): a qasync loop per test, an `until` helper, operations and main windows.

pytest-qt does not drive asyncio (pytest-qt issue #448), so async slots are exercised inside
`qloop.run_until_complete(scenario())`, where the scenario clicks and then awaits `until(...)`.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

from workbench.ui import messages


@pytest.fixture
def qloop(qapp):
    from workbench.ui import gc_guard

    gc_guard.install(qapp)  # as the app does: Qt objects are freed on the GUI thread only
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    problems: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: problems.append(context))
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)
    errors = [c for c in problems if not isinstance(c.get("exception"), asyncio.CancelledError)]
    assert not errors, errors


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.01):
    """Await until `predicate()` is truthy (re-raising its last AssertionError on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
            if value:
                return value
            last = AssertionError("condition still false")
        except AssertionError as exc:
            last = exc
        if time.monotonic() > deadline:
            raise last
        await asyncio.sleep(interval)


@pytest.fixture
def until():
    """`await until(predicate, timeout)` inside a qloop scenario."""
    return wait_until


@pytest.fixture
def said():
    """The messages the user was shown during the test (level, text)."""
    messages.reset_bridge()
    bridge = messages.bridge()
    yield bridge.history
    messages.reset_bridge()


@pytest.fixture
def ops(qloop, said):
    from workbench.ui.operations import Operations

    operations = Operations()
    yield operations
    qloop.run_until_complete(operations.close())


async def drain(timeout: float = 5.0) -> None:
    """Let pending tasks (a tab's refresh, a thumbnail) finish while their widgets still exist."""
    me = asyncio.current_task()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [t for t in asyncio.all_tasks() if t is not me and not t.done()]:
            return
        await asyncio.sleep(0.02)


@pytest.fixture
def make_window(qtbot, ops, qloop):
    """Build main windows; each is drained and deleted at the end of the test.

    Windows are not registered with qtbot: pytest-qt deletes registered widgets before
    fixtures are torn down, which would leave the tabs' async refreshes running against
    deleted widgets.
    """
    from workbench.ui.main_window import MainWindow

    made = []

    def make(show: bool = True):
        win = MainWindow(ops)
        made.append(win)
        if show:
            win.resize(1400, 900)
            win.show()
            qtbot.waitExposed(win)
        return win

    yield make
    qloop.run_until_complete(drain())
    for win in made:
        if shiboken6.isValid(win):
            win.close()
            win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    qloop.run_until_complete(drain())


@pytest.fixture
def window(make_window):
    return make_window()
