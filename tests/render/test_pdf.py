"""The Qt PDF adapter: an appeal packet rendered to PDF, then back to PNG with poppler's pdftoppm."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest
from PIL import Image

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams
from workbench.core.appeal import AppealStore, build_packet, export_packet
from workbench.core.store import HistoryStore
from workbench.render.pdf import write_pdf

KEY = "sk-" + "pdfK3ypdfK3ypdfK3ypdfK3y"
PROMPT = "Un château <b>médiéval</b> & two knights fighting — 騎士 ✨ " + "x" * 300  # long unbroken run

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


@pytest.fixture
def packet_and_store(tmp_path):
    store = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    rid = store.begin_request(PROMPT, ImageParams(model="gpt-image-1"), profile="OpenAI",
                              base_url=f"https://api.openai.com/v1?api-key={KEY}")
    body = {"error": {"message": "Your request was rejected by the safety system. request ID req_pdf_1. "
                      "safety_violations=[violence].", "code": "moderation_blocked",
                      "type": "image_generation_user_error", "param": None}}
    store.complete_request(rid, GenerationResult(outcome="blocked_input", error=ErrorRecord(
        kind="blocked", stage="input", categories=["violence"], http_status=400, code="moderation_blocked",
        message=body["error"]["message"], raw_body=json.dumps(body), request_ids=["req_pdf_1"])))
    appeal = AppealStore(store).create([rid], business_context="Castle tourism brochure", account_id="acct-9")
    yield build_packet(store, appeal), store
    store.close()


@needs_poppler
def test_pdf_renders_and_reads_back(qapp, packet_and_store, tmp_path):
    packet, store = packet_and_store
    pdf = export_packet(store, packet, "pdf", tmp_path / "appeal.pdf", pdf_writer=write_pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages, "pdftoppm produced no page"
    with Image.open(pages[0]) as img:
        gray = img.convert("L")
        dark = sum(gray.histogram()[:128])
        assert img.width < img.height  # portrait A4
        assert dark > 500  # real text was drawn, not a blank page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "req_pdf_1" in text and "Castle tourism brochure" in text and "acct-9" in text
    assert "<b>médiéval</b>" in text  # shown literally, never interpreted as HTML
    assert KEY not in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Appeal #" in info


@needs_poppler
def test_zip_bundle_contains_a_real_pdf(qapp, packet_and_store, tmp_path):
    packet, store = packet_and_store
    bundle = export_packet(store, packet, "zip", tmp_path / "b.zip", pdf_writer=write_pdf)
    with zipfile.ZipFile(bundle) as archive:
        data = archive.read(f"appeal-{packet['appeal']['id']}/packet.pdf")
    (tmp_path / "x.pdf").write_bytes(data)
    assert "req_pdf_1" in subprocess.run(["pdftotext", str(tmp_path / "x.pdf"), "-"], capture_output=True,
                                         text=True, check=True).stdout
