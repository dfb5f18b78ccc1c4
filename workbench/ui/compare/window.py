"""Compare across models and providers: an X/Y grid of prompts (rows) × profile·model (columns).

Non-modal. Rows are the prompt and its rewrites (one per line in the rewrites box, or the
desensitized prompt with one click); columns are the checked profiles × the models typed.
Cells fill in as requests finish (outcome, stage, categories, latency, cost and a thumbnail);
every cell is a history row; Cancel stops what is still running. The run is a coroutine on the
qasync loop and thumbnails are decoded off the GUI thread.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.api.records import ImageParams
from workbench.core.errors import UserFacingError
from workbench.ui import messages
from workbench.ui.lifetime import alive

THUMB = 96
OUTCOME_LABELS = {"ok": "OK", "blocked_input": "Blocked (input)", "blocked_output": "Blocked (output)"}
OUTCOME_COLOURS = {"ok": QColor(46, 160, 67, 60), "blocked_input": QColor(218, 54, 51, 60),
                   "blocked_output": QColor(218, 54, 51, 60)}


class CompareWindow(QDialog):
    def __init__(self, ops, prompt: str = "", *, params: ImageParams | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareWindow")
        self.setWindowTitle("Compare across models")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1100, 720)
        self.ops = ops
        self.params = params or ImageParams(quality="low")
        self.grid = None
        self._task: asyncio.Task | None = None

        self.prompt = QPlainTextEdit(prompt, objectName="comparePrompt")
        self.prompt.setMaximumHeight(64)
        self.rewrites = QPlainTextEdit(objectName="compareRewrites",
                                       placeholderText="Rewrites to compare, one per line (optional)")
        self.rewrites.setMaximumHeight(64)
        self.desensitize_button = QPushButton("Add desensitized rewrite", objectName="compareDesensitize")
        self.profiles = QListWidget(objectName="compareProfiles")
        self.profiles.setMaximumHeight(56)
        self.profiles.setFlow(QListWidget.Flow.LeftToRight)
        for name in (p.name for p in ops.profiles.profiles()):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            active = name == ops.profiles.active_profile_name()
            item.setCheckState(Qt.CheckState.Checked if active else Qt.CheckState.Unchecked)
            self.profiles.addItem(item)
        self.models = QLineEdit("gpt-image-1, gpt-image-1-mini, gpt-image-2", objectName="compareModels")
        self.concurrency = QSpinBox(objectName="compareConcurrency", minimum=1, maximum=8, value=2)
        self.run_button = QPushButton("Run", objectName="compareRun")
        self.cancel_button = QPushButton("Cancel", objectName="compareCancel", enabled=False)
        self.status = QLabel("Every cell is a real request (quality low), recorded in history.",
                             objectName="compareStatus", wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.table = QTableWidget(objectName="compareGrid")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(220)

        form = QFormLayout()
        form.addRow("Prompt", self.prompt)
        rewrites = QHBoxLayout()
        rewrites.addWidget(self.rewrites, 1)
        rewrites.addWidget(self.desensitize_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("Rewrites", rewrites)
        form.addRow("Profiles", self.profiles)
        form.addRow("Models", self.models)
        form.addRow("In flight per provider", self.concurrency)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

        self.desensitize_button.clicked.connect(self._add_desensitized)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)

    # --- inputs ---------------------------------------------------------------------------

    def prompts(self) -> list[str]:
        first = self.prompt.toPlainText().strip()
        rest = [line.strip() for line in self.rewrites.toPlainText().splitlines() if line.strip()]
        return [first] + rest if first else []

    def targets(self) -> list:
        from workbench.core.compare.grid import Target

        models = [m.strip() for m in self.models.text().replace(";", ",").split(",") if m.strip()]
        names = [self.profiles.item(i).text() for i in range(self.profiles.count())
                 if self.profiles.item(i).checkState() == Qt.CheckState.Checked]
        return [Target(name, model) for name in names for model in models]

    def _add_desensitized(self) -> None:
        text = self.prompt.toPlainText().strip()
        if not text:
            return
        result = self.ops.rewriting.desensitize(text)
        if result is None or result.hard_block or result.rewritten == text:
            messages.info((result.message if result is not None else "") or "Desensitize offers no rewrite here.")
            return
        self.rewrites.appendPlainText(result.rewritten)

    # --- run ------------------------------------------------------------------------------

    def run(self) -> None:
        if self._task is not None and not self._task.done():
            return
        prompts, targets = self.prompts(), self.targets()
        if not prompts or not targets:
            self.status.setText("Write a prompt, check at least one profile and name at least one model.")
            return
        self._layout_grid(prompts, targets)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Running {len(prompts) * len(targets)} requests…")
        self._task = asyncio.ensure_future(self._run(prompts, targets))

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _run(self, prompts: list[str], targets: list) -> None:
        from workbench.core.compare.grid import run_grid

        clients = {}
        for name in {t.profile for t in targets}:
            client = await self.ops.profiles.client_for(name)
            if not alive(self):
                return
            if client is None:
                self._done("A profile could not be used; nothing was sent.")
                return
            clients[name] = client
        try:
            self.grid = await run_grid(prompts, targets, clients, params=self.params,
                                       concurrency=self.concurrency.value(), on_cell=self._on_cell)
        except UserFacingError as exc:
            if alive(self):
                self._done(exc.user_message)
            return
        except asyncio.CancelledError:
            if alive(self):
                self._done("Cancelled; finished cells are kept in history.")
            return
        finally:
            self.ops.history.changed.emit()
        if alive(self):
            s = self.grid.summary()
            self._done(f"{s['cells']} cells: {s['ok']} ok, {s['blocked']} blocked, {s['other']} other · "
                       f"${s['cost']:.4f} actual, ${s['estimated_cost']:.4f} estimated")

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    # --- grid -----------------------------------------------------------------------------

    def _layout_grid(self, prompts: list[str], targets: list) -> None:
        self.table.clear()
        self.table.setRowCount(len(prompts))
        self.table.setColumnCount(len(targets))
        self.table.setHorizontalHeaderLabels([t.label for t in targets])
        self.table.setVerticalHeaderLabels(["Prompt" if r == 0 else f"Rewrite {r}" for r in range(len(prompts))])
        for r, prompt in enumerate(prompts):
            self.table.verticalHeaderItem(r).setToolTip(prompt)
            for c in range(len(targets)):
                self.table.setItem(r, c, QTableWidgetItem("waiting…"))
        for r in range(len(prompts)):
            self.table.setRowHeight(r, THUMB + 40)

    def _on_cell(self, cell) -> None:
        if not alive(self):
            return
        cats = f"\n{', '.join(cell.categories)}" if cell.categories else ""
        cost = "cost n/a" if cell.cost is None else f"${cell.cost:.4f}"
        item = QTableWidgetItem(f"{OUTCOME_LABELS.get(cell.outcome, cell.outcome)}{cats}\n"
                                f"{cell.latency_ms or 0:.0f} ms · {cost}\nhistory #{cell.history_id}")
        item.setToolTip(cell.message or cell.prompt)
        item.setData(Qt.ItemDataRole.UserRole, cell.history_id)
        if cell.outcome in OUTCOME_COLOURS:
            item.setBackground(OUTCOME_COLOURS[cell.outcome])
        self.table.setItem(cell.row, cell.column, item)
        if cell.images:
            asyncio.ensure_future(self._thumbnail(cell, item))

    async def _thumbnail(self, cell, item: QTableWidgetItem) -> None:
        for gallery_item in self.ops.history.gallery_items(cell.history_id)[:1]:
            image = await self.ops.images.load_image(gallery_item.source, THUMB)
            if alive(self) and self.table.item(cell.row, cell.column) is item and not image.isNull():
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)
