"""The appeal checklist uses real check boxes: ☑/☐ in the PDF and the text, a task list in Markdown."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams
from workbench.core.appeal import AppealStore, build_packet, export_packet
from workbench.core.appeal.document import CHECKED, UNCHECKED, Checklist, packet_document, render_markdown, render_text
from workbench.core.store import HistoryStore
from workbench.render.pdf import write_pdf

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture
def packet_and_store(tmp_path):
    store = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    rid = store.begin_request("two knights fighting [x] at the gate", ImageParams(model="gpt-image-1"),
                              profile="OpenAI")
    body = {"error": {"message": "Your request was rejected by the safety system. request ID req_chk_1.",
                      "code": "moderation_blocked", "type": "image_generation_user_error", "param": None}}
    store.complete_request(rid, GenerationResult(outcome="blocked_input", error=ErrorRecord(
        kind="blocked", stage="input", categories=["violence"], http_status=400, code="moderation_blocked",
        message=body["error"]["message"], raw_body=json.dumps(body), request_ids=["req_chk_1"])))
    appeal = AppealStore(store).create([rid], account_id="acct-1")  # no business context: one box stays open
    yield build_packet(store, appeal), store
    store.close()


def test_the_document_model_has_a_checklist_of_done_and_open_items(packet_and_store):
    packet, _store = packet_and_store
    doc = packet_document(packet)
    checklists = [b for b in doc.blocks if isinstance(b, Checklist)]
    assert len(checklists) == 1
    states = [done for done, _ in checklists[0].items]
    assert True in states and False in states
    assert all(not item.startswith("[") for _, item in checklists[0].items)
    text = render_text(doc)
    assert CHECKED in text and UNCHECKED in text and "[x]" not in text.split("Business context")[0]
    markdown = render_markdown(doc)
    assert "- [x] Full error response" in markdown and "- [ ] " in markdown  # a Markdown task list


@needs_poppler
def test_the_pdf_draws_check_boxes_not_bracketed_letters(qapp, packet_and_store, tmp_path):
    packet, store = packet_and_store
    pdf = export_packet(store, packet, "pdf", tmp_path / "appeal.pdf", pdf_writer=write_pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    checklist = text.split("Checklist", 1)[1].split("Business context", 1)[0]
    assert CHECKED in checklist and UNCHECKED in checklist
    assert "[x]" not in checklist and "[ ]" not in checklist
    assert "Full error response" in checklist
