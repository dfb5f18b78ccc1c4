"""PromptEditor: a plain-text editor that screens its text on every keystroke.

On each edit the whole prompt is scanned (the engine takes well under a millisecond for a
typical prompt) *before* the highlighter repaints the edited block, so underlines are current
in the same event. Blocks elsewhere whose findings changed (a context rule spanning lines) are
repainted on the next loop turn. Findings the user chose to "ignore once" are tracked with text
cursors, so they stay ignored while the text around them changes.

Prompt text is only ever handled as plain text; tooltips escape it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPolygon, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from workbench.core.screening.models import SEVERITY_RANK, Finding, ScanResult, verdict_for
from workbench.ui import labels, theme
from workbench.ui.editor.highlighter import BlockSpan, BlockSpans, RiskHighlighter, spans_signature
from workbench.ui.editor.offsets import OffsetMap
from workbench.ui.messages import plain_html

Scanner = Callable[[str], ScanResult]
Explainer = Callable[[str, Finding], Sequence[str]]  # (text, finding) -> hover lines, asked on hover only

# Characters that change what the model reads but show nothing (or look like a space).
INVISIBLE_CHARS = {
    "\u00a0": "no-break space",
    "\u00ad": "soft hyphen",
    "\u034f": "combining grapheme joiner",
    "\u180e": "Mongolian vowel separator",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
    "\u202a": "left-to-right embedding",
    "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting",
    "\u202d": "left-to-right override",
    "\u202e": "right-to-left override",
    "\u2060": "word joiner",
    "\u2061": "invisible function application",
    "\u2062": "invisible times",
    "\u2063": "invisible separator",
    "\u2064": "invisible plus",
    "\u2066": "left-to-right isolate",
    "\u2067": "right-to-left isolate",
    "\u2068": "first strong isolate",
    "\u2069": "pop directional isolate",
    "\ufeff": "zero-width no-break space",
}
INVISIBLE_RE = re.compile("[" + "".join(INVISIBLE_CHARS) + "]")

# Above this size scanning waits for a pause in typing instead of running per keystroke.
# The image API takes at most 32,000 characters, so real prompts stay live.
LIVE_SCAN_LIMIT = 40_000
SLOW_SCAN_DELAY_MS = 250


def match_case(original: str, replacement: str) -> str:
    """Give a replacement the capitalisation of the word it replaces."""
    if not replacement or not original:
        return replacement
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


def tooltip_for(finding: Finding, extra: Sequence[str] = ()) -> str:
    """Rich-text tooltip where every piece of prompt or lexicon text is escaped; `extra` are
    plain lines from the explainer (history evidence, other models)."""
    color = theme.category_color(finding.category).name()
    lines = [
        f"<b style='color:{color}'>{plain_html(labels.category(finding.category))}</b>"
        f" · {plain_html(labels.severity(finding.severity))}",
        f"“{plain_html(finding.text)}”",
    ]
    if finding.message:
        lines.append(plain_html(finding.message))
    if finding.severity == "critical":
        lines.append("<i>A hard line: no rewrite is offered.</i>")
    elif finding.replacements:
        lines.append("Try: " + plain_html(", ".join(finding.replacements[:5])))
    lines.extend(f"<i>{plain_html(line)}</i>" for line in extra)
    lines.append("<span style='color:gray'>Right-click for quick fixes.</span>")
    return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"


NOTE_HEADINGS = {
    "constraint": "Not a risk here: it is something the prompt asks to leave out.",
    "mention": "Not a risk here: nothing harmful stands near it.",
}


def note_tooltip(note: Finding) -> str:
    """The hover of a note: what was seen and why it does not count."""
    heading = NOTE_HEADINGS.get(note.scope, "Not a risk here.")
    lines = [f"<b>{plain_html(heading)}</b>", f"“{plain_html(note.text)}” · "
             f"{plain_html(labels.category(note.category))}", plain_html(note.message)]
    return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"


def _uncovered(notes: Sequence[Finding], findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Notes not under a finding: a finding's underline always wins."""
    return tuple(n for n in notes if not any(f.start < n.end and n.start < f.end for f in findings))


class PromptEditor(QPlainTextEdit):
    """The prompt text with live risk underlines.

    Signals:
        scan_updated(ScanResult): the findings currently shown (after "ignore once").
        invisible_changed(int): how many invisible characters the text holds.
        allow_requested(Finding): the user chose "Always allow" for a finding's term.
        block_requested(str): the user wants this text on their own block-list.
    """

    scan_updated = Signal(object)
    invisible_changed = Signal(int)
    allow_requested = Signal(object)
    block_requested = Signal(str)

    def __init__(self, scanner: Scanner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptEditor")
        self._scanner = scanner
        self._explainer: Explainer | None = None
        self._text = ""
        self._map = OffsetMap("")
        self._result = ScanResult("")
        self._ignored: list[QTextCursor] = []
        self._invisible_count = 0
        self._batch = False

        self.highlighter = RiskHighlighter(self)
        document = self.document()
        # Connected before the highlighter attaches, so the scan runs before it repaints.
        document.contentsChange.connect(self._on_contents_change)
        self.highlighter.setDocument(document)

        self._stale_timer = QTimer(self, singleShot=True, interval=0)
        self._stale_timer.timeout.connect(self._repaint_stale_blocks)
        self._slow_timer = QTimer(self, singleShot=True, interval=SLOW_SCAN_DELAY_MS)
        self._slow_timer.timeout.connect(self.rescan)

        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) + 1.5)
        self.setFont(font)
        self.document().setDocumentMargin(10)
        self.setPlaceholderText("Describe the image you want…")
        self.setTabChangesFocus(True)

    # --- state --------------------------------------------------------------------------

    @property
    def result(self) -> ScanResult:
        """The current scan, without findings ignored once."""
        return self._result

    def text(self) -> str:
        return self._text

    def set_scanner(self, scanner: Scanner | None) -> None:
        self._scanner = scanner
        self.rescan()

    def set_explainer(self, explainer: Explainer | None) -> None:
        """What the hover adds to a finding (evidence from history, other models' reading)."""
        self._explainer = explainer

    def offset_map(self) -> OffsetMap:
        return self._map

    # --- scanning ------------------------------------------------------------------------

    def _raw_text(self) -> str:
        # toPlainText() would turn no-break spaces into spaces and hide evasion; raw text keeps
        # every character one-for-one, with U+2029 between blocks.
        return self.document().toRawText().replace("\u2029", "\n")

    def _on_contents_change(self, _position: int, removed: int, added: int) -> None:
        if (removed == 0 and added == 0) or self._batch:
            return
        self._clear_marks()  # marked spans (find the trigger) belong to the old text
        text = self._raw_text()
        if len(text) > LIVE_SCAN_LIMIT:
            self._text, self._map = text, OffsetMap(text)
            self._slow_timer.start()
            return
        self._scan(text)

    def rescan(self) -> None:
        """Scan again now (after an allow/block-list change, a new scanner, a batch edit)."""
        self._scan(self._raw_text())
        self._repaint_stale_blocks()

    def _scan(self, text: str) -> None:
        self._text = text
        self._map = OffsetMap(text)
        result = self._scanner(text) if self._scanner is not None else ScanResult(text)
        visible = tuple(f for f in result.findings if not self._is_ignored(f))
        decided = verdict_for(visible) if result.decided is not None else None
        self._result = ScanResult(text, visible, result.notes, profile=result.profile, decided=decided)
        self.highlighter.set_spans(self._block_spans(text, visible + _uncovered(result.notes, visible)))
        self._stale_timer.start()
        count = len(INVISIBLE_RE.findall(text))
        if count != self._invisible_count:
            self._invisible_count = count
            self.invisible_changed.emit(count)
        self.scan_updated.emit(self._result)

    def _block_spans(self, text: str, findings: Sequence[Finding]) -> dict[int, BlockSpans]:
        """Split findings at line breaks into per-block spans (UTF-16, block-relative)."""
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        to_qt = self._map.to_qt
        out: dict[int, list[BlockSpan]] = {}
        for f in sorted(findings, key=lambda f: SEVERITY_RANK.get(f.severity, 0)):
            b = bisect.bisect_right(starts, f.start) - 1
            while b < len(starts) and starts[b] < max(f.end, f.start + 1):
                block_start = starts[b]
                block_end = starts[b + 1] - 1 if b + 1 < len(starts) else len(text)
                lo, hi = max(f.start, block_start), min(f.end, block_end)
                if hi > lo:
                    q0 = to_qt(block_start)
                    out.setdefault(b, []).append(
                        BlockSpan(to_qt(lo) - q0, to_qt(hi) - to_qt(lo), f.category, f.severity, f.stage)
                    )
                b += 1
        return {b: tuple(spans) for b, spans in out.items()}

    def _repaint_stale_blocks(self) -> None:
        block = self.document().firstBlock()
        while block.isValid():
            if block.userState() != spans_signature(self.highlighter.spans_for(block.blockNumber())):
                self.highlighter.rehighlightBlock(block)
            block = block.next()

    # --- positions -----------------------------------------------------------------------

    def qt_span(self, finding: Finding) -> tuple[int, int]:
        return self._map.to_qt(finding.start), self._map.to_qt(finding.end)

    def char_position_at(self, point: QPoint) -> int | None:
        """The Qt position of the character under a viewport point, or None off the text."""
        cursor = self.cursorForPosition(point)
        position = cursor.position()
        rect = self.cursorRect(cursor)
        if point.y() < rect.top() or point.y() > rect.bottom():
            return None
        if point.x() < rect.x() and position > cursor.block().position():
            position -= 1
        elif position >= cursor.block().position() + cursor.block().length() - 1:
            return None  # right of the end of the line
        return position

    def finding_at(self, position: int) -> Finding | None:
        """The worst finding covering the character at a Qt position."""
        best = None
        for f in self._result.findings:
            start, end = self.qt_span(f)
            if start <= position < max(end, start + 1):
                if best is None or SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity]:
                    best = f
        return best

    def note_at(self, position: int) -> Finding | None:
        """The note (a term in a constraint, a mention) at a Qt position, if no finding is there."""
        for f in self._result.notes:
            start, end = self.qt_span(f)
            if start <= position < max(end, start + 1):
                return f
        return None

    def invisible_at(self, position: int) -> str | None:
        index = self._map.to_py(position)
        if 0 <= index < len(self._text) and self._text[index] in INVISIBLE_CHARS:
            return self._text[index]
        return None

    def mark_spans(self, spans: Sequence[tuple[int, int]], colour: QColor | None = None) -> None:
        """Outline spans of the current text (find-the-trigger results) until the text changes."""
        selections = []
        for start, end in spans:
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(self._map.to_qt(start), self.document().characterCount() - 1))
            cursor.setPosition(min(self._map.to_qt(end), self.document().characterCount() - 1),
                               QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(colour or QColor(255, 170, 0, 110))
            selection = QTextEdit.ExtraSelection()
            selection.cursor, selection.format = cursor, fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def _clear_marks(self) -> None:
        if self.extraSelections():
            self.setExtraSelections([])

    def select_finding(self, finding: Finding) -> None:
        """Select a finding's span and bring it into view (from the findings list)."""
        start, end = self.qt_span(finding)
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(start, self.document().characterCount() - 1))
        cursor.setPosition(min(end, self.document().characterCount() - 1), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- fixes (each one undo step) ------------------------------------------------------

    def _still_there(self, finding: Finding) -> bool:
        return self._text[finding.start : finding.end] == finding.text

    def apply_replacement(self, finding: Finding, replacement: str) -> bool:
        """Replace a finding's text with an alternative (case kept); False if the text moved on."""
        if not self._still_there(finding):
            return False
        start, end = self.qt_span(finding)
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(match_case(finding.text, replacement))
        return True

    def ignore_once(self, finding: Finding) -> None:
        """Hide this occurrence (not the term) for as long as its text is there."""
        start, end = self.qt_span(finding)
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._ignored.append(cursor)
        self.rescan()

    def _is_ignored(self, finding: Finding) -> bool:
        if not self._ignored:
            return False
        self._ignored = [c for c in self._ignored if c.hasSelection()]
        start, end = self.qt_span(finding)
        return any(c.selectionStart() == start and c.selectionEnd() == end for c in self._ignored)

    def apply_edits(self, edits: Iterable[tuple[int, int, str]], expected_text: str) -> bool:
        """Apply (start, end, replacement) edits in Python indices of `expected_text` as ONE undo step.

        Returns False (and changes nothing) if the text is no longer `expected_text`.
        """
        if self._raw_text() != expected_text:
            return False
        edits = sorted(edits, key=lambda e: e[0], reverse=True)
        if not edits:
            return True
        mapping = OffsetMap(expected_text)
        cursor = QTextCursor(self.document())
        self._batch = True
        try:
            cursor.beginEditBlock()
            for start, end, replacement in edits:
                cursor.setPosition(mapping.to_qt(start))
                cursor.setPosition(mapping.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(replacement)
            cursor.endEditBlock()
        finally:
            self._batch = False
        self.rescan()
        return True

    def replace_text(self, new_text: str) -> None:
        """Change the whole prompt to `new_text` as one undo step, touching only what differs."""
        old = self._raw_text()
        if old == new_text:
            return
        prefix = 0
        limit = min(len(old), len(new_text))
        while prefix < limit and old[prefix] == new_text[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < limit - prefix
            and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]
        ):
            suffix += 1
        self.apply_edits([(prefix, len(old) - suffix, new_text[prefix : len(new_text) - suffix])], old)

    def remove_invisible(self) -> None:
        """Drop invisible characters (no-break spaces become plain spaces), one undo step."""
        text = self._raw_text()
        cleaned = INVISIBLE_RE.sub(lambda m: " " if m.group() == "\u00a0" else "", text)
        self.replace_text(cleaned)

    # --- context menu and tooltips --------------------------------------------------------

    def build_context_menu(self, point: QPoint) -> QMenu:
        """Quick fixes for the finding under `point`, above the standard edit actions."""
        menu = self.createStandardContextMenu(point)
        first = menu.actions()[0] if menu.actions() else None
        position = self.char_position_at(point)
        finding = self.finding_at(position) if position is not None else None
        actions = []
        if finding is not None:
            actions.extend(self._finding_actions(menu, finding))
        term = self._block_candidate(point)
        if term:
            act = menu.addAction(f"Add “{_short(term)}” to my block-list…")
            act.setObjectName("blockTermAction")
            act.triggered.connect(lambda _=False, t=term: self.block_requested.emit(t))
            actions.append(act)
        if actions:
            for act in actions:
                menu.removeAction(act)
            menu.insertActions(first, actions)
            menu.insertSeparator(first)
        return menu

    def _finding_actions(self, menu: QMenu, finding: Finding) -> list:
        actions = []
        header = menu.addAction(
            f"{labels.category(finding.category)} · {labels.severity(finding.severity)}: “{_short(finding.text)}”"
        )
        header.setEnabled(False)
        actions.append(header)
        if finding.severity == "critical":
            note = menu.addAction("Hard line: no alternative is offered")
            note.setEnabled(False)
            actions.append(note)
        else:
            for replacement in finding.replacements[:6]:
                label = f"Replace with “{_short(replacement)}”" if replacement.strip() else "Remove it"
                act = menu.addAction(label)
                act.setObjectName("replaceAction")
                act.triggered.connect(
                    lambda _=False, f=finding, r=replacement: self.apply_replacement(f, r)
                )
                actions.append(act)
        ignore = menu.addAction("Ignore once")
        ignore.setObjectName("ignoreOnceAction")
        ignore.triggered.connect(lambda _=False, f=finding: self.ignore_once(f))
        actions.append(ignore)
        allow = menu.addAction(f"Always allow “{_short(finding.term or finding.text)}”")
        allow.setObjectName("allowAction")
        allow.setEnabled(finding.severity != "critical")
        allow.triggered.connect(lambda _=False, f=finding: self.allow_requested.emit(f))
        actions.append(allow)
        return actions

    def _block_candidate(self, point: QPoint) -> str:
        """The selection, else the word under the pointer."""
        selected = self.textCursor().selectedText().replace("\u2029", " ").strip()
        if selected:
            return selected if len(selected) <= 80 else ""
        cursor = self.cursorForPosition(point)
        cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        word = cursor.selectedText().strip()
        return word if any(ch.isalnum() for ch in word) else ""

    def contextMenuEvent(self, event) -> None:
        menu = self.build_context_menu(event.pos())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    def hover_text(self, point: QPoint) -> str:
        """The tooltip for a viewport point ("" = none): the finding there, explained."""
        position = self.char_position_at(point)
        if position is None:
            return ""
        finding = self.finding_at(position)
        if finding is not None:
            extra = self._explainer(self._text, finding) if self._explainer is not None else ()
            return tooltip_for(finding, extra)
        note = self.note_at(position)
        if note is not None:
            return note_tooltip(note)
        char = self.invisible_at(position)
        if char is not None:
            return plain_html(f"Invisible character: {INVISIBLE_CHARS[char]} (U+{ord(char):04X})")
        return ""

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self.hover_text(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    # --- invisible characters --------------------------------------------------------------

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._invisible_count:
            self._paint_invisible_markers()

    def _paint_invisible_markers(self) -> None:
        painter = QPainter(self.viewport())
        color = QColor(theme.category_color("evasion"))
        painter.setPen(color)
        painter.setBrush(color)
        bottom = self.viewport().height()
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset).top()
            if top > bottom:
                break
            text = block.text()
            if block.isVisible() and INVISIBLE_RE.search(text):
                mapping = OffsetMap(text)
                for match in INVISIBLE_RE.finditer(text):
                    cursor = QTextCursor(block)
                    cursor.setPosition(block.position() + mapping.to_qt(match.start()))
                    _draw_marker(painter, self.cursorRect(cursor))
            block = block.next()
        painter.end()


def _draw_marker(painter: QPainter, rect: QRect) -> None:
    """A thin bar with a small flag where an invisible character sits."""
    x = rect.x()
    painter.drawRect(QRect(x, rect.top() + 1, 1, rect.height() - 2))
    painter.drawPolygon(QPolygon([QPoint(x - 3, rect.top()), QPoint(x + 4, rect.top()), QPoint(x, rect.top() + 4)]))


def _short(text: str, limit: int = 40) -> str:
    """One line, shortened, with `&` doubled so menus show it instead of making a shortcut."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("&", "&&")
