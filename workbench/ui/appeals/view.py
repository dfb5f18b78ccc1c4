"""The Appeals tab: the list of appeals, the composer, the packet preview, and export.

Edits are saved automatically after a short pause (and before every export), so nothing typed
is lost. The packet is built and exported on the history worker thread - Markdown, JSON, PDF
(through the Qt adapter `workbench.render.pdf`) or a ZIP bundle with the images - so the
window never waits on a slow disk or a large bundle.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.ui import messages
from workbench.ui.appeals.composer import STATUS_LABELS, AppealComposer
from workbench.ui.appeals.preview import PacketPreview, with_edits
from workbench.ui.history.background import HistoryWorker, spawn
from workbench.ui.history.dialogs import Confirm, SaveFileDialog, default_folder
from workbench.ui.history.model import short_time
from workbench.ui.lifetime import alive

SAVE_DELAY_MS = 600
EXPORT_FORMATS = {
    "md": ("Markdown…", "Markdown (*.md)"),
    "pdf": ("PDF…", "PDF (*.pdf)"),
    "json": ("JSON…", "JSON (*.json)"),
    "zip": ("ZIP bundle…", "ZIP bundle (*.zip)"),
}
EMPTY_TEXT = (
    "No appeals yet.\n\nWhen a request is blocked, choose “Add to appeal” on the result or select "
    "blocked requests in the History tab. The appeal collects the request IDs, the full error "
    "responses, the prompt and a reproduction summary; add your business context and export it."
)


def build_packet_job(store, appeal_id: int, redact: bool) -> dict:
    """Runs on the history worker: the packet of one appeal, from its saved state."""
    from workbench.core.appeal import AppealStore, build_packet

    return build_packet(store, AppealStore(store).get(appeal_id), redact_echoes_in_bodies=redact)


def export_job(store, appeal_id: int, fmt: str, target: Path, redact: bool) -> Path:
    """Runs on the history worker: build the packet and write it in one format."""
    from workbench.core.appeal import export_packet
    from workbench.render.pdf import write_pdf

    packet = build_packet_job(store, appeal_id, redact)
    return export_packet(store, packet, fmt, target, pdf_writer=write_pdf)


def open_conflicts(store) -> dict[int, tuple[str, int]]:
    """Appeal id → (gid, count) of the team conflicts not yet marked resolved (core/team/sync.py)."""
    rows = store.db.execute(
        "SELECT a.id, a.gid, count(*) FROM appeals a JOIN team_conflicts c ON c.appeal_gid = a.gid "
        "WHERE c.resolved = 0 GROUP BY a.id, a.gid").fetchall()
    return {int(i): (str(gid), int(n)) for i, gid, n in rows}


class AppealsView(QWidget):
    """Signals:
        show_request(int): the user wants to see a history request (main window: History tab).
        team_conflicts_requested(str): open Team sync's conflict list for this appeal (its gid).
    """

    show_request = Signal(int)
    team_conflicts_requested = Signal(str)

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setObjectName("appealsView")
        self.worker = HistoryWorker(ops.history.store)
        self._appeal = None  # the Appeal shown
        self._packet = None  # its packet as last built from history
        self._loaded = False
        self._stale = False
        self._packet_generation = 0
        self._pending_select: int | None = None
        self._dirty = False  # composer edits not yet written
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)

        self.status_filter = QComboBox(objectName="appealStatusFilter")
        self.status_filter.addItem("All appeals", None)
        for status, text in STATUS_LABELS.items():
            self.status_filter.addItem(text, status)
        self.appeal_list = QListWidget(objectName="appealList")
        self.appeal_list.setWordWrap(True)
        self.appeal_list.setSpacing(3)
        self.appeal_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.delete_button = QPushButton("Delete appeal…")
        self._conflicted: dict[int, tuple[str, int]] = {}  # appeal id → (gid, open team conflicts)
        self.conflict_button = QPushButton("Resolve team conflict…", objectName="appealConflictButton")
        self.conflict_button.setToolTip("Another machine edited this appeal too; see what was kept and mark it resolved")
        self.conflict_button.setVisible(False)

        self.composer = AppealComposer()
        self.preview = PacketPreview()
        self.redact = QCheckBox("Redact prompt echoes inside provider error bodies")
        self.redact.setToolTip("Some providers repeat the prompt inside the error; the prompt itself stays in the packet.")
        self.saved_label = QLabel("")
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        self.export_buttons: dict[str, QPushButton] = {}
        export_row = QHBoxLayout()
        export_row.addWidget(QLabel("Export:"))
        for fmt, (text, _filter) in EXPORT_FORMATS.items():
            button = QPushButton(text, objectName=f"export_{fmt}")
            self.export_buttons[fmt] = button
            export_row.addWidget(button)
        export_row.addStretch(1)
        export_row.addWidget(self.saved_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.status_filter)
        left_layout.addWidget(self.appeal_list, 1)
        left_layout.addWidget(self.conflict_button)
        left_layout.addWidget(self.delete_button)

        composer_area = QScrollArea()
        composer_area.setWidget(self.composer)
        composer_area.setWidgetResizable(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(self.redact)
        right_layout.addLayout(export_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="appealsSplitter")
        self.splitter.addWidget(composer_area)
        self.splitter.addWidget(right)
        self.splitter.setSizes([640, 560])  # the request table needs the room; the preview wraps

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(40)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)

        outer = QSplitter(Qt.Orientation.Horizontal, objectName="appealsOuterSplitter")
        outer.addWidget(left)
        outer.addWidget(self.stack)
        outer.setStretchFactor(1, 1)
        outer.setSizes([220, 1160])  # the list is short; the composer and preview need the room
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(outer)
        self._connect_signals()
        self._update_enabled()

    def _connect_signals(self) -> None:
        self.status_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.appeal_list.currentItemChanged.connect(self._on_current_changed)
        self.delete_button.clicked.connect(self._on_delete)
        self.conflict_button.clicked.connect(self._on_conflict_clicked)
        self.composer.edited.connect(self._on_edited)
        self.composer.status_chosen.connect(self.set_status)
        self.composer.remove_requested.connect(self.remove_requests)
        self.composer.open_request.connect(self.show_request)
        self._save_timer.timeout.connect(self.save)
        self.redact.toggled.connect(self._on_redact_toggled)
        for fmt, button in self.export_buttons.items():
            button.setProperty("format", fmt)
            button.clicked.connect(self._on_export_clicked)
        self.ops.appeals.changed.connect(self.select_appeal)
        self.ops.history.changed.connect(self._on_history_changed)
        self.destroyed.connect(self.worker.close)

    # --- the list ------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded or self._stale or self._pending_select is not None:
            select, self._pending_select = self._pending_select, None
            self.reload(select=select)

    def reload(self, select: int | None = None) -> None:
        """Read the appeals again (keeping or choosing the selected one)."""
        from workbench.core.appeal import AppealStore

        self._loaded, self._stale = True, False
        self.save()
        current = select if select is not None else (self._appeal.id if self._appeal else None)
        appeals = []
        with messages.handle_user_errors("Appeals could not be read"):
            appeals = AppealStore(self.ops.history.store()).list(self.status_filter.currentData())
        self._conflicted = {}
        with messages.handle_user_errors("Team conflicts could not be read"):
            self._conflicted = open_conflicts(self.ops.history.store())
        self.appeal_list.blockSignals(True)
        self.appeal_list.clear()
        for appeal in appeals:
            item = QListWidgetItem(self._marked_text(appeal))
            item.setData(Qt.ItemDataRole.UserRole, appeal.id)
            self.appeal_list.addItem(item)
        self.appeal_list.blockSignals(False)
        row = next((i for i, a in enumerate(appeals) if a.id == current), 0 if appeals else -1)
        if row >= 0:
            self.appeal_list.setCurrentRow(row)  # shows it (currentItemChanged)
        else:
            self._show(None)

    def _marked_text(self, appeal) -> str:
        """The list text, with a marker when a team sync left an unresolved conflict."""
        text = self._list_text(appeal)
        if appeal.id in self._conflicted:
            text += f"\n⚠ {self._conflicted[appeal.id][1]} team conflict(s) to review"
        return text

    def _on_conflict_clicked(self) -> None:
        if self._appeal is not None and self._appeal.id in self._conflicted:
            self.team_conflicts_requested.emit(self._conflicted[self._appeal.id][0])

    @staticmethod
    def _list_text(appeal) -> str:
        title = appeal.title or "Untitled appeal"
        ticket = f" · ticket {appeal.ticket}" if appeal.ticket else ""
        return (f"#{appeal.id} · {title}\n{STATUS_LABELS.get(appeal.status, appeal.status)} · "
                f"{len(appeal.request_ids)} request(s){ticket} · {short_time(appeal.updated_at, seconds=False)}")

    def select_appeal(self, appeal_id: int) -> None:
        """Show this appeal (after "Add to appeal" elsewhere); reloads the list."""
        if self.status_filter.currentIndex() != 0:
            self.status_filter.blockSignals(True)
            self.status_filter.setCurrentIndex(0)
            self.status_filter.blockSignals(False)
        if self.isVisible():
            self.reload(select=appeal_id)
        else:
            self._pending_select = appeal_id  # shown when the tab is opened

    def _on_filter_changed(self, _index: int) -> None:
        self.reload()

    def _on_redact_toggled(self, _on: bool) -> None:
        self._rebuild_packet()

    def _on_current_changed(self, current, _previous) -> None:
        self.save()
        appeal_id = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        appeal = None
        if appeal_id is not None:
            from workbench.core.appeal import AppealStore

            with messages.handle_user_errors("The appeal could not be read"):
                appeal = AppealStore(self.ops.history.store()).get(appeal_id)
        self._show(appeal)

    def _show(self, appeal) -> None:
        from workbench.core.store import HistoryFilter

        self._appeal = appeal
        self._packet = None
        self._dirty = False
        self._save_timer.stop()
        self.stack.setCurrentIndex(1 if appeal is not None else 0)
        if appeal is not None:
            summaries = []
            with messages.handle_user_errors("History could not be read"):
                page = self.ops.history.store().search("", HistoryFilter(ids=tuple(appeal.request_ids)),
                                               limit=max(1, len(appeal.request_ids)))
                order = {rid: n for n, rid in enumerate(appeal.request_ids)}
                summaries = sorted(page.rows, key=lambda s: order.get(s.id, 0))
            self.composer.load(appeal, summaries)
            self.saved_label.setText("")
            self._rebuild_packet()
        else:
            self.preview.show_packet(None)
        self._update_enabled()

    def _update_enabled(self) -> None:
        has = self._appeal is not None
        self.delete_button.setEnabled(has)
        self.conflict_button.setVisible(has and self._appeal.id in self._conflicted)
        for button in self.export_buttons.values():
            button.setEnabled(has)

    def _on_history_changed(self) -> None:
        if self.isVisible():
            self._rebuild_packet()  # reproduction counts may have changed
        else:
            self._stale = True

    # --- editing -------------------------------------------------------------------------

    def _on_edited(self) -> None:
        self.saved_label.setText("Editing…")
        self._dirty = True
        self._save_timer.start()
        if self._packet is not None:
            self.preview.show_packet(with_edits(self._packet, self.composer.fields()))

    def save(self) -> bool:
        """Write pending edits of the shown appeal now. False if they could not be saved."""
        if not self._dirty or self._appeal is None:
            return True
        from workbench.core.appeal import AppealStore

        self._save_timer.stop()
        self._dirty = False
        with messages.handle_user_errors("The appeal was not saved"):
            self._appeal = AppealStore(self.ops.history.store()).update(self._appeal.id, **self.composer.fields())
            self.saved_label.setText("Saved")
            self._refresh_list_item()
            return True
        return False

    def set_status(self, status: str) -> None:
        """Move the shown appeal to draft/submitted/resolved/rejected."""
        from workbench.core.appeal import AppealStore

        if self._appeal is None:
            return
        self.save()
        with messages.handle_user_errors("The status was not changed"):
            self._appeal = AppealStore(self.ops.history.store()).set_status(self._appeal.id, status)
        self.composer.set_status(self._appeal.status)
        self._refresh_list_item()
        self._rebuild_packet()

    def remove_requests(self, ids: list[int]) -> None:
        from workbench.core.appeal import AppealStore

        if self._appeal is None:
            return
        self.save()
        with messages.handle_user_errors("The requests were not removed"):
            AppealStore(self.ops.history.store()).remove_requests(self._appeal.id, ids)
        self.reload(select=self._appeal.id)

    def _refresh_list_item(self) -> None:
        for row in range(self.appeal_list.count()):
            item = self.appeal_list.item(row)
            if self._appeal is not None and item.data(Qt.ItemDataRole.UserRole) == self._appeal.id:
                item.setText(self._marked_text(self._appeal))

    @asyncSlot()
    async def _on_delete(self) -> None:
        if self._appeal is None:
            return
        if not await Confirm.ask(self, "Delete appeal", f"Delete appeal #{self._appeal.id}? The requests stay in history."):
            return
        self.delete_appeal(self._appeal.id)

    def delete_appeal(self, appeal_id: int) -> None:
        from workbench.core.appeal import AppealStore

        self._save_timer.stop()
        self._dirty = False
        with messages.handle_user_errors("The appeal was not deleted"):
            AppealStore(self.ops.history.store()).delete(appeal_id)
        self._appeal = None
        self.reload()

    # --- packet --------------------------------------------------------------------------

    @asyncSlot()
    async def _rebuild_packet(self) -> None:
        await self.rebuild_packet()

    async def rebuild_packet(self) -> dict | None:
        """Build the shown appeal's packet on the worker thread and preview it."""
        if self._appeal is None:
            return None
        self.save()
        self._packet_generation += 1
        generation, appeal_id = self._packet_generation, self._appeal.id
        packet = None
        with messages.handle_user_errors("The packet could not be built"):
            packet = await self.worker.run(build_packet_job, appeal_id, self.redact.isChecked())
        if generation != self._packet_generation or self._appeal is None:
            return None  # a newer build is on its way
        if not alive(self, self.preview, self.composer):
            return None  # the tab was closed while the packet was being built
        self._packet = packet
        self.preview.show_packet(with_edits(packet, self.composer.fields()) if packet else None)
        return packet

    def _on_export_clicked(self) -> None:
        spawn(self._export_flow(self.sender().property("format")))

    async def _export_flow(self, fmt: str) -> None:
        if self._appeal is None:
            return
        text, file_filter = EXPORT_FORMATS[fmt]
        suggested = default_folder() / f"appeal-{self._appeal.id}.{fmt}"
        target = await SaveFileDialog.ask(self, f"Export appeal #{self._appeal.id} as {text.rstrip('…')}",
                                    suggested, file_filter)
        if target is not None:
            await self.export(fmt, target)

    async def export(self, fmt: str, target: Path) -> Path | None:
        """Save edits, then write the packet (md, json, pdf or zip) on the worker thread."""
        if self._appeal is None or not self.save():
            return None
        if not target.suffix:
            target = target.with_suffix("." + fmt)
        button = self.export_buttons[fmt]
        button.setEnabled(False)
        try:
            with messages.handle_user_errors("The appeal was not exported"):
                written = await self.worker.run(export_job, self._appeal.id, fmt, target, self.redact.isChecked())
                missing = self.preview.missing()
                note = f" (still missing: {', '.join(m.replace('_', ' ') for m in missing)})" if missing else ""
                messages.info(f"Appeal #{self._appeal.id} exported to {written}{note}")
                return written
            return None
        finally:
            button.setEnabled(self._appeal is not None)
