"""The history search box and filters: outcome, category, stage, profile, model, review state,
date range; and a line with the review counts.

Typing in the search box is debounced (one search after the user pauses); the other filters
apply at once. `search_text()` and `history_filter()` say what is chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import labels

SEARCH_DEBOUNCE_MS = 250
ANY = "Any"

OUTCOME_CHOICES = (
    ("Any outcome", ()),
    ("Blocked (any stage)", ("blocked_input", "blocked_output", "blocked_unknown")),
    ("Blocked at input", ("blocked_input",)),
    ("Blocked at output", ("blocked_output",)),
    ("Blocked, stage unknown", ("blocked_unknown",)),
    ("OK", ("ok",)),
    ("Error", ("error",)),
    ("Cancelled", ("cancelled",)),
    ("Interrupted", ("interrupted",)),
    ("Pending", ("pending",)),
)
# The states core/store/reviews.py records, plus "not reviewed yet" (HistoryFilter.review).
REVIEW_CHOICES = (("Any review", None), ("Approved", "approved"), ("Rejected", "rejected"),
                  ("Not reviewed", "unreviewed"))
STAGE_CHOICES = (("Any stage", None), ("Input", "input"), ("Output", "output"), ("Unknown", "unknown"))
# Categories providers report, beyond the local screening ids.
PROVIDER_CATEGORIES = ("other", "illicit", "harassment")
_NO_DATE = QDate(2000, 1, 1)


class _Choice(QComboBox):
    """An editable combo whose first entry means 'no filter'; typed values are allowed."""

    def __init__(self, any_text: str, tooltip: str) -> None:
        super().__init__()
        self.any_text = any_text
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setToolTip(tooltip)
        self.setMinimumContentsLength(10)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.addItem(any_text, None)

    def value(self) -> str | None:
        text = self.currentText().strip()
        if not text or text == self.any_text:
            return None
        index = self.findText(text)
        data = self.itemData(index) if index >= 0 else None
        return data if data else text

    def offer(self, values) -> None:
        """Add choices not yet listed (keeps what the user typed or chose)."""
        for value in values:
            if value and self.findData(value) < 0:
                self.addItem(self._label(value), value)

    def _label(self, value: str) -> str:
        return value


class _CategoryChoice(_Choice):
    def _label(self, value: str) -> str:
        return f"{labels.category(value)} ({value})"


class _DateBound(QDateEdit):
    """A date, or "any" (the minimum date) when unset."""

    def __init__(self, any_text: str) -> None:
        super().__init__()
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(_NO_DATE)
        self.setSpecialValueText(any_text)
        self.setDate(_NO_DATE)

    def iso(self) -> str | None:
        return None if self.date() == _NO_DATE else self.date().toString("yyyy-MM-dd")

    def clear_date(self) -> None:
        self.setDate(_NO_DATE)


class HistoryFilterBar(QWidget):
    """Signals:
        changed(): the search text (after the debounce) or a filter changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(objectName="historySearch")
        self.search.setPlaceholderText("Search prompts, error messages, notes and request IDs…  (\"quotes\" for a phrase)")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)

        self.outcome = QComboBox(objectName="outcomeFilter")
        for text, outcomes in OUTCOME_CHOICES:
            self.outcome.addItem(text, outcomes)
        self.stage = QComboBox(objectName="stageFilter")
        for text, stage in STAGE_CHOICES:
            self.stage.addItem(text, stage)
        self.category = _CategoryChoice("Any category", "Only requests blocked for this category")
        self.category.setObjectName("categoryFilter")
        self.profile = _Choice("Any profile", "Only requests sent with this provider profile")
        self.profile.setObjectName("profileFilter")
        self.model = _Choice("Any model", "Only requests for this model")
        self.model.setObjectName("modelFilter")
        self.review = QComboBox(objectName="reviewFilter")
        for text, state in REVIEW_CHOICES:
            self.review.addItem(text, state)
        self.review_counts = QLabel(objectName="reviewCounts")
        self.review_counts.setToolTip("Human reviews across the whole history")
        self.since = _DateBound("any")
        self.since.setObjectName("sinceFilter")
        self.until = _DateBound("any")
        self.until.setObjectName("untilFilter")
        self.clear_button = QPushButton("Clear filters")

        from workbench.core.screening.models import CATEGORIES

        self.category.offer([*CATEGORIES, *PROVIDER_CATEGORIES])

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.outcome, self.category, self.stage, self.profile, self.model, self.review):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(QLabel("From"))
        row.addWidget(self.since)
        row.addWidget(QLabel("to"))
        row.addWidget(self.until)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()  # the counts sit beside the search box, which gives way on narrow windows
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.review_counts)
        layout.addLayout(top)
        layout.addLayout(row)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._on_text_changed)
        self.search.returnPressed.connect(self.apply_now)
        self._debounce.timeout.connect(self.changed)
        self.outcome.currentIndexChanged.connect(self._emit_changed)
        self.stage.currentIndexChanged.connect(self._emit_changed)
        self.review.currentIndexChanged.connect(self._emit_changed)
        for combo in (self.category, self.profile, self.model):
            combo.activated.connect(self._emit_changed)
            combo.lineEdit().editingFinished.connect(self.changed)
        self.since.dateChanged.connect(self._emit_changed)
        self.until.dateChanged.connect(self._emit_changed)
        self.clear_button.clicked.connect(self.clear)

    # Bound methods rather than lambdas capturing self: PySide can crash at interpreter exit
    # when such closures keep widgets alive past the QApplication.
    def _on_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _emit_changed(self, *_args) -> None:
        self.changed.emit()

    def apply_now(self) -> None:
        """Search at once (Enter), without waiting for the debounce."""
        self._debounce.stop()
        self.changed.emit()

    def search_text(self) -> str:
        return self.search.text().strip()

    def history_filter(self):
        """The chosen filters as a `HistoryFilter`."""
        from workbench.core.store.models import HistoryFilter
        from workbench.core.store.timestamps import parse_date_bound

        since, until = self.since.iso(), self.until.iso()
        return HistoryFilter(
            outcomes=tuple(self.outcome.currentData() or ()),
            category=self.category.value(),
            stage=self.stage.currentData(),
            profile=self.profile.value(),
            model=self.model.value(),
            review=self.review.currentData(),
            since=parse_date_bound(since) if since else None,
            until=parse_date_bound(until, end=True) if until else None,
        )

    def is_filtered(self) -> bool:
        flt = self.history_filter()
        return bool(self.search_text() or flt.outcomes or flt.category or flt.stage or flt.profile
                    or flt.model or flt.review or flt.since or flt.until)

    def offer_values(self, *, profiles=(), models=(), categories=()) -> None:
        """Make values seen in history (or configured) available in the combos."""
        self.profile.offer(profiles)
        self.model.offer(models)
        self.category.offer(categories)

    def clear(self) -> None:
        """Remove every filter and the search text; one `changed` at the end."""
        widgets = (self.search, self.outcome, self.stage, self.category, self.profile, self.model,
                   self.review, self.since, self.until)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search.clear()
            self._debounce.stop()
            for combo in (self.outcome, self.stage, self.category, self.profile, self.model, self.review):
                combo.setCurrentIndex(0)
            self.since.clear_date()
            self.until.clear_date()
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.changed.emit()

    def show_review_counts(self, counts: dict[str, int]) -> None:
        """Show {approved, rejected, unreviewed} counts (core/store/reviews.py review_counts)."""
        self.review_counts.setText(f"Reviewed: {counts.get('approved', 0):,} approved · "
                                   f"{counts.get('rejected', 0):,} rejected · "
                                   f"{counts.get('unreviewed', 0):,} not reviewed")

    def set_search_text(self, text: str) -> None:
        """Put text in the search box and search at once (tests, "find request ID")."""
        self.search.setText(text)
        self.apply_now()
