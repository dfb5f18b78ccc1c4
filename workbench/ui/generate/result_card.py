"""How a finished request is shown: a short success line, or a block/error explained.

A block shows what it is: the stage, the categories, every request ID (each with a copy
button), stage-aware advice from the core, and "Add to appeal". There is deliberately no
"retry unchanged": a block is deterministic. The user's own Cancel is neutral, not an error.
Once the prompt is edited, the card says it belongs to an earlier prompt (stale) instead of
passing for the verdict on the text now in the editor.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.api.records import GenerationResult
from workbench.ui import labels
from workbench.ui.widgets.plain_label import plain_label


def _selectable_label(text: str = "", wrap: bool = True) -> QLabel:
    return plain_label(text, wrap=wrap, selectable=True)


STALE_NOTE = "For an earlier version of the prompt: edited since this request was sent."
ERROR_RED = "#c62828"

STAGE_TITLES = {
    "input": "Blocked at the input stage (the prompt or a reference image)",
    "output": "Blocked at the output stage (the generated image)",
    "unknown": "Blocked by the provider's safety system",
}


class ResultCard(QFrame):
    """Signals:
        appeal_requested(int): add this history row to an appeal.
        desensitize_requested(): the user wants to rewrite the prompt (input-stage advice).
        framing_requested(): the user wants to change the framing (output-stage advice).
    """

    appeal_requested = Signal(int)
    desensitize_requested = Signal()
    framing_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history_id: int | None = None
        self.request_ids: list[str] = []
        self.prompt: str | None = None  # the prompt this result was produced for
        self.stale = False
        self._title_color = ""
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self.stale_note = plain_label(STALE_NOTE, hint=True)
        self.stale_note.setObjectName("staleNote")
        self.stale_note.hide()
        self._layout.addWidget(self.stale_note)
        self.title = _selectable_label()
        self.title.setStyleSheet("font-weight: 600;")
        self.detail = _selectable_label()
        self.ids_box = QWidget()
        self.ids_grid = QGridLayout(self.ids_box)
        self.ids_grid.setContentsMargins(0, 0, 0, 0)
        self.advice = _selectable_label()
        self.appeal_button = QPushButton("Add to appeal…")
        self.appeal_button.setObjectName("appealButton")
        self.desensitize_button = QPushButton("Desensitize the prompt")
        self.framing_button = QPushButton("Suggest a framing")
        actions = QHBoxLayout()
        actions.addWidget(self.appeal_button)
        actions.addWidget(self.desensitize_button)
        actions.addWidget(self.framing_button)
        actions.addStretch(1)
        for widget in (self.title, self.detail, self.ids_box, self.advice):
            self._layout.addWidget(widget)
        self._layout.addLayout(actions)
        self.appeal_button.clicked.connect(self._on_appeal)
        self.desensitize_button.clicked.connect(self.desensitize_requested)
        self.framing_button.clicked.connect(self.framing_requested)
        self.hide()

    def show_result(self, result: GenerationResult, advice: str, history_id: int | None,
                    prompt: str | None = None) -> None:
        self.history_id = history_id
        self.prompt = prompt
        error = result.error
        self.request_ids = list(dict.fromkeys((error.request_ids if error else []) + list(result.request_ids)))
        recorded = f"Recorded in history as #{history_id}." if history_id is not None else ""
        blocked = error is not None and error.kind == "blocked"
        cancelled = result.outcome == "cancelled"
        failed = error is not None and not cancelled
        self.setObjectName("blockCard" if failed else "card")
        self._title_color = ERROR_RED if failed else ""
        if cancelled:  # the user's own choice: neutral, no red, no error wording
            self.title.setText("Cancelled")
            self.detail.setText(f"You cancelled this request. {recorded}".strip())
        elif error is None:
            self.title.setText(f"✓ {len(result.images)} image{'s' if len(result.images) != 1 else ''} generated")
            bits = []
            if result.latency_ms is not None:
                bits.append(f"{result.latency_ms / 1000:.1f} s")
            if result.actual_cost is not None:
                bits.append(f"${result.actual_cost:.3f}")
            elif result.estimated_cost is not None:
                bits.append(f"≈ ${result.estimated_cost:.3f} (estimate)")
            if result.usage is not None and result.usage.total_tokens:
                bits.append(f"{result.usage.total_tokens:,} tokens")
            self.detail.setText(" · ".join(bits + [recorded]).strip(" ·"))
        elif blocked:
            self.title.setText(STAGE_TITLES.get(error.stage, STAGE_TITLES["unknown"]))
            cats = ", ".join(labels.category(c) for c in error.categories) or "not reported"
            self.detail.setText(f"Categories: {cats}\n{recorded}".strip())
        else:
            self.title.setText(f"✗ {error.kind.replace('_', ' ').capitalize()}"
                               + (f" (HTTP {error.http_status})" if error.http_status else ""))
            self.detail.setText(f"{error.message}\n{recorded}".strip())
        self._show_ids(self.request_ids)
        self.advice.setText(advice)
        self.advice.setVisible(bool(advice))
        self.appeal_button.setVisible(blocked and history_id is not None)
        self.desensitize_button.setVisible(blocked and error.stage in ("input", "unknown"))
        self.framing_button.setVisible(blocked and error.stage in ("output", "unknown"))
        self._mark_stale(False)
        self.show()

    def set_prompt(self, text: str) -> None:
        """The editor's prompt now: the card is stale while it differs from the one sent."""
        if self.prompt is not None and (text != self.prompt) != self.stale:  # restyle only on a change
            self._mark_stale(not self.stale)

    def _mark_stale(self, stale: bool) -> None:
        self.stale = stale
        self.stale_note.setVisible(stale)
        color = "palette(mid)" if stale else self._title_color
        self.title.setStyleSheet("font-weight: 600;" + (f" color: {color};" if color else ""))
        self.setProperty("stale", stale)
        self.style().unpolish(self)
        self.style().polish(self)

    def _show_ids(self, ids: list[str]) -> None:
        while self.ids_grid.count():
            item = self.ids_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for row, rid in enumerate(ids):
            name = QLabel("Request ID" if row == 0 else "")
            value = QLineEdit(rid)
            value.setReadOnly(True)
            value.setObjectName("requestIdField")
            copy = QPushButton("Copy")
            copy.setObjectName("copyRequestId")
            copy.clicked.connect(lambda _=False, r=rid: self.copy_id(r))
            self.ids_grid.addWidget(name, row, 0)
            self.ids_grid.addWidget(value, row, 1)
            self.ids_grid.addWidget(copy, row, 2)
        self.ids_box.setVisible(bool(ids))

    def copy_id(self, request_id: str) -> None:
        QGuiApplication.clipboard().setText(request_id)

    def _on_appeal(self) -> None:
        if self.history_id is not None:
            self.appeal_requested.emit(self.history_id)
