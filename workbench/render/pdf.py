"""PDF export of appeal packets through Qt (QTextDocument printed to a QPdfWriter).

Kept outside `workbench.core` because it imports Qt. Why Qt rather than a pure-Python PDF
library: Qt is already a dependency (no new package), it embeds subset TrueType fonts with full
Unicode coverage, shaping and line-wrapping, and it runs offscreen with PySide6-Essentials alone.

Text from the packet (prompts, error bodies, business context) is inserted with
`QTextCursor.insertText`, never as HTML, so it is shown exactly as typed. Works in a GUI
process (reuses the running QApplication) and headless (creates a QGuiApplication on the
`offscreen` platform when there is no display).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from workbench.core.appeal.document import (
    CHECKED,
    UNCHECKED,
    Bullets,
    Checklist,
    Document,
    Fields,
    Heading,
    Paragraph,
    Preformatted,
    Table,
    check_mark,
)
from workbench.core.errors import UserFacingError

_APP: Any = None  # keeps a QGuiApplication we created alive


def _ensure_qt() -> None:
    global _APP
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtGui import QGuiApplication
    except ImportError as exc:
        raise UserFacingError(f"PDF export needs PySide6, which is not available ({exc})") from None
    if QGuiApplication.instance() is None:
        _APP = QGuiApplication(["workbench-pdf"])


def write_pdf(document: Document, path: Path) -> None:
    """Render `document` to an A4 PDF at `path`.

    Raises:
        UserFacingError: Qt is unavailable or the PDF could not be written.
    """
    _ensure_qt()
    from PySide6.QtCore import QAbstractEventDispatcher

    if QAbstractEventDispatcher.instance() is None:
        # A plain Python thread (the history worker) has no Qt event dispatcher, and the text
        # layout starts timers ("QBasicTimer can only be used with threads started with
        # QThread"): lay out and print on a short-lived QThread, which has one.
        _on_qthread(lambda: _render(document, path))
    else:
        _render(document, path)
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        raise UserFacingError(f"the PDF could not be written to {path}")


def _on_qthread(job: Any) -> None:
    """Run `job()` on a new QThread and wait for it; its exception is raised here."""
    from PySide6.QtCore import QThread

    class _Job(QThread):
        error: BaseException | None = None

        def run(self) -> None:
            try:
                job()
            except BaseException as exc:  # handed to the caller's thread below
                self.error = exc

    thread = _Job()
    thread.start()
    thread.wait()
    error = thread.error
    del thread
    if error is not None:
        raise error


def _render(document: Document, path: Path) -> None:
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument, QTextOption

    doc = QTextDocument()
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, document.title)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # long IDs and JSON lines
    doc.setDefaultTextOption(option)
    _Renderer(doc).render(document)

    writer = QPdfWriter(str(path))
    writer.setTitle(document.title)
    writer.setCreator("Prompt Workbench")
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    doc.print_(writer)
    del writer  # finishes the file


class _Renderer:
    """Turns document blocks into QTextDocument content with plain-text inserts only."""

    def __init__(self, doc: Any) -> None:
        from PySide6.QtGui import QFont, QFontDatabase, QTextCursor

        self.doc = doc
        self.cursor = QTextCursor(doc)
        self.base = QFont(doc.defaultFont())
        self.base.setPointSizeF(10)
        doc.setDefaultFont(self.base)
        self.mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.mono.setPointSizeF(8.5)
        self.first = True

    def render(self, document: Document) -> None:
        for block in document.blocks:
            if isinstance(block, Heading):
                self._heading(block)
            elif isinstance(block, Paragraph):
                self._text(block.text)
            elif isinstance(block, Fields):
                self._fields(block)
            elif isinstance(block, Bullets):
                for item in block.items:
                    self._text("\u2022 " + item, indent=1)
            elif isinstance(block, Checklist):
                self._checklist(block)
            elif isinstance(block, Preformatted):
                self._preformatted(block.text)
            elif isinstance(block, Table):
                self._table(block)

    def _new_block(self, *, indent: int = 0, top: float = 2.0, background: Any = None) -> None:
        from PySide6.QtGui import QTextBlockFormat

        fmt = QTextBlockFormat()
        fmt.setIndent(indent)
        fmt.setTopMargin(top)
        if background is not None:
            fmt.setBackground(background)
        if self.first:
            self.cursor.setBlockFormat(fmt)
            self.first = False
        else:
            self.cursor.insertBlock(fmt)

    def _char(self, *, bold: bool = False, size: float | None = None, mono: bool = False) -> Any:
        from PySide6.QtGui import QFont, QTextCharFormat

        fmt = QTextCharFormat()
        font = QFont(self.mono if mono else self.base)
        if size:
            font.setPointSizeF(size)
        font.setBold(bold)
        fmt.setFont(font)
        return fmt

    def _heading(self, block: Heading) -> None:
        sizes = {1: 17.0, 2: 13.0, 3: 11.0}
        self._new_block(top={1: 0.0, 2: 14.0, 3: 8.0}.get(block.level, 6.0))
        self.cursor.insertText(block.text, self._char(bold=True, size=sizes.get(block.level, 10.5)))

    def _text(self, text: str, *, indent: int = 0) -> None:
        lines = text.splitlines() or [""]
        for line in lines:
            self._new_block(indent=indent)
            self.cursor.insertText(line, self._char())

    def _fields(self, block: Fields) -> None:
        for key, value in block.items:
            self._new_block(top=1.0)
            self.cursor.insertText(f"{key}: ", self._char(bold=True))
            self.cursor.insertText(value, self._char())

    def _checklist(self, block: Checklist) -> None:
        from PySide6.QtGui import QColor

        marks = self._char(size=12.0)
        marks.setFont(_font_with(CHECKED + UNCHECKED, marks.font()))
        for done, item in block.items:
            self._new_block(indent=1, top=1.5)
            marks.setForeground(QColor("#2e7d32" if done else "#8a1c1c"))
            self.cursor.insertText(check_mark(done) + " ", marks)
            self.cursor.insertText(item, self._char())

    def _preformatted(self, text: str) -> None:
        from PySide6.QtGui import QColor

        for line in text.splitlines() or [""]:
            self._new_block(top=0.0, background=QColor("#f2f2f2"))
            self.cursor.insertText(line, self._char(mono=True))

    def _table(self, block: Table) -> None:
        from PySide6.QtGui import QTextCursor, QTextLength, QTextTableFormat

        self._new_block()
        fmt = QTextTableFormat()
        fmt.setCellPadding(2)
        fmt.setCellSpacing(0)
        fmt.setBorder(0.5)
        fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
        rows = [block.header, *block.rows]
        table = self.cursor.insertTable(len(rows), len(block.header), fmt)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cellAt(r, c).firstCursorPosition().insertText(value, self._char(bold=r == 0, size=8.5))
        self.cursor.movePosition(QTextCursor.MoveOperation.End)


def _font_with(chars: str, preferred: Any) -> Any:
    """`preferred` if it has every glyph of `chars`, else an installed family that has them
    (so a check box is drawn as a box, never as a missing-glyph square)."""
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF

    def has_all(font: Any) -> bool:
        metrics = QFontMetricsF(font)
        return all(metrics.inFontUcs4(ord(ch)) for ch in chars)

    if has_all(preferred):
        return preferred
    for family in ("DejaVu Sans", "Segoe UI Symbol", "Noto Sans Symbols 2", "Apple Symbols",
                   *QFontDatabase.families()):
        candidate = QFont(preferred)
        candidate.setFamilies([family])
        if QFontDatabase.hasFamily(family) and has_all(candidate):
            return candidate
    return preferred
