"""Human review of one request: approve or reject it (or one of its images) with a note.

Shown in History's details. Reviews are kept (the latest per request and image counts); the
request's state, the reviewer and the notes go into exports and appeal packets. Text the user
typed is shown as plain text.
"""

from __future__ import annotations

import getpass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import messages


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


class ReviewBox(QGroupBox):
    """Signals:
        reviewed(int): a review of this history ID was recorded.
    """

    reviewed = Signal(int)

    def __init__(self, store_getter, parent: QWidget | None = None) -> None:
        super().__init__("Human review", parent)
        self.setObjectName("reviewBox")
        self._store = store_getter
        self._entry = None
        self.state = QLabel(objectName="reviewState", textFormat=Qt.TextFormat.PlainText)
        self.reviews = QListWidget(objectName="reviewList")
        self.reviews.setMaximumHeight(90)
        self.target = QComboBox(objectName="reviewTarget")
        self.note = QLineEdit(objectName="reviewNote", placeholderText="Note (goes into exports and appeals)")
        self.reviewer = QLineEdit(_login(), objectName="reviewer", placeholderText="Reviewer")
        self.reviewer.setMaximumWidth(160)
        self.approve = QPushButton("Approve", objectName="reviewApprove")
        self.reject = QPushButton("Reject", objectName="reviewReject")
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row = QHBoxLayout()  # the note gets a line of its own: it is what is typed here
        row.addWidget(self.target)
        row.addWidget(self.reviewer, 1)
        row.addWidget(self.approve)
        row.addWidget(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.reviews)
        layout.addWidget(self.note)
        layout.addLayout(row)
        self.approve.clicked.connect(lambda: self._review("approved"))
        self.reject.clicked.connect(lambda: self._review("rejected"))

    def set_entry(self, entry) -> None:
        """Show the reviews of a history entry (None clears)."""
        self._entry = entry
        self.setEnabled(entry is not None)
        self.target.clear()
        self.reviews.clear()
        if entry is None:
            self.state.setText("")
            return
        self.target.addItem("Whole request", None)
        outputs = [i for i in entry.images if i.role == "output"]
        for n in range(1, len(outputs) + 1):
            self.target.addItem(f"Image {n}", n)
        self.state.setText(f"State: {entry.review_state or 'not reviewed'}")
        for r in entry.reviews:
            what = f"image {r['image_position']}" if r["image_position"] else "request"
            self.reviews.addItem(f"{r['created_at'][:19].replace('T', ' ')}  {r['state']} {what}"
                                 f" by {r['reviewer'] or '?'}" + (f": {r['note']}" if r["note"] else ""))
        self.reviews.setVisible(bool(entry.reviews))

    def _review(self, state: str) -> None:
        from workbench.core.store.reviews import add_review

        if self._entry is None:
            return
        store = self._store()
        with messages.handle_user_errors("The review was not recorded"):
            add_review(store, self._entry.id, state, image=self.target.currentData(),
                       note=self.note.text(), reviewer=self.reviewer.text())
            self.note.clear()
            self.set_entry(store.get(self._entry.id))
            self.reviewed.emit(self._entry.id)
