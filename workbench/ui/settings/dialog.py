"""Settings: provider profiles and their keys, data location, allow/block lists, theme.

Keys go to the OS keyring through the core, which reads each one back to be sure it is there.
When the keyring refuses or loses it, the dialog says so and offers the two other places a key
can live: this session only (memory), or the environment variable it names. Keys are never
shown back, only where they come from.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import paths
from workbench.ui import theme
from workbench.ui.widgets.plain_label import plain_label as _plain

KIND_LABELS = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "compatible": "OpenAI-compatible (any base URL)",
    "sandbox": "Sandbox (built in, local)",
}
SOURCE_LABELS = {
    "keyring": "stored in the system keyring",
    "session": "kept for this session only (in memory until you quit)",
    "not needed": "not needed",
}


class ProfilesPage(QWidget):
    """Profile list on the left, the selected profile's form and key on the right."""

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._current: str | None = None
        self.list = QListWidget()
        self.list.setObjectName("profileList")
        self.list.setMaximumWidth(200)
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)

        self.name = QLineEdit()
        self.kind = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("https://…/v1")
        self.azure_endpoint = QLineEdit()
        self.azure_endpoint.setPlaceholderText("https://<resource>.openai.azure.com")
        self.azure_deployment = QLineEdit()
        self.api_version = QLineEdit()
        self.default_model = QLineEdit()
        self.chat_model = QLineEdit()
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 3600)
        self.timeout.setSuffix(" s")
        self.save_button = QPushButton("Save profile")
        self.use_button = QPushButton("Use this profile")

        self.keyring_note = _plain(hint=True)
        self.key = QLineEdit()
        self.key.setObjectName("keyField")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("Paste a key; it is never shown again")
        self.save_key_button = QPushButton("Save key")
        self.save_key_button.setObjectName("saveKeyButton")
        self.delete_key_button = QPushButton("Forget key")
        self.key_status = _plain(hint=True)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.save_key_button)
        key_row.addWidget(self.delete_key_button)
        self.key_fallback = QFrame(objectName="keyFallback")
        self.key_fallback.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_fallback_text = _plain()
        self.session_key_button = QPushButton("Keep for this session only", objectName="sessionKeyButton")
        self.session_key_button.setToolTip("Held in memory for this run and forgotten when you quit; never on disk.")
        fallback_layout = QVBoxLayout(self.key_fallback)
        fallback_layout.addWidget(self.key_fallback_text)
        fallback_row = QHBoxLayout()
        fallback_row.addWidget(self.session_key_button)
        fallback_row.addStretch(1)
        fallback_layout.addLayout(fallback_row)
        self.key_fallback.hide()

        self.form = QFormLayout()
        self.form.addRow("Name", self.name)
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Base URL", self.base_url)
        self.form.addRow("Azure endpoint", self.azure_endpoint)
        self.form.addRow("Azure deployment", self.azure_deployment)
        self.form.addRow("API version", self.api_version)
        self.form.addRow("Image model", self.default_model)
        self.form.addRow("Chat model (LLM rewrite)", self.chat_model)
        self.form.addRow("Timeout", self.timeout)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        self.form.addRow(buttons)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        self.form.addRow(line)
        self.form.addRow("API key", key_row)
        self.form.addRow("", self.key_status)
        self.form.addRow(self.key_fallback)
        self.form.addRow(self.keyring_note)

        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(self.form, 1)

        self.list.currentTextChanged.connect(self._on_selected)
        self.kind.currentIndexChanged.connect(self._update_fields)
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        self.save_button.clicked.connect(self.save_profile)
        self.use_button.clicked.connect(self._on_use)
        self.save_key_button.clicked.connect(self.save_key)
        self.delete_key_button.clicked.connect(self._on_delete_key)
        self.session_key_button.clicked.connect(self.keep_key_for_session)
        available, why = ops.profiles.keyring_status()
        self.keyring_note.setText("" if available else "⚠ " + why)
        self.keyring_note.setVisible(not available)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        select = select or self._current or self._ops.profiles.active_profile_name()
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self._ops.profiles.profiles():
            self.list.addItem(profile.name)
        self.list.blockSignals(False)
        matches = self.list.findItems(select, Qt.MatchFlag.MatchExactly)
        self.list.setCurrentItem(matches[0] if matches else self.list.item(0))

    def select(self, name: str) -> None:
        matches = self.list.findItems(name, Qt.MatchFlag.MatchExactly)
        if matches:
            self.list.setCurrentItem(matches[0])

    def _on_selected(self, name: str) -> None:
        if not name:
            return
        self._current = name
        profile = self._ops.profiles.profile(name)
        self.name.setText(profile.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(profile.kind)))
        self.base_url.setText(profile.base_url or "")
        self.azure_endpoint.setText(profile.azure_endpoint or "")
        self.azure_deployment.setText(profile.azure_deployment or "")
        self.api_version.setText(profile.api_version or "")
        self.default_model.setText(profile.default_model)
        self.chat_model.setText(profile.chat_model)
        self.timeout.setValue(profile.timeout_s)
        sandbox = profile.kind == "sandbox"
        self.remove_button.setEnabled(not sandbox)
        self.name.setReadOnly(sandbox)
        self.kind.setEnabled(not sandbox)
        self.key.clear()
        self.key_fallback.hide()
        self._update_fields()
        self._show_key_status()

    def _update_fields(self, *_args) -> None:
        kind = self.kind.currentData()
        for widget, visible in (
            (self.base_url, kind in ("openai", "compatible")),
            (self.azure_endpoint, kind == "azure"),
            (self.azure_deployment, kind == "azure"),
            (self.api_version, kind == "azure"),
        ):
            widget.setVisible(visible)
            self.form.labelForField(widget).setVisible(visible)
        needs_key = kind != "sandbox"
        for widget in (self.key, self.save_key_button, self.delete_key_button):
            widget.setEnabled(needs_key)

    def _show_key_status(self) -> None:
        profile = self._ops.profiles.profile(self._current)
        source = self._ops.profiles.key_source(profile)
        if source is None:
            text = "No key yet." if profile.needs_key else ""
        elif source.startswith("env:"):
            text = f"Key taken from the environment variable {source[4:]}."
        else:
            text = "Key " + SOURCE_LABELS.get(source, source) + "."
        self.key_status.setText(text)

    def _form_profile(self):
        from workbench.core.api.profiles import Profile

        current = self._ops.profiles.profile(self._current) if self._current else None
        return Profile(
            name=self.name.text().strip(),
            kind=self.kind.currentData(),
            base_url=self.base_url.text().strip() or None,
            azure_endpoint=self.azure_endpoint.text().strip() or None,
            azure_deployment=self.azure_deployment.text().strip() or None,
            api_version=self.api_version.text().strip() or None,
            default_model=self.default_model.text().strip() or "gpt-image-1",
            chat_model=self.chat_model.text().strip() or (current.chat_model if current else "gpt-4.1-mini"),
            timeout_s=self.timeout.value(),
            extra=dict(current.extra) if current else {},
        )

    def save_profile(self) -> bool:
        profile = self._form_profile()
        if self._ops.profiles.save_profile(profile, old_name=self._current):
            self._current = profile.name
            self.reload(profile.name)
            return True
        return False

    def _on_add(self) -> None:
        from workbench.core.api.profiles import Profile

        names = {p.name.casefold() for p in self._ops.profiles.profiles()}
        n = 1
        while f"profile {n}" in names:
            n += 1
        profile = Profile(name=f"Profile {n}", kind="compatible", base_url="http://localhost:8000/v1")
        if self._ops.profiles.save_profile(profile):
            self._current = profile.name
            self.reload(profile.name)

    def _on_remove(self) -> None:
        if self._current:
            self._ops.profiles.remove_profile(self._current)
            self._current = None
            self.reload()

    def _on_use(self) -> None:
        if self._current:
            self._ops.profiles.set_active_profile(self._current)

    def save_key(self) -> str | None:
        """Save the typed key; returns where it went ("keyring"), "" if the keyring failed
        (the choices are shown and the key stays typed), None if nothing was saved."""
        key = self.key.text()
        if not key.strip() or not self._current:
            return None
        stored = self._ops.profiles.save_key(self._ops.profiles.profile(self._current), key)
        if stored is None:
            return None
        if stored.stored_in:
            self.key.clear()
            self.key_fallback.hide()
        else:
            self.key_fallback_text.setText("⚠ " + stored.message)
            self.key_fallback.show()
        self._show_key_status()
        return stored.stored_in

    def keep_key_for_session(self) -> None:
        key = self.key.text()
        if key.strip() and self._current:
            self._ops.profiles.keep_key_for_session(self._ops.profiles.profile(self._current), key)
            self.key.clear()
            self.key_fallback.hide()
            self._show_key_status()

    def _on_delete_key(self) -> None:
        if self._current:
            self._ops.profiles.delete_key(self._ops.profiles.profile(self._current))
            self._show_key_status()


class ListsPage(QWidget):
    """The user's allow-list (terms never flagged) and block-list (terms always flagged)."""

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.allow = QListWidget()
        self.allow.setObjectName("allowList")
        self.allow_entry = QLineEdit()
        self.allow_entry.setPlaceholderText("A word or phrase to never flag")
        self.allow_add = QPushButton("Allow")
        self.allow_remove = QPushButton("Remove selected")
        allow_row = QHBoxLayout()
        allow_row.addWidget(self.allow_entry, 1)
        allow_row.addWidget(self.allow_add)
        allow_row.addWidget(self.allow_remove)
        self.block_view = QPlainTextEdit()
        self.block_view.setReadOnly(True)
        self.block_open = QPushButton("Open block-list file")
        grid = QGridLayout(self)
        grid.addWidget(_plain("Allow-list: terms that are never flagged (hard lines stay flagged).", hint=True), 0, 0)
        grid.addWidget(self.allow, 1, 0)
        grid.addLayout(allow_row, 2, 0)
        grid.addWidget(_plain("Block-list: your own terms, added from the editor's right-click menu. "
                              "It is a TOML file you can edit.", hint=True), 0, 1)
        grid.addWidget(self.block_view, 1, 1)
        grid.addWidget(self.block_open, 2, 1)
        self.allow_add.clicked.connect(self._on_allow)
        self.allow_entry.returnPressed.connect(self._on_allow)
        self.allow_remove.clicked.connect(self._on_remove)
        self.block_open.clicked.connect(self._on_open_block)
        ops.screening.lexicon_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        self.allow.clear()
        self.allow.addItems(self._ops.screening.allow_list())
        path = self._ops.screening.block_list_path()
        try:
            self.block_view.setPlainText(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.block_view.setPlainText("# Your block-list is empty.")
        except (OSError, UnicodeDecodeError) as exc:
            self.block_view.setPlainText(f"# {path} cannot be read: {exc}")

    def _on_allow(self) -> None:
        term = self.allow_entry.text().strip()
        if term and self._ops.screening.allow_term(term):
            self.allow_entry.clear()

    def _on_remove(self) -> None:
        for item in self.allow.selectedItems():
            self._ops.screening.remove_allowed(item.text())

    def _on_open_block(self) -> None:
        path = self._ops.screening.block_list_path()
        paths.ensure(path.parent)
        if not path.exists():
            path.write_text("# Your own block-list (TOML); see the shipped lexicon's README for the format.\n",
                            encoding="utf-8")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class DataPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        for label, folder in (
            ("History and images", paths.data_dir()),
            ("Settings", paths.config_dir()),
            ("Cache", paths.cache_dir()),
            ("Logs", paths.log_dir()),
        ):
            row = QHBoxLayout()
            field = QLineEdit(str(folder))
            field.setReadOnly(True)
            button = QPushButton("Open")
            button.clicked.connect(lambda _=False, f=folder: QDesktopServices.openUrl(
                QUrl.fromLocalFile(str(paths.ensure(f)))))
            row.addWidget(field, 1)
            row.addWidget(button)
            form.addRow(label, row)
        override = paths.home()
        note = (f"WORKBENCH_HOME is set: everything lives under {override}." if override else
                "Set the WORKBENCH_HOME environment variable to keep everything in one folder "
                "(a portable install, or a second, separate workbench).")
        form.addRow(_plain(note, hint=True))
        form.addRow(_plain("The history is a plain SQLite file: sqlite-utils and Datasette can open it. "
                           "API keys are never stored in it.", hint=True))


class AppearancePage(QWidget):
    """Signals:
        theme_chosen(str): system, light or dark.
    """

    theme_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain("Theme"))
        self.group = QButtonGroup(self)
        current = theme.manager().mode if theme.manager() else "system"
        self.buttons = {}
        for mode, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            button = QRadioButton(label)
            button.setChecked(mode == current)
            button.toggled.connect(lambda on, m=mode: on and self.theme_chosen.emit(m))
            self.group.addButton(button)
            self.buttons[mode] = button
            layout.addWidget(button)
        layout.addStretch(1)


class SettingsDialog(QDialog):
    """Signals:
        theme_chosen(str): forwarded from the appearance page.
    """

    theme_chosen = Signal(str)

    def __init__(self, ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(820, 520)
        self.profiles = ProfilesPage(ops)
        self.lists = ListsPage(ops)
        self.data = DataPage()
        self.appearance = AppearancePage()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.profiles, "Providers and keys")
        self.tabs.addTab(self.lists, "Allow and block lists")
        self.tabs.addTab(self.data, "Data")
        self.tabs.addTab(self.appearance, "Appearance")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.appearance.theme_chosen.connect(self.theme_chosen)
