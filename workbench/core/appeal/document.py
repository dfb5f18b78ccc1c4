"""A small, format-neutral document model for the appeal packet, and its Markdown rendering.

The packet is laid out once as blocks (headings, paragraphs, key/value fields, bullet lists,
preformatted text, tables). Markdown is rendered here; the PDF adapter outside `core`
(`workbench/render/pdf.py`) renders the same blocks with Qt. User text is always inserted as
plain text: escaped in Markdown, never interpreted as rich text or HTML in the PDF.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.core.store.models import BLOCKED_OUTCOMES


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Fields:
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Checklist:
    """Items that are done or not: real check boxes in every rendering, never a literal "[x]"."""

    items: tuple[tuple[bool, str], ...]


CHECKED, UNCHECKED = "\u2611", "\u2610"  # ☑ ☐ (the PDF draws them in a font that has them)


def check_mark(done: bool) -> str:
    return CHECKED if done else UNCHECKED


@dataclass(frozen=True)
class Preformatted:
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Fields | Bullets | Checklist | Preformatted | Table


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)


def packet_document(packet: dict[str, Any]) -> Document:
    """Lay out an appeal packet for reading (Markdown, PDF)."""
    appeal = packet["appeal"]
    title = f"Appeal #{appeal['id']}" + (f": {appeal['title']}" if appeal["title"] else " - moderation block")
    doc = Document(title)
    add = doc.blocks.append
    add(Heading(title, 1))
    add(Fields((
        ("Status", appeal["status"]), ("Ticket", appeal["ticket"] or "-"),
        ("Account ID", appeal["account_id"] or "-"), ("Organisation ID", appeal["org_id"] or "-"),
        ("Requests", str(len(packet["requests"]))), ("Packet generated (UTC)", packet["generated_at"]),
    )))
    add(Heading("Checklist", 2))
    add(Checklist(tuple((bool(c["ok"]), f"{c['label']} - {c['detail']}") for c in packet["checklist"])))
    add(Heading("Business context", 2))
    add(Paragraph(appeal["business_context"] or "(not provided)"))
    for request in packet["requests"]:
        _request_blocks(doc, request)
    add(Heading("Reproduction", 2))
    for group in packet["reproduction"]:
        _reproduction_blocks(doc, group)
    if appeal["notes"]:
        add(Heading("Notes", 2))
        add(Paragraph(appeal["notes"]))
    if packet["redaction"]["prompt_echoes_redacted"]:
        add(Paragraph("Copies of the prompt echoed inside provider error bodies were redacted in this packet."))
    return doc


def _request_blocks(doc: Document, request: dict[str, Any]) -> None:
    add = doc.blocks.append
    error = request["error"]
    stage = f", {error['stage']} stage" if error["stage"] and request["outcome"] in BLOCKED_OUTCOMES else ""
    add(Heading(f"Request #{request['history_id']} - {request['outcome']}{stage}", 2))
    params = request["parameters"] or {}
    shown = ", ".join(f"{k}={v}" for k, v in params.items() if k != "extra" and v not in (None, ""))
    ids = request["request_ids"]
    sources = request["request_id_sources"] or {}
    add(Fields((
        ("Timestamp (UTC)", request["timestamp_utc"]),
        ("Request ID(s)", ", ".join(f"{i} ({sources[i]})" if i in sources else i for i in ids) or "-"),
        ("Provider / profile", f"{request['provider'] or '-'} / {request['profile'] or '-'}"),
        ("Base URL", request["base_url"] or "-"),
        ("Endpoint", request["endpoint"]),
        ("Model", request["model"] or "-"),
        ("Parameters", shown or "-"),
        ("HTTP status", str(request["http_status"]) if request["http_status"] is not None else "-"),
        ("Error type / code", f"{error['type'] or '-'} / {error['code'] or '-'}"),
        ("Categories", ", ".join(error["categories"]) or "-"),
        ("Source", request["source"] + (f" ({request['source_detail']})" if request["source_detail"] else "")),
    )))
    add(Heading("Prompt", 3))
    add(Preformatted(request["prompt"]))
    add(Heading("Full error response", 3))
    add(Preformatted(pretty_body(request["raw_error_body"]) or error["message"] or "(no body recorded)"))
    findings = request["local_screening"]["findings"]
    if findings:
        add(Heading("Local screening before sending", 3))
        add(Bullets(tuple(f"{f['term']} - {f['category']} ({f['severity']})" for f in findings)))
    if request["images"]:
        add(Heading("Images", 3))
        add(Bullets(tuple(f"{i['role']}: {i['file']} (sha256 {i['sha256'][:16]}...)" for i in request["images"])))
    for run in request.get("trigger_runs") or ():
        add(Heading(f"Find the trigger: {run['status']} ({run['mode']} probes)", 3))
        spans = tuple(f"“{s['text']}” (characters {s['start']}–{s['end']})" for s in run["spans"])
        add(Bullets(spans + (f"{run['probes']} probes, each in history: "
                             + ", ".join(f"#{i}" for i in run["probe_history_ids"]), run["message"])))
    review = request.get("review") or {}
    if review.get("reviews"):
        add(Heading(f"Human review: {review['state'] or 'unreviewed'}", 3))
        add(Bullets(tuple(
            f"{r['state']} {'image ' + str(r['image_position']) if r['image_position'] else 'request'}"
            f" by {r['reviewer'] or 'unnamed reviewer'} ({r['created_at']})" + (f": {r['note']}" if r['note'] else "")
            for r in review["reviews"])))


def _reproduction_blocks(doc: Document, group: dict[str, Any]) -> None:
    add = doc.blocks.append
    add(Heading(f"Same prompt: blocked {group['blocked']} of {group['attempts']} attempt(s)", 3))
    add(Fields((
        ("Consistency", group["consistency"]),
        ("First / last attempt (UTC)", f"{group['first_attempt_utc'] or '-'} / {group['last_attempt_utc'] or '-'}"),
        ("First / last block (UTC)", f"{group['first_blocked_utc'] or '-'} / {group['last_blocked_utc'] or '-'}"),
        ("Categories", ", ".join(group["categories"]) or "-"),
        ("Stages", ", ".join(group["stages"]) or "-"),
    )))
    add(Table(
        ("Profile", "Model", "Endpoint", "Size", "Quality", "Moderation", "Attempts", "Blocked"),
        tuple((s["profile"] or "-", s["model"] or "-", s["endpoint"], s["size"] or "-", s["quality"] or "-",
               s["moderation"] or "-", str(s["attempts"]), str(s["blocked"])) for s in group["settings"]),
    ))


def pretty_body(raw: str) -> str:
    """Indent a JSON body for reading; other text is returned unchanged."""
    if not raw:
        return ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return raw


# -- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # intra-word _ is literal
_MD_LINE_START = re.compile(r"^(\s*)(#|[-+](?=\s)|\d+(?=[.)]\s))", re.MULTILINE)


def md_escape(text: str) -> str:
    """Escape Markdown syntax so user text renders literally (no links, HTML, emphasis)."""
    text = _MD_SPECIAL.sub(r"\\\1", text or "")
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    return indent + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


def render_markdown(doc: Document) -> str:
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.append("#" * max(1, min(block.level, 6)) + " " + md_escape(block.text))
        elif isinstance(block, Paragraph):
            out.append("  \n".join(md_escape(line) for line in block.text.splitlines() or [""]))
        elif isinstance(block, Fields):
            out.append("\n".join(f"- **{md_escape(k)}:** {md_escape(v)}" for k, v in block.items))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {md_escape(item)}" for item in block.items))
        elif isinstance(block, Checklist):  # a task list: check boxes wherever Markdown is rendered
            out.append("\n".join(f"- [{'x' if done else ' '}] {md_escape(item)}" for done, item in block.items))
        elif isinstance(block, Preformatted):
            fence = "`" * max(3, _longest_backtick_run(block.text) + 1)
            out.append(f"{fence}text\n{block.text}\n{fence}")
        elif isinstance(block, Table):
            out.append(_md_table(block))
    return "\n\n".join(out) + "\n"


def _longest_backtick_run(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)


def _md_table(table: Table) -> str:
    def cell(value: str) -> str:
        return md_escape(value).replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in table.header) + " |",
             "|" + "|".join("---" for _ in table.header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_text(doc: Document) -> str:
    """Plain text (used inside the ZIP bundle's README and by tests)."""
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.append(block.text.upper() if block.level == 1 else block.text)
        elif isinstance(block, (Paragraph, Preformatted)):
            out.append(block.text)
        elif isinstance(block, Fields):
            out.append("\n".join(f"{k}: {v}" for k, v in block.items))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"* {item}" for item in block.items))
        elif isinstance(block, Checklist):
            out.append("\n".join(f"{check_mark(done)} {item}" for done, item in block.items))
        elif isinstance(block, Table):
            out.append("\n".join(" | ".join(row) for row in (block.header, *block.rows)))
    return "\n\n".join(out) + "\n"
