"""Small charts drawn with QPainter (QtCharts is not part of PySide6-Essentials).

- `BandGauge`: the violation rate on a 0..max scale coloured healthy / watch / systemic.
- `HorizontalBars`: labelled bars with counts and shares (category distribution).
- `TrendChart`: blocked rate per day or week over the health bands, request volume behind it.
- `CalibrationMap`: what learned calibration knows per model family (core.calibration.report rows).
Each takes plain numbers (or core rows) and knows nothing about the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.ui import labels

HEALTHY_BELOW = 0.02
SYSTEMIC_ABOVE = 0.05
BAND_COLORS = {"healthy": "#2e7d32", "watch": "#e09b00", "systemic": "#c62828", "no data": "#9e9e9e"}
BAND_LABELS = {"healthy": "Healthy (< 2 %)", "watch": "Watch (2–5 %)", "systemic": "Systemic (> 5 %)",
               "no data": "No data yet"}


def band_color(band: str) -> QColor:
    return QColor(BAND_COLORS.get(band, BAND_COLORS["no data"]))


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f} %"


def _text_color(widget: QWidget) -> QColor:
    return widget.palette().windowText().color()


def _faint(color: QColor, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c


class BandGauge(QWidget):
    """A horizontal scale with the three bands and a marker at the rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rate: float | None = None
        self.setMinimumHeight(38)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rate(self, rate: float | None) -> None:
        self.rate = rate
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(280, 38)

    def scale_max(self) -> float:
        """10 % normally; wider for a higher rate, but never so wide the bands vanish."""
        return min(0.30, max(0.10, (self.rate or 0) * 1.15))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        bar = QRectF(4, 6, self.width() - 8, 12)
        top = self.scale_max()
        x = lambda v: bar.left() + bar.width() * min(v, top) / top  # noqa: E731
        for start, end, band in ((0, HEALTHY_BELOW, "healthy"), (HEALTHY_BELOW, SYSTEMIC_ABOVE, "watch"),
                                 (SYSTEMIC_ABOVE, top, "systemic")):
            p.fillRect(QRectF(x(start), bar.top(), x(end) - x(start), bar.height()), _faint(band_color(band), 90))
        text = _text_color(self)
        p.setPen(text)
        right_edge = 0.0
        for value in (HEALTHY_BELOW, SYSTEMIC_ABOVE, top):
            label = f"{value * 100:.0f} %" + ("+" if value == top and (self.rate or 0) > top else "")
            width = fm.horizontalAdvance(label)
            left = min(x(value) - width / 2, self.width() - width - 2)
            if left < right_edge + 4:
                continue  # would overlap the previous label
            p.drawText(QPointF(left, bar.bottom() + fm.ascent() + 3), label)
            right_edge = left + width
        if self.rate is not None:
            mx = x(self.rate)
            p.setPen(QPen(text, 2))
            p.drawLine(QPointF(mx, bar.top() - 4), QPointF(mx, bar.bottom() + 2))
            path = QPainterPath()
            path.moveTo(mx - 5, bar.top() - 6)
            path.lineTo(mx + 5, bar.top() - 6)
            path.lineTo(mx, bar.top())
            path.closeSubpath()
            p.fillPath(path, text)
        p.end()


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    share: float
    color: str


class HorizontalBars(QWidget):
    """One row per item: label, a bar proportional to the largest value, count and share."""

    ROW = 24
    LABEL_WIDTH = 190

    def __init__(self, empty_text: str = "Nothing to show yet.", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.empty_text = empty_text
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self.setFixedHeight(max(1, len(self.bars)) * self.ROW + 6)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, max(1, len(self.bars)) * self.ROW + 6)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = _text_color(self)
        fm = QFontMetrics(self.font())
        if not self.bars:
            p.setPen(_faint(text, 160))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.empty_text)
            p.end()
            return
        top = max(b.value for b in self.bars) or 1
        number_width = fm.horizontalAdvance("000,000 (100 %)") + 8
        room = max(20, self.width() - self.LABEL_WIDTH - number_width - 8)
        for row, bar in enumerate(self.bars):
            y = 3 + row * self.ROW
            p.setPen(text)
            label = fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, self.LABEL_WIDTH - 8)
            p.drawText(QRectF(0, y, self.LABEL_WIDTH - 8, self.ROW),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            width = max(2.0, room * bar.value / top)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(bar.color))
            p.drawRoundedRect(QRectF(self.LABEL_WIDTH, y + 5, width, self.ROW - 10), 3, 3)
            p.setPen(text)
            p.drawText(QRectF(self.LABEL_WIDTH + width + 6, y, number_width, self.ROW),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{bar.value:,} ({bar.share * 100:.0f} %)")
        p.end()


@dataclass(frozen=True)
class TrendPoint:
    period: str
    total: int
    judged: int
    blocked: int
    rate: float | None
    band: str


class TrendChart(QWidget):
    """Blocked rate per period as a line over the bands; faint bars show how many requests."""

    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 10, 10, 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[TrendPoint] = []
        self.setMinimumHeight(190)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_points(self, points: list[TrendPoint]) -> None:
        self.points = list(points)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def _plot(self) -> QRectF:
        return QRectF(self.MARGIN_LEFT, self.MARGIN_TOP, max(10, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT),
                      max(10, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM))

    def rate_max(self) -> float:
        rates = [p.rate for p in self.points if p.rate is not None]
        return max([0.08, *(r * 1.15 for r in rates)])

    def _x(self, plot: QRectF, index: int) -> float:
        step = plot.width() / max(1, len(self.points))
        return plot.left() + step * (index + 0.5)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = _text_color(self)
        fm = QFontMetrics(self.font())
        plot = self._plot()
        if not self.points:
            p.setPen(_faint(text, 160))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No requests in this period.")
            p.end()
            return
        top = self.rate_max()
        y = lambda r: plot.bottom() - plot.height() * min(r, top) / top  # noqa: E731
        for start, end, band in ((0, HEALTHY_BELOW, "healthy"), (HEALTHY_BELOW, SYSTEMIC_ABOVE, "watch"),
                                 (SYSTEMIC_ABOVE, top, "systemic")):
            p.fillRect(QRectF(plot.left(), y(end), plot.width(), y(start) - y(end)), _faint(band_color(band), 28))
        volume_top = max(pt.total for pt in self.points) or 1
        bar_width = min(28.0, plot.width() / len(self.points) * 0.7)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(_faint(text, 38))
        for i, pt in enumerate(self.points):
            h = plot.height() * 0.9 * pt.total / volume_top
            p.drawRect(QRectF(self._x(plot, i) - bar_width / 2, plot.bottom() - h, bar_width, h))
        p.setPen(_faint(text, 170))
        last_y = None
        for value in (0.0, HEALTHY_BELOW, SYSTEMIC_ABOVE, top):
            if last_y is not None and last_y - y(value) < fm.height():
                continue  # too close to the label below it
            last_y = y(value)
            label = f"{value * 100:.0f} %"
            p.drawText(QRectF(0, y(value) - fm.height() / 2, self.MARGIN_LEFT - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        for i in sorted({0, len(self.points) // 2, len(self.points) - 1}):
            label = self.points[i].period
            width = fm.horizontalAdvance(label)
            left = min(max(0.0, self._x(plot, i) - width / 2), self.width() - width - 2)
            p.drawText(QPointF(left, plot.bottom() + fm.ascent() + 5), label)
        path = QPainterPath()
        started = False
        for i, pt in enumerate(self.points):
            if pt.rate is None:
                continue
            point = QPointF(self._x(plot, i), y(pt.rate))
            path.lineTo(point) if started else path.moveTo(point)
            started = True
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(text, 1.6))
        p.drawPath(path)
        for i, pt in enumerate(self.points):
            if pt.rate is not None:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(band_color(pt.band))
                p.drawEllipse(QPointF(self._x(plot, i), y(pt.rate)), 3.2, 3.2)
        p.end()

    def point_at(self, x: float) -> TrendPoint | None:
        if not self.points:
            return None
        plot = self._plot()
        index = int((x - plot.left()) / (plot.width() / len(self.points)))
        return self.points[index] if 0 <= index < len(self.points) else None

    def mouseMoveEvent(self, event) -> None:
        pt = self.point_at(event.position().x())
        if pt is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(),
                          f"{pt.period}: {pt.blocked} blocked of {pt.judged} judged ({percent(pt.rate)}), "
                          f"{pt.total} requests", self)


class CalibrationMap(QWidget):
    """What learned calibration knows, per model family: one row per finding with its passes and
    blocks, the learned block rate (tinted), how sure it is and what it makes of the profile's
    prior. Fed `core.calibration.report.Learned` rows: the model the verdict uses, not a
    separate computation. A family box narrows it to one model family."""

    COLUMNS = ("Model family", "Term", "Category", "Passed", "Blocked", "Learned block rate", "How sure",
               "Reads as")
    EMPTY = ("Nothing learned yet. Every real outcome (passed or blocked; never Sandbox or demo rows) "
             "teaches the verdict which findings matter on which model.")

    def __init__(self, ops=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list = []
        self._ops = ops  # with operations: Export…, Import…, Reset… buttons
        self.family = QComboBox(objectName="calibrationFamily")
        self.note = QLabel(self.EMPTY)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS), objectName="calibrationMap")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.setMinimumHeight(240)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.family)
        self.buttons = {}
        if ops is not None:
            for name, text in (("export", "Export…"), ("import", "Import…"), ("reset", "Reset…")):
                button = self.buttons[name] = QPushButton(text, objectName=f"calibration_{name}")
                button.clicked.connect(lambda _=False, n=name: self._on_action(n))
                top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.family.currentIndexChanged.connect(self._fill)

    @asyncSlot()
    async def _on_action(self, name: str) -> None:
        await self.run_action(name)

    async def run_action(self, name: str):
        """Export, import or reset (ui/settings/calibration_actions.py), then show the new rows."""
        from workbench.ui.settings import calibration_actions as actions

        for button in self.buttons.values():
            button.setEnabled(False)
        try:
            run = {"export": actions.export_calibration, "import": actions.import_calibration,
                   "reset": actions.reset_calibration}[name]
            result = await run(self, self._ops)
            if result is not None and name != "export":
                from workbench.ui import messages

                with messages.handle_user_errors("The calibration map could not be refreshed"):
                    self.set_rows(await self._ops.run_in_worker(actions.rows_job))
            return result
        finally:
            for button in self.buttons.values():
                button.setEnabled(True)

    def set_rows(self, rows: list) -> None:
        self.rows = list(rows)
        chosen = self.family.currentData()
        self.family.blockSignals(True)
        self.family.clear()
        self.family.addItem("All model families", "")
        for name in sorted({r.family for r in self.rows}):
            self.family.addItem(name, name)
        self.family.setCurrentIndex(max(0, self.family.findData(chosen)) if chosen else 0)
        self.family.blockSignals(False)
        self._fill()

    def shown(self) -> list:
        family = self.family.currentData()
        return [r for r in self.rows if not family or r.family == family]

    def _fill(self, *_args) -> None:
        rows = self.shown()
        moved = sum(1 for r in rows if r.changed)
        self.note.setText(self.EMPTY if not self.rows else (
            f"{len(rows):,} finding(s) with real outcomes; {moved:,} read differently than the profile says "
            "because of them. How sure = n / (8 + n): the profile's opinion counts as 8 requests."))
        table = self.table
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            c = r.counts
            rate = _Number(percent(r.posterior, 0), r.posterior)
            tint = QColor(band_color("systemic"))
            tint.setAlpha(int(30 + 170 * r.posterior))
            rate.setBackground(tint)
            rate.setToolTip(f"Observed {c.blocks} blocked of {c.requests}; learned from a prior of "
                            f"{r.prior or 'medium (unknown)'}")
            reads = "–" if r.reads_as is None else (f"{r.prior} → {r.reads_as}" if r.changed else r.reads_as)
            cells = [QTableWidgetItem(r.family), QTableWidgetItem(r.term),
                     QTableWidgetItem(labels.category(r.category)),
                     _Number(f"{c.passes:,}", c.passes), _Number(f"{c.blocks:,}", c.blocks), rate,
                     _Number(percent(r.sure, 0), r.sure), QTableWidgetItem(reads)]
            for column, item in enumerate(cells):
                table.setItem(i, column, item)
        table.setSortingEnabled(True)
        table.sortItems(3, Qt.SortOrder.DescendingOrder)


class _Number(QTableWidgetItem):
    """A cell shown as text, sorted by its number."""

    def __init__(self, text: str, number: float) -> None:
        super().__init__(text)
        self.number = float(number)
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other) -> bool:
        return self.number < other.number if isinstance(other, _Number) else super().__lt__(other)
