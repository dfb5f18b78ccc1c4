"""Main window: tabs, shortcuts, remembered geometry and splitters, About, messages, theme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from workbench.ui import messages, theme
from workbench.ui.main_window import TABS


def test_tabs_and_main_shortcuts(window):
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Editor", "History", "Appeals", "Dashboard"]
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in window.findChildren(type(window.generate_action))}
    assert shortcuts["Generate"] == QKeySequence("Ctrl+Return").toString()
    assert shortcuts["Desensitize…"] == "Ctrl+D"
    assert shortcuts["Settings…"] == QKeySequence("Ctrl+,").toString()
    for index, name in enumerate(TABS):
        window.tab_actions[index].trigger()
        assert window.tabs.currentIndex() == index, name


def test_geometry_splitters_and_tab_are_remembered(qtbot, make_window):
    first = make_window(show=False)
    first.resize(640, 480)  # within the offscreen screen (800 x 600)
    first.main_splitter.setSizes([420, 200])
    first.tabs.setCurrentIndex(2)
    first.show()
    qtbot.waitExposed(first)
    sizes = first.main_splitter.sizes()
    size = first.size()
    assert size.height() == 480
    first.close()

    second = make_window(show=False)
    assert second.size().height() == size.height() != 860  # 860 is the first-run default
    # (the width is clamped to the 800-pixel offscreen screen when restored)
    assert second.main_splitter.sizes() == sizes
    assert second.tabs.currentIndex() == 2


def test_about_box_and_new_prompt_is_undoable(window):
    box = window.show_about()
    assert "Prompt Workbench" in box.text()
    box.close()
    window.editor.setPlainText("keep me")
    window.new_action.trigger()
    assert window.editor.toPlainText() == ""
    window.editor.undo()
    assert window.editor.toPlainText() == "keep me"


def test_errors_become_message_boxes_and_info_goes_to_the_status_bar(window, qtbot):
    messages.info("saved it")
    assert window.statusBar().currentMessage() == "saved it"
    messages.error("<b>disk</b> full")
    box = next(w for w in window.findChildren(QMessageBox) if w.objectName() == "messageBox")
    assert box.text() == "<b>disk</b> full"  # shown as plain text, never as markup


def test_theme_switch_repaints_highlights(qapp, make_window):
    theme.install(qapp, "light")
    win = make_window(show=False)
    win.editor.setPlainText("two knights fighting")
    light = win.editor.highlighter.format_for("violence", "medium").underlineColor().name()
    win._on_theme_chosen("dark")
    try:
        assert theme.is_dark()
        dark = win.editor.highlighter.format_for("violence", "medium").underlineColor().name()
        assert light != dark
    finally:
        win._on_theme_chosen("light")


def test_ctrl_return_in_the_editor_generates_without_adding_a_newline(window, qtbot, qloop, until):
    window.editor.setPlainText("A calm lake at dawn")
    window.editor.setFocus()

    async def scenario():
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: window.generate_panel.card.isVisible(), timeout=20)

    qloop.run_until_complete(scenario())
    assert window.editor.toPlainText() == "A calm lake at dawn"
    assert window.gallery.model.rowCount() == 1


def test_settings_dialog_opens_from_the_menu(window):
    dialog = window.show_settings()
    assert dialog.isVisible()
    dialog.close()
