"""Opening the history: damaged, locked or foreign files give a clear StoreError and are never overwritten."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from workbench import paths
from workbench.core.api.records import ImageParams
from workbench.core.errors import StoreError
from workbench.core.store import HistoryStore


def test_default_location_honours_workbench_home(workbench_home):
    with HistoryStore.open() as store:
        store.begin_request("a lighthouse at dusk", ImageParams())
    assert paths.history_db_path().is_relative_to(workbench_home)
    assert paths.history_db_path().exists()


def test_plain_sqlite_utils_can_read_the_database(tmp_path):
    path = tmp_path / "h.db"
    with HistoryStore.open(path, images_root=tmp_path / "img") as store:
        rid = store.begin_request("a red fox in fresh snow", ImageParams(model="gpt-image-1"), profile="OpenAI")
    db = sqlite_utils.Database(path)  # what Datasette and the sqlite-utils CLI do
    row = db["requests"].get(rid)
    assert row["prompt"] == "a red fox in fresh snow" and row["outcome"] == "pending"
    assert [r["prompt"] for r in db["requests"].search("fox")] == ["a red fox in fresh snow"]
    assert "requests" in db.table_names() and db["requests"].count == 1


def test_not_a_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "h.db"
    path.write_bytes(b"these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a SQLite database"):
        HistoryStore.open(path)
    assert path.read_bytes() == before


def test_damaged_database_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "h.db"
    with HistoryStore.open(path, images_root=tmp_path / "img") as store:
        for n in range(30):
            store.begin_request(f"prompt number {n}", ImageParams())
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[100:] = b"\x5a" * (len(data) - 100)  # keep the header, ruin every page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as info:
        HistoryStore.open(path)
    assert "damaged" in info.value.user_message or "not a database" in info.value.user_message
    assert "untouched" in info.value.user_message
    assert path.read_bytes() == bytes(data)


def test_locked_database_gives_a_clear_message(tmp_path):
    path = tmp_path / "h.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other(x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            HistoryStore.open(path, busy_timeout_ms=50)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_write_while_another_process_writes_is_a_store_error_not_a_crash(tmp_path):
    path = tmp_path / "h.db"
    HistoryStore.open(path, images_root=tmp_path / "img").close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        store = HistoryStore.open(path, images_root=tmp_path / "img", busy_timeout_ms=50)  # reading still works
        assert store.count() == 0
        with pytest.raises(StoreError, match="locked"):
            store.begin_request("a castle", ImageParams())
        store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(StoreError, match="folder"):
        HistoryStore.open(tmp_path)
