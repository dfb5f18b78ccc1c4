"""Prompt and provider text is never rendered as rich text anywhere in the window.

Markup is planted everywhere a user or a provider controls text: the prompt in the editor, a
history request (prompt, error message, raw body, notes, request ID), an appeal (title,
business context) and the result card. Then every widget of the main window is inspected,
with every tab shown: labels must be plain-text labels, text widgets must show the tags
literally, and tooltips (which Qt renders as HTML when they look like it) must be escaped.
"""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QPlainTextEdit, QTextEdit, QWidget

from workbench.core.api.records import ErrorRecord, GenerationResult
from workbench.core.appeal import AppealStore

TAG = "<b>WB-MARKUP</b>"
MARK = f"{TAG}<img src='nope.png'><a href='https://example.invalid'>link</a>&amp;<script>alert(1)</script>"


def _texts_of_models(widget: QWidget):
    for view in widget.findChildren(QAbstractItemView):
        model: QAbstractItemModel = view.model()
        if model is None:
            continue
        try:
            columns = model.columnCount(QModelIndex())
        except TypeError:  # list models keep columnCount private: one column
            columns = 1
        for row in range(min(model.rowCount(QModelIndex()), 200)):
            for column in range(columns):
                index = model.index(row, column)
                yield view, Qt.ItemDataRole.ToolTipRole, model.data(index, Qt.ItemDataRole.ToolTipRole)
                yield view, Qt.ItemDataRole.DisplayRole, model.data(index, Qt.ItemDataRole.DisplayRole)


def _problems(window: QWidget) -> tuple[list[str], int]:
    problems, seen = [], 0
    for widget in [window, *window.findChildren(QWidget)]:
        tip = widget.toolTip()
        if TAG in tip:
            problems.append(f"unescaped markup in the tooltip of {type(widget).__name__}")
        if isinstance(widget, QLabel) and "WB-MARKUP" in widget.text():
            seen += 1
            if widget.textFormat() != Qt.TextFormat.PlainText and Qt.mightBeRichText(widget.text()):
                problems.append(f"QLabel {widget.objectName()!r} would render {widget.text()[:60]!r} as HTML")
        if isinstance(widget, (QTextEdit, QPlainTextEdit)) and "WB-MARKUP" in widget.toPlainText():
            seen += 1
            if TAG not in widget.toPlainText():
                problems.append(f"{type(widget).__name__} {widget.objectName()!r} rendered the markup")
    for view, role, value in _texts_of_models(window):
        if isinstance(value, str) and "WB-MARKUP" in value:
            seen += 1
            if role == Qt.ItemDataRole.ToolTipRole and TAG in value:
                problems.append(f"unescaped markup in an item tooltip of {type(view).__name__}")
    return problems, seen


def test_markup_is_shown_literally_everywhere(qtbot, qloop, ops, said, make_window):
    from workbench.ui.main_window import TABS

    store = ops.history.store()
    body = json.dumps({"error": {"message": f"rejected {MARK}", "code": "moderation_blocked"}})
    blocked = store.record_completed(
        f"two knights fighting with swords {MARK}", {"model": "gpt-image-1"}, outcome="blocked_input",
        http_status=400, profile="OpenAI", request_ids=["req_markup_1"], notes=MARK, source="live",
        error=ErrorRecord(kind="blocked", message=f"rejected {MARK}", stage="input", categories=["violence"],
                          http_status=400, code="moderation_blocked", raw_body=body, request_ids=["req_markup_1"]),
    ).id
    AppealStore(store).create([blocked], title=MARK, business_context=MARK, notes=MARK)

    window = make_window()  # drained and deleted after the test, while the loop still runs
    window.editor.setPlainText(f"two knights fighting {MARK}")
    error = ErrorRecord(kind="blocked", message=f"Your request was rejected {MARK}", stage="input",
                        categories=["violence"], http_status=400, code="moderation_blocked",
                        request_ids=["req_markup_1"])
    window.generate_panel.card.show_result(GenerationResult(outcome="blocked_input", error=error, http_status=400),
                                           f"advice {MARK}", blocked)
    window.generate_panel.card.show()

    problems, seen = [], 0
    for tab in TABS:
        window.show_tab(tab)
        if tab == "history":
            window.history_view.show_request(blocked)
        if tab == "appeals":
            window.appeals_view.select_appeal(1)
        for _ in range(20):
            QApplication.processEvents()
        found, count = _problems(window)
        problems += [f"[{tab}] {p}" for p in found]
        seen += count
    pending = [task for task in asyncio.all_tasks(qloop) if not task.done()]
    if pending:  # let the tabs' background refreshes finish before the window goes away
        qloop.run_until_complete(asyncio.wait(pending, timeout=10))
    window.close()
    assert seen >= 6, "the planted text did not appear where expected; the check saw too little"
    assert problems == []
    assert not [m for m in said if m.level == "error"]
