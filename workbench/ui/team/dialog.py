"""File ▸ Team sync…: the team server, Sync now (with progress and Cancel), automatic sync,
and the appeal conflicts a merge left (the kept value, the other edit, mark resolved)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import messages


class TeamDialog(QDialog):
    """Signals:
        conflict_resolved(): a conflict was marked resolved (the Appeals tab drops its marker).
    """

    conflict_resolved = Signal()

    def __init__(self, ops, team_sync, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamDialog")
        self.setWindowTitle("Team sync")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(720, 480)
        self.ops, self.sync = ops, team_sync
        self.url = QLineEdit(ops.profiles.settings().team_url or "", objectName="teamUrl",
                             placeholderText="postgresql://user@host:5432/team?sslmode=verify-full")
        self.password = QLineEdit(objectName="teamPassword", echoMode=QLineEdit.EchoMode.Password,
                                  placeholderText="kept in the system keyring, never in settings")
        self.save_button = QPushButton("Save", objectName="teamSave")
        self.images = QCheckBox("Images too (by content hash, up to 5 MB each)", objectName="teamImages")
        self.automatic = QCheckBox(f"Sync every {10} minutes in the background", objectName="teamAuto")
        self.automatic.setChecked(team_sync.timer.isActive())
        self.sync_button = QPushButton("Sync now", objectName="teamSyncNow")
        self.cancel_button = QPushButton("Cancel", objectName="teamCancel", enabled=team_sync.running)
        self.status = QLabel(team_sync.status, objectName="teamStatus", wordWrap=True,
                             textFormat=Qt.TextFormat.PlainText)
        self.progress = QLabel("", objectName="teamProgress", textFormat=Qt.TextFormat.PlainText)
        self.conflicts = QListWidget(objectName="teamConflicts")
        self.resolve_button = QPushButton("Mark resolved", objectName="teamResolve")

        form = QFormLayout()
        url_row = QHBoxLayout()
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.save_button)
        form.addRow("Server", url_row)
        form.addRow("Password", self.password)
        buttons = QHBoxLayout()
        for w in (self.sync_button, self.cancel_button):
            buttons.addWidget(w)
        buttons.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.images)
        layout.addWidget(self.automatic)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Appeal conflicts (both machines edited the same field; the newer edit was kept):"))
        layout.addWidget(self.conflicts, 1)
        layout.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignRight)

        self.save_button.clicked.connect(self.save)
        self.sync_button.clicked.connect(self._sync_now)
        self.cancel_button.clicked.connect(team_sync.cancel)
        self.automatic.toggled.connect(team_sync.set_automatic)
        self.resolve_button.clicked.connect(self._resolve)
        team_sync.progress.connect(self.progress.setText)
        team_sync.status_changed.connect(self.status.setText)
        team_sync.finished.connect(self._finished)
        self.refresh_conflicts()

    def save(self) -> bool:
        from workbench.core.team.connection import parse_url, remember_password

        with messages.handle_user_errors("The team server was not saved"):
            server, in_url = parse_url(self.url.text())
            settings = self.ops.profiles.settings()
            settings.team_url = server.url
            self.ops.profiles.save_settings()
            self.url.setText(server.url)
            password = self.password.text() or in_url
            if password and not remember_password(server, password):
                messages.warning("No keyring here: the password was not kept. Set PGPASSWORD, or give it "
                                 "in the URL each time.")
            self.password.clear()
            return True
        return False

    def _sync_now(self) -> None:
        if self.url.text().strip() and self.url.text().strip() != (self.ops.profiles.settings().team_url or ""):
            if not self.save():
                return
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.sync.start(images=self.images.isChecked())

    def _finished(self, _report) -> None:
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.refresh_conflicts()

    def refresh_conflicts(self) -> None:
        from workbench.core.team.sync import conflicts

        self.conflicts.clear()
        with messages.handle_user_errors("Conflicts could not be read"):
            titles = dict(self.ops.history.store().db.execute("SELECT gid, title FROM appeals").fetchall())
            for c in conflicts(self.ops.history.store()):
                item = QListWidgetItem(f"{titles.get(c['appeal_gid'], 'an appeal')!s} · {c['field']}: kept "
                                       f"“{c['kept_value']}”, other edit “{c['other_value']}”")
                item.setData(Qt.ItemDataRole.UserRole, c["id"])
                self.conflicts.addItem(item)
        self.resolve_button.setEnabled(self.conflicts.count() > 0)

    def focus_appeal(self, appeal_gid: str) -> None:
        """Select the first open conflict of this appeal (from the Appeals tab's marker)."""
        from workbench.core.team.sync import conflicts

        ids = {c["id"] for c in conflicts(self.ops.history.store(), appeal_gid)}
        for row in range(self.conflicts.count()):
            if self.conflicts.item(row).data(Qt.ItemDataRole.UserRole) in ids:
                self.conflicts.setCurrentRow(row)
                return

    def _resolve(self) -> None:
        from workbench.core.team.sync import resolve_conflict

        item = self.conflicts.currentItem()
        if item is not None:
            resolve_conflict(self.ops.history.store(), item.data(Qt.ItemDataRole.UserRole))
            self.refresh_conflicts()
            self.conflict_resolved.emit()
