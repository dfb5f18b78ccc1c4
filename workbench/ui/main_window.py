"""The main window: layout of the four tabs, menus and shortcuts, and the wiring between panels.

It decides nothing: every rule lives in `workbench.core`, every action in the panels or
`workbench.ui.operations`. `__init__` builds, `_connect_signals()` wires, and window state
(geometry, splitters, last tab) is remembered through `workbench.ui.uistate`.
"""

from __future__ import annotations

import asyncio
import importlib

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__, paths
from workbench.ui import messages, theme, uistate
from workbench.ui.editor.panel import EditorPanel
from workbench.ui.fix.panel import FixPanel
from workbench.ui.gallery import GalleryItem, GalleryPanel
from workbench.ui.generate.panel import GeneratePanel
from workbench.ui.lifetime import alive
from workbench.ui.moderation.panel import ModerationPanel
from workbench.ui.widgets.scrolling import scrolling

TABS = ("editor", "history", "appeals", "dashboard")


class MainWindow(QMainWindow):
    """Signals:
        closed(): the window was closed (the app quits).
    """

    closed = Signal()

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._scanned_text: str | None = None  # the prompt the other panels were last told about
        self.setWindowTitle("Prompt Workbench")
        self.setObjectName("mainWindow")
        self._fit_first_run_size(1360, 860)

        self.editor_panel = EditorPanel(ops)
        self.editor = self.editor_panel.editor
        self.fix_panel = FixPanel(ops.rewriting, self.editor)
        self.moderation_panel = ModerationPanel(ops.moderation)
        self.generate_panel = GeneratePanel(ops, lambda: self.editor.result)
        self.gallery = GalleryPanel(ops.images)

        self.left_splitter = QSplitter(Qt.Orientation.Vertical, objectName="leftSplitter")
        self.left_splitter.addWidget(self.editor_panel)
        self.left_splitter.addWidget(self.gallery)
        self.left_splitter.setStretchFactor(0, 3)
        self.left_splitter.setStretchFactor(1, 1)
        self.side_tabs = QTabWidget(objectName="sideTabs")
        self.side_tabs.addTab(self.fix_panel, "Fix")  # scrolls inside, so Apply stays in view
        self.side_tabs.addTab(scrolling(self.moderation_panel), "Second opinion")
        self.right_splitter = QSplitter(Qt.Orientation.Vertical, objectName="rightSplitter")
        self.right_splitter.addWidget(self.side_tabs)
        # The panel scrolls its settings and outcome itself, under a heading that stays put.
        self.generate_scroll = self.generate_panel.scroll
        self.right_splitter.addWidget(self.generate_panel)
        self.right_splitter.setStretchFactor(0, 1)
        self.right_splitter.setStretchFactor(1, 1)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.main_splitter.addWidget(self.left_splitter)
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 2)
        self.main_splitter.setSizes([860, 540])
        self.left_splitter.setSizes([470, 330])  # the gallery board needs rows of thumbnails
        self.right_splitter.setSizes([380, 470])

        editor_tab = QWidget()
        editor_layout = QVBoxLayout(editor_tab)
        editor_layout.setContentsMargins(8, 8, 8, 8)
        editor_layout.addWidget(self.main_splitter)

        self.tabs = QTabWidget(objectName="mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(editor_tab, "Editor")
        self.history_view = self._optional_tab("workbench.ui.history", "HistoryView", "History")
        self.appeals_view = self._optional_tab("workbench.ui.appeals", "AppealsView", "Appeals")
        self.dashboard_view = self._optional_tab("workbench.ui.dashboard", "DashboardView", "Dashboard")
        self.setCentralWidget(self.tabs)

        from workbench.ui.team.sync import TeamSync

        self.team_sync = TeamSync(ops, self)
        self._build_menus()
        self.statusBar().setSizeGripEnabled(True)
        self._splitters = [self.main_splitter, self.left_splitter, self.right_splitter, self.editor_panel.splitter]
        last_tab = uistate.restore_window(self, self._splitters)
        if last_tab is not None and 0 <= last_tab < self.tabs.count():
            self.tabs.setCurrentIndex(last_tab)
        self._connect_signals()

    # --- layout helpers -------------------------------------------------------------------

    def _fit_first_run_size(self, width: int, height: int) -> None:
        """The first-run size, shrunk to the screen (a 1280×800 display has no room for 1360×860)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, room.width()), min(height, room.height())
        self.resize(width, height)

    def _optional_tab(self, module: str, cls: str, title: str):
        """A tab built by another package; a plain note if that package is not installed."""
        try:
            widget = getattr(importlib.import_module(module), cls)(self.ops)
        except (ModuleNotFoundError, AttributeError) as exc:
            if isinstance(exc, ModuleNotFoundError) and not module.startswith(exc.name or "?"):
                raise  # a dependency of that package is missing: a real error
            widget = QLabel(f"{title} is not available in this build.")
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(widget, title)
        return widget

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action(file_menu, "&New prompt", QKeySequence.StandardKey.New)
        self.audit_action = self._action(file_menu, "&Batch audit…", QKeySequence("Ctrl+Shift+A"))
        self.import_action = self._action(file_menu, "&Import errors…", QKeySequence("Ctrl+I"))
        self.team_action = self._action(file_menu, "&Team sync…")
        file_menu.addSeparator()
        self.data_folder_action = self._action(file_menu, "Open &data folder")
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self._action(edit_menu, "&Undo", QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(edit_menu, "&Redo", QKeySequence.StandardKey.Redo)
        edit_menu.addSeparator()
        self.desensitize_action = self._action(edit_menu, "&Desensitize…", QKeySequence("Ctrl+D"))
        self.remove_invisible_action = self._action(edit_menu, "Remove &invisible characters")
        edit_menu.addSeparator()
        self.settings_action = self._action(edit_menu, "&Settings…", QKeySequence("Ctrl+,"))

        generate_menu = bar.addMenu("&Generate")
        self.generate_action = self._action(generate_menu, "&Generate", QKeySequence("Ctrl+Return"))
        self.cancel_action = self._action(generate_menu, "&Cancel request", QKeySequence("Ctrl+."))
        self.moderation_action = self._action(generate_menu, "Check &moderation now", QKeySequence("Ctrl+M"))
        generate_menu.addSeparator()
        self.trigger_action = self._action(generate_menu, "Find the &trigger…", QKeySequence("Ctrl+Shift+T"))
        self.compare_action = self._action(generate_menu, "Co&mpare across models…", QKeySequence("Ctrl+Shift+M"))

        view_menu = bar.addMenu("&View")
        self.tab_actions = []
        for index, name in enumerate(TABS):
            act = self._action(view_menu, f"&{name.capitalize()}", QKeySequence(f"Ctrl+{index + 1}"))
            act.setData(index)
            self.tab_actions.append(act)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions = {}
        for mode in theme.THEMES:
            act = theme_menu.addAction(mode.capitalize())
            act.setCheckable(True)
            act.setChecked(mode == (theme.manager().mode if theme.manager() else "system"))
            self.theme_actions[mode] = act

        help_menu = bar.addMenu("&Help")
        self.about_action = self._action(help_menu, "&About Prompt Workbench")

    def _action(self, menu, text: str, shortcut=None) -> QAction:
        act = menu.addAction(text)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        return act

    # --- wiring ---------------------------------------------------------------------------

    def _connect_signals(self) -> None:
        messages.bridge().connect_handler(self._on_message)
        self.new_action.triggered.connect(self._on_new_prompt)
        self.quit_action.triggered.connect(self.close)
        self.data_folder_action.triggered.connect(self._on_open_data_folder)
        self.undo_action.triggered.connect(self.editor.undo)
        self.redo_action.triggered.connect(self.editor.redo)
        self.editor.undoAvailable.connect(self.undo_action.setEnabled)
        self.editor.redoAvailable.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.remove_invisible_action.triggered.connect(self.editor.remove_invisible)
        for act in self.tab_actions:
            act.triggered.connect(lambda _=False, i=act.data(): self.tabs.setCurrentIndex(i))
        for mode, act in self.theme_actions.items():
            act.triggered.connect(lambda _=False, m=mode: self._on_theme_chosen(m))
        if theme.manager() is not None:
            theme.manager().changed.connect(self._on_theme_changed)
        self.about_action.triggered.connect(self.show_about)
        self.ops.screening.lexicon_changed.connect(self.editor.rescan)
        self.ops.profiles.changed.connect(self.generate_panel.reload_profiles)
        self.ops.profiles.changed.connect(self.moderation_panel.refresh)
        self.settings_action.triggered.connect(self.show_settings)
        self.desensitize_action.triggered.connect(self._on_desensitize)
        self.generate_action.triggered.connect(self.generate_panel.generate)
        self.cancel_action.triggered.connect(self.generate_panel.cancel)
        self.moderation_action.triggered.connect(self._on_check_moderation)
        self.trigger_action.triggered.connect(lambda: self.show_trigger())
        self.compare_action.triggered.connect(lambda: self.show_compare())

        self.editor_panel.scan_updated.connect(self.fix_panel.set_scan)
        self.editor_panel.scan_updated.connect(self._on_scan_updated)
        self.generate_panel.images_arrived.connect(self._on_images_arrived)
        self.generate_panel.finished.connect(self._on_generation_finished)
        self.generate_panel.partial_arrived.connect(self._on_partial_arrived)
        self.generate_panel.partials_done.connect(self._on_partials_done)
        self.generate_panel.reference_changed.connect(self.moderation_panel.set_reference_image)
        self.generate_panel.card.desensitize_requested.connect(self._on_desensitize)
        self.generate_panel.card.framing_requested.connect(self._on_show_fix_tab)
        self.gallery.restore_requested.connect(self.restore)
        if hasattr(self.history_view, "restore_requested"):
            self.history_view.restore_requested.connect(self.restore_entry)
        if hasattr(self.appeals_view, "show_request"):
            self.appeals_view.show_request.connect(self.show_history_request)
        if hasattr(self.appeals_view, "team_conflicts_requested"):
            self.appeals_view.team_conflicts_requested.connect(self.show_team_conflicts)
        if hasattr(self.dashboard_view, "search_requested"):
            self.dashboard_view.search_requested.connect(self.search_history)
        self.audit_action.triggered.connect(self.show_batch_audit)
        self.import_action.triggered.connect(self.show_import_dialog)
        self.team_action.triggered.connect(self.show_team_dialog)
        self.team_sync.status_changed.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.ops.appeals.changed.connect(self._on_appeal_changed)

    # --- slots ----------------------------------------------------------------------------

    def _on_message(self, message: messages.Message) -> None:
        if message.level == "info":
            self.statusBar().showMessage(message.text, 8000)
        else:
            messages.show_message_box(self, message)

    def _on_scan_updated(self, result) -> None:
        if result.text == self._scanned_text:
            return  # a rescan of the same text (new profile, calibration): nothing for the others
        self._scanned_text = result.text
        self.moderation_panel.set_prompt(result.text)
        self.generate_panel.update_estimate()
        self.generate_panel.card.set_prompt(result.text)  # a result for an older prompt is marked stale

    def _on_desensitize(self) -> None:
        self.side_tabs.setCurrentIndex(0)
        self.fix_panel.preview_desensitize()

    def _on_show_fix_tab(self) -> None:
        self.side_tabs.setCurrentIndex(0)

    def _on_check_moderation(self) -> None:
        self.side_tabs.setCurrentIndex(1)
        self.moderation_panel.check_now()

    def _on_images_arrived(self, items: list) -> None:
        self.gallery.model.prepend(items)
        self.gallery.select_keys([items[0].key])

    def _on_generation_finished(self, _outcome) -> None:
        # Bring the outcome (and a block's request ID) into view in the scrolling panel.
        QTimer.singleShot(0, lambda: self.generate_scroll.ensureWidgetVisible(self.generate_panel.card))

    def _on_partial_arrived(self, item) -> None:
        self.gallery.model.replace(item.key, item)

    def _on_partials_done(self, key: str) -> None:
        self.gallery.model.remove_keys({key})

    def _on_appeal_changed(self, appeal_id: int) -> None:
        select = getattr(self.appeals_view, "select_appeal", None)
        if select is not None:
            select(appeal_id)

    def show_history_request(self, history_id: int) -> None:
        self.show_tab("history")
        self.history_view.show_request(history_id)

    def search_history(self, text: str) -> None:
        self.show_tab("history")
        self.history_view.filters.set_search_text(text)

    def show_batch_audit(self):
        from workbench.ui.audit import BatchAuditDialog

        return BatchAuditDialog.open_for(self.ops, self)

    def show_trigger(self, prompt: str | None = None, parent_id: int | None = None, params=None):
        """Generate › Find the trigger: for the editor's prompt, or a history request's."""
        from workbench.ui.trigger.dialog import TriggerDialog

        text = self.editor.text() if prompt is None else prompt
        if not text.strip():
            messages.info("Write or restore a prompt first: find the trigger narrows it.")
            return None
        dialog = TriggerDialog(self.ops, text, parent_id=parent_id,
                               params=params or self.generate_panel.form.params(),
                               profile_name=self.generate_panel.profile_name(), parent=self)
        dialog.show_in_editor.connect(self._show_trigger_spans)
        dialog.show()
        return dialog

    def _show_trigger_spans(self, prompt: str, spans: list) -> None:
        if self.editor.text() != prompt:
            self.editor.replace_text(prompt)
        self.editor.mark_spans(spans)
        self.tabs.setCurrentIndex(0)

    def show_compare(self, prompt: str | None = None):
        """Generate › Compare across models: the editor's prompt on several profiles × models."""
        from workbench.ui.compare.window import CompareWindow

        window = CompareWindow(self.ops, self.editor.text() if prompt is None else prompt,
                               params=self.generate_panel.form.params(), parent=self)
        window.show()
        return window

    def show_team_dialog(self):
        """File › Team sync…: the team server, sync now, background sync, appeal conflicts."""
        from workbench.ui.team.dialog import TeamDialog

        dialog = TeamDialog(self.ops, self.team_sync, self)
        dialog.show()
        return dialog

    def show_team_conflicts(self, appeal_gid: str):
        """The Appeals tab's conflict marker: Team sync with that appeal's conflict selected."""
        dialog = self.show_team_dialog()
        dialog.focus_appeal(appeal_gid)
        dialog.conflict_resolved.connect(self.appeals_view.reload)
        return dialog

    def show_import_dialog(self):
        """File › Import errors…: the History tab's import dialog (None if History is unavailable)."""
        if not hasattr(self.history_view, "show_import_dialog"):
            return None
        self.show_tab("history")
        return self.history_view.show_import_dialog()

    def restore_entry(self, entry) -> None:
        """Restore from a history entry (History tab)."""
        self.restore(GalleryItem(key=f"history:{entry.id}", prompt=entry.prompt, params=dict(entry.params),
                                 profile=entry.profile, history_id=entry.id))

    def restore(self, item) -> None:
        """Put an earlier request's prompt and settings back (one undo step for the text)."""
        self.tabs.setCurrentIndex(0)
        self.editor.replace_text(item.prompt)
        self.generate_panel.set_params(item.params, item.profile)
        self.generate_panel.parent_id = item.history_id
        self.statusBar().showMessage(
            f"Restored the prompt and settings of request #{item.history_id}." if item.history_id else
            "Restored the prompt and settings.", 6000)

    def show_settings(self):
        from workbench.ui.settings.dialog import SettingsDialog

        dialog = SettingsDialog(self.ops, self)
        dialog.theme_chosen.connect(self._on_theme_chosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_new_prompt(self) -> None:
        self.editor.selectAll()
        self.editor.textCursor().removeSelectedText()  # undoable, unlike clear()
        self.tabs.setCurrentIndex(0)
        self.editor.setFocus()

    def _on_open_data_folder(self) -> None:
        folder = paths.ensure(paths.data_dir())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _on_theme_chosen(self, mode: str) -> None:
        for name, act in self.theme_actions.items():
            act.setChecked(name == mode)
        uistate.save_theme(mode)
        if theme.manager() is not None:
            theme.manager().set_mode(mode)

    def _on_theme_changed(self, dark: bool) -> None:
        self.editor.highlighter.set_dark(dark)
        self.editor_panel.badge.restyle()
        self.editor_panel.findings.model_.refresh_colors()

    def show_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle("About Prompt Workbench")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Prompt Workbench {__version__}")
        box.setInformativeText(
            "Write gpt-image prompts that pass the safety system, see why a prompt is risky "
            "before you spend money, and keep the evidence to appeal a block.\n\n"
            "Local screening is a guide, not a guarantee: the image endpoint has its own safety "
            "system.\n\n"
            f"Data: {paths.data_dir()}\nSettings: {paths.config_dir()}"
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # --- app-level hooks ---------------------------------------------------------------------

    def show_tab(self, name: str) -> None:
        if name in TABS:
            self.tabs.setCurrentIndex(TABS.index(name))

    def start_background_work(self) -> asyncio.Future:
        """Work deferred until after the first paint (keeps start-up fast); returns its task."""
        self.background_task = asyncio.ensure_future(self._background_work())
        return self.background_task

    async def _background_work(self) -> None:
        await self.ops.warm_up()
        if alive(self):
            self.gallery.model.append(self.ops.history.recent_gallery_items())

    def closeEvent(self, event) -> None:
        uistate.save_window(self, self._splitters, self.tabs.currentIndex())
        super().closeEvent(event)
        self.closed.emit()
