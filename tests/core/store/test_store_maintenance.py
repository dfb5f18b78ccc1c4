"""Backup, purge, redaction (really gone from the files) and the integrity check."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlite_utils
from PIL import Image

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageData, ImageParams
from workbench.core.appeal import AppealStore
from workbench.core.errors import BadInputError
from workbench.core.store import HistoryFilter, HistoryStore
from workbench.core.store.images import read_png_text
from workbench.core.store.promptkey import prompt_key
from workbench.core.store.scrub import PROMPT_MARK

SECRET_PROMPT = "the zanzibarquux heirloom sword beside a sleeping dragon"


def png(color="red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "images")
    yield s
    s.close()


def fal_block(prompt: str) -> ErrorRecord:
    body = {"detail": [{"loc": ["body", "prompt"], "msg": "The content could not be processed because it "
                        "contained material flagged by a content checker.", "type": "content_policy_violation",
                        "input": {"prompt": prompt, "image_size": "square"}}]}
    return ErrorRecord(kind="blocked", message=f"flagged: {prompt}", stage="input", http_status=422,
                       code="content_policy_violation", raw_body=json.dumps(body), provider="fal")


def test_backup_is_a_complete_readable_copy(store, tmp_path):
    for n in range(5):
        store.record_completed(f"prompt {n}", outcome="ok")
    target = store.backup(tmp_path / "backups" / "copy.db")
    assert target == tmp_path / "backups" / "copy.db"
    copy = sqlite_utils.Database(target)
    assert copy["requests"].count == 5 and [r["prompt"] for r in copy["requests"].search("prompt")]
    assert not list((tmp_path / "backups").glob("*.part"))
    folder_copy = store.backup(tmp_path / "backups")  # a folder gets a timestamped name
    assert folder_copy.parent == tmp_path / "backups" and folder_copy.name.startswith("history-backup-")


def test_backup_refuses_bad_destinations(store, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(BadInputError, match="cannot write"):
        store.backup(blocker / "copy.db")
    with pytest.raises(BadInputError, match="itself"):
        store.backup(tmp_path / "h.db")


def test_purge_by_age_and_filter_keeps_appealed_and_pending(store, tmp_path):
    old_ok = store.record_completed("old ok", outcome="ok", created_at="2020-01-01T00:00:00.000Z").id
    old_blocked = store.record_completed("old blocked", outcome="blocked_input",
                                         created_at="2020-01-02T00:00:00.000Z").id
    new_ok = store.record_completed("new ok", outcome="ok").id
    pending = store.begin_request("in flight")
    store.db.execute("UPDATE requests SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", [pending])
    AppealStore(store).create([old_blocked])
    with pytest.raises(BadInputError):
        store.purge()  # no criterion
    assert store.purge(older_than_hours=24, dry_run=True) == 1
    assert store.purge(older_than_hours=24) == 1
    remaining = {r.id for r in store.search("", limit=100).rows}
    assert remaining == {old_blocked, new_ok, pending} and old_ok not in remaining
    assert store.purge(HistoryFilter(outcomes=("blocked_input",)), include_appealed=True) == 1
    assert store.purge(everything=True) == 1  # only new_ok: pending rows are never purged
    assert {r.id for r in store.search("", limit=100).rows} == {pending}


def test_purge_deletes_image_files_no_longer_referenced(store):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, "JPEG")
    shared = ImageData(buf.getvalue(), format="jpeg")  # stored byte for byte (no PNG metadata)
    a = store.begin_request("a")
    store.complete_request(a, GenerationResult(outcome="ok", images=[shared, ImageData(png("blue"))]))
    b = store.begin_request("b")
    store.complete_request(b, GenerationResult(outcome="ok", images=[shared]))
    a_paths = {i.sha256: Path(i.path) for i in store.get(a).images}
    b_path = Path(store.get(b).images[0].path)
    assert b_path in a_paths.values()
    store.purge(HistoryFilter(ids=(a,)))
    assert b_path.exists()  # still used by request b
    assert not [p for p in a_paths.values() if p != b_path][0].exists()


def test_redaction_removes_prompt_echoes_and_metadata_from_disk(store, tmp_path):
    rid = store.begin_request(SECRET_PROMPT, ImageParams(model="fal-ai/flux"), findings=[
        {"start": 4, "end": 17, "text": "zanzibarquux", "category": "violence", "severity": "medium",
         "message": "m", "replacements": [], "term": "sword"}])
    store.complete_request(rid, GenerationResult(outcome="blocked_input", error=fal_block(SECRET_PROMPT)))
    out = store.begin_request(SECRET_PROMPT)
    store.complete_request(out, GenerationResult(outcome="ok", images=[ImageData(png())]))
    old_image = Path(store.get(out).images[0].path)
    assert "zanzibarquux" in read_png_text(old_image.read_bytes())["Description"]

    assert store.redact([rid, out]) == 2
    assert store.redact([rid]) == 0  # already redacted
    entry = store.get(rid)
    assert entry.prompt == PROMPT_MARK and entry.redacted
    assert "zanzibarquux" not in entry.raw_body and "zanzibarquux" not in entry.error_message
    assert json.loads(entry.raw_body)["detail"][0]["input"]["prompt"] == PROMPT_MARK
    assert entry.findings[0]["term"] == "sword" and entry.findings[0]["text"] == ""
    assert entry.prompt_key == prompt_key(SECRET_PROMPT)  # reproduction still groups it
    assert store.search("zanzibarquux").rows == []
    new_image = Path(store.get(out).images[0].path)
    assert new_image != old_image and not old_image.exists()
    assert "Description" not in read_png_text(new_image.read_bytes())
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
    assert b"zanzibarquux" not in blob
    assert b"zanzibarquux" not in b"".join(p.read_bytes() for p in (tmp_path / "images").rglob("*.png"))


def test_integrity_check_finds_missing_and_altered_images(store):
    rid = store.begin_request("x")
    store.complete_request(rid, GenerationResult(outcome="ok", images=[ImageData(png("red")), ImageData(png("blue"))]))
    report = store.integrity_check()
    assert report.ok and report.rows == 1 and report.images_checked == 2
    first, second = store.get(rid).images
    Path(first.path).unlink()
    Path(second.path).write_bytes(b"tampered")
    report = store.integrity_check()
    assert not report.ok
    assert any("file missing" in p for p in report.problems)
    assert any("does not match" in p for p in report.problems)
