"""The appeal composer: title, status, ticket, account/org ID, business context, notes, and
the requests the appeal groups. It edits widgets only; the view saves and exports."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import labels, messages
from workbench.ui.history.model import one_line, outcome_color, short_time
from workbench.ui.widgets.readable_column import keep_readable

TEXT_FIELDS = ("title", "ticket", "account_id", "org_id")
LONG_FIELDS = ("business_context", "notes")
REQUEST_ID_CHARS = 18  # enough to tell two IDs apart (start and end); the full ID is on hover
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "resolved": "Resolved", "rejected": "Rejected"}


class AppealComposer(QWidget):
    """Signals:
        edited(): a text field changed (the view saves after a pause).
        status_chosen(str): the user picked another status.
        remove_requested(list): remove these history ids from the appeal.
        open_request(int): show this history request (in the History tab).
    """

    edited = Signal()
    status_chosen = Signal(str)
    remove_requested = Signal(list)
    open_request = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.heading = QLabel("")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.title = QLineEdit(placeholderText="A short name for this appeal")
        self.status = QComboBox(objectName="appealStatus")
        for status, text in STATUS_LABELS.items():
            self.status.addItem(text, status)
        self.ticket = QLineEdit(placeholderText="Support ticket number, once submitted")
        self.account_id = QLineEdit(placeholderText="e.g. org-… or your account e-mail")
        self.org_id = QLineEdit(placeholderText="Organisation ID (optional)")
        self.business_context = QPlainTextEdit(objectName="businessContext")
        self.business_context.setPlaceholderText(
            "Why is this prompt needed? Who is it for, what will the image be used for, and why "
            "is it legitimate (e.g. a history textbook illustration)?")
        self.business_context.setTabChangesFocus(True)
        self.business_context.setMaximumHeight(130)
        self.notes = QPlainTextEdit(objectName="appealNotes")
        self.notes.setPlaceholderText("Notes for yourself or for support (included in the packet)")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(70)
        self.timestamps = QLabel("")
        self.timestamps.setTextFormat(Qt.TextFormat.PlainText)
        self.timestamps.setWordWrap(True)

        self.requests = QTableWidget(0, 5, objectName="appealRequests")
        self.requests.setHorizontalHeaderLabels(["#", "Outcome", "Time (UTC)", "Request ID", "Prompt"])
        self.requests.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.requests.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.requests.verticalHeader().setVisible(False)
        self.requests.setWordWrap(False)
        self._size_columns()
        self.prompt_column = keep_readable(self.requests, 4, 12)
        self.requests.setMinimumHeight(110)
        self.remove_button = QPushButton("Remove from appeal")
        self.open_button = QPushButton("Show in History")

        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Status", self.status)
        form.addRow("Ticket", self.ticket)
        form.addRow("Account ID", self.account_id)
        form.addRow("Org ID", self.org_id)
        form.addRow("Business context", self.business_context)
        form.addRow("Notes", self.notes)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Blocked requests in this appeal"), 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.timestamps)
        layout.addLayout(buttons)
        layout.addWidget(self.requests, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        for name in TEXT_FIELDS:
            getattr(self, name).textEdited.connect(self._on_edited)
        for name in LONG_FIELDS:
            getattr(self, name).textChanged.connect(self._on_edited)
        self.status.activated.connect(self._on_status_activated)
        self.remove_button.clicked.connect(self._on_remove)
        self.open_button.clicked.connect(self._on_open)
        self.requests.itemDoubleClicked.connect(self._on_open)
        self.requests.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def _on_status_activated(self, _index: int) -> None:
        self.status_chosen.emit(self.status.currentData())

    def _on_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    def fields(self) -> dict[str, str]:
        """The editable text fields as the user has them now."""
        out = {name: getattr(self, name).text().strip() for name in TEXT_FIELDS}
        out.update({name: getattr(self, name).toPlainText().strip() for name in LONG_FIELDS})
        return out

    def load(self, appeal, summaries) -> None:
        """Show an appeal and the summaries of its requests (without emitting `edited`)."""
        self._loading = True
        try:
            self.heading.setText(f"Appeal #{appeal.id}")
            for name in TEXT_FIELDS:
                getattr(self, name).setText(getattr(appeal, name) or "")
            for name in LONG_FIELDS:
                box = getattr(self, name)
                if box.toPlainText() != (getattr(appeal, name) or ""):
                    box.setPlainText(getattr(appeal, name) or "")
            self.set_status(appeal.status)
            stamps = [f"created {short_time(appeal.created_at)}", f"updated {short_time(appeal.updated_at)}"]
            if appeal.submitted_at:
                stamps.append(f"submitted {short_time(appeal.submitted_at)}")
            if appeal.closed_at:
                stamps.append(f"closed {short_time(appeal.closed_at)}")
            self.timestamps.setText("UTC: " + " · ".join(stamps))
            self._fill_requests(summaries)
        finally:
            self._loading = False

    def set_status(self, status: str) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(status)))

    def _size_columns(self) -> None:
        """Number, outcome and time always show their whole text (the outcome is what the appeal
        is about); the request ID gets a fixed share, elided in the middle with the full ID on
        hover (the packet preview has it in full); the prompt takes the rest (`keep_readable`)."""
        header = self.requests.horizontalHeader()
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, self.requests.fontMetrics().averageCharWidth() * REQUEST_ID_CHARS)

    def _fill_requests(self, summaries) -> None:
        self.requests.setRowCount(len(summaries))
        for row, s in enumerate(summaries):
            outcome = labels.OUTCOME_LABELS.get(s.outcome, s.outcome)
            prompt = " ".join((s.prompt_preview or "").split())
            cells = (f"#{s.id}", outcome, short_time(s.created_at, seconds=False), s.request_id or "-", one_line(prompt, 200))
            tips = (None, None, None, s.request_id, prompt)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.id)
                if tips[column]:
                    item.setToolTip(messages.plain_tooltip(tips[column]))
                if column == 1:
                    item.setForeground(outcome_color(s.outcome))
                self.requests.setItem(row, column, item)
        self._update_buttons()

    def selected_request_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.requests.selectedIndexes()})
        return [self.requests.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def _update_buttons(self) -> None:
        chosen = self.selected_request_ids()
        self.remove_button.setEnabled(bool(chosen) and self.requests.rowCount() > len(chosen))
        self.open_button.setEnabled(len(chosen) == 1)

    def _on_remove(self) -> None:
        ids = self.selected_request_ids()
        if ids:
            self.remove_requested.emit(ids)

    def _on_open(self, *_args) -> None:
        ids = self.selected_request_ids()
        if len(ids) == 1:
            self.open_request.emit(ids[0])
