"""The editor area: verdict badge, character count, the prompt editor and its findings list."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.core.screening.models import Finding, ScanResult
from workbench.ui.editor.block_term_dialog import BlockTermDialog
from workbench.ui.editor.findings_list import FindingsList
from workbench.ui.editor.prompt_editor import PromptEditor
from workbench.ui.editor.verdict_badge import VerdictBadge

PROMPT_LIMIT = 32_000  # gpt-image models accept at most this many characters


class EditorPanel(QWidget):
    """Signals:
        scan_updated(ScanResult): forwarded from the editor.
    """

    scan_updated = Signal(object)

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.editor = PromptEditor(scanner=ops.screening.scan_prompt)
        self.badge = VerdictBadge()
        self.counter = QLabel()
        self.counter.setProperty("hint", True)
        self.findings = FindingsList()

        header = QHBoxLayout()
        title = QLabel("Prompt")
        title.setObjectName("sectionTitle")
        header.addWidget(title)
        header.addSpacing(8)
        header.addWidget(self.badge)
        header.addStretch(1)
        header.addWidget(self.counter)

        self.invisible_strip = QFrame()
        self.invisible_strip.setObjectName("warningStrip")
        strip = QHBoxLayout(self.invisible_strip)
        strip.setContentsMargins(8, 3, 4, 3)
        self.invisible_label = QLabel()
        self.invisible_label.setTextFormat(Qt.TextFormat.PlainText)
        self.remove_invisible_button = QPushButton("Remove them")
        strip.addWidget(self.invisible_label, 1)
        strip.addWidget(self.remove_invisible_button)
        self.invisible_strip.hide()

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(header)
        top_layout.addWidget(self.editor, 1)
        top_layout.addWidget(self.invisible_strip)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        findings_title = QLabel("Findings")
        findings_title.setObjectName("sectionTitle")
        hint = QLabel("click to jump · hover a word for why · right-click it for fixes")
        hint.setProperty("hint", True)
        row = QHBoxLayout()
        row.addWidget(findings_title)
        row.addWidget(hint)
        row.addStretch(1)
        bottom_layout.addLayout(row)
        bottom_layout.addWidget(self.findings, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("editorSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.editor.scan_updated.connect(self._on_scan_updated)
        self.editor.invisible_changed.connect(self._on_invisible_changed)
        self.editor.allow_requested.connect(self._on_allow_requested)
        self.editor.block_requested.connect(self._on_block_requested)
        self.findings.finding_activated.connect(self.editor.select_finding)
        # The verdict is judged for the Generate panel's target (or a pinned profile).
        self.badge.set_judging(ops.judging)
        self.editor.set_explainer(ops.judging.explain)
        ops.judging.changed.connect(self.editor.rescan)
        self.remove_invisible_button.clicked.connect(self.editor.remove_invisible)
        self._on_scan_updated(self.editor.result)

    def _on_scan_updated(self, result: ScanResult) -> None:
        self.badge.set_result(result)
        self.findings.set_result(result)
        n = len(result.text)
        self.counter.setText(f"{n:,} / {PROMPT_LIMIT:,} characters")
        over = n > PROMPT_LIMIT
        self.counter.setStyleSheet("color: #c62828; font-weight: 600;" if over else "")
        self.scan_updated.emit(result)

    def _on_invisible_changed(self, count: int) -> None:
        self.invisible_strip.setVisible(count > 0)
        self.invisible_label.setText(
            f"{count} invisible character{'s' if count != 1 else ''} in the prompt (marked in the text). "
            "They can hide words from you and change what the model reads."
        )

    def _on_allow_requested(self, finding: Finding) -> None:
        if self._ops.screening.allow_term(finding.term or finding.text):
            self.editor.rescan()

    @asyncSlot()
    async def _on_block_requested(self, term: str) -> None:
        answer = await BlockTermDialog.ask(term, self)
        if answer is None:
            return
        term, category, severity, reason = answer
        if self._ops.screening.block_term(term, category, severity, reason):
            self.editor.rescan()
