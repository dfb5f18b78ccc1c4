"""Per-category score bars drawn with QPainter (no QtCharts in PySide6-Essentials)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


def score_color(score: float, flagged: bool) -> QColor:
    if flagged or score >= 0.5:
        return QColor("#d84315")
    if score >= 0.2:
        return QColor("#e0a100")
    return QColor("#43a047")


class ScoreBars(QWidget):
    """One row per category: name, a bar from 0 to 1, and the score."""

    ROW = 19

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float, bool]] = []
        self.stale = False  # the scores belong to an earlier prompt: drawn faded
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_scores(self, rows: list[tuple[str, float, bool]]) -> None:
        """Rows of (category, score 0–1, flagged)."""
        self._rows = rows
        self.updateGeometry()
        self.update()

    def set_stale(self, stale: bool) -> None:
        if stale != self.stale:
            self.stale = stale
            self.update()

    def rows(self) -> list[tuple[str, float, bool]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(320, max(1, len(self._rows)) * self.ROW + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.stale:
            painter.setOpacity(0.35)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        track = palette.color(QPalette.ColorRole.Mid)
        track.setAlpha(90)
        metrics = painter.fontMetrics()
        name_width = min(190, max((metrics.horizontalAdvance(r[0]) for r in self._rows), default=80) + 10)
        value_width = metrics.horizontalAdvance("0.000") + 8
        bar_left = name_width
        bar_width = max(20, self.width() - name_width - value_width - 4)
        for i, (name, score, flagged) in enumerate(self._rows):
            top = 2 + i * self.ROW
            font = painter.font()
            font.setBold(flagged)
            painter.setFont(font)
            painter.setPen(text_color)
            painter.drawText(QRectF(0, top, name_width - 6, self.ROW), Qt.AlignmentFlag.AlignVCenter, name)
            bar = QRectF(bar_left, top + 5, bar_width, self.ROW - 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            fill = QRectF(bar.left(), bar.top(), max(2.0, bar.width() * min(max(score, 0.0), 1.0)), bar.height())
            painter.setBrush(score_color(score, flagged))
            painter.drawRoundedRect(fill, 3, 3)
            painter.setPen(text_color)
            painter.drawText(
                QRectF(bar.right() + 6, top, value_width, self.ROW),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"{score:.3f}",
            )
        painter.end()
