"""The "Import errors and logs" dialog: paste a raw error body or a log, or open a log file.

Everything is parsed by `workbench.core.store.importing` (the same code as `workbench import`), on
the History view's worker thread, so a million-line log never stalls the window: files are
streamed, the dialog shows progress and Stop ends the import after the current batch. Support's
own facts (request ID, prompt, time, model, account, status, notes) go in the optional fields.
The report is plain text: how many requests were imported, duplicates skipped, and every bad
line with its line number and reason. `imported(list)` hands the new history IDs to the History
view. `CompleteEntryDialog` fills in what an imported entry lacked later; every change is kept.
All dialogs here are non-blocking (`open()`, never `exec()` or a static file dialog).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.core.errors import BadInputError, UserFacingError
from workbench.ui import labels
from workbench.ui.history.dialogs import default_folder
from workbench.ui.lifetime import alive

FILE_FILTER = "Error bodies and logs (*.txt *.json *.jsonl *.ndjson *.csv *.log);;All files (*)"
FORMAT_CHOICES = (("Detect", "auto"), ("One error body", "body"), ("JSON Lines (a request a line)", "jsonl"),
                  ("CSV (a request a row)", "csv"), ("JSON array of records", "json"))
FORMAT_NAMES = {"body": "a single error body", "jsonl": "JSON Lines", "csv": "CSV", "json": "a JSON array"}
MAX_LISTED_PROBLEMS = 200  # a huge broken log lists the first lines, then a count
PLACEHOLDER = (
    "Paste a raw error body here, as it came back:\n"
    '  {"error": {"message": "…", "code": "moderation_blocked", …}}\n'
    "  Error code: 400 - {'error': {…}}\n"
    "or a request log: JSON Lines (one request a line) or CSV with a header line.\n\n"
    "Or use “Open file…” to import a .jsonl, .csv, .json or .txt file."
)


@dataclass
class ImportOutcome:
    """What one import did: the core report plus the first imported request (for the summary)."""

    report: object  # workbench.core.store.importing.ImportReport
    first: object | None  # HistoryEntry of report.ids[0]


def import_job(text: str | None, path: Path | None, fmt: str, source: str, fields=None, progress=None,
               cancel=None):
    """`fn(store) -> ImportOutcome` for the history worker: import pasted text or a file (streamed).

    Text that is not an error body or a log is refused by the core with one clear reason.
    """
    from workbench.core.store.importing import import_file, import_text

    def job(store) -> ImportOutcome:
        if path is not None:
            report = import_file(store, path, fmt=fmt, fields=fields, progress=progress, cancel=cancel)
        else:
            content = text or ""
            if not content.strip():
                raise BadInputError("there is nothing to import: paste an error body or a log first")
            report = import_text(store, content, source=source, fmt=fmt, fields=fields, progress=progress,
                                 cancel=cancel)
        first = store.get(report.ids[0]) if report.ids else None
        return ImportOutcome(report, first)

    return job


async def ask_open_file(parent: QWidget, title: str, folder: Path, file_filter: str) -> Path | None:
    """A window-modal file dialog that does not block the event loop (`open()`, not `exec()`)."""
    dialog = QFileDialog(parent, title, str(folder), file_filter)
    dialog.setObjectName("importFileDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    future = asyncio.get_event_loop().create_future()

    def finished(result: int) -> None:
        chosen = dialog.selectedFiles() if result else []  # 1 = Accepted, 0 = Rejected
        if not future.done():
            future.set_result(Path(chosen[0]) if chosen else None)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        if alive(dialog):  # the parent may be gone already
            dialog.deleteLater()


def describe(outcome: ImportOutcome) -> str:
    """The plain-text report shown after an import."""
    report = outcome.report
    what = FORMAT_NAMES.get(report.format, report.format)
    if report.imported:
        lines = [f"Imported {report.imported:,} request(s) from {report.source} ({what})."]
        if getattr(report, "cancelled", False):
            lines.append("Stopped before the end: what was read so far is kept; import the file again to "
                         "finish (lines already in history are skipped as duplicates).")
    elif report.duplicates:
        lines = [f"Nothing new in {report.source} ({what})."]
    else:
        lines = [f"Nothing was imported from {report.source} ({what})."]
    if report.duplicates:
        lines.append(f"{report.duplicates:,} duplicate(s) skipped: already in history.")
    if outcome.first is not None:
        lines.append("First imported: " + _entry_summary(outcome.first))
    skipped = [p for p in report.problems if p.skipped]
    notes = [p for p in report.problems if not p.skipped]
    if skipped:
        lines += ["", f"{report.skipped:,} line(s) skipped:"] + _listed(skipped)
    if notes:
        lines += ["", "Imported with a warning:"] + _listed(notes)
    return "\n".join(lines)


def _entry_summary(entry) -> str:
    parts = [f"#{entry.id}", labels.OUTCOME_LABELS.get(entry.outcome, entry.outcome)]
    if entry.http_status:
        parts.append(f"HTTP {entry.http_status}")
    if entry.error_code:
        parts.append(entry.error_code)
    if entry.categories:
        parts.append("categories: " + ", ".join(entry.categories))
    if entry.request_ids:
        parts.append("request ID " + ", ".join(entry.request_ids))
    return " · ".join(parts)


def _listed(problems: list) -> list[str]:
    shown = [f"  {problem}" for problem in problems[:MAX_LISTED_PROBLEMS]]
    if len(problems) > MAX_LISTED_PROBLEMS:
        shown.append(f"  … and {len(problems) - MAX_LISTED_PROBLEMS:,} more")
    return shown


class ImportDialog(QDialog):
    """Non-modal: the History tab stays usable while a long log imports.

    Args:
        worker: the History view's `HistoryWorker` (imports run on its thread and connection).

    Signals:
        imported(list): history IDs of the requests just imported (only when some were).
    """

    imported = Signal(list)

    def __init__(self, worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.setWindowTitle("Import errors and logs")
        self.setObjectName("importDialog")
        self.resize(760, 620)
        self._running = False
        self._folder: Path | None = None
        self.last: ImportOutcome | None = None

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.intro = QLabel("Turn errors from OpenAI, Azure OpenAI or fal.ai into history entries, with their "
                            "request IDs, stage and categories.")
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.text = QPlainTextEdit(objectName="importText")
        self.text.setPlaceholderText(PLACEHOLDER)
        self.text.setFont(mono)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.format = QComboBox(objectName="importFormat")
        for title, fmt in FORMAT_CHOICES:
            self.format.addItem(title, fmt)
        self.format.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.format.setToolTip("How to read the text; Detect works for error bodies, JSONL and CSV with a header")
        self.open_button = QPushButton("Open file…")
        self.open_button.setToolTip("Import a .jsonl, .csv, .json or .txt log file")
        self.import_button = QPushButton("Import", objectName="importButton")
        self.import_button.setToolTip("Import the pasted text into history")
        self.import_button.setDefault(True)
        self.report = QPlainTextEdit(readOnly=True, objectName="importReport")
        self.report.setPlaceholderText("The import report appears here: requests imported, duplicates "
                                       "skipped, and each bad line with its number and reason.")
        self.report.setFont(QFont(mono))
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.fields = SupportFields(self)
        self.progress = QProgressBar(objectName="importProgress", visible=False)
        self.progress.setRange(0, 1000)
        self.stop_button = QPushButton("Stop", objectName="importStop", visible=False)
        self.stop_button.setToolTip("Stop after the current batch; what was imported so far is kept")
        self.complete_button = QPushButton("Complete the entry…", objectName="completeEntry")
        self.complete_button.setToolTip("Add what was missing (prompt, request IDs, notes); changes are recorded")
        self.complete_button.setEnabled(False)
        self._stop = threading.Event()
        self._relay = _ProgressRelay()
        self._relay.moved.connect(self._on_progress)
        self._complete_dialog: CompleteEntryDialog | None = None
        self._build_layout()
        self._connect_signals()
        self._update_buttons()

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(QLabel("Format"))
        row.addWidget(self.format)
        row.addWidget(self.import_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.complete_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.text, 3)
        layout.addWidget(self.fields)
        layout.addLayout(row)
        layout.addLayout(running)
        layout.addSpacing(4)
        layout.addWidget(QLabel("Report"))
        layout.addWidget(self.report, 2)
        layout.addLayout(bottom)

    def _connect_signals(self) -> None:
        self.text.textChanged.connect(self._update_buttons)
        self.open_button.clicked.connect(self._on_open)
        self.import_button.clicked.connect(self._on_import)
        self.close_button.clicked.connect(self.close)
        self.stop_button.clicked.connect(self._stop.set)
        self.complete_button.clicked.connect(lambda: self.show_complete_dialog())

    def _update_buttons(self) -> None:
        self.import_button.setEnabled(not self._running and bool(self.text.toPlainText().strip()))
        self.open_button.setEnabled(not self._running)
        self.format.setEnabled(not self._running)

    # --- importing -------------------------------------------------------------------------

    @asyncSlot()
    async def _on_import(self) -> None:
        await self.import_pasted()

    @asyncSlot()
    async def _on_open(self) -> None:
        self.open_button.setEnabled(False)  # one file dialog at a time
        try:
            path = await ask_open_file(self, "Import an error log", self._folder or default_folder(), FILE_FILTER)
        finally:
            if alive(self):
                self._update_buttons()
        if path is not None and alive(self):
            self._folder = path.parent
            await self.import_file(path)

    async def import_pasted(self) -> ImportOutcome | None:
        """Import the text in the box (kept there, so a failed paste can be fixed and retried)."""
        return await self._run(lambda fields, progress, cancel: import_job(
            self.text.toPlainText(), None, self._fmt(), "pasted text", fields, progress, cancel))

    async def import_file(self, path: Path) -> ImportOutcome | None:
        """Import a log file; its rows' source is the file name and line."""
        path = Path(path)
        return await self._run(lambda fields, progress, cancel: import_job(
            None, path, self._fmt(), path.name, fields, progress, cancel))

    def _fmt(self) -> str:
        return self.format.currentData() or "auto"

    async def _run(self, make_job) -> ImportOutcome | None:
        if self._running:
            return None
        try:
            fields = self.fields.values()
        except BadInputError as exc:
            self.report.setPlainText(f"Nothing was imported: {exc.user_message}")
            return None
        self._running = True
        self._stop.clear()
        self._update_buttons()
        self._show_running(True)
        self.report.setPlainText("Importing…")
        job = make_job(fields, self._relay.report, self._stop.is_set)
        try:
            outcome = await self.worker.run(job)
        except UserFacingError as exc:
            if alive(self):
                self.report.setPlainText(f"Nothing was imported: {exc.user_message}")
            return None
        finally:
            if alive(self):
                self._running = False
                self._show_running(False)
                self._update_buttons()
        if not alive(self):
            return outcome
        self.last = outcome
        self.report.setPlainText(describe(outcome))
        self.complete_button.setEnabled(outcome.report.imported == 1)
        if outcome.report.ids:
            self.imported.emit(list(outcome.report.ids))
        return outcome

    def _show_running(self, running: bool) -> None:
        self.progress.setValue(0)
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)

    def _on_progress(self, done: int, total: int, imported: int) -> None:
        if alive(self) and self._running:
            self.progress.setValue(int(1000 * done / total) if total else 0)
            self.progress.setFormat(f"{imported:,} imported")

    def show_complete_dialog(self, entry_id: int | None = None):
        """Open the non-modal dialog that completes the last imported entry (or `entry_id`)."""
        target = entry_id if entry_id is not None else (self.last.report.ids[0] if self.last and self.last.report.ids
                                                        else None)
        if target is None:
            return None
        if self._complete_dialog is None:
            self._complete_dialog = CompleteEntryDialog(self.worker, self)
            self._complete_dialog.changed.connect(lambda entry_id: self.imported.emit([entry_id]))
        self._complete_dialog.load(int(target))
        self._complete_dialog.show()
        self._complete_dialog.raise_()
        return self._complete_dialog


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    moved = Signal(int, int, int)

    def report(self, done: int, total: int, report) -> None:
        self.moved.emit(int(done), int(total), int(report.imported))


class SupportFields(QGroupBox):
    """The optional facts support has about a pasted error, as `ImportFields`."""

    NAMES = (("request_id", "Request ID", "req_… or the ID provider support gave you (several: comma-separated)"),
             ("prompt", "Prompt", "the prompt that was sent, if the error does not include it"),
             ("time", "Time", "when it happened, e.g. 2026-11-21 10:04 (UTC unless an offset is given)"),
             ("model", "Model", "e.g. gpt-image-1.5"),
             ("account", "Account", "the account, organization or profile it ran under"),
             ("http_status", "HTTP status", "e.g. 400, if the pasted text does not say"),
             ("notes", "Notes", "anything else (ticket number, customer)"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What you know about it (optional)", parent)
        self.setObjectName("supportFields")
        self.setCheckable(True)
        self.setChecked(False)  # folded away until needed
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for name, title, hint in self.NAMES:
            edit = QLineEdit(objectName=f"field_{name}")
            edit.setPlaceholderText(hint)
            self.edits[name] = edit
            form.addRow(title, edit)
        self.toggled.connect(self._fold)
        self._fold(False)

    def _fold(self, shown: bool) -> None:
        for edit in self.edits.values():
            edit.setVisible(shown)
            label = self.layout().labelForField(edit)
            if label is not None:
                label.setVisible(shown)

    def set_text(self, name: str, value: str) -> None:
        self.setChecked(True)
        self.edits[name].setText(value)

    def values(self):
        """`ImportFields`, or None when nothing was filled in.

        Raises:
            BadInputError: an HTTP status that is not a number from 100 to 599.
        """
        from workbench.core.store.importing import ImportFields

        if not self.isChecked():
            return None
        text = {name: edit.text().strip() for name, edit in self.edits.items()}
        status = None
        if text["http_status"]:
            if not text["http_status"].isdigit() or not 100 <= int(text["http_status"]) <= 599:
                raise BadInputError(f"HTTP status {text['http_status']!r} is not a number from 100 to 599")
            status = int(text["http_status"])
        fields = ImportFields(request_id=text["request_id"], prompt=text["prompt"], time=text["time"],
                              model=text["model"], account=text["account"], http_status=status, notes=text["notes"])
        return None if fields.is_empty() else fields


class CompleteEntryDialog(QDialog):
    """Complete an imported entry later: prompt, request IDs, notes, model, account, time.

    Request IDs are added in front of the stored ones; every change is recorded (old value,
    new value, time) in the entry's edit history, listed below the fields.

    Signals:
        changed(int): the entry was changed (its id).
    """

    changed = Signal(int)

    def __init__(self, worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.entry_id: int | None = None
        self.setObjectName("completeEntryDialog")
        self.setWindowTitle("Complete an imported entry")
        self.resize(620, 480)
        self.title = QLabel()
        self.prompt = QPlainTextEdit(objectName="completePrompt")
        self.prompt.setPlaceholderText("The prompt that was sent")
        self.request_ids = QLineEdit(objectName="completeRequestIds")
        self.request_ids.setPlaceholderText("Request ID(s) to add, comma-separated")
        self.model = QLineEdit(objectName="completeModel")
        self.account = QLineEdit(objectName="completeAccount")
        self.time = QLineEdit(objectName="completeTime")
        self.time.setPlaceholderText("e.g. 2026-11-21 10:04 (UTC unless an offset is given)")
        self.notes = QPlainTextEdit(objectName="completeNotes")
        self.history = QPlainTextEdit(readOnly=True, objectName="completeHistory")
        self.history.setPlaceholderText("No changes recorded yet.")
        self.status = QLabel(objectName="completeStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = QPushButton("Save changes", objectName="completeSave")
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self.save_button.clicked.connect(self._on_save)
        form = QFormLayout()
        for title, widget in (("Prompt", self.prompt), ("Add request IDs", self.request_ids), ("Model", self.model),
                              ("Account", self.account), ("Time", self.time), ("Notes", self.notes)):
            form.addRow(title, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(QLabel("Changes"))
        layout.addWidget(self.history)
        layout.addLayout(buttons)

    def load(self, entry_id: int) -> None:
        """Show entry `entry_id` (read on the GUI thread's store: one row)."""
        self.entry_id = entry_id
        asyncio.ensure_future(self._load())

    async def _load(self) -> None:
        from workbench.core.store.importing import edits_of

        entry_id = self.entry_id
        entry, edits = await self.worker.run(lambda store: (store.get(entry_id), edits_of(store, entry_id)))
        if not alive(self) or entry_id != self.entry_id:
            return
        self.title.setText(f"Request #{entry.id} · {labels.OUTCOME_LABELS.get(entry.outcome, entry.outcome)}"
                           + (f" · request ID {', '.join(entry.request_ids)}" if entry.request_ids else ""))
        self.prompt.setPlainText(entry.prompt)
        self.model.setText(entry.model or "")
        self.account.setText(entry.profile or "")
        self.notes.setPlainText(entry.notes)
        self.request_ids.clear()
        self.time.clear()
        self.history.setPlainText("\n".join(f"{e.edited_at}  {e.field}: {e.old_value!r} → {e.new_value!r}"
                                             for e in edits))

    @asyncSlot()
    async def _on_save(self) -> None:
        await self.save()

    async def save(self) -> list:
        """Write the changes; returns the edits recorded (empty when nothing changed)."""
        from workbench.core.store.importing import complete_entry

        entry_id = self.entry_id
        values = dict(prompt=self.prompt.toPlainText(), notes=self.notes.toPlainText(), model=self.model.text().strip(),
                      account=self.account.text().strip(), time=self.time.text().strip() or None,
                      request_ids=[i.strip() for i in self.request_ids.text().split(",") if i.strip()] or None)
        self.save_button.setEnabled(False)
        try:
            edits = await self.worker.run(lambda store: complete_entry(store, entry_id, **values))
        except UserFacingError as exc:
            if alive(self):
                self.status.setText(f"Not saved: {exc.user_message}")
            return []
        finally:
            if alive(self):
                self.save_button.setEnabled(True)
        if not alive(self):
            return edits
        self.status.setText(f"Saved {len(edits)} change(s)." if edits else "Nothing changed.")
        if edits:
            self.changed.emit(entry_id)
            await self._load()
        return edits
