"""Appeal export: Markdown, JSON, ZIP bundle with images; atomic writes; clear errors; no secrets."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageData, ImageParams
from workbench.core.appeal import AppealStore, build_packet, export_packet, packet_document, render_markdown
from workbench.core.errors import BadInputError
from workbench.core.store import HistoryStore

KEY = "sk-" + "k3yK3yk3yK3yk3yK3yk3yK3y"
PROMPT = "Edit: give the **hero** a <b>sword</b> ``` and [a link](http://evil.example)\n# not a heading"


def png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def setup(tmp_path):
    store = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    rid = store.begin_request(PROMPT, ImageParams(model="gpt-image-1", extra={"api_key": KEY}), endpoint="edit",
                              profile="OpenAI", reference_images=[png("blue")], mask=png("white"))
    err = ErrorRecord(kind="blocked", stage="input", categories=["violence"], http_status=400,
                      code="moderation_blocked", type="image_generation_user_error",
                      message="Your request was rejected by the safety system. req_e1",
                      raw_body=json.dumps({"error": {"code": "moderation_blocked", "message": "rejected req_e1",
                                                     "auth": f"Bearer {KEY}"}}), request_ids=["req_e1"])
    store.complete_request(rid, GenerationResult(outcome="blocked_input", error=err))
    ok = store.begin_request("a calm lake", ImageParams())
    store.complete_request(ok, GenerationResult(outcome="ok", images=[ImageData(png("red"))]))
    appeal = AppealStore(store).create([rid, ok], business_context=f"context with {KEY}", account_id="acct-1")
    packet = build_packet(store, appeal)
    yield store, packet, tmp_path
    store.close()


def test_markdown_keeps_user_text_literal(setup):
    store, packet, tmp = setup
    path = export_packet(store, packet, "md", tmp / "out" / "appeal.md")
    text = path.read_text(encoding="utf-8")
    assert PROMPT in text  # verbatim inside a fence longer than any backtick run in the prompt
    fence = text[text.index(PROMPT) - len("````text\n"):text.index(PROMPT)]
    assert fence.startswith("````")
    assert "req\\_e1" not in text and "req_e1" in text
    assert "## Request #" in text and "### Full error response" in text and "### Prompt" in text
    assert KEY not in text


def test_json_export_round_trips(setup):
    store, packet, tmp = setup
    path = export_packet(store, packet, "json", tmp)  # a folder: default name
    assert path.name == f"appeal-{packet['appeal']['id']}.json"
    assert json.loads(path.read_text(encoding="utf-8")) == packet
    assert KEY not in path.read_text(encoding="utf-8")


def test_zip_bundle_has_everything_and_the_images(setup):
    store, packet, tmp = setup

    def fake_pdf(document, path):  # stands in for the Qt adapter; the real one is tested in tests/render/test_pdf.py
        Path(path).write_bytes(b"%PDF-1.4 " + document.title.encode())

    path = export_packet(store, packet, "zip", tmp / "bundle.zip", pdf_writer=fake_pdf)
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        folder = f"appeal-{packet['appeal']['id']}/"
        assert {folder + n for n in ("packet.md", "packet.json", "packet.pdf", "README.txt")} <= names
        listed = {i["file"] for r in packet["requests"] for i in r["images"]}
        assert len(listed) == 3 and {folder + f for f in listed} <= names  # reference, mask, output
        for name in names:
            assert KEY.encode() not in bundle.read(name)
        ref = next(n for n in names if "reference" in n)
        with Image.open(io.BytesIO(bundle.read(ref))) as img:
            assert img.getpixel((0, 0)) == (0, 0, 255)
    assert not list(tmp.glob("*.part")) and not list(tmp.glob(".*.part*"))


def test_zip_without_pdf_says_so(setup):
    store, packet, tmp = setup
    with zipfile.ZipFile(export_packet(store, packet, "zip", tmp / "b.zip")) as bundle:
        readme = bundle.read(f"appeal-{packet['appeal']['id']}/README.txt").decode()
        assert "not included" in readme
        assert not any(n.endswith(".pdf") for n in bundle.namelist())


def test_failed_export_leaves_nothing_under_the_final_name(setup):
    store, packet, tmp = setup
    target = tmp / "appeal.pdf"
    target.write_bytes(b"previous good export")

    def broken(document, path):
        Path(path).write_bytes(b"%PDF half")
        raise RuntimeError("renderer died")

    with pytest.raises(RuntimeError):
        export_packet(store, packet, "pdf", target, pdf_writer=broken)
    assert target.read_bytes() == b"previous good export"
    assert [p.name for p in tmp.iterdir() if p.name.startswith(".")] == []


def test_clear_errors(setup):
    store, packet, tmp = setup
    blocker = tmp / "file"
    blocker.write_text("x")
    with pytest.raises(BadInputError, match="cannot write"):
        export_packet(store, packet, "md", blocker / "appeal.md")
    with pytest.raises(BadInputError, match="format"):
        export_packet(store, packet, "docx", tmp / "a.docx")
    with pytest.raises(BadInputError, match="PDF"):
        export_packet(store, packet, "pdf", tmp / "a.pdf")


def test_document_lists_checklist_and_reproduction(setup):
    _store, packet, _tmp = setup
    md = render_markdown(packet_document(packet))
    assert "## Checklist" in md and "## Reproduction" in md and "## Business context" in md
    assert "| Profile | Model |" in md
