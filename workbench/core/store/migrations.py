"""The history schema, as named, append-only migration steps (sqlite-utils `Migrations`).

Rules: never edit or rename a step once it has shipped; add a new one. Steps are applied in
registration order every time the database is opened (`db.open_history`), each inside a
transaction together with its record in `_sqlite_migrations`. A database that has applied a
step this version does not know was written by a newer workbench and is refused.

Tables (all plain SQLite, readable with sqlite-utils or Datasette):
- `requests`: one row per image request, written as `pending` before the call.
- `images`: output, reference and mask images of a request; files live under
  `paths.images_dir()` named by sha256.
- `requests_fts`: FTS5 index over prompt, error message, notes and request IDs.
- `appeals`, `appeal_requests`: appeal packets and the requests they group.
- `request_findings`: one row per local screening finding (term, category, severity), the
  basis of the calibration map.
- `calibration_counts`, `calibration_state`: the learned calibration (passes and blocks per
  finding and model family), kept current by the recorder and recounted when stale.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database, Migrations
from sqlite_utils.db import ForeignKey

MIGRATION_SET = "workbench.history"
history_migrations = Migrations(MIGRATION_SET)


@history_migrations()
def m001_create_requests(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,          -- UTC, 2026-11-21T10:04:05.123Z
            completed_at TEXT,
            outcome TEXT NOT NULL DEFAULT 'pending',
            endpoint TEXT NOT NULL DEFAULT 'generate',   -- generate | edit
            prompt TEXT NOT NULL DEFAULT '',
            prompt_sha256 TEXT,
            prompt_key TEXT,                   -- hash of the normalised prompt
            model TEXT,
            size TEXT,
            quality TEXT,
            moderation TEXT,
            params_json TEXT NOT NULL DEFAULT '{}',
            profile TEXT,
            provider TEXT,
            base_url TEXT,                     -- never credentials
            findings_json TEXT NOT NULL DEFAULT '[]',
            verdict TEXT,
            moderation_json TEXT,
            http_status INTEGER,
            error_kind TEXT,
            error_type TEXT,
            error_code TEXT,
            error_message TEXT,
            raw_body TEXT,
            stage TEXT,
            categories TEXT NOT NULL DEFAULT '[]',
            safety_violations TEXT NOT NULL DEFAULT '[]',
            request_ids TEXT NOT NULL DEFAULT '[]',
            latency_ms REAL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            total_tokens INTEGER,
            estimated_cost REAL,
            actual_cost REAL,
            retries INTEGER NOT NULL DEFAULT 0,
            parent_id INTEGER REFERENCES requests(id) ON DELETE SET NULL,
            notes TEXT NOT NULL DEFAULT '',
            owner TEXT                         -- host:pid that wrote a pending row
        )
        """
    )
    db.table("requests").create_index(["created_at"])
    db.table("requests").create_index(["outcome", "created_at"])
    db.table("requests").create_index(["parent_id"])
    db.table("requests").create_index(["prompt_key"])


@history_migrations()
def m002_create_images(db: Database) -> None:
    db.table("images").create(
        {
            "id": int,
            "request_id": int,
            "role": str,  # output | reference | mask
            "position": int,
            "sha256": str,
            "format": str,
            "width": int,
            "height": int,
            "bytes": int,
            "path": str,  # relative to the images folder
            "created_at": str,
        },
        pk="id",
        not_null={"request_id", "role", "sha256"},
        foreign_keys=[ForeignKey("images", "request_id", "requests", "id", on_delete="CASCADE")],
    )
    db.table("images").create_index(["request_id"])
    db.table("images").create_index(["sha256"])


@history_migrations()
def m003_requests_fts(db: Database) -> None:
    db.table("requests").enable_fts(
        ["prompt", "error_message", "notes", "request_ids"], create_triggers=True, tokenize="porter"
    )


@history_migrations()
def m004_import_source(db: Database) -> None:
    """Rows can come from imported logs: where from, and a key to skip re-imported lines."""
    requests = db.table("requests")
    requests.add_column("source", str, not_null_default="live")
    requests.add_column("source_detail", str)
    requests.add_column("import_key", str)
    db.execute(
        "CREATE UNIQUE INDEX idx_requests_import_key ON requests(import_key) "
        "WHERE import_key IS NOT NULL"
    )


@history_migrations()
def m005_redaction_flag(db: Database) -> None:
    db.table("requests").add_column("redacted", int, not_null_default=0)


@history_migrations()
def m006_create_appeals(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE appeals (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'draft',  -- draft | submitted | resolved | rejected
            ticket TEXT NOT NULL DEFAULT '',
            business_context TEXT NOT NULL DEFAULT '',
            account_id TEXT NOT NULL DEFAULT '',
            org_id TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            closed_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE appeal_requests (
            appeal_id INTEGER NOT NULL REFERENCES appeals(id) ON DELETE CASCADE,
            request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (appeal_id, request_id)
        )
        """
    )
    db.table("appeal_requests").create_index(["request_id"])


@history_migrations()
def m007_request_findings(db: Database) -> None:
    """One row per finding, so the calibration map is a GROUP BY; backfilled from JSON."""
    db.execute(
        """
        CREATE TABLE request_findings (
            request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            term TEXT NOT NULL,
            category TEXT NOT NULL,
            severity TEXT NOT NULL
        )
        """
    )
    rows = db.execute(
        "SELECT id, findings_json FROM requests WHERE findings_json NOT IN ('', '[]')"
    ).fetchall()
    for request_id, findings_json in rows:
        db.table("request_findings").insert_all(_m007_finding_rows(request_id, findings_json))
    db.table("request_findings").create_index(["request_id"])
    db.table("request_findings").create_index(["term"])


def _m007_finding_rows(request_id: int, findings_json: str) -> list[dict[str, Any]]:
    """Frozen copy of `finding_rows` as m007 shipped it: a migration never calls live code.

    Never edit this; when the live `finding_rows` changes, a new migration rewrites the rows.
    """
    try:
        findings = json.loads(findings_json or "[]")
    except ValueError:
        return []
    seen: dict[tuple[str, str], str] = {}
    for item in findings if isinstance(findings, list) else []:
        if not isinstance(item, dict):
            continue
        term = str(item.get("term") or item.get("text") or "").strip().lower()
        category = str(item.get("category") or "").strip()
        if term and category:
            seen.setdefault((term, category), str(item.get("severity") or ""))
    return [
        {"request_id": request_id, "term": t, "category": c, "severity": s}
        for (t, c), s in seen.items()
    ]


def finding_rows(request_id: int, findings_json: str) -> list[dict[str, Any]]:
    """Distinct (term, category) rows for one request; unreadable JSON gives none (live code:
    the history writes through it; migrations keep their own frozen copies)."""
    try:
        findings = json.loads(findings_json or "[]")
    except ValueError:
        return []
    seen: dict[tuple[str, str], str] = {}
    for item in findings if isinstance(findings, list) else []:
        if not isinstance(item, dict):
            continue
        term = str(item.get("term") or item.get("text") or "").strip().lower()
        category = str(item.get("category") or "").strip()
        if term and category:
            seen.setdefault((term, category), str(item.get("severity") or ""))
    return [
        {"request_id": request_id, "term": t, "category": c, "severity": s}
        for (t, c), s in seen.items()
    ]


@history_migrations()
def m008_error_details(db: Database) -> None:
    """Provider specifics of an error (Azure severities, fal `loc`/reason) and where each ID came from."""
    requests = db.table("requests")
    requests.add_column("error_param", str)
    requests.add_column("error_details", str, not_null_default="{}")
    requests.add_column("request_id_sources", str, not_null_default="{}")
    requests.add_column("result_model", str)  # the model the provider says answered


@history_migrations()
def m110_import_edits(db: Database) -> None:
    """Changes made to an entry after it was imported (support completing prompt, IDs, notes)."""
    db.execute(
        """
        CREATE TABLE request_edits (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            edited_at TEXT NOT NULL,
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT
        )
        """
    )
    db.table("request_edits").create_index(["request_id"])


@history_migrations()
def m120_reviews(db: Database) -> None:
    """Human review: approve or reject a request or one of its images, with reviewer and note.

    Reviews are append-only (the latest per request and image counts); `requests.review_state`
    keeps the request's current state so History can filter on it without a join."""
    db.execute(
        """
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            image_position INTEGER,            -- 1-based output image; NULL = the whole request
            state TEXT NOT NULL CHECK (state IN ('approved', 'rejected')),
            reviewer TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )
        """
    )
    db.table("reviews").create_index(["request_id", "image_position", "id"])
    db.table("requests").add_column("review_state", str)  # NULL = unreviewed | approved | rejected
    db.table("requests").create_index(["review_state"])


@history_migrations()
def m121_trigger_runs(db: Database) -> None:
    """Find-the-trigger results: which spans of a request's prompt still triggered, how probed."""
    db.execute(
        """
        CREATE TABLE trigger_runs (
            id INTEGER PRIMARY KEY,
            request_id INTEGER REFERENCES requests(id) ON DELETE CASCADE,  -- NULL: a typed prompt
            created_at TEXT NOT NULL,
            prompt TEXT NOT NULL,
            mode TEXT NOT NULL,               -- moderation | image
            status TEXT NOT NULL,             -- narrowed | not_reproduced | budget | cancelled | error
            spans_json TEXT NOT NULL DEFAULT '[]',   -- [[start, end], ...] into prompt
            probes INTEGER NOT NULL DEFAULT 0,
            probe_ids_json TEXT NOT NULL DEFAULT '[]',
            spent REAL NOT NULL DEFAULT 0,
            budget REAL NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.table("trigger_runs").create_index(["request_id"])


def _m130_uuid7(ms: int, rand: bytes) -> str:
    """UUIDv7 (RFC 9562) from a millisecond timestamp and 10 random bytes (frozen for m130)."""
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (int.from_bytes(rand[:2], "big") & 0xFFF) << 64
    value |= 0b10 << 62 | (int.from_bytes(rand[2:10], "big") & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@history_migrations()
def m130_team_sync(db: Database) -> None:
    """Team sync: a global id (UUIDv7) and the origin machine on every request and appeal,
    tombstones for deletes, the last synced state of each appeal (for field merges), conflict
    records, and a cursor per server."""
    import datetime
    import os

    for table in ("requests", "appeals"):
        db.table(table).add_column("gid", str)
        db.table(table).add_column("origin", str)
    db.table("appeals").add_column("sync_base", str)  # JSON: the fields as last agreed with the server
    for table in ("requests", "appeals"):
        rows = db.execute(f"SELECT id, created_at FROM {table} WHERE gid IS NULL").fetchall()
        for row_id, created in rows:
            try:
                ms = int(datetime.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp() * 1000)
            except (AttributeError, ValueError):
                ms = 0
            db.execute(f"UPDATE {table} SET gid = ? WHERE id = ?", [_m130_uuid7(ms, os.urandom(10)), row_id])
        db.execute(f"CREATE UNIQUE INDEX idx_{table}_gid ON {table}(gid)")
    db.execute("""
        CREATE TABLE team_tombstones (
            gid TEXT PRIMARY KEY,
            kind TEXT NOT NULL,                -- request | appeal
            deleted_at TEXT NOT NULL,
            origin TEXT
        )""")
    for table, kind in (("requests", "request"), ("appeals", "appeal")):
        db.execute(f"""
            CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table} WHEN OLD.gid IS NOT NULL
            BEGIN
                INSERT OR IGNORE INTO team_tombstones (gid, kind, deleted_at, origin)
                VALUES (OLD.gid, '{kind}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.origin);
            END""")
    db.execute("""
        CREATE TABLE team_conflicts (
            id INTEGER PRIMARY KEY,
            appeal_gid TEXT NOT NULL,
            field TEXT NOT NULL,
            kept_value TEXT,                   -- the value now in the appeal (the newer edit)
            other_value TEXT,                  -- the concurrent edit that lost
            kept_origin TEXT,
            other_origin TEXT,
            kept_updated_at TEXT,
            other_updated_at TEXT,
            created_at TEXT NOT NULL,
            resolved INTEGER NOT NULL DEFAULT 0
        )""")
    db.table("team_conflicts").create_index(["appeal_gid"])
    db.execute("""
        CREATE TABLE team_sync (
            server TEXT PRIMARY KEY,           -- host/port/database, never a password
            request_cursor INTEGER NOT NULL DEFAULT 0,   -- local requests.id pushed up to
            pull_cursor INTEGER NOT NULL DEFAULT 0,      -- server seq pulled up to
            appeals_pushed_at TEXT NOT NULL DEFAULT '',
            last_push_at TEXT,
            last_pull_at TEXT
        )""")


@history_migrations()
def m140_calibration(db: Database) -> None:
    """Learned calibration: passes and blocks per finding (term or rule text, category) per
    target model family, the counts the verdict learns from (workbench/core/calibration).

    `origin` is "history" for counts from this history (rebuilt by `workbench calibration
    recompute`), or the installation id of a teammate's imported calibration file.
    `calibration_state` keeps the history fingerprint the counts were made from (a stale one
    means "recount") and the reset point. Left empty here: the first load counts the history
    with live code (a migration never calls it)."""
    db.execute("""
        CREATE TABLE calibration_counts (
            origin TEXT NOT NULL,              -- 'history' | installation id of an imported file
            family TEXT NOT NULL,              -- policy profile id of the model family (gpt-image-2)
            term TEXT NOT NULL,                -- request_findings.term (lexicon term or matched text)
            category TEXT NOT NULL,
            passes INTEGER NOT NULL DEFAULT 0,
            blocks INTEGER NOT NULL DEFAULT 0,
            blocks_input INTEGER NOT NULL DEFAULT 0,
            blocks_output INTEGER NOT NULL DEFAULT 0,
            block_categories TEXT NOT NULL DEFAULT '{}',   -- provider category -> blocks
            last_at TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (origin, family, term, category)
        )""")
    db.execute("""
        CREATE TABLE calibration_state (
            key TEXT PRIMARY KEY,              -- fingerprint | reset_after | import:<origin>
            value TEXT NOT NULL
        )""")
