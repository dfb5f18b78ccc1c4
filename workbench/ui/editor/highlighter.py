"""RiskHighlighter: turns finding spans into underlines, coloured by category, styled by severity.

It does no screening itself: `PromptEditor` scans the text and hands over, per block, the spans
to paint. Severity → style: low = pale squiggle, medium = squiggle, high = solid underline with
a faint tint, critical = solid underline on a strong tint (a hard line).

A scene finding (stage "scene": harm in a clause's combination of words) is painted as one soft
background band over its clause, with no underline, so it reads as "this whole stretch" and
stays distinct from the term underlines, which are painted on top of it.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat

from workbench.ui import theme


class BlockSpan(NamedTuple):
    """A finding's part inside one block, in UTF-16 units relative to the block start."""

    start: int
    length: int
    category: str
    severity: str
    stage: str = ""  # the finding's pipeline stage; "scene" paints a band, not an underline


BlockSpans = tuple[BlockSpan, ...]

UNSET_STATE = -1  # QTextBlock.userState() of a block never highlighted


def spans_signature(spans: BlockSpans) -> int:
    """A block state that records which spans a block was painted with."""
    return UNSET_STATE if not spans else hash(spans) & 0x3FFFFFFF


def char_format(category: str, severity: str, dark: bool = False) -> QTextCharFormat:
    color = theme.category_color(category, dark)
    fmt = QTextCharFormat()
    if severity == "info":  # a note (inside a constraint, or a mention): seen, not a risk
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setUnderlineColor(QColor(150, 150, 150, 170))
        return fmt
    if severity in ("low", "medium"):
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        underline = QColor(color)
        if severity == "low":
            underline.setAlpha(150)
        fmt.setUnderlineColor(underline)
        return fmt
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
    fmt.setUnderlineColor(color)
    tint = QColor(color)
    tint.setAlpha(80 if severity == "critical" else 28)
    fmt.setBackground(tint)
    return fmt


SCENE_STAGE = "scene"


def scene_format(category: str, severity: str, dark: bool = False) -> QTextCharFormat:
    """A soft band in the category's colour, stronger for a hard line; no underline."""
    tint = QColor(theme.category_color(category, dark))
    tint.setAlpha(70 if severity == "critical" else 40)
    fmt = QTextCharFormat()
    fmt.setBackground(tint)
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.NoUnderline)
    return fmt


class RiskHighlighter(QSyntaxHighlighter):
    """Paints the spans `set_spans` was given; knows nothing about words or rules."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._spans: dict[int, BlockSpans] = {}
        self._formats: dict[tuple[str, str, str], QTextCharFormat] = {}
        self._dark = theme.is_dark()

    def set_spans(self, spans: dict[int, BlockSpans]) -> None:
        """Replace the spans (block number → spans). Painting happens on (re)highlight."""
        self._spans = spans

    def spans_for(self, block_number: int) -> BlockSpans:
        return self._spans.get(block_number, ())

    def set_dark(self, dark: bool) -> None:
        """Theme changed: rebuild the formats and repaint everything."""
        self._dark = dark
        self._formats.clear()
        if self.document() is not None:
            self.rehighlight()

    def format_for(self, category: str, severity: str, stage: str = "") -> QTextCharFormat:
        scene = stage == SCENE_STAGE
        key = (category, severity, SCENE_STAGE if scene else "")
        fmt = self._formats.get(key)
        if fmt is None:
            make = scene_format if scene else char_format
            fmt = self._formats[key] = make(category, severity, self._dark)
        return fmt

    def highlightBlock(self, text: str) -> None:
        spans = self._spans.get(self.currentBlock().blockNumber(), ())
        bands = [s for s in spans if s.stage == SCENE_STAGE]
        for span in bands:  # the scene's band first, so term underlines stay visible on it
            self.setFormat(span.start, span.length, self.format_for(span.category, span.severity, span.stage))
        for span in spans:
            if span.stage != SCENE_STAGE:
                self._paint_term(span, bands)
        self.setCurrentBlockState(spans_signature(spans))

    def _paint_term(self, span: BlockSpan, bands: list[BlockSpan]) -> None:
        """A term underline; where it lies on a scene band, the band's background is kept."""
        fmt = self.format_for(span.category, span.severity)
        if not bands or fmt.background().style() != Qt.BrushStyle.NoBrush:
            self.setFormat(span.start, span.length, fmt)
            return
        cuts = {span.start, span.start + span.length}
        for band in bands:
            for edge in (band.start, band.start + band.length):
                if span.start < edge < span.start + span.length:
                    cuts.add(edge)
        points = sorted(cuts)
        for lo, hi in zip(points, points[1:], strict=False):
            merged = QTextCharFormat(self.format(lo))
            merged.merge(fmt)
            self.setFormat(lo, hi - lo, merged)
