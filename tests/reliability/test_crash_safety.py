"""Crash safety: kill -9 in the middle of a request or an export, then look at what is left.

The CLI runs as a real subprocess and is killed with SIGKILL (no handler, no cleanup), the
worst case a crash, power cut or OOM kill can produce.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from reliability_helpers import blocked_log, cli_env, run_cli

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _rows(db: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT id, outcome, prompt, request_ids FROM requests ORDER BY id").fetchall()


def _wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _popen_cli(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "workbench", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env(), cwd=cwd)


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_during_a_slow_request_leaves_it_interrupted_and_loses_nothing(tmp_path, history_db):
    assert run_cli("import", str(blocked_log(tmp_path / "seed.jsonl", 25))).returncode == 0
    done = run_cli("generate", "--out", str(tmp_path / "out"), "a lighthouse at dusk", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    before = _rows(history_db)
    assert len(before) == 26 and before[-1][1] == "ok"

    # The Sandbox holds this request for a minute; the CLI is killed while it waits.
    slow = _popen_cli("generate", "--out", str(tmp_path / "out"), "a red fox in snow [sandbox:slow=60]",
                      cwd=tmp_path)
    try:
        pending = _wait_for(lambda: [r for r in _rows(history_db) if r[1] == "pending"], what="the pending row")
        time.sleep(0.5)  # well into the wait for the response
        assert slow.poll() is None, "the request finished before it could be killed"
    finally:
        _kill(slow)
    (row,) = pending
    assert "red fox in snow" in row[2]

    # The next start (any command that opens the history) recovers the row.
    listed = run_cli("history", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    by_id = {r["id"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert by_id[row[0]]["outcome"] == "interrupted"
    after = _rows(history_db)
    assert [r for r in after if r[0] != row[0]] == before  # every other row exactly as it was
    check = run_cli("history", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # It stays findable as evidence: search by prompt words.
    found = run_cli("history", "search", "fox", "--json")
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [row[0]]


def _noise_png(side: int = 1400) -> bytes:
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))  # incompressible
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def test_kill_during_an_appeal_export_never_leaves_a_partial_file_under_its_name(tmp_path, history_db):
    from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams
    from workbench.core.store import HistoryStore

    # A blocked request with ~35 MB of reference images, so writing the ZIP takes a while.
    with HistoryStore.open() as store:
        rid = store.begin_request("two knights fighting", ImageParams(model="gpt-image-1"),
                                  reference_images=[_noise_png() for _ in range(6)])
        error = ErrorRecord(kind="blocked", code="moderation_blocked", stage="input", http_status=400,
                            categories=["violence"], message="Your request was rejected by the safety system.",
                            request_ids=["req_export_kill_1"])
        store.complete_request(rid, GenerationResult(outcome="blocked_input", error=error, http_status=400))
    created = run_cli("appeal", "create", str(rid), "--context", "storyboard for a film")
    assert created.returncode == 0, created.stderr

    out = tmp_path / "exports"
    out.mkdir()
    target = out / "appeal.zip"
    for _attempt in range(3):  # the kill must land mid-write; retry if the export was too quick
        export = _popen_cli("appeal", "export", "1", "--format", "zip", "--output", str(target), cwd=tmp_path)
        temp = _wait_for(lambda: list(out.glob(".appeal.zip.*.part")) or export.poll() is not None,
                         what="the export to start writing")
        if export.poll() is None and isinstance(temp, list):
            _wait_for(lambda: temp[0].exists() and temp[0].stat().st_size > 1_000_000 or export.poll() is not None,
                      what="the export to be part-way")
            if export.poll() is None:
                _kill(export)
                break
        export.communicate(timeout=30)
        target.unlink(missing_ok=True)
    else:
        pytest.fail("the export always finished before it could be killed")

    assert not target.exists(), "a half-written ZIP was left under the final name"
    # A new export afterwards is complete and readable.
    again = run_cli("appeal", "export", "1", "--format", "zip", "--output", str(target), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    with zipfile.ZipFile(target) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
    assert "appeal-1/packet.json" in names and sum(n.startswith("appeal-1/images/") for n in names) == 6
