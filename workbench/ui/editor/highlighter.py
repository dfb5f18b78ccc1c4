"""RiskHighlighter: turns finding spans into underlines, coloured by category, styled by severity.

It does no screening itself: `PromptEditor` scans the text and hands over, per block, the spans
to paint. Severity → style: low = pale squiggle, medium = squiggle, high = solid underline with
a faint tint, critical = solid underline on a strong tint (a hard line).
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat

from workbench.ui import theme


class BlockSpan(NamedTuple):
    """A finding's part inside one block, in UTF-16 units relative to the block start."""

    start: int
    length: int
    category: str
    severity: str


BlockSpans = tuple[BlockSpan, ...]

UNSET_STATE = -1  # QTextBlock.userState() of a block never highlighted


def spans_signature(spans: BlockSpans) -> int:
    """A block state that records which spans a block was painted with."""
    return UNSET_STATE if not spans else hash(spans) & 0x3FFFFFFF


def char_format(category: str, severity: str, dark: bool = False) -> QTextCharFormat:
    color = theme.category_color(category, dark)
    fmt = QTextCharFormat()
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


class RiskHighlighter(QSyntaxHighlighter):
    """Paints the spans `set_spans` was given; knows nothing about words or rules."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._spans: dict[int, BlockSpans] = {}
        self._formats: dict[tuple[str, str], QTextCharFormat] = {}
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

    def format_for(self, category: str, severity: str) -> QTextCharFormat:
        key = (category, severity)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = char_format(category, severity, self._dark)
        return fmt

    def highlightBlock(self, text: str) -> None:
        spans = self._spans.get(self.currentBlock().blockNumber(), ())
        for span in spans:
            self.setFormat(span.start, span.length, self.format_for(span.category, span.severity))
        self.setCurrentBlockState(spans_signature(spans))
