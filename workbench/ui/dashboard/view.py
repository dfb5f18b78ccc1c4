"""The Dashboard tab: violation rate and health band, pass rate after rewrite, categories,
top blocked prompts, trend over time, costs, and the calibration map.

Statistics over the whole history (hundreds of milliseconds at 100,000 rows) are computed by
`workbench.core.store.stats` on the history worker thread; the tab shows the last result until the
new one arrives and recomputes when history changes while it is visible.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.core.calibration import report
from workbench.ui import labels, messages, theme
from workbench.ui.dashboard.charts import (
    BAND_LABELS,
    BandGauge,
    Bar,
    CalibrationMap,
    HorizontalBars,
    TrendChart,
    TrendPoint,
    band_color,
    percent,
)
from workbench.ui.history.background import HistoryWorker
from workbench.ui.history.model import one_line, short_time
from workbench.ui.widgets.readable_column import keep_readable

REFRESH_DEBOUNCE_MS = 1500
SCOPES = (("All time", None), ("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90))
TOP_PROMPTS = 10


def compute_job(store, days: int | None, unit: str, include_test: bool = False):
    """Runs on the history worker: every dashboard figure for the chosen period, and how many
    Sandbox and demo requests were left out (0 when they are included)."""
    from datetime import timedelta

    from workbench.core.store.models import TEST_PROVIDERS, TEST_SOURCES, HistoryFilter
    from workbench.core.store.stats import compute_stats
    from workbench.core.store.timestamps import cutoff

    since = cutoff(timedelta(days=days)) if days else None
    if include_test:
        return compute_stats(store, HistoryFilter(since=since), trend=unit, top=TOP_PROMPTS), 0
    flt = HistoryFilter(since=since, exclude_providers=TEST_PROVIDERS, exclude_sources=TEST_SOURCES)
    left_out = store.count("", HistoryFilter(since=since)) - store.count("", flt)
    return compute_stats(store, flt, trend=unit, top=TOP_PROMPTS), left_out


def _plain(text: str, *, big: bool = False, bold: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(not big)
    if big or bold:
        font = QFont(label.font())
        font.setBold(True)
        if big:
            font.setPointSizeF(font.pointSizeF() * 2.1)
        label.setFont(font)
    return label


class _NumberItem(QTableWidgetItem):
    """A table cell shown as text but sorted by its number."""

    def __init__(self, text: str, number: float | None) -> None:
        super().__init__(text)
        self.number = -1.0 if number is None else float(number)
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other) -> bool:
        return self.number < other.number if isinstance(other, _NumberItem) else super().__lt__(other)


def _table(headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class _Card(QFrame):
    """A headline number with a caption and details."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("dashboardCard")
        self.title = _plain(title, bold=True)
        self.value = _plain("–", big=True)
        self.caption = _plain("")
        self.detail = _plain("")
        self.layout_ = QVBoxLayout(self)
        for widget in (self.title, self.value, self.caption, self.detail):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)


class DashboardView(QWidget):
    """Signals:
        search_requested(str): show history requests with this prompt (main window: History tab).
    """

    search_requested = Signal(str)

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setObjectName("dashboardView")
        self.worker = HistoryWorker(ops.history.store)
        self.stats = None
        self._loaded = False
        self._stale = False
        self._generation = 0
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)

        self.scope = QComboBox(objectName="dashboardScope")
        for text, days in SCOPES:
            self.scope.addItem(text, days)
        self.unit = QComboBox(objectName="dashboardUnit")
        self.unit.addItem("Per day", "day")
        self.unit.addItem("Per week", "week")
        self.refresh_button = QPushButton("Refresh")
        self.include_test = QCheckBox("Include Sandbox and demo", objectName="includeTestTraffic")
        self.include_test.setToolTip(
            "Requests to the built-in Sandbox and generated demo rows are simulated: they are left "
            "out of the figures unless you include them.")
        self.left_out = 0  # Sandbox and demo requests left out of the figures shown
        self.updated = _plain("")
        self.updated.setWordWrap(False)

        self.rate_card = _Card("Violation rate")
        self.band = _plain("", bold=True)
        self.gauge = BandGauge()
        self.rate_card.layout_.insertWidget(2, self.band)
        self.rate_card.layout_.insertWidget(3, self.gauge)
        self.rewrite_card = _Card("Pass rate after rewrite")
        self.volume_card = _Card("Requests")
        self.cost_card = _Card("Spend")

        self.categories = HorizontalBars("No blocked requests in this period.")
        self.trend = TrendChart()
        self.top = _table(["Blocked", "Attempts", "Prompt", "Categories", "Models", "Last blocked (UTC)"], 2)
        self.top.setObjectName("topBlocked")
        for column, width in ((3, 130), (4, 150)):
            self.top.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.top.setColumnWidth(column, width)
        self.top.setMinimumHeight(200)
        self.top_prompt_column = keep_readable(self.top, 2, 30)
        self.calibration = CalibrationMap(ops)  # learned calibration: the model the verdict uses

        self._build_layout()
        self._connect_signals()

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Period"))
        controls.addWidget(self.scope)
        controls.addWidget(QLabel("Trend"))
        controls.addWidget(self.unit)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.include_test)
        controls.addStretch(1)
        controls.addWidget(self.updated)

        cards = QHBoxLayout()
        for card in (self.rate_card, self.rewrite_card, self.volume_card, self.cost_card):
            cards.addWidget(card, 1)

        grid = QGridLayout()
        grid.addWidget(self._group("Blocked requests by category", self.categories), 0, 0)
        grid.addWidget(self._group("Violation rate over time (bands: healthy < 2 %, systemic > 5 %)", self.trend), 0, 1)
        # Full width: the prompts are what is read here, and half a 1280-pixel window is too narrow.
        grid.addWidget(self._group("Top blocked prompts (double-click to find them in History)", self.top), 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        calibration = self._group("Calibration map: what your history taught the verdict, per model family "
                                  "(all time)", self.calibration)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(controls)
        layout.addLayout(cards)
        layout.addLayout(grid)
        layout.addWidget(calibration)
        layout.addStretch(1)
        area = QScrollArea()
        area.setWidget(page)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)

    @staticmethod
    def _group(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.addWidget(widget)
        return box

    def _connect_signals(self) -> None:
        self.scope.currentIndexChanged.connect(self._on_controls_changed)
        self.unit.currentIndexChanged.connect(self._on_controls_changed)
        self.refresh_button.clicked.connect(self._on_controls_changed)
        self.include_test.toggled.connect(self._on_controls_changed)
        self.top.itemDoubleClicked.connect(self._on_top_activated)
        self._refresh_timer.timeout.connect(self._on_history_settled)
        self.ops.history.changed.connect(self._refresh_timer.start)
        self.destroyed.connect(self.worker.close)

    # --- computing -----------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded or self._stale:
            self._refresh()

    def _on_controls_changed(self, *_args) -> None:
        self._refresh()

    def _on_history_settled(self) -> None:
        if self.isVisible():
            self._refresh()
        else:
            self._stale = True

    @asyncSlot()
    async def _refresh(self) -> None:
        await self.refresh()

    async def refresh(self):
        """Recompute the statistics off the GUI thread and show them; returns them (or None)."""
        self._loaded, self._stale = True, False
        self._generation += 1
        generation = self._generation
        self.refresh_button.setEnabled(False)
        self.updated.setText("Computing…")
        try:
            with messages.handle_user_errors("The dashboard could not be computed"):
                stats, left_out = await self.worker.run(compute_job, self.scope.currentData(),
                                                        self.unit.currentData(), self.include_test.isChecked())
                learned = await self.worker.run(report.from_store)
                if generation == self._generation:
                    self.left_out = left_out
                    self.show_stats(stats)
                    self.calibration.set_rows(learned)
                return stats
            self.updated.setText("")
            return None
        finally:
            if generation == self._generation:
                self.refresh_button.setEnabled(True)

    # --- showing -------------------------------------------------------------------------

    def show_stats(self, stats) -> None:
        """Fill every panel from a `DashboardStats`."""
        self.stats = stats
        left_out = f" · {self.left_out:,} Sandbox/demo left out" if self.left_out else ""
        self.updated.setText(f"Updated {short_time(stats.generated_at)} UTC · {stats.total:,} requests{left_out}")
        self._fill_cards(stats)
        self.categories.set_bars([
            Bar(labels.category(c.category) if c.category != "unspecified" else "Not named by the provider",
                c.count, c.share, theme.category_color(c.category).name())
            for c in stats.categories
        ])
        self.trend.set_points([TrendPoint(p.period, p.total, p.judged, p.blocked, p.rate, p.band)
                               for p in stats.trend])
        self._fill_top(stats)

    def _fill_cards(self, s) -> None:
        v = s.violation
        self.rate_card.value.setText(percent(v.rate))
        self.rate_card.value.setStyleSheet(f"color: {band_color(v.band).name()}")
        self.band.setText(BAND_LABELS.get(v.band, v.band))
        self.band.setStyleSheet(f"color: {band_color(v.band).name()}")
        self.gauge.set_rate(v.rate)
        self.rate_card.caption.setText(
            f"{v.blocked:,} blocked of {v.judged:,} requests the safety system judged "
            f"(input {v.blocked_input:,}, output {v.blocked_output:,}, stage unknown {v.blocked_unknown:,}). Errors, cancelled and "
            "interrupted requests are not counted.")
        self.rate_card.detail.setText("")

        r = s.rewrite
        self.rewrite_card.value.setText(percent(r.pass_rate, 0))
        self.rewrite_card.caption.setText(
            f"{r.passed:,} of {r.rewrites:,} rewrites of blocked prompts passed." if r.rewrites else
            "No rewrites of blocked prompts yet. Desensitize a blocked prompt and send it again.")
        self.rewrite_card.detail.setText(
            f"{r.recovered:,} of {r.blocked_with_rewrites:,} blocked prompts recovered "
            f"({percent(r.recovery_rate, 0)})." if r.blocked_with_rewrites else "")

        self.volume_card.value.setText(f"{s.total:,}")
        order = ("ok", "blocked_input", "blocked_output", "blocked_unknown", "error", "cancelled", "interrupted", "pending")
        parts = [f"{labels.OUTCOME_LABELS.get(o, o)} {s.by_outcome[o]:,}" for o in order if s.by_outcome.get(o)]
        empty = "No requests in this period." + (
            f" {self.left_out:,} Sandbox and demo request(s) are left out: tick “Include Sandbox and demo” "
            "to see them." if self.left_out else "")
        self.volume_card.caption.setText(" · ".join(parts) or empty)
        self.volume_card.detail.setText(
            f"{s.blocked_without_findings:,} block(s) came with no local finding." if v.blocked else "")

        c = s.costs
        self.cost_card.value.setText(f"${c.actual_cost:,.2f}")
        self.cost_card.caption.setText(
            f"Actual cost of {c.priced_requests:,} priced request(s); estimated before sending ${c.estimated_cost:,.2f}.")
        top_models = ", ".join(f"{m.model} ${m.actual_cost:,.2f}" for m in c.by_model[:3])
        self.cost_card.detail.setText(
            f"Tokens: {c.input_tokens:,} in, {c.output_tokens:,} out." + (f"\n{top_models}" if top_models else ""))

    def _fill_top(self, s) -> None:
        self.top.setRowCount(len(s.top_blocked))
        for row, t in enumerate(s.top_blocked):
            cells = [
                _NumberItem(f"{t.blocked:,}", t.blocked),
                _NumberItem(f"{t.attempts:,}", t.attempts),
                QTableWidgetItem(one_line(t.prompt, 200)),
                QTableWidgetItem(", ".join(labels.category(c) for c in t.categories)),
                QTableWidgetItem(", ".join(t.models)),
                QTableWidgetItem(short_time(t.last_blocked, seconds=False)),
            ]
            cells[2].setToolTip(messages.plain_tooltip(t.prompt))
            cells[3].setToolTip(messages.plain_tooltip(cells[3].text()))
            cells[4].setToolTip(messages.plain_tooltip(cells[4].text()))
            cells[2].setData(Qt.ItemDataRole.UserRole, t.prompt)
            for column, item in enumerate(cells):
                self.top.setItem(row, column, item)

    def _on_top_activated(self, item: QTableWidgetItem) -> None:
        prompt = self.top.item(item.row(), 2).data(Qt.ItemDataRole.UserRole)
        if prompt:
            self.search_requested.emit('"' + " ".join(prompt.split()[:8]).replace('"', " ") + '"')
