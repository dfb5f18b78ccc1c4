"""Packet preview and checklist, re-rendered as the user types (no database round trip).

The packet is built from history once (on the history worker thread); edits in the composer
are laid over its `appeal` section and the checklist is recomputed, so the preview always
shows what an export would contain. The preview is Markdown shown as plain text.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

OK_COLOR, MISSING_COLOR = "#2e7d32", "#c62828"


def with_edits(packet: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """A copy of the packet with the composer's current fields and a fresh checklist."""
    from workbench.core.appeal.packet import checklist

    updated = copy.deepcopy(packet)
    updated["appeal"].update({k: v for k, v in fields.items() if k in updated["appeal"]})
    updated["checklist"] = checklist(updated)
    return updated


def markdown(packet: dict[str, Any]) -> str:
    from workbench.core.appeal import packet_document, render_markdown

    return render_markdown(packet_document(packet))


class PacketPreview(QWidget):
    """The checklist (what support will ask for) above the packet as Markdown text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checklist = QFrame(objectName="appealChecklist")
        self.checklist.setFrameShape(QFrame.Shape.StyledPanel)
        self.checklist_layout = QVBoxLayout(self.checklist)
        self.checklist_layout.setContentsMargins(6, 4, 6, 4)
        self.checklist_layout.setSpacing(2)
        self.text = QPlainTextEdit(objectName="appealPreview")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("The packet preview appears here.")
        self.packet: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Checklist"))
        layout.addWidget(self.checklist)
        layout.addWidget(QLabel("Packet preview (Markdown)"))
        layout.addWidget(self.text, 1)

    def show_packet(self, packet: dict[str, Any] | None) -> None:
        self.packet = packet
        while self.checklist_layout.count():
            self.checklist_layout.takeAt(0).widget().deleteLater()
        if packet is None:
            self.text.setPlainText("")
            return
        for item in packet["checklist"]:
            row = QLabel()
            row.setTextFormat(Qt.TextFormat.PlainText)
            row.setWordWrap(True)
            row.setText(f"{'✓' if item['ok'] else '✗'}  {item['label']} — {item['detail']}")
            row.setStyleSheet(f"color: {OK_COLOR if item['ok'] else MISSING_COLOR}")
            row.setObjectName(f"check_{item['item']}")
            self.checklist_layout.addWidget(row)
        scroll = self.text.verticalScrollBar().value()
        self.text.setPlainText(markdown(packet))
        self.text.verticalScrollBar().setValue(scroll)

    def missing(self) -> list[str]:
        """Checklist items the packet does not satisfy yet."""
        return [c["item"] for c in (self.packet or {}).get("checklist", []) if not c["ok"]]
