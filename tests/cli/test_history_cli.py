"""`workbench history …`: list, search, show, export, purge, redact, backup, check (honouring WORKBENCH_HOME)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
import sqlite_utils

from workbench import paths
from workbench.cli import main
from workbench.core.api.records import ErrorRecord
from workbench.core.store import HistoryStore


def run_cli(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=stdin, capture_output=True, timeout=120)


@pytest.fixture
def history():
    with HistoryStore.open() as store:
        blocked = store.record_completed(
            "Two knights fighting on a bridge\x1b[31m", {"model": "gpt-image-1"}, outcome="blocked_input",
            error=ErrorRecord(kind="blocked", stage="input", categories=["violence"], http_status=400,
                              code="moderation_blocked", message="rejected by the safety system",
                              raw_body='{"error": {"code": "moderation_blocked"}}', request_ids=["req_cli1"]),
            profile="OpenAI", created_at="2026-11-01T10:00:00.000Z").id
        ok = store.record_completed("A calm lake at dawn", {"model": "gpt-image-2"}, outcome="ok", parent_id=blocked,
                                    created_at="2026-11-02T10:00:00.000Z").id
        old = store.record_completed("An old forgotten request", outcome="ok", created_at="2020-01-01T00:00:00.000Z").id
    return {"blocked": blocked, "ok": ok, "old": old}


def test_list_and_filters(history, capsys):
    assert main(["history", "list"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert [line.split()[0] for line in lines] == [f"#{history['ok']}", f"#{history['blocked']}", f"#{history['old']}"]
    assert "\x1b" not in captured.out and "\\x1b" in captured.out  # terminal escapes are shown, not run
    assert "(1-3 of 3)" in captured.err
    assert main(["history", "list", "--outcome", "blocked", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [history["blocked"]] and rows[0]["request_id"] == "req_cli1"
    assert main(["history", "list", "--since", "2026-11-02", "--json"]) == 0
    assert [json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()] == [history["ok"]]


def test_search_and_show(history, capsys):
    assert main(["history", "search", "knight", "--json"]) == 0
    assert [json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()] == [history["blocked"]]
    assert main(["history", "show", str(history["blocked"])]) == 0
    out = capsys.readouterr().out
    assert "req_cli1" in out and "moderation_blocked" in out and "raw error body" in out
    assert main(["history", "show", str(history["ok"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parent_id"] == history["blocked"] and [n["id"] for n in data["lineage"]] == [history["blocked"],
                                                                                              history["ok"]]
    assert main(["history", "lineage", str(history["ok"])]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2


def test_export_jsonl_and_csv(history, tmp_path, capsys):
    assert main(["history", "export", "--query", "lake"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["prompt"] for r in rows] == ["A calm lake at dawn"]
    target = tmp_path / "h.csv"
    assert main(["history", "export", "--format", "csv", "-o", str(target)]) == 0
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(table) == 3 and json.loads(table[1]["request_ids"]) == ["req_cli1"]


def test_purge_needs_yes(history, capsys):
    assert main(["history", "purge", "--older-than", "365d"]) == 1
    assert "1 request(s) would be deleted" in capsys.readouterr().out
    assert main(["history", "purge", "--older-than", "365d", "--yes"]) == 0
    assert "deleted 1" in capsys.readouterr().out
    assert main(["history", "purge", "--older-than", "soon", "--yes"]) == 2
    assert "cannot read age" in capsys.readouterr().err


def test_redact_backup_check(history, tmp_path, capsys):
    assert main(["history", "redact", str(history["ok"])]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["history", "redact", str(history["ok"]), "--yes"]) == 0
    with HistoryStore.open() as store:
        assert store.get(history["ok"]).redacted
    assert main(["history", "backup", str(tmp_path / "b.db")]) == 0
    assert sqlite_utils.Database(tmp_path / "b.db")["requests"].count == 3
    assert main(["history", "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["ok"] is True


def test_user_errors_are_one_line_without_traceback(history, workbench_home):
    proc = run_cli("history", "show", "9999")
    assert proc.returncode == 2 and proc.stderr.decode().strip() == "workbench: error: history has no request #9999"
    proc = run_cli("history", "list", "--since", "last tuesday")
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr and b"cannot read date" in proc.stderr
    paths.history_db_path().write_bytes(b"garbage, not sqlite" * 10)
    for p in paths.data_dir().glob("history.db-*"):
        p.unlink()
    proc = run_cli("history", "list")
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert b"not a SQLite database" in proc.stderr and len(proc.stderr.decode().strip().splitlines()) == 1
