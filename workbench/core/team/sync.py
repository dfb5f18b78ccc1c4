"""Push the local history to the team server and pull the team's back.

- **Requests** are append-only once complete: pushed by global id (`gid`) with every stored
  column except local ids and the writer's pid, never while `pending`; a gid the server has,
  or has a tombstone for, is not written again. Pulled requests keep their origin machine and
  come in with `source = "team"`.
- **Appeals** merge field by field (`merge.merge_fields`) against the last state both sides
  agreed on (`appeals.sync_base`); a concurrent edit of one field keeps the newer value and
  writes a conflict record (locally and on the server) with the other one.
- **Deletes** travel as tombstones (written by triggers when a row with a gid is deleted).
- **Images** travel by content hash, only when asked, up to a size cap per image.

Pushes hold one advisory lock on the server per batch, so the server's `seq` order is commit
order and a pull cursor never skips a row. Each batch commits on the server before the local
cursor moves: a push killed half-way loses nothing and the next one resumes (rows already on
the server are skipped). Secrets are scrubbed again before anything leaves the machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.core.errors import UserFacingError
from workbench.core.store.db import inserted_pk, translate_errors
from workbench.core.store.history import HistoryStore
from workbench.core.store.scrub import scrub_text, scrub_value
from workbench.core.store.timestamps import utc_now
from workbench.core.team import server_schema
from workbench.core.team.connection import TeamServer
from workbench.core.team.ids import machine_id, uuid7
from workbench.core.team.merge import APPEAL_FIELDS, Conflict, merge_fields, merge_sets

BATCH = 2000
IMAGE_CAP = 5 * 1024 * 1024  # bytes per image; larger images stay local
LOCAL_ONLY = ("id", "owner", "parent_id")  # meaningless on another machine
Progress = Callable[[str, int], None]  # (what, rows so far)


@dataclass
class Moved:
    requests: int = 0
    appeals: int = 0
    tombstones: int = 0
    images: int = 0
    conflicts: int = 0


@dataclass
class SyncReport:
    server: str
    pushed: Moved = field(default_factory=Moved)
    pulled: Moved = field(default_factory=Moved)
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Cancelled(Exception):
    """Raised by a progress callback to stop between batches (nothing half-written)."""


# --------------------------------------------------------------------------- push


def push(store: HistoryStore, conn: Any, server: TeamServer, *, images: bool = False,
         image_cap: int = IMAGE_CAP, progress: Progress | None = None,
         report: SyncReport | None = None) -> SyncReport:
    report = report or SyncReport(server.label)
    server_schema.migrate(conn)
    _ensure_gids(store)
    state = _state(store, server.label)
    try:
        _push_requests(store, conn, state, report, images=images, image_cap=image_cap, progress=progress)
        _push_tombstones(store, conn, report)
        _push_appeals(store, conn, report)
    except Cancelled:
        report.cancelled = True
    _save_state(store, server.label, last_push_at=utc_now())
    return report


def _push_requests(store: HistoryStore, conn: Any, state: dict[str, Any], report: SyncReport, *,
                   images: bool, image_cap: int, progress: Progress | None) -> None:
    me = machine_id()
    cursor = state["request_cursor"]
    first_pending = store.db.execute("SELECT min(id) FROM requests WHERE outcome = 'pending' AND id > ?",
                                     [cursor]).fetchone()[0]
    columns = [c.name for c in store.db.table("requests").columns if c.name not in LOCAL_ONLY]
    while True:
        rows = _dict_rows(store, (
            f"SELECT r.*, p.gid AS parent_gid FROM requests r LEFT JOIN requests p ON p.id = r.parent_id "
            f"WHERE r.id > ? AND r.outcome != 'pending' AND (r.origin = ? OR r.origin IS NULL) "
            f"ORDER BY r.id LIMIT {BATCH}"), [cursor, me])
        if not rows:
            break
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [server_schema.SCHEMA_LOCK])
            report.pushed.requests += _insert_requests(conn, rows, columns, store.known_secrets, me)
            report.pushed.images += _push_images(store, conn, rows, images=images, cap=image_cap)
        cursor = rows[-1]["id"]
        safe_cursor = cursor if first_pending is None else min(cursor, first_pending - 1)
        _save_state(store, state["server"], request_cursor=safe_cursor)
        if progress is not None:
            progress("requests pushed", report.pushed.requests)


def _insert_requests(conn: Any, rows: list[dict[str, Any]], columns: list[str], secrets: tuple[str, ...],
                     me: str) -> int:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS push_requests (gid TEXT, origin TEXT, created_at TEXT, "
                  "outcome TEXT, model TEXT, profile TEXT, stage TEXT, categories JSONB, request_ids JSONB, "
                  "prompt TEXT, parent_gid TEXT, data JSONB) ON COMMIT DELETE ROWS")
    with conn.cursor().copy("COPY push_requests FROM STDIN") as copy:
        for row in rows:
            data, prompt = _scrubbed_json({c: row[c] for c in columns}, secrets)
            copy.write_row((row["gid"], row["origin"] or me, row["created_at"], row["outcome"], row["model"],
                            row["profile"], row["stage"], row["categories"] or "[]", row["request_ids"] or "[]",
                            prompt, row["parent_gid"], data))
    inserted = conn.execute(
        "INSERT INTO team_requests (gid, origin, created_at, outcome, model, profile, stage, categories, "
        "request_ids, prompt, parent_gid, data) SELECT p.* FROM push_requests p "
        "WHERE NOT EXISTS (SELECT 1 FROM team_tombstones t WHERE t.gid = p.gid) "
        "ON CONFLICT (gid) DO NOTHING RETURNING gid").fetchall()
    return len(inserted)


def _scrubbed_json(data: dict[str, Any], secrets: tuple[str, ...]) -> tuple[str, str]:
    """The row as JSON with secrets removed, and its prompt: one pass over the whole text (the
    store scrubbed every value when it was written; this is the last check before it leaves)."""
    text = scrub_text(json.dumps(data, ensure_ascii=False), secrets) or "{}"
    try:
        clean = json.loads(text)
    except ValueError:  # a replacement broke the JSON: scrub value by value instead
        clean = scrub_value(data, secrets)
        text = json.dumps(clean, ensure_ascii=False)
    return text, clean.get("prompt") or ""


def _push_images(store: HistoryStore, conn: Any, rows: list[dict[str, Any]], *, images: bool, cap: int) -> int:
    ids = [r["id"] for r in rows]
    gid_of = {r["id"]: r["gid"] for r in rows}
    found = store.db.execute(
        f"SELECT request_id, role, position, sha256, format, width, height, bytes, path FROM images "
        f"WHERE request_id IN ({', '.join('?' for _ in ids)})", ids).fetchall()
    sent = 0
    for request_id, role, position, sha, fmt, width, height, size, path in found:
        conn.execute("INSERT INTO team_request_images VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                     "ON CONFLICT DO NOTHING",
                     [gid_of[request_id], role, position, sha, fmt, width, height, size])
        if not images or (size or 0) > cap:
            continue
        if conn.execute("SELECT 1 FROM team_images WHERE sha256 = %s", [sha]).fetchone():
            continue
        try:
            data = store.files.read(path)
        except (OSError, UserFacingError):
            continue  # a missing local file: the metadata still travels
        conn.execute("INSERT INTO team_images VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                     [sha, fmt, width, height, data])
        sent += 1
    return sent


def _push_tombstones(store: HistoryStore, conn: Any, report: SyncReport) -> None:
    rows = store.db.execute("SELECT gid, kind, deleted_at, origin FROM team_tombstones").fetchall()
    if not rows:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [server_schema.SCHEMA_LOCK])
        for gid, kind, deleted_at, origin in rows:
            new = conn.execute("INSERT INTO team_tombstones (gid, kind, deleted_at, origin) VALUES (%s, %s, %s, %s) "
                               "ON CONFLICT DO NOTHING RETURNING gid", [gid, kind, deleted_at, origin]).fetchone()
            if new:
                report.pushed.tombstones += 1
                table = "team_requests" if kind == "request" else "team_appeals"
                conn.execute(f"DELETE FROM {table} WHERE gid = %s", [gid])


def _push_appeals(store: HistoryStore, conn: Any, report: SyncReport) -> None:
    for local in _local_appeals(store):
        if not _changed(local):
            continue  # unchanged since the last sync
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [server_schema.SCHEMA_LOCK])
            remote = conn.execute("SELECT fields, request_gids, updated_at, origin FROM team_appeals "
                                  "WHERE gid = %s FOR UPDATE", [local["gid"]]).fetchone()
            if conn.execute("SELECT 1 FROM team_tombstones WHERE gid = %s", [local["gid"]]).fetchone():
                continue
            conflicts: list[Conflict]
            if remote is None:
                merged, members, conflicts, updated = local["fields"], local["request_gids"], [], local["updated_at"]
                conn.execute("INSERT INTO team_appeals (gid, origin, created_at, updated_at, fields, request_gids) "
                             "VALUES (%s, %s, %s, %s, %s, %s)",
                             [local["gid"], machine_id(), local["created_at"], updated,
                              json.dumps(merged), json.dumps(members)])
            else:
                merged, members, conflicts, updated = _merge(local, *remote)
                conn.execute("UPDATE team_appeals SET fields = %s, request_gids = %s, updated_at = %s, "
                             "origin = %s, seq = nextval('team_seq') WHERE gid = %s",
                             [json.dumps(merged), json.dumps(members), updated, machine_id(), local["gid"]])
                for c in conflicts:
                    _server_conflict(conn, local, remote, c)
            report.pushed.appeals += 1
            report.pushed.conflicts += len(conflicts)
        _apply_appeal(store, local["id"], merged, members, updated, conflicts=conflicts,
                      other_origin=remote[3] if remote else None, other_updated=remote[2] if remote else None)


# --------------------------------------------------------------------------- pull


def pull(store: HistoryStore, conn: Any, server: TeamServer, *, images: bool = False,
         progress: Progress | None = None, report: SyncReport | None = None) -> SyncReport:
    report = report or SyncReport(server.label)
    server_schema.migrate(conn)
    state = _state(store, server.label)
    me = machine_id()
    cursor = state["pull_cursor"]
    try:
        # Wait for a push in flight, fix the snapshot, note the newest seq, let pushes go on:
        # everything up to `top` is then visible to this transaction and nothing is skipped.
        conn.execute("SELECT pg_advisory_lock(%s)", [server_schema.SCHEMA_LOCK])
        try:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                top = conn.execute("SELECT last_value FROM team_seq").fetchone()[0]
                conn.execute("SELECT pg_advisory_unlock(%s)", [server_schema.SCHEMA_LOCK])
                _pull_requests(store, conn, cursor, top, me, report, images=images, progress=progress)
                _pull_tombstones(store, conn, cursor, top, report)
                _pull_appeals(store, conn, cursor, top, report)
                _pull_conflicts(store, conn, cursor, top, me)
        finally:
            conn.execute("SELECT pg_advisory_unlock_all()")
        _save_state(store, server.label, pull_cursor=top, last_pull_at=utc_now())
    except Cancelled:
        report.cancelled = True  # the cursor stays: the next pull fetches the rest (idempotent)
    return report


def _pull_requests(store: HistoryStore, conn: Any, cursor: int, top: int, me: str, report: SyncReport, *,
                   images: bool, progress: Progress | None) -> None:
    while True:
        rows = conn.execute(
            "SELECT seq, gid, origin, parent_gid, data FROM team_requests WHERE seq > %s AND seq <= %s "
            "AND origin != %s ORDER BY seq LIMIT %s", [cursor, top, me, BATCH]).fetchall()
        if not rows:
            return
        with translate_errors(store.path), store.db.atomic():
            for _seq, gid, origin, parent_gid, data in rows:
                if store.db.execute("SELECT 1 FROM requests WHERE gid = ?", [gid]).fetchone():
                    continue
                report.pulled.requests += 1
                request_id = _insert_pulled(store, gid, origin, parent_gid, data)
                if images:
                    report.pulled.images += _pull_images(store, conn, gid, request_id)
        cursor = rows[-1][0]
        if progress is not None:
            progress("requests pulled", report.pulled.requests)


def _insert_pulled(store: HistoryStore, gid: str, origin: str, parent_gid: str | None,
                   data: dict[str, Any]) -> int:
    known = {c.name for c in store.db.table("requests").columns}
    row = {k: v for k, v in data.items() if k in known and k not in LOCAL_ONLY}
    source = row.get("source") or "live"
    detail = f"{source} on {origin[:8]}" + (f" ({row['source_detail']})" if row.get("source_detail") else "")
    row.update(gid=gid, origin=origin, source="team", source_detail=detail)
    if parent_gid:
        parent = store.db.execute("SELECT id FROM requests WHERE gid = ?", [parent_gid]).fetchone()
        row["parent_id"] = parent[0] if parent else None
    return store._insert(row)


def _pull_images(store: HistoryStore, conn: Any, gid: str, request_id: int) -> int:
    got = 0
    for role, position, sha, data in conn.execute(
            "SELECT ri.role, ri.position, ri.sha256, i.bytes FROM team_request_images ri "
            "JOIN team_images i ON i.sha256 = ri.sha256 WHERE ri.request_gid = %s", [gid]).fetchall():
        if hashlib.sha256(bytes(data)).hexdigest() != sha:
            continue  # never store bytes that are not what their hash says
        store._add_image(request_id, bytes(data), role=role, position=position)
        got += 1
    return got


def _pull_tombstones(store: HistoryStore, conn: Any, cursor: int, top: int, report: SyncReport) -> None:
    for gid, kind in conn.execute("SELECT gid, kind FROM team_tombstones WHERE seq > %s AND seq <= %s",
                                  [cursor, top]).fetchall():
        table = "requests" if kind == "request" else "appeals"
        with translate_errors(store.path), store.db.atomic():
            if store.db.execute(f"DELETE FROM {table} WHERE gid = ?", [gid]).rowcount:
                report.pulled.tombstones += 1


def _pull_appeals(store: HistoryStore, conn: Any, cursor: int, top: int, report: SyncReport) -> None:
    rows = conn.execute("SELECT gid, fields, request_gids, updated_at, origin, created_at FROM team_appeals "
                        "WHERE seq > %s AND seq <= %s ORDER BY seq", [cursor, top]).fetchall()
    locals_by_gid = {a["gid"]: a for a in _local_appeals(store)}
    for gid, fields_, members, updated, origin, created in rows:
        local = locals_by_gid.get(gid)
        if local is None:
            appeal_id = _insert_appeal(store, gid, origin, created)
            _apply_appeal(store, appeal_id, fields_, members, updated)
            report.pulled.appeals += 1
            continue
        if local["fields"] == fields_ and local["request_gids"] == members:
            _set_base(store, local["id"], fields_, members)
            continue
        if not _changed(local):
            _apply_appeal(store, local["id"], fields_, members, updated)
        else:  # both sides changed: merge; the merged result goes up with the next push
            merged, merged_members, conflicts, newest = _merge(local, fields_, members, updated, origin)
            _apply_appeal(store, local["id"], merged, merged_members, newest, conflicts=conflicts,
                          other_origin=origin, other_updated=updated, base=(fields_, members))
            report.pulled.conflicts += len(conflicts)
        report.pulled.appeals += 1


def _pull_conflicts(store: HistoryStore, conn: Any, cursor: int, top: int, me: str) -> None:
    for row in conn.execute("SELECT appeal_gid, field, kept_value, other_value, kept_origin, other_origin, "
                            "kept_updated_at, other_updated_at FROM team_conflicts WHERE seq > %s AND seq <= %s "
                            "AND kept_origin != %s", [cursor, top, me]).fetchall():
        with translate_errors(store.path), store.db.atomic():
            if not store.db.execute("SELECT 1 FROM team_conflicts WHERE appeal_gid = ? AND field = ? "
                                    "AND kept_updated_at IS ? AND other_updated_at IS ?",
                                    [row[0], row[1], row[6], row[7]]).fetchone():
                store.db.table("team_conflicts").insert(dict(zip(
                    ("appeal_gid", "field", "kept_value", "other_value", "kept_origin", "other_origin",
                     "kept_updated_at", "other_updated_at"), row, strict=True)) | {"created_at": utc_now()})


# --------------------------------------------------------------------------- status


def status(store: HistoryStore, conn: Any | None, server: TeamServer) -> dict[str, Any]:
    """What is waiting to go up, what the server holds, and when this machine last synced."""
    state = _state(store, server.label)
    me = machine_id()
    db = store.db
    local = {
        "requests": db.execute("SELECT count(*) FROM requests").fetchone()[0],
        "unpushed_requests": db.execute(
            "SELECT count(*) FROM requests WHERE id > ? AND outcome != 'pending' AND (origin = ? OR origin IS NULL)",
            [state["request_cursor"], me]).fetchone()[0],
        "changed_appeals": sum(1 for a in _local_appeals(store) if _changed(a)),
        "tombstones": db.execute("SELECT count(*) FROM team_tombstones").fetchone()[0],
        "open_conflicts": db.execute("SELECT count(*) FROM team_conflicts WHERE resolved = 0").fetchone()[0],
    }
    out: dict[str, Any] = {"server": server.label, "machine": me, "online": conn is not None, "local": local,
                           "last_push_at": state["last_push_at"], "last_pull_at": state["last_pull_at"]}
    if conn is not None:
        server_schema.migrate(conn)
        out["remote"] = {
            "requests": conn.execute("SELECT count(*) FROM team_requests").fetchone()[0],
            "appeals": conn.execute("SELECT count(*) FROM team_appeals").fetchone()[0],
            "machines": conn.execute("SELECT count(DISTINCT origin) FROM team_requests").fetchone()[0],
            "waiting_to_pull": conn.execute("SELECT count(*) FROM team_requests WHERE seq > %s AND origin != %s",
                                            [state["pull_cursor"], me]).fetchone()[0],
        }
    return out


def checksum(store: HistoryStore) -> str:
    """A digest of the complete requests by global id: equal on machines that hold the same set."""
    digest = hashlib.sha256()
    for gid, outcome, sha in store.db.execute("SELECT gid, outcome, prompt_sha256 FROM requests "
                                              "WHERE outcome != 'pending' ORDER BY gid"):
        digest.update(f"{gid}|{outcome}|{sha}\n".encode())
    return digest.hexdigest()


def conflicts(store: HistoryStore, appeal_gid: str | None = None) -> list[dict[str, Any]]:
    """Open conflict records (newest first), for the Appeals tab."""
    where, params = ("WHERE resolved = 0", [])
    if appeal_gid:
        where, params = "WHERE resolved = 0 AND appeal_gid = ?", [appeal_gid]
    return _dict_rows(store, f"SELECT * FROM team_conflicts {where} ORDER BY id DESC", params)


def resolve_conflict(store: HistoryStore, conflict_id: int) -> None:
    with translate_errors(store.path), store.db.atomic():
        store.db.execute("UPDATE team_conflicts SET resolved = 1 WHERE id = ?", [conflict_id])


# --------------------------------------------------------------------------- local helpers


def _dict_rows(store: HistoryStore, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with translate_errors(store.path):
        cursor = store.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _ensure_gids(store: HistoryStore) -> None:
    """Rows written by other tools (sqlite-utils, an older version) get their global id now."""
    with translate_errors(store.path), store.db.atomic():
        for table in ("requests", "appeals"):
            for (row_id,) in store.db.execute(f"SELECT id FROM {table} WHERE gid IS NULL").fetchall():
                store.db.execute(f"UPDATE {table} SET gid = ?, origin = coalesce(origin, ?) WHERE id = ?",
                                 [uuid7(), machine_id(), row_id])


def _state(store: HistoryStore, label: str) -> dict[str, Any]:
    with translate_errors(store.path), store.db.atomic():
        store.db.execute("INSERT OR IGNORE INTO team_sync (server) VALUES (?)", [label])
    return _dict_rows(store, "SELECT * FROM team_sync WHERE server = ?", [label])[0]


def _save_state(store: HistoryStore, label: str, **values: Any) -> None:
    sets = ", ".join(f"{k} = ?" for k in values)
    with translate_errors(store.path), store.db.atomic():
        store.db.execute(f"UPDATE team_sync SET {sets} WHERE server = ?", [*values.values(), label])


def _local_appeals(store: HistoryStore) -> list[dict[str, Any]]:
    out = []
    for row in _dict_rows(store, "SELECT * FROM appeals ORDER BY id", []):
        members = [g for (g,) in store.db.execute(
            "SELECT r.gid FROM appeal_requests ar JOIN requests r ON r.id = ar.request_id "
            "WHERE ar.appeal_id = ? ORDER BY ar.position", [row["id"]]).fetchall() if g]
        out.append({"id": row["id"], "gid": row["gid"], "created_at": row["created_at"],
                    "updated_at": row["updated_at"], "fields": {f: row[f] for f in APPEAL_FIELDS},
                    "request_gids": members, "base": json.loads(row["sync_base"]) if row["sync_base"] else None})
    return out


def _changed(appeal: dict[str, Any]) -> bool:
    """Edited here since the last state agreed with the server (or never synced)."""
    base = appeal["base"]
    return base is None or appeal["fields"] != base["fields"] or appeal["request_gids"] != base["request_gids"]


def _merge(local: dict[str, Any], remote_fields: dict[str, Any], remote_members: list[str], remote_updated: str,
           remote_origin: str) -> tuple[dict[str, Any], list[str], list[Conflict], str]:
    base = local["base"] or {}
    merged, found = merge_fields(base.get("fields"), local["fields"], remote_fields,
                                 local_updated=local["updated_at"], remote_updated=remote_updated)
    members = merge_sets(base.get("request_gids"), local["request_gids"], remote_members)
    return merged, members, found, max(local["updated_at"], remote_updated)


def _insert_appeal(store: HistoryStore, gid: str, origin: str, created: str) -> int:
    with translate_errors(store.path), store.db.atomic():
        return inserted_pk(store.db.table("appeals").insert({"title": "", "status": "draft", "created_at": created,
                                                             "updated_at": created, "gid": gid, "origin": origin}))


def _apply_appeal(store: HistoryStore, appeal_id: int, fields_: dict[str, Any], members: list[str], updated: str,
                  *, conflicts: Sequence[Conflict] = (), other_origin: str | None = None,
                  other_updated: str | None = None, base: tuple[dict[str, Any], list[str]] | None = None) -> None:
    """Write merged fields and members locally; `base` is what the server now holds."""
    values = {f: fields_.get(f) for f in APPEAL_FIELDS}
    values = {k: (v if v is not None or k in ("submitted_at", "closed_at") else "") for k, v in values.items()}
    base_fields, base_members = base if base is not None else (fields_, members)
    with translate_errors(store.path), store.db.atomic():
        sets = ", ".join(f"{k} = ?" for k in values)
        store.db.execute(f"UPDATE appeals SET {sets}, updated_at = ?, sync_base = ? WHERE id = ?",
                         [*values.values(), updated,
                          json.dumps({"fields": base_fields, "request_gids": base_members}), appeal_id])
        ids = [r[0] for g in members for r in store.db.execute("SELECT id FROM requests WHERE gid = ?", [g]).fetchall()]
        store.db.execute("DELETE FROM appeal_requests WHERE appeal_id = ?", [appeal_id])
        for position, request_id in enumerate(ids):
            store.db.execute("INSERT OR IGNORE INTO appeal_requests (appeal_id, request_id, position) VALUES (?, ?, ?)",
                             [appeal_id, request_id, position])
        gid = store.db.execute("SELECT gid FROM appeals WHERE id = ?", [appeal_id]).fetchone()[0]
        for c in conflicts:
            kept_local = c.kept_side == "local"
            store.db.table("team_conflicts").insert({
                "appeal_gid": gid, "field": c.field, "kept_value": _text(c.kept_value),
                "other_value": _text(c.other_value),
                "kept_origin": machine_id() if kept_local else other_origin,
                "other_origin": other_origin if kept_local else machine_id(),
                "kept_updated_at": updated, "other_updated_at": other_updated, "created_at": utc_now()})


def _set_base(store: HistoryStore, appeal_id: int, fields_: dict[str, Any], members: list[str]) -> None:
    with translate_errors(store.path), store.db.atomic():
        store.db.execute("UPDATE appeals SET sync_base = ? WHERE id = ?",
                         [json.dumps({"fields": fields_, "request_gids": members}), appeal_id])


def _server_conflict(conn: Any, local: dict[str, Any], remote: tuple[Any, ...], c: Conflict) -> None:
    kept_local = c.kept_side == "local"
    conn.execute("INSERT INTO team_conflicts (appeal_gid, field, kept_value, other_value, kept_origin, other_origin, "
                 "kept_updated_at, other_updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                 [local["gid"], c.field, _text(c.kept_value), _text(c.other_value),
                  machine_id() if kept_local else remote[3], remote[3] if kept_local else machine_id(),
                  local["updated_at"] if kept_local else remote[2], remote[2] if kept_local else local["updated_at"]])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
