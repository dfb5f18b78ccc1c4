"""Layouts fit at 1280×800 and 1366×768 (issue 16 item 3): no widget clips its text on any tab.

The real main window is filled with the demonstration state (real Sandbox requests, as
`workbench --screenshot` makes), resized to each small display, and every tab is visited. A
walk over the widget tree then checks that each visible label, field, button, combo box and
table header shows its whole text: an elided text is accepted only when it carries a tooltip
with the full text.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QTableView,
    QWidget,
)

from workbench.ui import demo, messages
from workbench.ui.main_window import TABS

SIZES = [(1280, 800), (1366, 768)]
ELLIPSIS = "…"


def _mnemonic_free(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _elided_with_tooltip(widget: QWidget, text: str) -> bool:
    return ELLIPSIS in text and bool(widget.toolTip())


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or not label.pixmap().isNull() or label.textFormat() == label.textFormat().RichText:
        return None
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + 2:
            return f"wraps to {need} px but is {label.height()} px tall"
        return None
    fm = label.fontMetrics()
    room = label.contentsRect().width() - 2 * max(label.margin(), 0) - max(label.indent(), 0)
    widest = max(fm.horizontalAdvance(line) for line in text.split("\n"))
    if widest > room + 1 and not _elided_with_tooltip(label, text):
        return f"needs {widest} px, has {room}"
    return None


def _line_edit_problem(edit: QLineEdit) -> str | None:
    if not (edit.isReadOnly() or not edit.text()):
        return None  # text the user is typing scrolls, by design
    text = edit.text() or edit.placeholderText()
    if not text:
        return None
    room = edit.contentsRect().width() - edit.textMargins().left() - edit.textMargins().right() - 6
    need = edit.fontMetrics().horizontalAdvance(text)
    if need > room and not _elided_with_tooltip(edit, text):
        return f"needs {need} px, has {room}"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    text = _mnemonic_free(button.text())
    if not text:
        return None
    if isinstance(button, (QCheckBox, QRadioButton)):
        need, have = button.sizeHint().width(), button.width()
    elif isinstance(button, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        have = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button).width()
        need = button.fontMetrics().horizontalAdvance(text) + (button.iconSize().width() + 4
                                                                 if not button.icon().isNull() else 0)
        if button.menu() is not None:
            need += button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
    else:
        need, have = button.fontMetrics().horizontalAdvance(text) + 6, button.width()
    if need > have + 1:
        return f"needs {need} px, has {have}"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText()
    if not text:
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    need = combo.fontMetrics().horizontalAdvance(text) + (combo.iconSize().width() + 4
                                                          if not combo.itemIcon(combo.currentIndex()).isNull() else 0)
    if need > field.width() + 1:
        return f"shows {need} px of text in {field.width()}"
    return None


def _scrolls_sideways(area: QScrollArea) -> str | None:
    """A pane whose content is wider than the pane: something in it is cut off or scrolled away."""
    content = area.widget()
    if content is None or not area.widgetResizable():
        return None
    need = content.minimumSizeHint().width()
    if need > area.viewport().width() + 1:
        return f"content needs {need} px, the pane shows {area.viewport().width()}"
    return None


def _cut_at_the_side(widget: QWidget) -> str | None:
    """A control partly hidden sideways by a parent (a pane too narrow for its content)."""
    shown = widget.visibleRegion()
    if not shown.isEmpty() and shown.boundingRect().width() < widget.width() - 2:
        return f"only {shown.boundingRect().width()} of {widget.width()} px are in view"
    return None


def _header_problems(header: QHeaderView) -> list[str]:
    problems = []
    model = header.model()
    if model is None or not header.isVisible():
        return problems
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for section in range(header.count()):
        if header.isSectionHidden(section) or header.sectionSize(section) == 0:
            continue
        text = str(model.headerData(section, header.orientation()) or "")
        if not text:
            continue
        need = header.fontMetrics().horizontalAdvance(text) + 2 * margin
        if header.orientation().name == "Horizontal" and need > header.sectionSize(section):
            problems.append(f"column {text!r} needs {need} px, has {header.sectionSize(section)}")
    return problems


def elided_cells(view: QTableView, column: int) -> list[str]:
    """The cells of `column` whose text is wider than the room the view paints it in.

    The room is what QStyledItemDelegate elides to: the column width less the grid line and the
    style's item text margin (PM_FocusFrameHMargin + 1) on each side."""
    model = view.model()
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    have = view.columnWidth(column) - (1 if view.showGrid() else 0) - 2 * margin
    problems = []
    for row in range(model.rowCount()):
        text = str(model.index(row, column).data() or "")
        need = view.fontMetrics().horizontalAdvance(text)
        if need > have:
            problems.append(f"row {row + 1} {text!r} needs {need} px, has {have}")
    return problems


def clipped_widgets(root: QWidget) -> list[str]:
    """Every visible widget under `root` whose text does not fit (a description of each)."""
    problems: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
            continue
        if isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # the combo box or spin box itself is checked
        problem = None
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QLineEdit):
            problem = _line_edit_problem(widget)
        elif isinstance(widget, QAbstractButton):
            problem = _button_problem(widget)
        elif isinstance(widget, QComboBox):
            problem = _combo_problem(widget)
        elif isinstance(widget, QScrollArea):
            problem = _scrolls_sideways(widget)
        elif isinstance(widget, QHeaderView):
            problems.extend(f"{_name(widget)}: {p}" for p in _header_problems(widget))
        if problem is None and isinstance(widget, (QAbstractButton, QLineEdit, QComboBox)):
            problem = _cut_at_the_side(widget)
        if problem:
            problems.append(f"{_name(widget)} {_text(widget)!r}: {problem}")
    return problems


def _text(widget: QWidget) -> str:
    for getter in ("text", "currentText", "placeholderText"):
        if hasattr(widget, getter):
            return str(getattr(widget, getter)())[:60]
    return ""


def _name(widget: QWidget) -> str:
    names = []
    while widget is not None and len(names) < 4:
        names.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(names))


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def demo_window(request, make_window, ops, qloop):
    """The main window with the demonstration history, at one small display size."""
    window = make_window(show=False)
    window.resize(*request.param)
    window.show()
    qloop.run_until_complete(demo.populate(window, ops))
    qloop.run_until_complete(demo.settle(window))
    return window, request.param


def _visit(window, qloop, tab: str) -> None:
    window.show_tab(tab)
    qloop.run_until_complete(demo.settle(window, timeout=3))


def test_the_window_fits_small_displays_and_no_tab_clips_text(demo_window, qloop):
    window, (width, height) = demo_window
    hint = window.minimumSizeHint()
    assert hint.width() <= width and hint.height() <= height, f"minimum size {hint.toTuple()}"
    assert window.size().toTuple() == (width, height)
    problems = {}
    for tab in TABS:
        _visit(window, qloop, tab)
        assert window.size().toTuple() == (width, height), f"{tab} grew the window"
        found = clipped_widgets(window.tabs.currentWidget()) + clipped_widgets(window.menuBar())
        if found:
            problems[tab] = found
    assert not problems, "\n".join(f"{tab}: {p}" for tab, ps in problems.items() for p in ps)


def test_generate_heading_and_profile_stay_visible_after_a_result(demo_window, qloop):
    window, _size = demo_window
    _visit(window, qloop, "editor")
    panel = window.generate_panel
    # The demonstration ends with an output-stage block: its card was scrolled into view.
    assert panel.card.isVisible()
    for widget in (panel.title, panel.profile):
        assert not widget.visibleRegion().isEmpty(), f"{widget.objectName()} scrolled out of view"


def _column(view: QAbstractItemView, title: str) -> int:
    model, orientation = view.model(), Qt.Orientation.Horizontal
    return next(c for c in range(model.columnCount()) if model.headerData(c, orientation) == title)


def test_prompt_columns_are_readable_and_elide_in_the_middle(demo_window, qloop):
    window, _size = demo_window
    _visit(window, qloop, "history")
    table = window.history_view.table
    readable = table.fontMetrics().averageCharWidth() * 36
    assert table.columnWidth(_column(table, "Prompt")) >= readable
    assert table.textElideMode().name == "ElideMiddle"
    time = table.model().index(0, _column(table, "Time (UTC)"))
    assert table.fontMetrics().horizontalAdvance(time.data()) + 8 <= table.columnWidth(time.column())
    index = table.model().index(0, _column(table, "Prompt"))
    assert table.model().data(index, Qt.ItemDataRole.ToolTipRole)  # the full prompt on hover
    details = window.history_view.details
    for row in details.request_id_rows():
        field = row.field
        assert field.fontMetrics().horizontalAdvance(field.text()) <= field.contentsRect().width() - 6, \
            "the request ID is clipped"
    _visit(window, qloop, "dashboard")
    top = window.dashboard_view.top
    assert top.columnWidth(_column(top, "Prompt")) >= top.fontMetrics().averageCharWidth() * 28
    assert top.textElideMode().name == "ElideMiddle"


def test_the_appeal_requests_show_their_outcome_without_eliding(demo_window, qloop):
    window, _size = demo_window
    _visit(window, qloop, "appeals")
    table = window.appeals_view.composer.requests
    assert table.isVisible() and table.rowCount() == 2  # the demonstration appeal's two blocks
    assert not elided_cells(table, _column(table, "Outcome"))
    assert not elided_cells(table, _column(table, "Time (UTC)"))
    assert not elided_cells(table, _column(table, "#"))
    # What does not fit is elided in the middle and carries its whole text on hover.
    assert table.textElideMode().name == "ElideMiddle"
    for row in range(table.rowCount()):
        request_id = table.item(row, _column(table, "Request ID"))
        assert request_id.toolTip() == messages.plain_tooltip(request_id.text().strip())
        assert table.item(row, _column(table, "Prompt")).toolTip()
    prompt = table.columnWidth(_column(table, "Prompt"))
    assert prompt >= table.fontMetrics().averageCharWidth() * 12, "the prompt collapsed"


def test_the_verdict_badge_is_a_flat_label_not_a_button(demo_window, qloop):
    window, _size = demo_window
    badge = window.editor_panel.badge
    assert isinstance(badge, QLabel) and not isinstance(badge, QAbstractButton)
    assert "color: white" not in badge.styleSheet(), "a filled, white-on-colour pill reads as a button"
    assert badge.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert "border-radius: 3px" in badge.styleSheet()  # a flat tag, not a rounded pill


def test_the_verdict_badge_follows_the_theme(qapp, make_window):
    from workbench.ui import theme

    theme.install(qapp, "light")
    window = make_window()
    window.editor.setPlainText("two knights fighting, blood on the armour")
    badge = window.editor_panel.badge
    light = badge.styleSheet()
    window._on_theme_chosen("dark")
    try:
        assert badge.styleSheet() != light  # lighter text on a dark window
    finally:
        window._on_theme_chosen("light")
    assert badge.styleSheet() == light
