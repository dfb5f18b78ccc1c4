"""Writing an appeal packet as Markdown, JSON, PDF or a ZIP bundle of all of them plus images.

Every file is written to a temporary name and renamed into place, so a killed export never
leaves a half-written file under the final name. PDF rendering needs Qt, which `core` must not
import: callers pass a `pdf_writer(document, path)` - the app and the CLI use
`workbench.render.pdf.write_pdf`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.core.appeal.document import Document, packet_document, render_markdown
from workbench.core.appeal.packet import image_filename
from workbench.core.errors import BadInputError
from workbench.core.store.atomic import atomic_output, atomic_write_text
from workbench.core.store.history import HistoryStore

FORMATS = ("md", "json", "pdf", "zip")
PdfWriter = Callable[[Document, Path], None]

README = """Appeal packet exported by Prompt Workbench.

packet.md    the packet to read or paste into a support ticket
packet.json  the same content, machine-readable (schema prompt-workbench/appeal-packet v{version})
packet.pdf   the same content as a PDF{pdf_note}
images/      reference, mask and output images of the requests (named in packet.json)

No API key or other secret is included. Timestamps are UTC.
"""


def default_filename(packet: dict[str, Any], fmt: str) -> str:
    return f"appeal-{packet['appeal']['id']}.{fmt}"


def export_packet(history: HistoryStore, packet: dict[str, Any], fmt: str, output: Path | str, *,
                  pdf_writer: PdfWriter | None = None) -> Path:
    """Write the packet in one format; `output` may be a file or an existing folder.

    Raises:
        BadInputError: unknown format, unwritable destination, PDF without a writer.
    """
    if fmt not in FORMATS:
        raise BadInputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    target = Path(output)
    if target.is_dir():
        target = target / default_filename(packet, fmt)
    document = packet_document(packet)
    if fmt == "md":
        atomic_write_text(target, render_markdown(document))
    elif fmt == "json":
        atomic_write_text(target, packet_json(packet))
    elif fmt == "pdf":
        if pdf_writer is None:
            raise BadInputError("PDF export is not available here (it needs the Qt PDF adapter)")
        with atomic_output(target) as tmp:
            pdf_writer(document, tmp)
    else:
        _write_zip(history, packet, document, target, pdf_writer)
    return target


def packet_json(packet: dict[str, Any]) -> str:
    return json.dumps(packet, indent=2, ensure_ascii=False) + "\n"


def _write_zip(history: HistoryStore, packet: dict[str, Any], document: Document, target: Path,
               pdf_writer: PdfWriter | None) -> None:
    folder = f"appeal-{packet['appeal']['id']}"
    with atomic_output(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(f"{folder}/packet.md", render_markdown(document))
            bundle.writestr(f"{folder}/packet.json", packet_json(packet))
            if pdf_writer is not None:
                pdf_tmp = tmp.with_name(tmp.name + ".pdf")
                try:
                    pdf_writer(document, pdf_tmp)
                    bundle.writestr(f"{folder}/packet.pdf", pdf_tmp.read_bytes())
                finally:
                    pdf_tmp.unlink(missing_ok=True)
            note = "" if pdf_writer is not None else " (not included: PDF rendering was unavailable)"
            bundle.writestr(f"{folder}/README.txt", README.format(version=packet["schema_version"], pdf_note=note))
            for request in packet["requests"]:
                for image in history.images(request["history_id"]):
                    name = image_filename(request["history_id"], image.role, image.position, image.format)
                    try:
                        bundle.write(image.path, f"{folder}/{name}")
                    except OSError:
                        bundle.writestr(f"{folder}/{name}.missing.txt",
                                        f"The image file {image.sha256} was not found in the history folder.\n")
