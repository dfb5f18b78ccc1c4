"""The Batch audit dialog: screen a file of prompt templates (txt, csv or jsonl) with the
editor's engine, see each line's verdict, categories and suggested rewrite, export a report.

Screening runs on a worker thread and hands results to the GUI in batches (the table fills
and the progress bar moves while it runs); Cancel stops it between two prompts.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.ui import messages
from workbench.ui.audit.model import COLUMN_KEYS, SHOW, AuditFilterProxy, AuditResultsModel, RowRole
from workbench.ui.audit.report import REPORT_FORMATS, audit_prompts, write_report
from workbench.ui.history.background import spawn
from workbench.ui.history.dialogs import OpenFileDialog, SaveFileDialog, default_folder

_executor: ThreadPoolExecutor | None = None


def audit_executor() -> ThreadPoolExecutor:
    """One worker thread for audits and report writing (shared by every audit dialog)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-audit")
    return _executor


INPUT_FILTER = "Prompt files (*.txt *.csv *.jsonl *.json *.ndjson);;All files (*)"
FORMAT_CHOICES = (("Detect", None), ("Text (a prompt a line)", "txt"), ("CSV (prompt or text column)", "csv"),
                  ("JSON Lines (text or prompt field)", "jsonl"))


class BatchAuditDialog(QDialog):
    """Screens a whole file of prompts; non-modal, so the editor stays usable meanwhile."""

    def __init__(self, ops=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Batch audit")
        self.setObjectName("batchAuditDialog")
        self.resize(1180, 720)
        self._cancel = threading.Event()
        self._running = False
        self.source: Path | None = None

        self.open_button = QPushButton("Open file…")
        self.format = QComboBox(objectName="auditFormat")
        for text, fmt in FORMAT_CHOICES:
            self.format.addItem(text, fmt)
        self.file_label = QLabel("Choose a .txt (a prompt a line), .csv or .jsonl file of prompts.")
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(objectName="auditProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        self.model = AuditResultsModel(self)
        self.proxy = AuditFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.show_choice = QComboBox(objectName="auditShow")
        for text, value in SHOW:
            self.show_choice.addItem(text, value)
        self.table = QTableView(objectName="auditTable")
        self.table.setModel(self.proxy)
        self._configure_table()
        self.prompt_text = QPlainTextEdit(readOnly=True, objectName="auditPrompt")
        self.rewrite_text = QPlainTextEdit(readOnly=True, objectName="auditRewrite")
        self.findings_text = QPlainTextEdit(readOnly=True, objectName="auditFindings")

        self.export_buttons = {fmt: QPushButton(f"Export {fmt.upper()}…") for fmt in REPORT_FORMATS}
        self.close_button = QPushButton("Close")
        self._build_layout()
        self._connect_signals()
        self._update_buttons()

    def _configure_table(self) -> None:
        t = self.table
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
        header = t.horizontalHeader()
        widths = {"index": 50, "line": 50, "verdict": 110, "categories": 170}
        for column, key in enumerate(COLUMN_KEYS):
            if key in widths:
                t.setColumnWidth(column, widths[key])
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(QLabel("Format"))
        top.addWidget(self.format)
        top.addWidget(self.file_label, 1)
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.cancel_button)
        filters = QHBoxLayout()
        filters.addWidget(self.summary, 1)
        filters.addWidget(QLabel("Show"))
        filters.addWidget(self.show_choice)

        details = QWidget()
        dl = QHBoxLayout(details)
        dl.setContentsMargins(0, 0, 0, 0)
        for title, box in (("Prompt", self.prompt_text), ("Suggested rewrite (desensitize)", self.rewrite_text),
                           ("Findings", self.findings_text)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(box)
            dl.addLayout(column, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(details)
        splitter.setSizes([480, 160])

        bottom = QHBoxLayout()
        for button in self.export_buttons.values():
            bottom.addWidget(button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(progress)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def _connect_signals(self) -> None:
        self.open_button.clicked.connect(self._on_open)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.show_choice.currentIndexChanged.connect(self._on_show_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        for fmt, button in self.export_buttons.items():
            button.setProperty("format", fmt)
            button.clicked.connect(self._on_export_clicked)

    def _on_show_changed(self, _index: int) -> None:
        self.proxy.set_show(self.show_choice.currentData())

    # --- running -------------------------------------------------------------------------

    @asyncSlot()
    async def _on_open(self) -> None:
        path = await OpenFileDialog.ask(self, "Audit a file of prompts", self.source.parent if self.source else default_folder(),
                                  INPUT_FILTER)
        if path is not None:
            await self.audit_file(path)

    async def audit_file(self, path: Path) -> int | None:
        """Screen every prompt of `path`; returns how many were screened (None on bad input)."""
        if self._running:
            return None
        self._running = True
        self._cancel = threading.Event()
        self.source = Path(path)
        self.model.clear()
        self.file_label.setText(str(path))
        self.progress.setRange(0, 0)  # busy until the file is read and counted
        self.summary.setText("Reading…")
        self._update_buttons()
        loop = asyncio.get_event_loop()

        def on_batch(rows, done, total):  # worker thread: hand over to the GUI thread
            loop.call_soon_threadsafe(self._accept_batch, rows, done, total)

        try:
            with messages.handle_user_errors("The file could not be audited"):
                data = await loop.run_in_executor(audit_executor(), self.source.read_bytes)
                done = await loop.run_in_executor(audit_executor(), audit_prompts, data, self.source.name,
                                                  self.format.currentData(), on_batch, self._cancel)
                await asyncio.sleep(0)  # let the last batch land before summarising
                self._finish(done, cancelled=self._cancel.is_set())
                return done
            self._finish(None)
            return None
        except OSError as exc:
            messages.error(f"The file could not be read: {exc.strerror or exc}")
            self._finish(None)
            return None
        finally:
            self._running = False
            self._update_buttons()

    def _accept_batch(self, rows, done: int, total: int) -> None:
        self.model.append_rows(rows)
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.summary.setText(f"{done:,} of {total:,} prompts screened…")
        if self.table.selectionModel().currentIndex().row() < 0 and self.proxy.rowCount():
            self.table.selectRow(0)

    def _finish(self, done: int | None, cancelled: bool = False) -> None:
        if done is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.summary.setText("")
            return
        verdicts = Counter(r.verdict for r in self.model.rows if r.error is None)
        errors = sum(1 for r in self.model.rows if r.error is not None)
        rewrites = sum(1 for r in self.model.rows if r.rewrite)
        parts = [f"{done:,} prompts" + (" (cancelled)" if cancelled else "")]
        for verdict, text in (("hard_block", "hard line"), ("likely_blocked", "likely blocked"),
                              ("caution", "caution"), ("clear", "clear")):
            if verdicts.get(verdict):
                parts.append(f"{verdicts[verdict]:,} {text}")
        if rewrites:
            parts.append(f"{rewrites:,} with a suggested rewrite")
        if errors:
            parts.append(f"{errors:,} unreadable")
        self.summary.setText(" · ".join(parts))
        if not cancelled:
            self.progress.setValue(self.progress.maximum())

    def cancel(self) -> None:
        """Stop screening after the current prompt; the results so far stay."""
        self._cancel.set()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(not self._running)
        self.format.setEnabled(not self._running)
        self.cancel_button.setEnabled(self._running)
        for button in self.export_buttons.values():
            button.setEnabled(not self._running and bool(self.model.rows))

    # --- details and export --------------------------------------------------------------

    def _on_current_changed(self, current, _previous) -> None:
        row = self.proxy.data(current, RowRole) if current.isValid() else None
        if row is None:
            for box in (self.prompt_text, self.rewrite_text, self.findings_text):
                box.clear()
            return
        if row.error is not None:
            self.prompt_text.setPlainText(row.error)
            self.rewrite_text.clear()
            self.findings_text.clear()
            return
        self.prompt_text.setPlainText(row.text)
        if row.hard_block:
            self.rewrite_text.setPlainText(row.message or "A hard line: no rewrite is offered.")
        else:
            self.rewrite_text.setPlainText(row.rewrite or ("Nothing to rewrite." if not row.findings else
                                                           row.message or "No automatic rewrite."))
        self.findings_text.setPlainText("\n".join(
            f"{f.get('text')} — {f.get('category')} ({f.get('severity')}): {f.get('message', '')}"
            for f in row.findings) or "No findings.")

    def _on_export_clicked(self) -> None:
        spawn(self._export_flow(self.sender().property("format")))

    async def _export_flow(self, fmt: str) -> None:
        stem = self.source.stem if self.source else "prompts"
        folder = self.source.parent if self.source else default_folder()
        target = await SaveFileDialog.ask(self, "Export the audit report", folder / f"{stem}-audit.{fmt}",
                                    REPORT_FORMATS[fmt])
        if target is not None:
            await self.export_report(target, fmt)

    async def export_report(self, target: Path, fmt: str | None = None) -> Path | None:
        """Write every row (not only the shown ones) as CSV or JSONL, off the GUI thread."""
        fmt = fmt or ("csv" if target.suffix.lower() == ".csv" else "jsonl")
        rows = list(self.model.rows)
        with messages.handle_user_errors("The report was not written"):
            written = await asyncio.get_event_loop().run_in_executor(audit_executor(), write_report, rows, fmt, target)
            messages.info(f"Audit report with {len(rows):,} rows written to {written}")
            return written
        return None

    # --- lifetime ------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.cancel()
        super().done(result)

    @classmethod
    def open_for(cls, ops=None, parent: QWidget | None = None) -> BatchAuditDialog:
        """Show a new, non-modal audit dialog (deleted when closed)."""
        dialog = cls(ops, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
