"""The fix panel: one-click desensitize with a per-edit preview, framing chips, LLM rewrite.

Nothing here changes the prompt without the user asking: desensitize and the LLM rewrite show
each edit first, as a phrase ("old → new"); applying is one undo step in the editor. Hard-line
findings and harmful scenes get an explanation and no rewrite.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.core.screening.models import ScanResult
from workbench.ui import labels, messages, theme
from workbench.ui.fix.edit_list import EditList
from workbench.ui.lifetime import alive
from workbench.ui.messages import plain_tooltip
from workbench.ui.widgets.diff_view import phrase_changes
from workbench.ui.widgets.flow_layout import FlowLayout, chip_policy
from workbench.ui.widgets.plain_label import plain_label as _label

if TYPE_CHECKING:
    from workbench.ui.operations.rewriting import RewritingOperations

FRAMING_DELAY_MS = 250


class NoteCard(QFrame):
    """Why there is no rewrite: a heading and what was found (hard lines, harmful scenes)."""

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hardLineCard")
        layout = QVBoxLayout(self)
        self.title = _label(heading)
        self.title.setStyleSheet("font-weight: 600;")
        self.text = _label(selectable=True)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        self.hide()


class FixPanel(QWidget):
    """Header (buttons, status) on top, ONE scroll area for the cards, and the preview's
    Apply / Discard bar below it, outside the scroll area, so it can never scroll away."""

    def __init__(self, rewriting: RewritingOperations, editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rewriting = rewriting
        self._editor = editor
        self._scan = ScanResult("")
        self._proposal = None  # RewriteResult of the desensitize preview
        self._proposal_text: str | None = None  # the prompt the preview was made for
        self._llm_text: str | None = None  # an LLM proposal being previewed
        self._explained_text: str | None = None  # the prompt the no-rewrite card speaks of
        self._llm_task: asyncio.Future | None = None
        self._framings: list = []
        self._framing_key: tuple | None = None  # what the chips currently show

        title = QLabel("Fix")
        title.setObjectName("sectionTitle")
        self.desensitize_button = QPushButton("Desensitize…")
        self.desensitize_button.setObjectName("primaryButton")
        self.desensitize_button.setToolTip("Rewrite every risky word at once; you see a preview first (Ctrl+D)")
        self.llm_button = QPushButton("LLM rewrite…")
        self.llm_button.setToolTip(
            "Ask the active profile's chat model for a two-step description rewrite. "
            "Shown as a diff; never applied for you."
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.desensitize_button)
        buttons.addWidget(self.llm_button)
        buttons.addStretch(1)
        self.status = _label(hint=True)

        self.hard_line = NoteCard("A hard line: no rewrite is offered")
        self.hard_line_text = self.hard_line.text
        self.no_rewrite = NoteCard("No rewrite is offered")
        self.no_rewrite_text = self.no_rewrite.text

        self.preview = QFrame()
        self.preview.setObjectName("card")
        preview_layout = QVBoxLayout(self.preview)
        self.preview_title = _label()
        self.preview_title.setStyleSheet("font-weight: 600;")
        self.preview_note = _label(hint=True)  # why a scene stays (edits to the depiction only)
        self.edit_list = EditList()
        self.proposed_label = _label("Proposed prompt", hint=True)
        self.proposed_text = _label(selectable=True)  # an LLM proposal in full
        preview_layout.addWidget(self.preview_title)
        preview_layout.addWidget(self.preview_note)
        preview_layout.addWidget(self.edit_list)
        preview_layout.addWidget(self.proposed_label)
        preview_layout.addWidget(self.proposed_text)
        self.preview.hide()

        framing_title = QLabel("Framing")
        framing_title.setObjectName("sectionTitle")
        self.framing_hint = _label("Framings appear for the categories found in the prompt.", hint=True)
        self.chips_box = QWidget()
        self.chips = FlowLayout(self.chips_box)

        body = QWidget(objectName="fixBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 4, 0)
        body_layout.addWidget(self.hard_line)
        body_layout.addWidget(self.no_rewrite)
        body_layout.addWidget(self.preview)
        body_layout.addSpacing(6)
        body_layout.addWidget(framing_title)
        body_layout.addWidget(self.framing_hint)
        body_layout.addWidget(self.chips_box)
        body_layout.addStretch(1)
        self.scroll = QScrollArea(objectName="fixScroll")
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.apply_button = QPushButton("Apply selected")
        self.apply_button.setObjectName("primaryButton")
        self.all_button = QPushButton("All")
        self.none_button = QPushButton("None")
        self.discard_button = QPushButton("Discard")
        self.actions = QWidget(objectName="fixActions")
        actions = QHBoxLayout(self.actions)
        actions.setContentsMargins(0, 4, 0, 0)
        actions.addWidget(self.apply_button)
        actions.addWidget(self.all_button)
        actions.addWidget(self.none_button)
        actions.addStretch(1)
        actions.addWidget(self.discard_button)
        self.actions.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.actions)

        self._framing_timer = QTimer(self, singleShot=True, interval=FRAMING_DELAY_MS)
        self._framing_timer.timeout.connect(self._refresh_framings)
        self.desensitize_button.clicked.connect(self.preview_desensitize)
        self.llm_button.clicked.connect(self.request_llm_rewrite)
        self.apply_button.clicked.connect(self.apply_preview)
        self.all_button.clicked.connect(lambda: self.edit_list.set_all(True))
        self.none_button.clicked.connect(lambda: self.edit_list.set_all(False))
        self.discard_button.clicked.connect(self.discard_preview)
        self.edit_list.selection_changed.connect(self._on_edit_selection_changed)
        self.set_scan(ScanResult(""))

    # --- following the prompt ------------------------------------------------------------

    def set_scan(self, result: ScanResult) -> None:
        """The prompt was re-screened: update hard-line note, buttons, stale previews, chips."""
        self._scan = result
        critical = [f for f in result.findings if f.severity == "critical"]
        self.hard_line.setVisible(bool(critical))
        if critical:
            cats = ", ".join(dict.fromkeys(labels.category(f.category) for f in critical))
            reasons = "\n".join(dict.fromkeys(f"• “{f.text}”: {f.message}" for f in critical[:4]))
            self.hard_line_text.setText(
                f"{cats}. The image system refuses this in any wording, so the workbench offers no "
                f"rewrite for it. Remove it yourself.\n{reasons}"
            )
        rewritable = any(f.severity != "critical" for f in result.findings)
        self.desensitize_button.setEnabled(rewritable and not critical)
        self.llm_button.setEnabled(bool(result.text.strip()) and not critical and self._llm_task is None)
        if self._proposal_text is not None and result.text != self._proposal_text:
            self._close_preview()
        if result.text != self._explained_text:
            self.no_rewrite.hide()  # it explained an earlier prompt
        if not result.findings:
            self.status.setText("No risky words found." if result.text.strip() else "")
        elif critical:
            self.status.setText("")
        else:
            self.status.setText(f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} to fix.")
        self._framing_timer.start()

    # --- desensitize -----------------------------------------------------------------------

    def preview_desensitize(self) -> None:
        text = self._scan.text
        if not self.desensitize_button.isEnabled():
            return
        with messages.handle_user_errors("Desensitize failed"):
            proposal = self._rewriting.desensitize(text)
            self._show_proposal(text, proposal)

    def _show_proposal(self, text: str, proposal) -> None:
        self._close_preview()
        if proposal.hard_block or not proposal.edits:
            # Nothing to preview: say why in a card (a harmful scene, a hard line, no findings).
            self._explained_text = text
            self.no_rewrite.text.setText(proposal.message or "Nothing to rewrite.")
            self.no_rewrite.setVisible(not proposal.hard_block)  # the hard-line card already explains
            self.status.setText("" if not proposal.hard_block else proposal.message)
            return
        self._proposal, self._proposal_text, self._llm_text = proposal, text, None
        scene_left = any(f.stage == "scene" for f in proposal.remaining)
        self.preview_note.setText(proposal.message if scene_left else "")
        self.preview_note.setVisible(scene_left)
        self.proposed_label.hide()
        self.proposed_text.hide()
        self.all_button.show()
        self.none_button.show()
        self.edit_list.set_edits(proposal.edits)
        self.apply_button.setText("Apply selected")
        self._open_preview()
        self.apply_button.setFocus()

    def _open_preview(self) -> None:
        self.no_rewrite.hide()
        self.preview.show()
        self.actions.show()
        self.scroll.ensureWidgetVisible(self.preview_title)

    def _on_edit_selection_changed(self) -> None:
        if self._proposal is None:
            return
        chosen = self.edit_list.checked_edits()
        all_chosen = len(chosen) == len(self._proposal.edits)
        after = theme.VERDICT_LABELS.get(self._proposal.verdict, self._proposal.verdict)
        left = len(self._proposal.remaining)
        self.preview_title.setText(
            f"Desensitize: {len(chosen)} of {len(self._proposal.edits)} edits"
            + (f" · afterwards: {after}" + (f" ({left} finding{'s' if left != 1 else ''} left)" if left else "")
               if all_chosen else "")
        )
        self.apply_button.setEnabled(bool(chosen))

    def apply_preview(self) -> bool:
        """Apply the checked edits (or the LLM proposal) to the editor as one undo step."""
        if self._proposal_text is None or (self._proposal is None and self._llm_text is None):
            return False
        if self._llm_text is not None:
            if self._editor.text() != self._proposal_text:
                return False
            self._editor.replace_text(self._llm_text)
            applied = True
        else:
            edits = [(e.start, e.end, e.after) for e in self.edit_list.checked_edits()]
            applied = self._editor.apply_edits(edits, self._proposal_text)
        if not applied:
            messages.warning("The prompt changed since the preview; preview again.")
        self._close_preview()
        return applied

    def discard_preview(self) -> None:
        self._close_preview()

    def _close_preview(self) -> None:
        self._proposal = self._proposal_text = self._llm_text = None
        self.preview.hide()
        self.actions.hide()

    # --- LLM rewrite -----------------------------------------------------------------------

    @asyncSlot()
    async def request_llm_rewrite(self) -> None:
        text = self._scan.text
        if not text.strip() or self._llm_task is not None:
            return
        self.llm_button.setEnabled(False)
        self.status.setText("Asking the model for a rewrite…")
        task = self._llm_task = asyncio.ensure_future(self._rewriting.llm_rewrite(text))
        try:
            proposal = await task
        except asyncio.CancelledError:
            proposal = None
        finally:
            if alive(self):
                self._llm_task = None
                self.llm_button.setEnabled(bool(self._scan.text.strip()))
        if not alive(self):
            return
        if proposal is None:
            self.status.setText("")
            return
        if proposal.error:
            self.status.setText(f"LLM rewrite failed: {proposal.error}")
            return
        if self._scan.text != text:
            self.status.setText("The prompt changed while the model was writing; ask again.")
            return
        self._show_llm_proposal(text, proposal)

    def _show_llm_proposal(self, text: str, proposal) -> None:
        self._close_preview()
        self._proposal, self._proposal_text, self._llm_text = None, text, proposal.text
        self.all_button.hide()
        self.none_button.hide()
        self.preview_note.hide()
        self.edit_list.set_edits(phrase_changes(text, proposal.text), checkable=False)
        self.proposed_text.setText(proposal.text)
        self.proposed_label.show()
        self.proposed_text.show()
        after = theme.VERDICT_LABELS.get(proposal.verdict, proposal.verdict)
        self.preview_title.setText(f"LLM rewrite ({proposal.source}) · screened: {after}. Not applied unless you apply it.")
        self.apply_button.setText("Apply")
        self.apply_button.setEnabled(True)
        self._open_preview()
        self.status.setText("")

    # --- framing ---------------------------------------------------------------------------

    def _refresh_framings(self) -> None:
        scan = self._scan
        suggestions = []
        present = None
        if scan.findings and not any(f.severity == "critical" for f in scan.findings):
            with messages.handle_user_errors("Framing suggestions are unavailable"):
                suggestions = list(self._rewriting.framing_suggestions(scan))[:6]
                present = self._rewriting.framing_present(scan.text)
        key = ([s.id for s in suggestions], present)
        if key == self._framing_key:
            return
        self._framing_key = key
        while self.chips.count():
            item = self.chips.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._framings = suggestions
        for suggestion in suggestions:
            chip = QPushButton(suggestion.text)
            chip.setProperty("chip", True)
            chip.setObjectName("framingChip")
            chip.setSizePolicy(chip_policy())
            chip.setToolTip(plain_tooltip(suggestion.rationale))
            chip.setEnabled(present is None)
            chip.clicked.connect(lambda _=False, s=suggestion: self.apply_framing(s))
            self.chips.addWidget(chip)
        if present is not None:
            self.framing_hint.setText(f"The prompt already has a framing (“{present}”).")
        elif suggestions:
            self.framing_hint.setText("One click inserts a framing; hover for why it helps.")
        else:
            self.framing_hint.setText("Framings appear for the categories found in the prompt.")
        self.chips_box.updateGeometry()

    def apply_framing(self, suggestion) -> None:
        text = self._editor.text()
        with messages.handle_user_errors("The framing was not added"):
            self._editor.replace_text(self._rewriting.apply_framing(text, suggestion))
