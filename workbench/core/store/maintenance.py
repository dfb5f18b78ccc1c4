"""History maintenance: backup (`VACUUM INTO`), purge, redaction, integrity check.

Purge and redaction are meant to really remove text: the connection runs with
`secure_delete`, the FTS index is optimised (dropping old segments that still hold the words)
and the WAL is checkpointed and truncated, so the removed prompt is gone from the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.errors import BadInputError, StoreError
from workbench.core.store.db import store_error, translate_errors
from workbench.core.store.images import strip_png_text
from workbench.core.store.models import HistoryFilter, IntegrityReport, dumps, loads
from workbench.core.store.query import where_clause
from workbench.core.store.scrub import PROMPT_MARK, redact_echoes
from workbench.core.store.timestamps import format_utc, utc_now

if TYPE_CHECKING:
    from workbench.core.store.history import HistoryStore


def hours_ago(hours: float) -> str:
    return format_utc(datetime.now(UTC) - timedelta(hours=hours))


def backup(store: HistoryStore, destination: Path) -> Path:
    """`VACUUM INTO` a temporary file beside the destination, then rename it into place.

    A folder as destination gets a timestamped file name. An existing file is replaced only
    once the new copy is complete.
    """
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        destination = destination / f"history-backup-{stamp}.db"
    if store.path is not None and destination.resolve() == Path(store.path).resolve():
        raise BadInputError("the backup cannot overwrite the history database itself")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
        os.close(fd)
        os.unlink(tmp)  # VACUUM INTO refuses to write over an existing file
    except OSError as exc:
        raise BadInputError(f"cannot write a backup to {destination.parent}: {exc.strerror or exc}") from None
    try:
        with translate_errors(store.path):
            store.db.execute("VACUUM INTO ?", [tmp])
        os.replace(tmp, destination)
    except OSError as exc:
        raise BadInputError(f"cannot write the backup {destination}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return destination


def purge(store: HistoryStore, flt: HistoryFilter | None, *, older_than_hours: float | None,
          everything: bool, include_appealed: bool, dry_run: bool) -> int:
    """Delete matching requests; rows that belong to an appeal are kept unless asked."""
    where, params = where_clause(flt, "requests")
    clauses = [where] if where else []
    if older_than_hours is not None:
        clauses.append("requests.created_at < ?")
        params.append(hours_ago(older_than_hours))
    if not clauses and not everything:
        raise BadInputError("purge needs an age or a filter (or 'everything')")
    if not include_appealed:
        clauses.append("requests.id NOT IN (SELECT request_id FROM appeal_requests)")
    clauses.append("requests.outcome != 'pending'")  # never remove a request still in flight
    condition = " AND ".join(clauses)
    with translate_errors(store.path):
        ids = [r[0] for r in store.db.execute(f"SELECT id FROM requests WHERE {condition}", params)]
        if dry_run or not ids:
            return len(ids)
        paths = _image_paths(store, ids)
        with store.db.atomic():
            for chunk in _chunks(ids, 500):
                store.db.execute(f"DELETE FROM requests WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
        _delete_unreferenced(store, paths)
        _compact(store)
    return len(ids)


def redact(store: HistoryStore, ids: list[int]) -> int:
    """Replace the prompt of each request with a marker, with its echoes and image metadata.

    The prompt hashes stay, so reproduction counts and "top blocked prompts" still group the
    redacted rows; findings keep their lexicon term and category but lose the matched text.
    """
    changed = 0
    with translate_errors(store.path):
        for request_id in ids:
            row = store.db.execute(
                "SELECT prompt, raw_body, error_message, findings_json, redacted FROM requests WHERE id = ?",
                [request_id]).fetchone()
            if row is None:
                raise BadInputError(f"history has no request #{request_id}")
            prompt, raw_body, message, findings_json, already = row
            if already:
                continue
            findings = [{**f, "text": ""} for f in loads(findings_json, []) if isinstance(f, dict)]
            with store.db.atomic():
                store.db.table("requests").update(request_id, {
                    "prompt": PROMPT_MARK,
                    "raw_body": redact_echoes(raw_body, prompt),
                    "error_message": redact_echoes(message, prompt),
                    "findings_json": dumps(findings),
                    "redacted": 1,
                })
                _strip_image_metadata(store, request_id)
            changed += 1
        if changed:
            _compact(store)
    return changed


def integrity_check(store: HistoryStore, *, verify_images: bool) -> IntegrityReport:
    """SQLite's integrity and foreign-key checks, the FTS index, and the image files.

    Damage is a problem; a check that cannot run because the database is locked by another
    program or read-only is `skipped` (a healthy database is never reported as damaged).
    """
    problems: list[str] = []
    skipped: list[str] = []
    with translate_errors(store.path):
        try:
            for (message,) in store.db.execute("PRAGMA integrity_check").fetchall():
                if message != "ok":
                    problems.append(f"database: {message}")
            for table, rowid, parent, _fk in store.db.execute("PRAGMA foreign_key_check").fetchall():
                problems.append(f"{table} row {rowid} points to a missing {parent} row")
        except sqlite3.DatabaseError as exc:
            if _unavailable(exc):
                raise
            problems.append(f"database: {exc}")
        try:
            # FTS5 runs its integrity check as an INSERT: it needs the write lock.
            if store.read_only:
                skipped.append("search index: not checked (the database is open read-only)")
            else:
                with store.db.atomic():
                    store.db.execute("INSERT INTO requests_fts(requests_fts, rank) VALUES('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            if _unavailable(exc):
                skipped.append(f"search index: not checked ({store_error(exc).user_message})")
            else:
                problems.append(f"search index: {exc} (rebuild it with 'workbench history rebuild-fts')")
        try:
            rows = int(store.db.execute("SELECT count(*) FROM requests").fetchone()[0])
            images = store.db.execute("SELECT id, sha256, path FROM images").fetchall()
        except sqlite3.DatabaseError as exc:
            if _unavailable(exc):
                raise
            problems.append(f"database: {exc}")
            rows, images = 0, []
    checked = 0
    if verify_images:
        for image_id, sha, relpath in images:
            path = store.files.path(relpath)
            checked += 1
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except FileNotFoundError:
                problems.append(f"image {image_id}: file missing ({relpath})")
                continue
            except OSError as exc:
                problems.append(f"image {image_id}: cannot read ({exc.strerror or exc})")
                continue
            if digest != sha:
                problems.append(f"image {image_id}: content does not match its hash ({relpath})")
    return IntegrityReport(ok=not problems, problems=problems, rows=rows, images_checked=checked, skipped=skipped)


def _unavailable(exc: BaseException) -> bool:
    """Locked or read-only: the check could not run; says nothing about damage."""
    lowered = str(exc).lower()
    return any(word in lowered for word in ("locked", "busy", "readonly", "read-only"))


FTS_COLUMNS = ["prompt", "error_message", "notes", "request_ids"]


def rebuild_fts(path: Path) -> str:
    """Rebuild the search index of the history at `path`; returns what was done.

    First FTS5's own 'rebuild'. When the index's tables themselves are damaged (e.g. "vtable
    constructor failed: requests_fts"), a copy of the file is kept beside it, the index's schema
    entries are removed, the file is vacuumed and the index recreated from the requests table.
    The requests themselves are never modified.
    """
    from workbench.core.store.history import HistoryStore

    try:
        with HistoryStore.open(path, recover=False) as store, translate_errors(store.path), store.db.atomic():
            store.db.execute("INSERT INTO requests_fts(requests_fts) VALUES('rebuild')")
        return "search index rebuilt"
    except StoreError as exc:
        if "search index" not in exc.user_message and "damaged" not in exc.user_message:
            raise
    kept = _keep_copy(path, "before-rebuild-fts")
    conn = sqlite3.connect(str(path))
    try:
        with translate_errors(path):
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute("DELETE FROM sqlite_master WHERE name = 'requests_fts' OR name LIKE 'requests_fts^_%' "
                         "ESCAPE '^' OR (type = 'trigger' AND sql LIKE '%requests_fts%')")
            conn.commit()
            conn.execute("PRAGMA writable_schema = OFF")
    finally:
        conn.close()
    with HistoryStore.open(path, recover=False) as store, translate_errors(store.path):
        store.db.execute("VACUUM")  # frees the pages of the removed index tables
        store.db.table("requests").enable_fts(FTS_COLUMNS, create_triggers=True, tokenize="porter", replace=True)
        problems = [m for (m,) in store.db.execute("PRAGMA integrity_check").fetchall() if m != "ok"]
    if problems:
        raise StoreError(f"the search index was recreated, but the database still has damage "
                         f"({problems[0]}); restore a backup (the file before this repair is {kept})")
    return f"search index recreated (the file before the repair was kept as {kept.name})"


def _keep_copy(path: Path, label: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        with contextlib.closing(sqlite3.connect(str(target))) as copy:
            source.backup(copy)  # page by page: a damaged index does not stop it
    except sqlite3.Error as exc:
        raise StoreError(f"cannot keep a copy of {path} before repairing it ({exc}); nothing was changed") from None
    finally:
        source.close()
    return target


def _strip_image_metadata(store: HistoryStore, request_id: int) -> None:
    rows = store.db.execute(
        "SELECT id, path FROM images WHERE request_id = ? AND format = 'png'", [request_id]).fetchall()
    old_paths = []
    for image_id, relpath in rows:
        try:
            data = store.files.read(relpath)
        except OSError:
            continue
        stored = store.files.put(strip_png_text(data), "png")
        if stored.relpath != relpath:
            store.db.table("images").update(image_id, {"sha256": stored.sha256, "path": stored.relpath,
                                                 "bytes": stored.size, "created_at": utc_now()})
            old_paths.append(relpath)
    _delete_unreferenced(store, old_paths)


def _image_paths(store: HistoryStore, ids: list[int]) -> list[str]:
    paths: list[str] = []
    for chunk in _chunks(ids, 500):
        paths.extend(r[0] for r in store.db.execute(
            f"SELECT DISTINCT path FROM images WHERE request_id IN ({', '.join('?' for _ in chunk)})", chunk))
    return paths


def _delete_unreferenced(store: HistoryStore, relpaths: list[str]) -> None:
    for relpath in set(relpaths):
        if not store.db.execute("SELECT 1 FROM images WHERE path = ?", [relpath]).fetchone():
            store.files.delete(relpath)


def _compact(store: HistoryStore) -> None:
    """Drop stale FTS segments and truncate the WAL so removed text leaves the files."""
    try:
        store.db.execute("INSERT INTO requests_fts(requests_fts) VALUES('optimize')")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except Exception as exc:  # noqa: BLE001
        raise StoreError(f"could not compact the history database: {exc}") from None


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
