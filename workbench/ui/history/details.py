"""The details of one request: prompt, parameters, findings, moderation scores, outcome,
request IDs (copyable), the raw error body, images and the rewrite lineage.

Everything from the request is shown as plain text (read-only text boxes, plain-text labels):
prompts and provider bodies are untrusted and are never interpreted as HTML. Image thumbnails
are decoded on a worker thread; a newer selection discards older, late thumbnails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import labels
from workbench.ui.history.model import one_line, outcome_color, short_time
from workbench.ui.review.box import ReviewBox

THUMB_SIDE = 160
MAX_SCORES = 8


async def decode_thumbnail(path: str, side: int) -> QImage:
    """Decode and scale an image file on a worker thread (QImage is safe off the GUI thread)."""
    from workbench.ui.gallery.thumbnails import decode_image

    return await asyncio.get_event_loop().run_in_executor(None, decode_image, path, side)


def plain_label(text: str = "", *, wrap: bool = True, selectable: bool = True) -> QLabel:
    """A label that shows its text literally (never as rich text)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def read_only_text(*, mono: bool = False, max_height: int | None = None) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setTabChangesFocus(True)
    if mono:
        box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    if max_height:
        box.setMaximumHeight(max_height)
    return box


def fit_list(widget: QListWidget, max_rows: int = 5) -> None:
    """Make a list exactly as tall as its rows (up to `max_rows`, then it scrolls)."""
    rows = max(1, min(widget.count(), max_rows))
    row_height = widget.sizeHintForRow(0) if widget.count() else widget.fontMetrics().height() + 4
    widget.setFixedHeight(rows * row_height + 2 * widget.frameWidth() + 4)


def _money(value: float | None) -> str:
    return f"${value:.4f}" if value is not None else "-"


class RequestIdRow(QWidget):
    """One request ID in a selectable field with a copy button.

    The field is never narrower than the ID (the details pane scrolls sideways instead), and
    where the ID came from and Copy go on the line below, so the ID gets the whole width.
    """

    def __init__(self, request_id: str, source: str | None) -> None:
        super().__init__()
        self.request_id = request_id
        self.field = QLineEdit(request_id)
        self.field.setReadOnly(True)
        self.field.setCursorPosition(0)  # show the start of a long ID
        self.field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.field.setMinimumWidth(self.field.fontMetrics().horizontalAdvance(request_id) + 16)
        self.copy_button = QToolButton(text="Copy")
        self.copy_button.setToolTip("Copy this request ID")
        self.copy_button.clicked.connect(self.copy)
        below = QHBoxLayout()
        below.setContentsMargins(0, 0, 0, 0)
        if source:
            where = plain_label(f"from {source}", wrap=True)
            where.setProperty("hint", True)
            below.addWidget(where, 1)
        else:
            below.addStretch(1)
        below.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.field)
        layout.addLayout(below)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.request_id)


class HistoryDetails(QScrollArea):
    """Signals:
        navigate_requested(int): the user chose another request of the lineage (its id).
        reviewed(object): a review was recorded; the re-read `HistoryEntry`.
        complete_requested(int): "Complete entry…" was pressed for this imported request.
    """

    navigate_requested = Signal(int)
    reviewed = Signal(object)
    complete_requested = Signal(int)

    def __init__(self, load_image: Callable[[str, int], Awaitable[QImage]] | None = None,
                 parent: QWidget | None = None, store_getter: Callable[[], object] | None = None) -> None:
        super().__init__(parent)
        self._load_image = load_image or decode_thumbnail
        self._entry = None
        self._generation = 0
        self._tasks: set[asyncio.Task] = set()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setObjectName("historyDetails")

        body = QWidget()
        self.setWidget(body)
        body.installEventFilter(self)  # its layout changed: keep the pane as wide as it needs
        self.title = plain_label("Select a request to see its details.")
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.subtitle = plain_label("")

        self.prompt = read_only_text()
        self.prompt.setObjectName("detailsPrompt")
        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.ids_box = QGroupBox("Request IDs")
        self.ids_layout = QVBoxLayout(self.ids_box)
        self.findings = QListWidget(objectName="detailsFindings")
        self.scores = QListWidget(objectName="detailsScores")
        self.raw_body = read_only_text(mono=True)
        self.raw_body.setObjectName("detailsRawBody")
        self.raw_body.setMinimumHeight(140)
        self.images = QWidget()
        self.images_layout = QHBoxLayout(self.images)
        self.images_layout.setContentsMargins(0, 0, 0, 0)
        self.images_layout.addStretch(1)
        self.lineage = QListWidget(objectName="detailsLineage")
        self.lineage.itemActivated.connect(self._on_lineage_activated)
        self.lineage.itemDoubleClicked.connect(self._on_lineage_activated)
        self.notes = plain_label("")
        # Review needs the store; without one (previews, tests of the pane alone) it is hidden.
        self._store_getter = store_getter
        self.review = ReviewBox(store_getter or (lambda: None))
        self.review.reviewed.connect(self._on_reviewed)
        self.complete_button = QPushButton("Complete entry…", objectName="completeEntryButton")
        self.complete_button.setToolTip("Add the prompt, request IDs, model or time this imported entry lacks")
        self.complete_button.clicked.connect(self._on_complete)

        facts_box = QWidget()
        facts_box.setLayout(self.facts)
        self.sections: dict[str, QGroupBox] = {}
        layout = QVBoxLayout(body)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.complete_button)
        for name, title, widget in (
            ("prompt", "Prompt", self.prompt),
            ("facts", "Request", facts_box),
            ("ids", None, self.ids_box),
            ("body", "Raw error body (as received)", self.raw_body),
            ("findings", "Local screening findings", self.findings),
            ("scores", "Moderation scores (second opinion)", self.scores),
            ("images", "Images", self.images),
            ("lineage", "Rewrite lineage (double-click to open)", self.lineage),
            ("notes", "Notes", self.notes),
            ("review", None, self.review),
        ):
            box = widget if title is None else self._section(title, widget)
            self.sections[name] = box
            layout.addWidget(box)
        layout.addStretch(1)
        self.show_entry(None)

    @staticmethod
    def _section(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 4, 6, 6)
        inner.addWidget(widget)
        return box

    @property
    def entry(self):
        return self._entry

    # --- filling -------------------------------------------------------------------------

    def show_entry(self, entry, lineage=()) -> None:
        """Show a `HistoryEntry` (None: nothing selected) and its lineage nodes."""
        self._entry = entry
        self._generation += 1
        for box in self.sections.values():
            box.setVisible(entry is not None)
        self.complete_button.setVisible(entry is not None and lacks_fields(entry))
        self.sections["review"].setVisible(entry is not None and self._store_getter is not None)
        self.review.set_entry(entry if self._store_getter is not None else None)
        if entry is None:
            self.title.setText("Select a request to see its details.")
            self.subtitle.setText("")
            self._clear_images()
            return
        outcome = labels.OUTCOME_LABELS.get(entry.outcome, entry.outcome)
        self.title.setText(f"#{entry.id} · {outcome}")
        self.title.setStyleSheet(f"color: {outcome_color(entry.outcome).name()}")
        stage = f" at the {entry.stage} stage" if entry.stage else ""
        cats = ", ".join(labels.category(c) for c in entry.categories)
        self.subtitle.setText(
            f"{short_time(entry.created_at)} UTC{stage}" + (f" · {cats}" if cats else "")
            + (f" · {entry.source}" if entry.source != "live" else ""))
        self.prompt.setPlainText(entry.prompt)
        lines = max(2, min(6, len(entry.prompt) // 70 + entry.prompt.count("\n") + 1))
        self.prompt.setFixedHeight(lines * self.prompt.fontMetrics().lineSpacing() + 14)
        self._fill_facts(entry)
        self._fill_ids(entry)
        self._fill_body(entry)
        self._fill_findings(entry)
        self._fill_scores(entry)
        self._fill_lineage(entry, lineage)
        self.notes.setText(entry.notes)
        self.sections["notes"].setVisible(bool(entry.notes))
        self._show_images(entry)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit_width()
        return super().eventFilter(watched, event)

    def _fit_width(self) -> None:
        """Never narrower than the content (a request ID must not be cut off): the table yields."""
        content = self.widget().minimumSizeHint().width()
        self.setMinimumWidth(content + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth())

    def _fill_facts(self, e) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        params = ", ".join(f"{k}={v}" for k, v in e.params.items() if k != "prompt") or "-"
        rows = [
            ("Model", (e.model or "-") + (f" (answered by {e.result_model})"
                                          if e.result_model and e.result_model != e.model else "")),
            ("Profile", f"{e.profile or '-'} · {e.provider or '-'}"),
            ("Base URL", e.base_url or "-"),
            ("Endpoint", e.endpoint),
            ("Parameters", params),
        ]
        if e.error_code or e.error_type or (e.http_status or 0) >= 400:
            rows.append(("Error", f"HTTP {e.http_status or '-'} · type {e.error_type or '-'} · "
                                  f"code {e.error_code or '-'}"))
        if e.error_message:
            rows.append(("Message", e.error_message))
        if e.safety_violations:
            rows.append(("Safety violations", ", ".join(e.safety_violations)))
        numbers = [f"latency {e.latency_ms:.0f} ms" if e.latency_ms is not None else "",
                   f"{e.total_tokens} tokens" if e.total_tokens is not None else "",
                   f"cost {_money(e.actual_cost)}" if e.actual_cost is not None else "",
                   f"estimated {_money(e.estimated_cost)}" if e.estimated_cost is not None else "",
                   f"{e.retries} retries" if e.retries else ""]
        rows.append(("Numbers", " · ".join(n for n in numbers if n) or "-"))
        if e.completed_at:
            rows.append(("Completed", f"{short_time(e.completed_at)} UTC"))
        if e.source_detail:
            rows.append(("Imported from", e.source_detail))
        for name, value in rows:
            label = plain_label(value)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.facts.addRow(plain_label(name + ":", wrap=False, selectable=False), label)

    def _fill_ids(self, e) -> None:
        while self.ids_layout.count():
            item = self.ids_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if not e.request_ids:
            self.ids_layout.addWidget(plain_label("No request ID was recorded for this request."))
            return
        for request_id in e.request_ids:
            self.ids_layout.addWidget(RequestIdRow(request_id, (e.request_id_sources or {}).get(request_id)))

    def request_id_rows(self) -> list[RequestIdRow]:
        return [self.ids_layout.itemAt(i).widget() for i in range(self.ids_layout.count())
                if isinstance(self.ids_layout.itemAt(i).widget(), RequestIdRow)]

    def _fill_body(self, e) -> None:
        from workbench.core.appeal.document import pretty_body

        self.raw_body.setPlainText(pretty_body(e.raw_body or ""))
        self.sections["body"].setVisible(bool(e.raw_body))

    def _fill_findings(self, e) -> None:
        self.findings.clear()
        for f in e.findings:
            text = f"{f.get('text') or f.get('term') or '?'} — {labels.category(str(f.get('category', '')))}" \
                   f" ({labels.severity(str(f.get('severity', '')))})"
            if f.get("message"):
                text += f": {f['message']}"
            self.findings.addItem(one_line(text, 200))
        verdict = e.verdict or "clear"
        self.sections["findings"].setTitle(f"Local screening findings · verdict: {verdict.replace('_', ' ')}")
        if not e.findings:
            self.findings.addItem("No local findings.")
        fit_list(self.findings)

    def _fill_scores(self, e) -> None:
        self.scores.clear()
        scores = _score_items(e.moderation_scores)
        for name, value in scores[:MAX_SCORES]:
            self.scores.addItem(f"{name}: {value:.3f}")
        fit_list(self.scores)
        self.sections["scores"].setVisible(bool(scores))

    def _fill_lineage(self, e, lineage) -> None:
        self.lineage.clear()
        for node in lineage:
            s = node.summary
            marker = "▶ " if s.id == e.id else ("↑ " if node.depth < 0 else "↳ ")
            indent = "    " * max(0, node.depth - (lineage[0].depth if lineage else 0))
            outcome = labels.OUTCOME_LABELS.get(s.outcome, s.outcome)
            item = QListWidgetItem(f"{indent}{marker}#{s.id} · {outcome} · {one_line(s.prompt_preview, 90)}")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.lineage.addItem(item)
        fit_list(self.lineage)
        self.sections["lineage"].setVisible(len(lineage) > 1)

    def _on_reviewed(self, history_id: int) -> None:
        if self._store_getter is None:
            return
        entry = self._store_getter().get(history_id)
        if self._entry is not None and self._entry.id == history_id:
            self._entry = entry
        self.reviewed.emit(entry)

    def _on_complete(self) -> None:
        if self._entry is not None:
            self.complete_requested.emit(self._entry.id)

    def _on_lineage_activated(self, item: QListWidgetItem) -> None:
        history_id = item.data(Qt.ItemDataRole.UserRole)
        if history_id is not None and (self._entry is None or history_id != self._entry.id):
            self.navigate_requested.emit(int(history_id))

    # --- images --------------------------------------------------------------------------

    def _clear_images(self) -> None:
        while self.images_layout.count() > 1:
            item = self.images_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def image_labels(self) -> list[QLabel]:
        return [self.images_layout.itemAt(i).widget() for i in range(self.images_layout.count() - 1)]

    def _show_images(self, entry) -> None:
        self._clear_images()
        self.sections["images"].setVisible(bool(entry.images))
        for position, image in enumerate(entry.images):
            label = plain_label(f"{image.role}\nloading…", wrap=True, selectable=False)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setFixedSize(THUMB_SIDE, THUMB_SIDE)
            label.setFrameShape(QFrame.Shape.StyledPanel)
            label.setToolTip(f"{image.role} · {image.width}×{image.height} · {image.format}")
            self.images_layout.insertWidget(position, label)
        if entry.images and self._load_image is not None:
            task = asyncio.ensure_future(self.load_thumbnails())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def load_thumbnails(self) -> None:
        """Decode the shown request's images off the GUI thread and put them in place."""
        entry, generation = self._entry, self._generation
        if entry is None or self._load_image is None:
            return
        for label, image in zip(self.image_labels(), entry.images, strict=False):
            qimage = await self._load_image(image.path, THUMB_SIDE)
            if generation != self._generation or not shiboken6.isValid(label):
                return  # another request was selected meanwhile, or the pane was closed
            if qimage.isNull():
                label.setText(f"{image.role}\n(unreadable or missing)")
            else:
                label.setPixmap(QPixmap.fromImage(qimage))


def lacks_fields(entry) -> bool:
    """An imported entry that misses what an appeal needs: prompt, request ID or model."""
    return entry.source != "live" and not (entry.prompt and entry.request_ids and entry.model)


def _score_items(scores) -> list[tuple[str, float]]:
    """(category, score) pairs, highest first, from the stored moderation result or mapping."""
    if not isinstance(scores, dict):
        return []
    source = scores.get("scores") if isinstance(scores.get("scores"), dict) else scores
    source = source.get("category_scores", source) if isinstance(source.get("category_scores"), dict) else source
    items = [(str(k), float(v)) for k, v in source.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sorted(items, key=lambda kv: -kv[1])
