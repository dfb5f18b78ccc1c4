"""Omni-moderation scores for the prompt (and a reference image), as a second opinion.

Checks run after typing pauses (debounced); a newer prompt cancels the call in flight; the
operations layer caches results by input hash. The panel says plainly that the image endpoint's
own safety system is a different one. Scores of an earlier prompt are faded and said to be stale
until the new ones arrive.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from qasync import asyncSlot

from workbench.ui.lifetime import alive
from workbench.ui.moderation.score_bars import ScoreBars

DEBOUNCE_MS = 800

EXPLANATION = (
    "Scores from OpenAI's moderation endpoint (omni-moderation-latest, free). It is a different "
    "system from the image endpoint's own safety filter: a low score here does not promise the "
    "image request will pass, and a high one does not mean it will be blocked."
)

if TYPE_CHECKING:
    from workbench.ui.operations.moderation import ModerationOperations


class ModerationPanel(QWidget):
    def __init__(self, moderation: ModerationOperations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._moderation = moderation
        self._text = ""
        self._image: bytes | None = None
        self._task: asyncio.Future | None = None
        self._scored: tuple[str, bytes | None] | None = None  # the input the bars show scores for
        self.calls_started = 0  # for tests and the benchmark: how many checks really ran
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.check_now)

        title = QLabel("Second opinion")
        title.setObjectName("sectionTitle")
        explanation = QLabel(EXPLANATION)
        explanation.setTextFormat(Qt.TextFormat.PlainText)
        explanation.setWordWrap(True)
        explanation.setProperty("hint", True)
        self.status = QLabel("Scores appear when you pause typing.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.auto = QCheckBox("Check while I type")
        self.auto.setChecked(True)
        self.check_button = QPushButton("Check now")
        self.bars = ScoreBars()
        controls = QHBoxLayout()
        controls.addWidget(self.auto)
        controls.addStretch(1)
        controls.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.bars)
        layout.addStretch(1)
        self.check_button.clicked.connect(self.check_now)

    def set_prompt(self, text: str) -> None:
        """The prompt changed: cancel a stale check and wait for a pause."""
        if text == self._text:
            return
        self._text = text
        self._cancel()
        if self.auto.isChecked():
            self._timer.start()
            if text.strip():
                self.status.setText("Waiting for a pause in typing…")
        self._show_staleness()

    def set_reference_image(self, data: bytes | None) -> None:
        if data == self._image:
            return
        self._image = data
        self._cancel()
        if self.auto.isChecked():
            self._timer.start()
        self._show_staleness()

    @property
    def stale(self) -> bool:
        """Whether the scores shown are for another prompt or image than the current ones."""
        return self._scored is not None and self._scored != (self._text, self._image)

    def _show_staleness(self) -> None:
        self.bars.set_stale(self.stale)
        if self.stale:
            then = "checking again after a pause…" if self.auto.isChecked() else "press Check now for new ones."
            self.status.setText(f"These scores are for an earlier version of the prompt; {then}")

    def refresh(self) -> None:
        """The profile changed: check the current prompt again."""
        self._cancel()
        if self.auto.isChecked():
            self._timer.start()

    def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @asyncSlot()
    async def check_now(self) -> None:
        self._timer.stop()
        self._cancel()
        text, image = self._text, self._image
        if not text.strip() and image is None:
            self._set_scores([], None)
            self.status.setText("Scores appear when you pause typing.")
            return
        self.status.setText("Checking…")
        self.calls_started += 1
        task = self._task = asyncio.ensure_future(self._moderation.moderate(text, image))
        try:
            outcome = await task
        except asyncio.CancelledError:
            return  # a newer prompt replaced this one
        finally:
            if alive(self) and self._task is task:
                self._task = None
        if not alive(self) or text != self._text or image != self._image:
            return
        self._show(outcome)

    def _set_scores(self, rows: list, scored: tuple[str, bytes | None] | None) -> None:
        self._scored = scored
        self.bars.set_scores(rows)
        self.bars.set_stale(False)

    def _show(self, outcome) -> None:
        if outcome.result is None:
            self._set_scores([], None)
            self.status.setText(outcome.note)
            return
        result = outcome.result
        if result.error is not None:
            self._set_scores([], None)
            self.status.setText(f"Moderation failed: {result.error.message or result.error.kind}. {outcome.note}".strip())
            return
        rows = sorted(
            ((name, float(score), bool(result.categories.get(name))) for name, score in result.scores.items()),
            key=lambda row: -row[1],
        )
        self._set_scores(rows, (self._text, self._image))
        flagged = result.flagged_categories()
        verdict = ("Flagged: " + ", ".join(flagged)) if flagged else "Not flagged"
        self.status.setText(f"{verdict} · {outcome.note}".strip(" ·"))
