"""The "Import errors and logs" dialog: paste a raw error body or a log, or open a log file.

Everything is parsed by `workbench.core.importing` (the same code as `workbench import`), on
the History view's worker thread, so a 100,000-line log never stalls the window. The report is
plain text: how many requests were imported, duplicates skipped, and every bad line with its
line number and reason. `imported(list)` hands the new history IDs to the History view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.core.errors import BadInputError, UserFacingError
from workbench.ui import labels
from workbench.ui.history.dialogs import OpenFileDialog, default_folder
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

    report: object  # workbench.core.importing.ImportReport
    first: object | None  # HistoryEntry of report.ids[0]


def check_recognisable(text: str, fmt: str) -> None:
    """Refuse pasted text that is neither JSON, a log, nor a recognisable error message.

    The core importer keeps any text as an "unknown error" row (a CLI user may want that);
    here a stray paste would only add a blank row, so it is refused with a reason.

    Raises:
        BadInputError: nothing in the text looks like an error body or a log.
    """
    from workbench.core.api.errors import parse_error_body
    from workbench.core.importing import detect_format

    if (detect_format(text) if fmt == "auto" else fmt) != "body":
        return
    stripped = text.strip()
    try:
        json.loads(stripped)
        return  # JSON: the importer says per record what it could not use
    except (ValueError, RecursionError):
        pass
    error = parse_error_body(stripped)
    if error.kind == "unknown" and not (error.code or error.request_ids or error.categories or error.http_status):
        raise BadInputError("this text is not an error body or a request log: it has no JSON, no error code, "
                            "no request ID and no known error message")


def import_job(text: str | None, path: Path | None, fmt: str, source: str):
    """`fn(store) -> ImportOutcome` for the history worker: import pasted text or a file."""
    from workbench.core.importing import import_text
    from workbench.core.textinput import decode_text

    def job(store) -> ImportOutcome:
        content = text
        if path is not None:
            try:
                content = decode_text(path.read_bytes(), source=source)
            except FileNotFoundError:
                raise BadInputError(f"{path}: no such file") from None
            except OSError as exc:
                raise BadInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        content = content or ""
        if content.strip():
            check_recognisable(content, fmt)
        report = import_text(store, content, source=source, fmt=fmt)
        first = store.get(report.ids[0]) if report.ids else None
        return ImportOutcome(report, first)

    return job


def describe(outcome: ImportOutcome) -> str:
    """The plain-text report shown after an import."""
    report = outcome.report
    what = FORMAT_NAMES.get(report.format, report.format)
    if report.imported:
        lines = [f"Imported {report.imported:,} request(s) from {report.source} ({what})."]
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
        lines += ["", f"{len(skipped):,} line(s) skipped:"] + _listed(skipped)
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
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.text, 3)
        layout.addLayout(row)
        layout.addSpacing(4)
        layout.addWidget(QLabel("Report"))
        layout.addWidget(self.report, 2)
        layout.addLayout(bottom)

    def _connect_signals(self) -> None:
        self.text.textChanged.connect(self._update_buttons)
        self.open_button.clicked.connect(self._on_open)
        self.import_button.clicked.connect(self._on_import)
        self.close_button.clicked.connect(self.close)

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
        path = OpenFileDialog.ask(self, "Import an error log", self._folder or default_folder(), FILE_FILTER)
        if path is not None:
            self._folder = path.parent
            await self.import_file(path)

    async def import_pasted(self) -> ImportOutcome | None:
        """Import the text in the box (kept there, so a failed paste can be fixed and retried)."""
        return await self._run(import_job(self.text.toPlainText(), None, self._fmt(), "pasted text"))

    async def import_file(self, path: Path) -> ImportOutcome | None:
        """Import a log file; its rows' source is the file name and line."""
        path = Path(path)
        return await self._run(import_job(None, path, self._fmt(), path.name))

    def _fmt(self) -> str:
        return self.format.currentData() or "auto"

    async def _run(self, job) -> ImportOutcome | None:
        if self._running:
            return None
        self._running = True
        self._update_buttons()
        self.report.setPlainText("Importing…")
        try:
            outcome = await self.worker.run(job)
        except UserFacingError as exc:
            if alive(self):
                self.report.setPlainText(f"Nothing was imported: {exc.user_message}")
            return None
        finally:
            if alive(self):
                self._running = False
                self._update_buttons()
        if not alive(self):
            return outcome
        self.last = outcome
        self.report.setPlainText(describe(outcome))
        if outcome.report.ids:
            self.imported.emit(list(outcome.report.ids))
        return outcome
