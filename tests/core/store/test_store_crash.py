"""Crash recovery: a process killed mid-request leaves a row that becomes `interrupted` on next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from workbench.core.api.records import GenerationResult, ImageParams
from workbench.core.store import HistoryStore

CHILD = """
import sys, time
from workbench.core.store import HistoryStore
from workbench.core.api.records import ImageParams
store = HistoryStore.open(sys.argv[1], images_root=sys.argv[2])
rid = store.begin_request("a knight mid-request", ImageParams(model="gpt-image-1"), profile="OpenAI")
print(rid, flush=True)
time.sleep(120)  # "waiting for the API" until killed
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_process_leaves_an_interrupted_row(tmp_path):
    db, images = str(tmp_path / "h.db"), str(tmp_path / "img")
    child = subprocess.Popen([sys.executable, "-c", CHILD, db, images], stdout=subprocess.PIPE, text=True)
    try:
        rid = int(child.stdout.readline())
        # While the writer is alive, another process opening the history leaves its row alone.
        with HistoryStore.open(db, images_root=images) as other:
            assert other.get(rid).outcome == "pending"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    with HistoryStore.open(db, images_root=images) as store:
        entry = store.get(rid)
        assert entry.outcome == "interrupted"
        assert entry.prompt == "a knight mid-request" and entry.model == "gpt-image-1"
        assert store.mark_interrupted() == 0  # nothing left to recover


def test_own_pending_rows_are_not_interrupted(tmp_path):
    with HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img") as store:
        rid = store.begin_request("in flight", ImageParams())
        assert store.mark_interrupted() == 0
        assert store.mark_interrupted(include_live=True) == 0  # never this process's own rows
        assert store.get(rid).outcome == "pending"
        store.complete_request(rid, GenerationResult(outcome="cancelled"))
        assert store.get(rid).outcome == "cancelled"


def test_rows_without_owner_or_from_dead_pids_are_recovered(tmp_path):
    with HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img") as store:
        orphan = store.begin_request("orphan", ImageParams())
        stale = store.begin_request("old row from another host", ImageParams())
        store.db.execute("UPDATE requests SET owner = NULL WHERE id = ?", [orphan])
        store.db.execute("UPDATE requests SET owner = 'elsewhere:1', created_at = '2020-01-01T00:00:00.000Z' "
                         "WHERE id = ?", [stale])
        fresh_remote = store.begin_request("fresh row from another host", ImageParams())
        store.db.execute("UPDATE requests SET owner = 'elsewhere:1' WHERE id = ?", [fresh_remote])
        assert store.mark_interrupted() == 2
        assert [store.get(i).outcome for i in (orphan, stale, fresh_remote)] == [
            "interrupted", "interrupted", "pending"]
