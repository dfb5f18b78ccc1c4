"""Team sync in the app: runs push + pull on a worker thread, with progress, cancel, offline state.

`TeamSync` belongs to the main window. The sync uses its own connection to the history file
(SQLite connections stay on the thread that opened them; WAL lets it write beside the GUI's)
and the team server's. It can run now (the Team dialog's "Sync now") or every few minutes in
the background when the user turns that on. The status line says what happened, and "offline"
plainly when the server cannot be reached.
"""

from __future__ import annotations

import asyncio
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.core.errors import UserFacingError

AUTO_MINUTES = 10


def _run(db_path, secrets: tuple[str, ...], url: str, images: bool, stop: threading.Event, progress) -> dict:
    """Worker thread: one push + pull; returns the report as a dict (or raises UserFacingError)."""
    from workbench.core.store.history import HistoryStore
    from workbench.core.team import sync
    from workbench.core.team.connection import connect

    def check(what: str, count: int) -> None:
        if stop.is_set():
            raise sync.Cancelled()
        progress(what, count)

    with HistoryStore.open(db_path, recover=False, secrets=secrets) as store:
        conn, server = connect(url)
        with conn:
            report = sync.SyncReport(server.label)
            sync.push(store, conn, server, images=images, progress=check, report=report)
            if not report.cancelled:
                sync.pull(store, conn, server, images=images, progress=check, report=report)
            return report.to_dict()


class TeamSync(QObject):
    """Signals:
        progress(str): a line about what is moving now.
        finished(object): the report dict, or None after an error / offline.
        status_changed(str): the one-line state for the status bar.
    """

    progress = Signal(str)
    finished = Signal(object)
    status_changed = Signal(str)

    def __init__(self, ops, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.status = "Team sync: not set up"
        self._task: asyncio.Task | None = None
        self._stop = threading.Event()
        self.timer = QTimer(self, interval=AUTO_MINUTES * 60_000)
        self.timer.timeout.connect(self.start)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def set_automatic(self, on: bool) -> None:
        (self.timer.start if on else self.timer.stop)()

    def start(self, images: bool = False) -> None:
        url = self.ops.profiles.settings().team_url
        if not url:
            self._set_status("Team sync: no server set (File ▸ Team sync…)")
            return
        if self.running:
            return
        self._stop.clear()
        self._task = asyncio.ensure_future(self._sync(url, images))

    def cancel(self) -> None:
        self._stop.set()

    async def _sync(self, url: str, images: bool) -> None:
        loop = asyncio.get_event_loop()

        def progress(what: str, count: int) -> None:
            loop.call_soon_threadsafe(self.progress.emit, f"{what}: {count}")

        self._set_status("Team sync: running…")
        try:
            store = self.ops.history.store()
            report = await self.ops.run_in_worker(_run, store.path, store.known_secrets, url, images, self._stop,
                                                  progress)
        except UserFacingError as exc:
            offline = "not reachable" in exc.user_message
            self._set_status(f"Team sync: {'OFFLINE - ' if offline else ''}{exc.user_message}")
            self.finished.emit(None)
            return
        p, q = report["pushed"], report["pulled"]
        state = "cancelled" if report["cancelled"] else "done"
        conflicts = p["conflicts"] + q["conflicts"]
        self._set_status(f"Team sync {state}: {p['requests']} requests up, {q['requests']} down, "
                         f"{p['appeals'] + q['appeals']} appeals" + (f", {conflicts} conflicts" if conflicts else ""))
        self.ops.history.changed.emit()
        self.finished.emit(report)

    def _set_status(self, text: str) -> None:
        self.status = text
        self.status_changed.emit(text)
