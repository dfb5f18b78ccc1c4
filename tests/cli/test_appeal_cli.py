"""`workbench appeal …`: create, list, show, set, export (md, json, zip, pdf)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile

import pytest

from workbench.cli import main
from workbench.core.api.records import ErrorRecord
from workbench.core.store import HistoryStore


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, timeout=180)


@pytest.fixture
def blocked_ids():
    ids = []
    with HistoryStore.open() as store:
        for n in range(2):
            ids.append(store.record_completed(
                "A knight holding a sword", {"model": "gpt-image-1"}, outcome="blocked_input", profile="OpenAI",
                error=ErrorRecord(kind="blocked", stage="input", categories=["violence"], http_status=400,
                                  code="moderation_blocked", message="rejected",
                                  raw_body='{"error": {"code": "moderation_blocked"}}', request_ids=[f"req_ap{n}"]),
            ).id)
    return ids


def test_appeal_workflow(blocked_ids, tmp_path, capsys):
    assert main(["appeal", "create", *map(str, blocked_ids), "--context", "Museum poster", "--account", "acct-3",
                 "--json"]) == 0
    appeal = json.loads(capsys.readouterr().out)
    assert appeal["status"] == "draft" and appeal["request_ids"] == blocked_ids
    aid = str(appeal["id"])
    assert main(["appeal", "set", aid, "--status", "submitted", "--ticket", "T-1"]) == 0
    assert "submitted" in capsys.readouterr().out
    assert main(["appeal", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["ticket"] == "T-1" and listed["submitted_at"]
    assert main(["appeal", "show", aid]) == 0
    out = capsys.readouterr().out
    assert "[x] Full error response" in out and "req_ap0" in out
    assert main(["appeal", "show", aid, "--json"]) == 0
    packet = json.loads(capsys.readouterr().out)
    assert packet["reproduction"][0]["blocked"] == 2

    assert main(["appeal", "export", aid, "--format", "md", "-o", str(tmp_path / "a.md")]) == 0
    assert "Museum poster" in (tmp_path / "a.md").read_text(encoding="utf-8")
    assert main(["appeal", "export", aid, "--format", "json", "-o", str(tmp_path)]) == 0
    assert json.loads((tmp_path / f"appeal-{aid}.json").read_text())["appeal"]["account_id"] == "acct-3"


def test_export_errors(blocked_ids, tmp_path, capsys):
    assert main(["appeal", "create", str(blocked_ids[0])]) == 0
    assert main(["appeal", "export", "1", "2", "--format", "md", "-o", str(tmp_path / "x.md")]) == 2
    assert "must be an existing folder" in capsys.readouterr().err
    assert main(["appeal", "export", "77", "--format", "md", "-o", str(tmp_path / "x.md")]) == 2
    assert "no appeal #77" in capsys.readouterr().err
    assert main(["appeal", "create", "999"]) == 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_and_zip_export_from_the_command_line(blocked_ids, tmp_path):
    assert main(["appeal", "create", *map(str, blocked_ids), "--context", "Brochure"]) == 0
    proc = run_cli("appeal", "export", "1", "--format", "pdf", "-o", str(tmp_path / "a.pdf"))
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True).stdout
    assert "req_ap1" in text and "Brochure" in text
    proc = run_cli("appeal", "export", "1", "--format", "zip", "-o", str(tmp_path / "a.zip"))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "a.zip") as bundle:
        assert {"appeal-1/packet.pdf", "appeal-1/packet.md", "appeal-1/packet.json"} <= set(bundle.namelist())
