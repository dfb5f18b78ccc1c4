"""Appeals: grouping blocked requests, building the evidence packet, exporting it.

Public API:
    AppealStore(history).create/get/list/update/set_status/add_requests/remove_requests/delete
    build_packet(history, appeal, redact_echoes_in_bodies=False) -> dict   (schema.py documents it)
    export_packet(history, packet, fmt, output, pdf_writer=None) -> Path  (fmt: md|json|pdf|zip)
    packet_document(packet) -> Document; render_markdown(document) -> str
"""

from workbench.core.appeal.document import Document, packet_document, render_markdown
from workbench.core.appeal.export import FORMATS, export_packet
from workbench.core.appeal.models import APPEAL_STATUSES, Appeal
from workbench.core.appeal.packet import build_packet
from workbench.core.appeal.schema import PACKET_SCHEMA, SCHEMA_ID, SCHEMA_VERSION
from workbench.core.appeal.store import AppealStore

__all__ = [
    "APPEAL_STATUSES",
    "FORMATS",
    "PACKET_SCHEMA",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Appeal",
    "AppealStore",
    "Document",
    "build_packet",
    "export_packet",
    "packet_document",
    "render_markdown",
]
