"""The History tab: search and filters, the request table, the details pane, and actions.

Actions: restore a request's prompt and settings in the editor (a signal the main window
wires), add requests to an appeal, import error bodies and logs, export requests as JSONL/CSV,
back up and purge history.
Page queries and single-request reads run on the GUI thread (they take about a millisecond);
exports, backups and purges run on the history worker thread so the window never stalls.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.ui import messages
from workbench.ui.history.background import HistoryWorker
from workbench.ui.history.details import HistoryDetails
from workbench.ui.history.dialogs import SaveFileDialog, default_folder
from workbench.ui.history.filters import HistoryFilterBar
from workbench.ui.history.model import COLUMN_KEYS, HistoryTableModel
from workbench.ui.history.purge_dialog import PurgeDialog
from workbench.ui.lifetime import alive
from workbench.ui.widgets.empty_state import EmptyState
from workbench.ui.widgets.readable_column import keep_readable

RELOAD_DEBOUNCE_MS = 300
COLUMN_WIDTHS = {"created": 112, "outcome": 110, "categories": 100, "model": 112,
                 "profile": 72, "request_id": 104, "cost": 56, "review": 70}
PROMPT_MIN_CHARS = 40  # below this the table scrolls sideways instead of squeezing the prompt
ROW_THUMB = QSize(40, 26)  # a row's image, beside its prompt


class HistoryView(QWidget):
    """Signals:
        restore_requested(object): put this `HistoryEntry`'s prompt and settings back in the editor.
        selection_changed(object): the shown `HistoryEntry` (or None).
    """

    restore_requested = Signal(object)
    selection_changed = Signal(object)

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setObjectName("historyView")
        self.worker = HistoryWorker(ops.history.store)
        self._loaded = False
        self._stale = False
        self._reload_timer = QTimer(self, singleShot=True, interval=RELOAD_DEBOUNCE_MS)

        self.filters = HistoryFilterBar()
        self.model = HistoryTableModel(ops.history.store, self)
        self.table = QTableView(objectName="historyTable")
        self.table.setModel(self.model)
        self._configure_table()
        self.details = HistoryDetails(store_getter=ops.history.store)
        self._complete_dialog = None

        self.count_label = QLabel("")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.restore_button = QPushButton("Restore prompt && settings")
        self.restore_button.setToolTip("Put this request's prompt and settings back in the editor")
        self.appeal_button = QPushButton("Add to appeal…")
        self.appeal_button.setToolTip("Collect the selected blocked requests in an appeal packet")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the selected requests (or all matching ones) as JSONL or CSV")
        self.import_button = QPushButton("Import errors…")
        self.import_button.setToolTip("Paste an error body, or import a JSONL/CSV log from OpenAI, Azure or fal.ai")
        self._import_dialog = None
        self.maintenance_button = QToolButton(text="Maintenance")
        self.maintenance_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.maintenance_button)
        self.backup_action = menu.addAction("Back up history…")
        self.purge_action = menu.addAction("Purge requests…")
        self.maintenance_button.setMenu(menu)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="historySplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([880, 400])

        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        for widget in (self.restore_button, self.appeal_button, self.import_button, self.export_button,
                       self.maintenance_button):
            actions.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)
        self._update_actions()
        self._connect_signals()

    def _configure_table(self) -> None:
        t = self.table
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.setShowGrid(False)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        row_height = max(t.fontMetrics().height() + 8, ROW_THUMB.height() + 4)
        t.verticalHeader().setDefaultSectionSize(row_height)
        t.setIconSize(ROW_THUMB)
        header = t.horizontalHeader()
        header.setHighlightSections(False)
        for column, key in enumerate(COLUMN_KEYS):
            if key != "prompt":
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                t.setColumnWidth(column, COLUMN_WIDTHS.get(key, 100))
        # Wide enough for "2026-12-07 09:47" in this font (elided, a time is unreadable).
        t.setColumnWidth(COLUMN_KEYS.index("created"),
                         max(COLUMN_WIDTHS["created"], t.fontMetrics().horizontalAdvance("2026-12-07 09:47 ") + 16))
        self.prompt_column = keep_readable(t, COLUMN_KEYS.index("prompt"), PROMPT_MIN_CHARS)
        self.empty_state = EmptyState(t, self._empty_text)

    def _empty_text(self) -> str:
        if not self._loaded:
            return ""  # not searched yet (the store is opened when the tab is first shown)
        if self.model.total() is None:
            return "History could not be read (see the message shown)."
        if self.filters.is_filtered():
            return "No request matches this search and these filters. Change them, or press Clear filters."
        return ("No requests yet. Write a prompt in the Editor and press Generate (the built-in Sandbox "
                "is free and needs no key), or bring in blocked requests from production with "
                "Import errors… (Ctrl+I).")

    def _connect_signals(self) -> None:
        self.filters.changed.connect(self.apply_search)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.thumbnail_needed.connect(self._on_thumbnail_needed)
        self.details.navigate_requested.connect(self.show_request)
        self.details.reviewed.connect(self._on_reviewed)
        self.details.complete_requested.connect(self.show_complete_dialog)
        self.restore_button.clicked.connect(self._on_restore)
        self.appeal_button.clicked.connect(self._on_add_to_appeal)
        self.export_button.clicked.connect(self._on_export)
        self.import_button.clicked.connect(self.show_import_dialog)
        self.backup_action.triggered.connect(self._on_backup)
        self.purge_action.triggered.connect(self._on_purge)
        self._reload_timer.timeout.connect(self._reload_if_visible)
        self.ops.history.changed.connect(self._reload_timer.start)
        QShortcut(QKeySequence.StandardKey.Find, self, self.filters.search.setFocus,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.destroyed.connect(self.worker.close)

    # --- loading -------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded or self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Run the current search again (keeps the selected request selected if still there)."""
        self._loaded, self._stale = True, False
        current = self.details.entry.id if self.details.entry is not None else None
        self.model.set_search(self.filters.search_text(), self.filters.history_filter())
        self.filters.offer_values(profiles=self._profile_names() + self.model.seen_values("profile"),
                                  models=self.model.seen_values("model"),
                                  categories=self.model.seen_values("categories"))
        row = self.model.row_of(current) if current is not None else None
        if row is not None:
            self.select_row(row)
        elif self.model.rowCount():
            self.select_row(0)
        else:
            self._show(None)

    def apply_search(self) -> None:
        """The filters changed: search again, newest first, selecting the first match."""
        self._loaded, self._stale = True, False
        self.model.set_search(self.filters.search_text(), self.filters.history_filter())
        if self.model.rowCount():
            self.select_row(0)
        else:
            self._show(None)

    @asyncSlot(int, str)
    async def _on_thumbnail_needed(self, history_id: int, path: str) -> None:
        """Decode a row's thumbnail on the worker threads (never on the GUI thread)."""
        image = await self.ops.images.load_image(path, max(ROW_THUMB.width(), ROW_THUMB.height()) * 2)
        if alive(self, self.model) and not image.isNull():
            pixmap = QPixmap.fromImage(image).scaled(ROW_THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation)
            self.model.set_thumbnail(history_id, pixmap)

    def _reload_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _profile_names(self) -> list[str]:
        try:
            return [p.name for p in self.ops.profiles.profiles()]
        except Exception:  # settings trouble is reported by the settings screen, not here
            return []

    def _on_reviewed(self, entry) -> None:
        """Update the reviewed row and the counts in place (no reload of the table)."""
        import dataclasses

        row = self.model.row_of(entry.id)
        if row is not None:
            self.model.update_row(dataclasses.replace(self.model.summary(row), review_state=entry.review_state))
        self._show_review_counts()

    def _show_review_counts(self) -> None:
        from workbench.core.store.reviews import review_counts

        with messages.handle_user_errors("The review counts could not be read"):
            self.filters.show_review_counts(review_counts(self.ops.history.store()))

    def show_complete_dialog(self, history_id: int):
        """Open "Complete entry…" for an imported request, non-modally (.open(), never exec)."""
        from workbench.ui.history.import_dialog import CompleteEntryDialog

        if self._complete_dialog is None:
            self._complete_dialog = CompleteEntryDialog(self.worker, self)
            self._complete_dialog.changed.connect(self._on_entry_completed)
        self._complete_dialog.load(history_id)
        self._complete_dialog.open()
        return self._complete_dialog

    def _on_entry_completed(self, history_id: int) -> None:
        self.ops.history.changed.emit()
        if self.details.entry is not None and self.details.entry.id == history_id:
            self.show_request(history_id, select=False)

    def _update_count(self) -> None:
        total = self.model.total()
        if total is None:
            self.count_label.setText("History could not be read.")
        elif self.filters.is_filtered():
            self.count_label.setText(f"{total:,} matching request(s)")
        else:
            self.count_label.setText(f"{total:,} request(s) in history")
        if total is not None:
            self._show_review_counts()

    # --- selection -----------------------------------------------------------------------

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.summary(r).id for r in rows if self.model.summary(r) is not None]

    def _on_selection_changed(self, *_args) -> None:
        ids = self.selected_ids()
        current = self.table.selectionModel().currentIndex()
        summary = self.model.summary(current.row()) if current.isValid() else None
        if summary is not None and summary.id in ids:
            self.show_request(summary.id, select=False)
        elif ids:
            self.show_request(ids[0], select=False)
        else:
            self._show(None)

    def show_request(self, history_id: int, select: bool = True) -> None:
        """Show one request's details (and select its row if it is loaded)."""
        if select:
            row = self.model.row_of(history_id)
            if row is not None:
                self.select_row(row)
                return
        entry, lineage = None, []
        with messages.handle_user_errors("The request could not be read"):
            store = self.ops.history.store()
            entry = store.get(history_id)
            lineage = store.lineage(history_id)
        self._show(entry, lineage)

    def _show(self, entry, lineage=()) -> None:
        self.details.show_entry(entry, list(lineage))
        self._update_actions()
        self.selection_changed.emit(entry)

    def _update_actions(self) -> None:
        has_entry = self.details.entry is not None
        self.restore_button.setEnabled(has_entry and bool(self.details.entry.prompt))
        self.appeal_button.setEnabled(bool(self.selected_ids()) or has_entry)

    def _action_ids(self) -> list[int]:
        ids = self.selected_ids()
        if not ids and self.details.entry is not None:
            ids = [self.details.entry.id]
        return ids

    # --- actions -------------------------------------------------------------------------

    def _on_restore(self) -> None:
        if self.details.entry is not None:
            self.restore_requested.emit(self.details.entry)

    @asyncSlot()
    async def _on_add_to_appeal(self) -> None:
        from workbench.ui.generate.appeal_dialog import AppealChoiceDialog

        ids = self._action_ids()
        if not ids:
            return
        choice = await AppealChoiceDialog.ask(self.ops.appeals.draft_appeals(), self)
        if choice is None:
            return
        self.add_to_appeal(ids, None if choice == "new" else int(choice))

    def add_to_appeal(self, ids: list[int], appeal_id: int | None = None):
        """Add requests to an appeal (a new draft when `appeal_id` is None); the appeal or None."""
        return self.ops.appeals.add_to_appeal(list(ids), appeal_id)

    def show_import_dialog(self):
        """Open (or raise) the non-modal "Import errors and logs" dialog."""
        from workbench.ui.history.import_dialog import ImportDialog

        if self._import_dialog is None:
            self._import_dialog = ImportDialog(self.worker, self)
            self._import_dialog.imported.connect(self._on_imported)
        self._import_dialog.show()
        self._import_dialog.raise_()
        self._import_dialog.activateWindow()
        return self._import_dialog

    def _on_imported(self, ids: list) -> None:
        """Requests were imported (on the worker's connection): reload and show the first one."""
        self.ops.history.changed.emit()  # other tabs reload; this one reloads now, not debounced
        self._reload_timer.stop()  # its later refresh would move off an imported row not on the first page
        self.refresh()
        self.show_request(int(ids[0]))

    @asyncSlot()
    async def _on_export(self) -> None:
        from workbench.ui.history.export import FORMATS

        ids = self.selected_ids()
        what = f"{len(ids)} selected request(s)" if len(ids) > 1 else "matching requests"
        target = await SaveFileDialog.ask(self, f"Export {what}", default_folder() / "history.jsonl",
                                    ";;".join(FORMATS.values()))
        if target is None:
            return
        await self.export_to(target, ids if len(ids) > 1 else None)

    async def export_to(self, target: Path, ids: list[int] | None = None) -> int | None:
        """Export these requests (None: all matching the search) to a .jsonl or .csv file."""
        from workbench.ui.history.export import export_requests, matching_ids

        fmt = "csv" if target.suffix.lower() == ".csv" else "jsonl"
        query, flt = self.model.query, self.model.history_filter

        def job(store):
            chosen = ids if ids is not None else matching_ids(store, query, flt)
            return export_requests(store, chosen, fmt, target)

        self.export_button.setEnabled(False)
        try:
            with messages.handle_user_errors("The export failed"):
                count = await self.worker.run(job)
                messages.info(f"Exported {count} request(s) to {target}")
                return count
            return None
        finally:
            self.export_button.setEnabled(True)

    @asyncSlot()
    async def _on_backup(self) -> None:
        from workbench.core.store.timestamps import utc_now

        stamp = utc_now()[:19].replace(":", "").replace("-", "").replace("T", "-")
        target = await SaveFileDialog.ask(self, "Back up history", default_folder() / f"history-backup-{stamp}.db",
                                    "SQLite database (*.db)")
        if target is not None:
            await self.backup_to(target)

    async def backup_to(self, target: Path) -> Path | None:
        """Copy the history database (consistent while in use) on the worker thread."""
        self.maintenance_button.setEnabled(False)
        try:
            with messages.handle_user_errors("The backup failed"):
                written = await self.worker.run(lambda store: store.backup(target))
                messages.info(f"History backed up to {written}")
                return written
            return None
        finally:
            self.maintenance_button.setEnabled(True)

    @asyncSlot()
    async def _on_purge(self) -> None:
        choice = await PurgeDialog.ask(self._purge_count, self._filter_description(), self)
        if choice is not None:
            await self.purge(choice)

    def _purge_job(self, choice, dry_run: bool):
        """`fn(store) -> count` deleting (or counting) what a PurgeChoice names."""
        from workbench.core.store.models import HistoryFilter
        from workbench.ui.history.export import matching_ids

        include = choice.include_appealed
        if choice.older_than_days is not None:
            hours = choice.older_than_days * 24.0
            return lambda store: store.purge(None, older_than_hours=hours, include_appealed=include, dry_run=dry_run)
        query, flt = self.model.query, self.model.history_filter or HistoryFilter()

        def job(store) -> int:
            if not query:
                return store.purge(flt, include_appealed=include, dry_run=dry_run, everything=False) \
                    if _filtered(flt) else 0
            # purge filters by fields, not full text: name the matching requests, a chunk at a time
            ids = matching_ids(store, query, flt)
            return sum(store.purge(HistoryFilter(ids=tuple(ids[i:i + 500])), include_appealed=include,
                                   dry_run=dry_run) for i in range(0, len(ids), 500))

        return job

    def _purge_count(self, choice) -> int:
        with messages.handle_user_errors("History could not be read"):
            return self._purge_job(choice, dry_run=True)(self.ops.history.store())
        return 0

    async def purge(self, choice) -> int | None:
        """Delete what a PurgeChoice names (on the worker thread), then reload."""
        job = self._purge_job(choice, dry_run=False)
        self.maintenance_button.setEnabled(False)
        try:
            with messages.handle_user_errors("The purge failed"):
                deleted = await self.worker.run(job)
                messages.info(f"Deleted {deleted} request(s) from history.")
                self.ops.history.changed.emit()
                self.refresh()
                return deleted
            return None
        finally:
            self.maintenance_button.setEnabled(True)

    def _filter_description(self) -> str:
        if not self.filters.is_filtered():
            return ""
        total = self.model.total()
        words = []
        if self.filters.search_text():
            words.append(f"“{self.filters.search_text()}”")
        for combo in (self.filters.outcome, self.filters.category, self.filters.stage,
                      self.filters.profile, self.filters.model):
            if combo.currentIndex() > 0 or (combo.isEditable() and combo.currentText() != combo.itemText(0)):
                words.append(combo.currentText())
        if self.filters.since.iso() or self.filters.until.iso():
            words.append(f"{self.filters.since.iso() or '…'} to {self.filters.until.iso() or '…'}")
        return ", ".join(words) + (f" ({total:,})" if total is not None else "")

    async def wait_idle(self) -> None:
        """Let pending thumbnail loads finish (tests, screenshots)."""
        tasks = list(self.details._tasks)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


def _filtered(flt) -> bool:
    """Whether a HistoryFilter restricts anything (an empty one must never purge everything)."""
    return bool(flt.outcomes or flt.category or flt.stage or flt.profile or flt.model or flt.since
                or flt.until or flt.source or flt.request_id or flt.ids)
