"""Database faults: corrupt, read-only, full, locked, shared by two writers.

Each fault is produced for real (bytes overwritten on disk, an immutable file, a tiny tmpfs or
SQLite's page limit, a second process holding the lock) and the real CLI or store is run on it.
What must hold every time: one clear line (no traceback), the database file is never
overwritten or recreated, and no row that was committed before the fault is lost.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from reliability_helpers import LockHolder, assert_one_line_error, blocked_log, file_digest, run_cli, tmpfs

from workbench.core.api.records import GenerationResult, ImageParams
from workbench.core.errors import StoreError
from workbench.core.store import HistoryStore


def _seed(tmp_path: Path, count: int = 30) -> None:
    proc = run_cli("import", str(blocked_log(tmp_path / "seed.jsonl", count)))
    assert proc.returncode == 0, proc.stderr


def _count_rows(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM requests").fetchone()[0]


# -- corrupt ------------------------------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_reported_and_left_untouched(tmp_path, history_db):
    _seed(tmp_path)
    data = bytearray(history_db.read_bytes())
    data[:16] = b"this is not it!!"
    history_db.write_bytes(bytes(data))
    before = file_digest(history_db)
    for args in (("history", "list"), ("import", str(blocked_log(tmp_path / "new.jsonl", 3, tag="new")))):
        assert_one_line_error(run_cli(*args), "not a SQLite database", "untouched")
    assert file_digest(history_db) == before
    assert not history_db.with_name("history.db-wal").exists()  # nothing was even opened for writing


def test_damaged_pages_are_reported_never_repaired_by_overwriting(tmp_path, history_db):
    _seed(tmp_path, 200)
    run_cli("history", "list")  # checkpointed, closed cleanly
    data = bytearray(history_db.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), 3 * page):  # scribble over every third page
        data[offset:offset + 300] = b"\xab" * 300
    history_db.write_bytes(bytes(data))
    before = file_digest(history_db)
    assert_one_line_error(run_cli("import", str(blocked_log(tmp_path / "n.jsonl", 3, tag="n"))), "damaged")
    assert_one_line_error(run_cli("history", "search", "knight"), "damaged")
    assert file_digest(history_db) == before


# -- read-only ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _read_only(path: Path):
    """Make a file unwritable for this process: chmod for normal users, chattr +i for root."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root and `chattr +i` is not available, so no file can be made read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_history_can_be_read_but_writes_say_why(tmp_path, history_db):
    _seed(tmp_path)
    run_cli("history", "list")
    with _read_only(history_db):
        listed = run_cli("history", "search", "knight", "--json")
        assert listed.returncode == 0, listed.stderr  # offline reviewers can still read it
        assert len(listed.stdout.splitlines()) == 30
        before = file_digest(history_db)
        assert_one_line_error(run_cli("import", str(blocked_log(tmp_path / "n.jsonl", 2, tag="n"))), "read-only")
        assert file_digest(history_db) == before
    assert _count_rows(history_db) == 30


# -- disk full ----------------------------------------------------------------------------------


def test_a_full_database_refuses_the_write_and_keeps_every_earlier_row(tmp_path):
    """SQLite's `max_page_count` caps the file at its current size: the write fails as on a full disk."""
    db_path = tmp_path / "h.db"
    with HistoryStore.open(db_path, images_root=tmp_path / "img") as store:
        first = [store.begin_request(f"kept prompt {i}", ImageParams(model="gpt-image-1")) for i in range(20)]
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match="full"):
            for i in range(2000):  # each row is ~4 KB of prompt: the limit is hit within a few
                store.begin_request(f"overflow {i} " + "x" * 4000, ImageParams())
        store.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
        later = store.begin_request("after the disk was freed", ImageParams())
        store.complete_request(later, GenerationResult(outcome="cancelled"))
        assert [store.get(i).prompt for i in first] == [f"kept prompt {i}" for i in range(20)]
        assert store.integrity_check(verify_images=False).ok


@pytest.fixture
def tiny_disk(tmp_path):
    """A 800 KB tmpfs (needs root with CAP_SYS_ADMIN; skipped otherwise): room for the schema and
    a small seed, not for a 3,000-row log."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=800k", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the max_page_count test covers SQLITE_FULL")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_during_import_and_image_storage(tmp_path, tiny_disk, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tiny_disk / "home"))
    db = tiny_disk / "home" / "data" / "history.db"
    _seed(tmp_path, 30)
    big = tmp_path / "big.jsonl"
    blocked_log(big, 3000, tag="filler-" + "x" * 300)
    assert_one_line_error(run_cli("import", str(big)), "disk", "full")
    assert _count_rows(db) == 30
    assert run_cli("history", "check").returncode == 0
    # Image files hit the same wall: a StoreError, no half-written file under a final name.
    with HistoryStore.open(db) as store:
        with pytest.raises(StoreError):
            store.files.put(b"\x89PNG\r\n\x1a\n" + os.urandom(600_000), "png")
    leftovers = [p for p in (tiny_disk / "home" / "data" / "images").rglob("*") if p.is_file()]
    assert leftovers == []


# -- locked -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _locked(db: Path, mode: str):
    with LockHolder(db, mode) as holder:
        yield holder


def test_a_database_locked_by_another_program(tmp_path, history_db):
    _seed(tmp_path)
    with _locked(history_db, "exclusive"):
        # The CLI waits its 5 s busy timeout, then says who holds the file.
        assert_one_line_error(run_cli("history", "list"), "locked by another program")
    with _locked(history_db, "normal"):
        # WAL: a writer in another process does not stop reading, only writing.
        assert run_cli("history", "search", "knight").returncode == 0
        with pytest.raises(StoreError, match="locked"), \
                HistoryStore.open(history_db, busy_timeout_ms=200) as store:
            store.begin_request("must wait for the lock", ImageParams())
    assert _count_rows(history_db) == 30


# -- two instances ------------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from workbench.core.api.records import GenerationResult, ImageParams
    from workbench.core.store import HistoryStore
    db, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with HistoryStore.open(db) as store:          # what each app window/CLI does on start
        for i in range(count):
            rid = store.begin_request(f"{tag} prompt {i}", ImageParams(model="gpt-image-1"))
            store.complete_request(rid, GenerationResult(outcome="error", http_status=500))
    print("done", flush=True)
""")


def test_two_instances_writing_at_once_lose_nothing(tmp_path, history_db):
    _seed(tmp_path, 10)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(history_db), tag, "150"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for tag in ("alpha", "beta")]
    imported = run_cli("import", str(blocked_log(tmp_path / "third.jsonl", 100, tag="third")))
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    assert imported.returncode == 0, imported.stderr
    with contextlib.closing(sqlite3.connect(history_db)) as conn:
        counts = dict(conn.execute(
            "SELECT substr(prompt, 1, instr(prompt, ' ') - 1), count(*) FROM requests GROUP BY 1").fetchall())
        outcomes = {row[0] for row in conn.execute("SELECT DISTINCT outcome FROM requests")}
        ids = [row[0] for row in conn.execute("SELECT id FROM requests")]
    assert counts == {"knight": 10, "alpha": 150, "beta": 150, "third": 100}
    assert outcomes == {"error", "blocked_unknown"}  # nothing pending or interrupted (the log states no stage)
    assert len(ids) == len(set(ids)) == 410


# -- empty, damaged index, random damage --------------------------------------------------------


def test_a_zero_byte_database_is_kept_aside_with_a_warning(tmp_path, history_db):
    history_db.parent.mkdir(parents=True, exist_ok=True)
    history_db.write_bytes(b"")
    proc = run_cli("history", "list")
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "empty (0-byte)" in proc.stderr and "restore a backup" in proc.stderr
    [kept] = list(history_db.parent.glob("history.db.empty-*"))
    assert kept.stat().st_size == 0 and history_db.stat().st_size > 0
    assert "warning" not in run_cli("history", "list").stderr  # said once, not on every command


def _break_search_index(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("DELETE FROM sqlite_master WHERE name = 'requests_fts_config'")
        conn.commit()


def test_a_damaged_search_index_is_one_message_and_rebuild_fts_repairs_it(tmp_path, history_db):
    _seed(tmp_path)
    run_cli("history", "list")
    _break_search_index(history_db)
    before = file_digest(history_db)
    for args in (("history", "search", "knight"), ("generate", "a fox in the snow", "--out", str(tmp_path))):
        line = assert_one_line_error(run_cli(*args), "search index", "damaged", "rebuild-fts")
        assert "vtable constructor failed: requests_fts" in line
    assert file_digest(history_db) == before
    check = run_cli("history", "check")
    assert check.returncode == 1 and "PROBLEMS FOUND" in check.stdout and "rebuild-fts" in check.stdout
    repaired = run_cli("history", "rebuild-fts")
    assert repaired.returncode == 0 and "recreated" in repaired.stdout, repaired.stderr
    assert list(history_db.parent.glob("history.db.before-rebuild-fts-*"))  # the damaged file is kept
    assert len(run_cli("history", "search", "knight", "--json").stdout.splitlines()) == 30
    assert run_cli("history", "check").stdout.startswith("ok: 30 request(s)")
    assert _count_rows(history_db) == 30


def test_rebuild_fts_on_a_healthy_index(tmp_path, history_db):
    _seed(tmp_path, 5)
    proc = run_cli("history", "rebuild-fts")
    assert proc.returncode == 0 and proc.stdout.strip() == "search index rebuilt"


@pytest.mark.parametrize("seed", range(4))
def test_random_damage_never_gives_a_traceback(tmp_path, history_db, seed):
    import random

    _seed(tmp_path, 200)
    run_cli("history", "list")
    data = bytearray(history_db.read_bytes())
    rng = random.Random(seed)
    for _ in range(20):
        offset = rng.randrange(4096, len(data) - 64)
        length = rng.randrange(1, 32)
        data[offset:offset + length] = bytes(rng.randrange(256) for _ in range(length))
    history_db.write_bytes(bytes(data))
    commands = (("history", "list"), ("history", "search", "knight"), ("history", "check"),
                ("import", str(blocked_log(tmp_path / "n.jsonl", 3, tag="n"))),
                ("generate", "a fox in the snow", "--out", str(tmp_path / "out")))
    for args in commands:
        before = file_digest(history_db)
        proc = run_cli(*args)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        if proc.returncode == 2:
            assert_one_line_error(proc)
            assert file_digest(history_db) == before, args  # an error never leaves a changed file


# -- read-only file system, check while locked ---------------------------------------------------


@pytest.fixture
def read_only_fs(tmp_path):
    """A tmpfs holding a seeded history, remounted read-only (root only; skipped otherwise)."""
    mount = tmp_path / "ro"
    unmount = tmpfs(mount, "8m")
    if unmount is None:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        unmount()


def test_a_read_only_file_system_opens_read_only_and_says_so(tmp_path, read_only_fs, monkeypatch):
    home = read_only_fs / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    _seed(tmp_path, 30)
    run_cli("history", "list")
    assert subprocess.run(["mount", "-o", "remount,ro", str(read_only_fs)]).returncode == 0
    listed = run_cli("history", "search", "knight", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 30
    assert "opened read-only" in listed.stderr
    check = run_cli("history", "check")
    assert check.returncode == 0 and "PROBLEMS FOUND" not in check.stdout
    assert "not checked" in check.stdout
    assert_one_line_error(run_cli("generate", "a fox", "--out", str(tmp_path / "out")), "read-only")
    assert_one_line_error(run_cli("import", str(blocked_log(tmp_path / "n.jsonl", 2, tag="n"))), "read-only")


def test_history_check_on_a_locked_healthy_database_is_not_problems_found(tmp_path, history_db):
    _seed(tmp_path)
    with _locked(history_db, "normal"):
        check = run_cli("history", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "PROBLEMS FOUND" not in check.stdout and "not checked" in check.stdout and "locked" in check.stdout
    with _locked(history_db, "exclusive"):  # not even readable: a one-line error, not a damage report
        assert_one_line_error(run_cli("history", "check"), "locked")
