"""Find the trigger: a non-modal window that narrows a prompt to what triggers a block.

It shows the plan (estimated cost per image probe, worst case) before anything is sent, runs
`core.trigger.run.find_trigger` on the qasync loop with a live list of probes, can be
cancelled at any point, and shows the result as highlighted spans. "Show in editor" marks the
spans in the prompt editor; "Add to appeal" puts the request (with this run as reproduction
evidence) into a draft appeal.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.core.api.records import ImageParams
from workbench.core.errors import UserFacingError
from workbench.ui import messages
from workbench.ui.lifetime import alive

MODES = (("auto", "Moderation first, then image probes within the budget"),
         ("moderation", "Moderation only (free)"),
         ("image", "Image probes only (billed, within the budget)"))
SPAN_COLOUR = QColor(255, 170, 0, 110)


class TriggerDialog(QDialog):
    """Signals:
        show_in_editor(str, list): the prompt and the trigger spans [(start, end), …].
    """

    show_in_editor = Signal(str, list)

    def __init__(self, ops, prompt: str, *, parent_id: int | None = None, params: ImageParams | None = None,
                 profile_name: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triggerDialog")
        self.setWindowTitle("Find the trigger")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 560)
        self.ops, self.prompt, self.parent_id = ops, prompt, parent_id
        self.params = params or ImageParams()
        self.profile_name = profile_name or ops.profiles.active_profile_name()
        self.result = None
        self._task: asyncio.Task | None = None

        self.text = QPlainTextEdit(prompt, readOnly=True, objectName="triggerPrompt")
        self.mode = QComboBox(objectName="triggerMode")
        for key, label in MODES:
            self.mode.addItem(label, key)
        self.budget = QDoubleSpinBox(objectName="triggerBudget", decimals=2, maximum=100.0, singleStep=0.05,
                                     prefix="$ ", value=0.10)
        self.plan = QLabel(objectName="triggerPlan", wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.probes = QListWidget(objectName="triggerProbes")
        self.status = QLabel("Moderation probes are free; image probes are billed and stop at the budget.",
                             objectName="triggerStatus", wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.start_button = QPushButton("Start", objectName="triggerStart")
        self.cancel_button = QPushButton("Cancel", objectName="triggerCancel", enabled=False)
        self.editor_button = QPushButton("Show in editor", objectName="triggerShow", enabled=False)
        self.appeal_button = QPushButton("Add to appeal", objectName="triggerAppeal", enabled=False)
        close = QPushButton("Close")

        form = QFormLayout()
        form.addRow("Probe with", self.mode)
        form.addRow("Spending cap", self.budget)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.cancel_button, self.editor_button, self.appeal_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 3)
        layout.addLayout(form)
        layout.addWidget(self.plan)
        layout.addWidget(QLabel("Probes (each one is recorded in History):"))
        layout.addWidget(self.probes, 2)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.mode.currentIndexChanged.connect(self._update_plan)
        self.budget.valueChanged.connect(self._update_plan)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.editor_button.clicked.connect(self._show_in_editor)
        self.appeal_button.clicked.connect(self._add_to_appeal)
        close.clicked.connect(self.close)
        self._update_plan()

    # --- plan and run ---------------------------------------------------------------------

    def _update_plan(self) -> None:
        from workbench.core.trigger.run import plan

        mode = self.mode.currentData()
        self.budget.setEnabled(mode != "moderation")
        p = plan(self.prompt, self.params, self.budget.value())
        if mode == "moderation":
            text = f"{p.clauses} clauses; up to about {p.max_probes} free Moderations probes."
        elif p.per_probe is None:
            text = f"No price for {self.params.model}: image probes cannot be budgeted."
        else:
            text = (f"{p.clauses} clauses; image probes at quality low, n=1: about ${p.per_probe:.4f} each, "
                    f"up to {p.max_probes} probes (${p.worst_case:.4f}). The run stops before passing "
                    f"${self.budget.value():.2f}.")
            if mode == "auto":
                text = "Moderation probes first (free). If they do not reproduce the block: " + text
        self.plan.setText(text)

    def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self.probes.clear()
        self._mark([])
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("Probing…")
        self._task = asyncio.ensure_future(self._run())

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _run(self) -> None:
        from workbench.core.trigger.run import find_trigger

        client = await self.ops.profiles.client_for(self.profile_name)
        if not alive(self):
            return
        if client is None:
            self._finished(None)
            return
        try:
            result = await find_trigger(
                self.prompt, client, store=self.ops.history.store(), parent_id=self.parent_id, params=self.params,
                mode=self.mode.currentData(), budget=self.budget.value(), on_probe=self._on_probe)
        except UserFacingError as exc:
            messages.error(exc.user_message)
            result = None
        self.ops.history.changed.emit()
        if alive(self):
            self._finished(result)

    def _on_probe(self, probe) -> None:
        if not alive(self):
            return
        verdict = "triggers" if probe.triggered else "passes"
        cost = f" · ${probe.cost:.4f}" if probe.cost else ""
        row = f"{self.probes.count() + 1}. {probe.kind} {verdict}{cost} · #{probe.history_id}: {probe.text[:120]}"
        self.probes.addItem(row)
        self.probes.scrollToBottom()

    def _finished(self, result) -> None:
        self.result = result
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if result is None:
            self.status.setText("Not run.")
            return
        self.status.setText(f"{result.message}  (spent ${result.spent:.4f})")
        self._mark(result.spans if result.status != "not_reproduced" else [])
        found = bool(result.spans) and result.status != "not_reproduced"
        self.editor_button.setEnabled(found)
        self.appeal_button.setEnabled(found and self.parent_id is not None)

    # --- result ---------------------------------------------------------------------------

    def _mark(self, spans) -> None:
        from workbench.ui.editor.offsets import OffsetMap

        offsets = OffsetMap(self.prompt)
        selections = []
        for start, end in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(offsets.to_qt(start))
            cursor.setPosition(offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(SPAN_COLOUR)
            selection.cursor, selection.format = cursor, fmt
            selections.append(selection)
        self.text.setExtraSelections(selections)

    def _show_in_editor(self) -> None:
        if self.result is not None:
            self.show_in_editor.emit(self.prompt, list(self.result.spans))

    def _add_to_appeal(self) -> None:
        if self.parent_id is not None:
            self.ops.appeals.add_to_appeal([self.parent_id])

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)
