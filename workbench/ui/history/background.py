"""A second history connection on one worker thread, for reads too long for the GUI thread.

sqlite3 connections belong to the thread that opened them, and the GUI's store lives on the
GUI thread (small page queries, writes). Long jobs - dashboard statistics over 100,000 rows,
appeal bundles, exports, backups, purges - run here instead: a connection of its own to the
same database (WAL lets it read beside the writer) on a single worker thread, so these jobs
are serialised, as the one-thread-per-connection rule asks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class HistoryWorker:
    """Runs `fn(store, *args)` on a worker thread with its own connection to the GUI's history.

    Args:
        main_store: returns the GUI thread's HistoryStore (opened on first use); its path,
            image folder and registered secrets are mirrored by the worker's connection.
    """

    def __init__(self, main_store: Callable[[], Any]) -> None:
        self._main_store = main_store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-history")
        self._store: Any = None  # touched only on the worker thread
        self._closed = False

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(worker_store, *args)` off the GUI thread and return its result.

        Raises:
            StoreError: the database cannot be opened (raised here, on the GUI thread).
        """
        if self._closed:
            raise RuntimeError("the history worker is closed")
        main = self._main_store()
        where = (main.path, main.files.root, main.known_secrets)
        # get_event_loop, not get_running_loop: qasync may step this task from a nested Qt
        # event loop (a modal dialog, pytest-qt waiting) where no asyncio loop is "running".
        loop = asyncio.get_event_loop()
        return await loop.run_in_executor(self._executor, self._call, where, fn, args)

    def _call(self, where: tuple, fn: Callable[..., Any], args: tuple) -> Any:
        from workbench.core.store import HistoryStore

        path, images_root, secrets = where
        if self._store is None or self._store.path != path:
            self._close_store()
            self._store = HistoryStore.open(path, images_root=images_root, recover=False)
        for secret in secrets:
            self._store.add_secret(secret)
        return fn(self._store, *args)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        """Close the worker's connection (on its own thread) and stop the thread."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.submit(self._close_store)
        except RuntimeError:
            # Python is already shutting down its thread pools (window destroyed at exit):
            # the process is ending and its connection closes with it.
            pass
        self._executor.shutdown(wait=False)


_tasks: set[asyncio.Task] = set()


def spawn(coro) -> asyncio.Task:
    """Run a coroutine from a plain slot, as qasync's asyncSlot does: the task is kept alive,
    and a bug inside it reaches `sys.excepthook` (the crash dialog) instead of vanishing."""
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task) -> None:
    import sys

    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        sys.excepthook(type(exc), exc, exc.__traceback__)
