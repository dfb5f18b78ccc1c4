"""A paid result is never lost: delivered first, then recorded; a failed record is journalled.

The faults are real: another process holds the database lock past the busy timeout while the
result arrives, or the disk holding the history fills up while the Sandbox is generating (a
tmpfs, mounted as root). The result must reach the user (images in --out / the images folder,
request ID shown), the failure must say "saved, not recorded", and the next command that opens
the history must record the outcome and request ID from the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import ROOT, LockHolder, cli_env, fill_disk, run_cli, tmpfs

from workbench import paths
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.store import HistoryStore
from workbench.core.store.recorder import HistoryRecorder
from workbench.sandbox import SandboxServer


def _row(db: Path, history_id: int | None = None) -> dict:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        sql = "SELECT * FROM requests " + ("WHERE id = ?" if history_id else "ORDER BY id DESC LIMIT 1")
        return dict(conn.execute(sql, [history_id] if history_id else []).fetchone())


def _is_pending(db: Path) -> bool:
    try:
        return _row(db)["outcome"] == "pending"
    except (sqlite3.Error, TypeError):  # not created yet, or no row yet
        return False


def _journal() -> list[Path]:
    return sorted(paths.journal_dir().glob("*.json")) if paths.journal_dir().exists() else []


def test_database_locked_at_completion_delivers_journals_and_replays(history_db):
    holder: list[LockHolder] = []
    delivered: list[int] = []

    def deliver(result) -> None:  # runs before the record: take the lock now, as another app would
        delivered.append(len(result.images))
        holder.append(LockHolder(history_db, "normal"))

    async def scenario():
        with SandboxServer() as sandbox:
            store = HistoryStore.open(busy_timeout_ms=300)
            profile = Profile(name="Sandbox", kind="sandbox", base_url=sandbox.url)
            async with ImageClient.for_profile(profile, recorder=HistoryRecorder(store)) as client:
                request = ImageRequest("a lighthouse at dusk", ImageParams(model="gpt-image-1"))
                result = await client.run(request, on_result=deliver)
            return result, request, store

    try:
        result, request, store = asyncio.run(scenario())
        assert delivered == [1]
        assert result.outcome == "ok" and result.request_ids
        assert "locked" in result.record_error and "recorded when history next opens" in result.record_error
        [entry] = _journal()
        assert Path(result.journal) == entry
        pending = _row(history_db, request.meta["history_id"])
        assert pending["outcome"] == "pending" and json.loads(pending["request_ids"]) == []
        # The image is already in the gallery's folder, named by the journal.
        [image] = json.loads(entry.read_text())["images"]
        assert store.files.path(image["relpath"]).is_file()
        store.close()
    finally:
        for h in holder:
            h.release()
    listed = run_cli("history", "list", "--json")  # the next command replays the journal
    assert listed.returncode == 0, listed.stderr
    assert "recorded 1 completed request" in listed.stderr
    row = json.loads(listed.stdout.splitlines()[0])
    assert row["outcome"] == "ok" and row["request_id"] == result.request_ids[0]
    assert _journal() == []
    with HistoryStore.open() as store:
        entry = store.get(request.meta["history_id"])
        assert [i.role for i in entry.images] == ["output"] and Path(entry.images[0].path).is_file()


def test_replay_is_idempotent_and_keeps_an_entry_whose_row_is_gone(tmp_path):
    import io

    from PIL import Image

    from workbench.core.api.records import GenerationResult, ImageData
    from workbench.core.store import journal

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, "PNG")
    data = buffer.getvalue()
    with HistoryStore.open() as store:
        rid = store.begin_request("a kite over a beach", ImageParams())
        gone = store.begin_request("deleted later", ImageParams())
        result = GenerationResult(outcome="ok", images=[ImageData(data, "png")], request_ids=["req_journal_1"])
        journal.write(store.journal_dir, db=store.path, history_id=rid, result=result, images=[
            {"relpath": None, "source": str(_copy(tmp_path, data)), "format": "png"}])
        journal.write(store.journal_dir, db=store.path, history_id=gone, result=result, images=[])
        store.db.execute("DELETE FROM requests WHERE id = ?", [gone])
        store.db.conn.commit()
    for _ in range(2):
        with HistoryStore.open() as store:
            entry = store.get(rid)
            assert entry.outcome == "ok" and entry.request_ids == ["req_journal_1"]
            assert len(entry.images) == 1  # replayed once, from the delivered copy
    assert _journal() == []
    assert len(list(paths.journal_dir().glob("*.unmatched"))) == 1  # kept, never replayed again


def _copy(tmp_path: Path, data: bytes) -> Path:
    target = tmp_path / "delivered.png"
    target.write_bytes(data)
    return target


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    unmount = tmpfs(mount, "3m")
    if unmount is None:
        pytest.skip("cannot mount a tmpfs here (needs root); the locked-database test covers the journal")
    try:
        yield mount
    finally:
        unmount()


def test_disk_full_while_generating_saves_to_out_and_records_later(tmp_path, small_disk):
    home, out = small_disk / "home", tmp_path / "out"
    env = cli_env(WORKBENCH_HOME=str(home))
    assert run_cli("history", "list", env=env).returncode == 0  # the history exists
    db = home / "data" / "history.db"
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "generate", "--out", str(out),
                             "a lighthouse at dusk [sandbox:slow=3]"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):  # the pending row is written before the request is sent
            if _is_pending(db):
                break
            time.sleep(0.05)
        filler = fill_disk(small_disk, leave=24 * 1024)  # room for the journal, not for the image
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "request id: req_" in stdout  # shown before anything was recorded
    assert len(list(out.glob("*.png"))) == 1
    assert "saved, not recorded" in stderr and "disk full" in stderr, stderr
    assert _row(db)["outcome"] == "pending"
    filler.unlink()  # space freed: the next command records it
    listed = run_cli("history", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    row = json.loads(listed.stdout.splitlines()[0])
    assert row["outcome"] == "ok" and row["request_id"] and row["request_id"] in stdout
    shown = json.loads(run_cli("history", "show", str(row["id"]), "--json", env=env).stdout)
    assert len(shown["images"]) == 1
    assert not list((home / "data" / "journal").glob("*.json"))


def test_gui_path_shows_the_images_and_says_saved_not_recorded(ops, qloop, said, history_db, until):
    """The app's path through core: the lock is taken while the Sandbox is still generating."""
    holder: list[LockHolder] = []

    async def scenario():
        request = ops.generate.build_request("a lighthouse at dusk [sandbox:slow=1.5]",
                                             ImageParams(model="gpt-image-1"))
        task = asyncio.create_task(ops.generate.generate("Sandbox", request))
        await until(lambda: _is_pending(history_db), 20)
        holder.append(await asyncio.get_running_loop().run_in_executor(None, LockHolder, history_db))
        return await task

    try:
        outcome = qloop.run_until_complete(scenario())
    finally:
        for h in holder:
            h.release()
    assert outcome.result.outcome == "ok" and "locked" in outcome.result.record_error
    assert [bool(item.data) for item in outcome.items] == [True]  # shown from memory
    assert any(m.level == "warning" and "Saved, not recorded" in m.text for m in said)
    qloop.run_until_complete(ops.close())
    with HistoryStore.open() as store:  # the app's next start
        entry = store.get(outcome.history_id)
    assert entry.outcome == "ok" and entry.request_ids == outcome.result.request_ids
    assert len(entry.images) == 1


def test_stored_images_carry_the_request_id_in_their_png_text(tmp_path):
    from workbench.core.store.images import read_png_text

    async def scenario():
        with SandboxServer() as sandbox, HistoryStore.open() as store:
            profile = Profile(name="Sandbox", kind="sandbox", base_url=sandbox.url)
            async with ImageClient.for_profile(profile, recorder=HistoryRecorder(store)) as client:
                request = ImageRequest("a paper boat on a pond", ImageParams(model="gpt-image-1"))
                result = await client.run(request)
            return result, store.get(request.meta["history_id"])

    result, entry = asyncio.run(scenario())
    text = read_png_text(Path(entry.images[0].path).read_bytes())
    assert json.loads(text["workbench"])["request_ids"] == result.request_ids
    assert _journal() == []  # the entry is removed once the row is complete


def test_kill_while_recording_loses_nothing(tmp_path, history_db):
    """kill -9 while the record waits for a lock: the journal entry already holds the result."""
    out = tmp_path / "out"
    assert run_cli("history", "list").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "generate", "--out", str(out),
                             "a windmill in a storm [sandbox:slow=1.5]"], env=cli_env(), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            if _is_pending(history_db):
                break
            time.sleep(0.02)
        with LockHolder(history_db):  # the record now waits for its 5 s busy timeout...
            for _ in range(400):
                if _journal():
                    break
                time.sleep(0.02)
            assert _journal(), "no journal entry was written before recording"
            proc.kill()  # ...and the process dies while waiting
            proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _is_pending(history_db)
    listed = run_cli("history", "list", "--json")
    row = json.loads(listed.stdout.splitlines()[0])
    assert row["outcome"] == "ok" and row["request_id"], listed.stderr
    assert _journal() == []
    assert len(list(out.glob("*.png"))) == 1
