"""Schema migrations: from a blank database and from every earlier schema, append-only, refused if newer."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from workbench.core.errors import StoreError
from workbench.core.store import HistoryStore
from workbench.core.store.db import known_migrations, open_history
from workbench.core.store.migrations import MIGRATION_SET, history_migrations

FINDINGS = [{"start": 0, "end": 8, "text": "Fighting", "category": "violence", "severity": "medium",
             "message": "m", "replacements": []}]


def test_blank_database_gets_the_full_schema(tmp_path):
    db = open_history(tmp_path / "h.db")
    assert {"requests", "images", "requests_fts", "appeals", "appeal_requests", "request_findings"} <= set(
        db.table_names())
    columns = db["requests"].columns_dict
    for name in ("prompt", "params_json", "findings_json", "moderation_json", "outcome", "http_status",
                 "error_type", "error_code", "error_message", "raw_body", "stage", "categories",
                 "request_ids", "latency_ms", "input_tokens", "actual_cost", "retries", "parent_id",
                 "source", "source_detail", "import_key", "redacted", "error_details", "request_id_sources"):
        assert name in columns, name
    fks = {(fk.table, fk.column, fk.other_table, fk.on_delete) for t in ("requests", "images", "appeal_requests",
                                                                         "request_findings")
           for fk in db[t].foreign_keys}
    assert ("requests", "parent_id", "requests", "SET NULL") in fks
    assert ("images", "request_id", "requests", "CASCADE") in fks
    assert ("appeal_requests", "request_id", "requests", "CASCADE") in fks
    assert ("request_findings", "request_id", "requests", "CASCADE") in fks
    assert {t.name for t in db["requests"].triggers} >= {"requests_ai", "requests_ad", "requests_au"}
    assert db["requests"].detect_fts() == "requests_fts"
    assert [m.name for m in history_migrations.applied(db)] == known_migrations()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_reopening_applies_nothing_twice(tmp_path):
    open_history(tmp_path / "h.db").close()
    db = open_history(tmp_path / "h.db")
    rows = db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]).fetchall()
    assert [r[0] for r in rows] == known_migrations()


def _seed_old_schema(db: sqlite_utils.Database) -> None:
    """Rows as an older version would have written them (only columns that version had)."""
    db["requests"].insert({"id": 1, "created_at": "2026-05-01T10:00:00.000Z", "outcome": "blocked_input",
                           "prompt": "Fighting knights on a bridge", "findings_json": json.dumps(FINDINGS),
                           "error_message": "rejected by the safety system", "categories": '["violence"]',
                           "request_ids": '["req_old1"]', "model": "gpt-image-1"})
    db["requests"].insert({"id": 2, "created_at": "2026-05-01T10:05:00.000Z", "outcome": "ok",
                           "prompt": "Knights in a dramatic standoff", "parent_id": 1})
    if db["images"].exists():
        db["images"].insert({"request_id": 2, "role": "output", "position": 0, "sha256": "ab" * 32,
                             "format": "png", "path": "ab/x.png"})
    if db["request_findings"].exists():  # versions with this table wrote it alongside the row
        db["request_findings"].insert({"request_id": 1, "term": "fighting", "category": "violence",
                                       "severity": "medium"})
    if db["appeals"].exists():
        db["appeals"].insert({"id": 1, "created_at": "2026-05-02T00:00:00.000Z",
                              "updated_at": "2026-05-02T00:00:00.000Z", "business_context": "poster"})
        db["appeal_requests"].insert({"appeal_id": 1, "request_id": 1})


@pytest.mark.parametrize("stop_before", known_migrations()[1:])
def test_migrates_forward_from_every_earlier_schema(tmp_path, stop_before):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    history_migrations.apply(old, stop_before=stop_before)
    assert stop_before not in {m.name for m in history_migrations.applied(old)}
    _seed_old_schema(old)
    old.close()

    store = HistoryStore.open(path, images_root=tmp_path / "img")
    entry = store.get(1)
    assert entry.prompt == "Fighting knights on a bridge"
    assert entry.categories == ["violence"] and entry.request_ids == ["req_old1"]
    assert entry.source == "live" and entry.redacted is False  # defaults of later steps
    assert entry.error_details == {} and entry.request_id_sources == {}
    assert [r.id for r in store.search("knights").rows] == [2, 1]  # FTS covers old rows
    assert [n.summary.id for n in store.lineage(2)] == [1, 2]
    # The findings of old rows were backfilled into the calibration table.
    assert store.db.execute("SELECT term, category FROM request_findings WHERE request_id = 1").fetchall() == [
        ("fighting", "violence")]
    assert [m.name for m in history_migrations.applied(store.db)] == known_migrations()
    store.close()


def test_database_from_a_newer_version_is_refused_and_untouched(tmp_path):
    path = tmp_path / "h.db"
    db = open_history(path)
    db["_sqlite_migrations"].insert({"migration_set": MIGRATION_SET, "name": "m999_from_the_future",
                                     "applied_at": "2027-01-01"})
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        HistoryStore.open(path)
    assert path.read_bytes() == before


def test_migration_names_are_unique_and_ordered():
    names = known_migrations()
    assert len(names) == len(set(names))
    assert names[0] == "m001_create_requests"
    with pytest.raises(ValueError):
        history_migrations(name=names[0])(lambda db: None)
