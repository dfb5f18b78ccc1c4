"""Opening the history database safely: WAL, foreign keys, busy timeout, migrations.

`open_history(path)` never creates a database over an existing file it cannot read, and never
overwrites anything: a corrupt file, a locked database or one written by a newer workbench is
reported as a `StoreError` with one clear line, and the file is left exactly as it was.

Odd files are said, never silently replaced: a 0-byte file is kept under another name before a
new history starts (a warning says where); a file that cannot be written (read-only file system,
immutable file) is opened read-only, with a warning - browsing and search work, recording
refuses with "read-only". The warnings are on `db.open_warnings` (shown by the CLI and the app).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.db import Table

from workbench import paths
from workbench.core.errors import StoreError
from workbench.core.store.migrations import MIGRATION_SET, history_migrations

SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 5000


def open_history(path: Path | str | None = None, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Database:
    """Open (creating if absent) the history database and bring its schema up to date.

    Args:
        path: the database file; defaults to `paths.history_db_path()`.
        busy_timeout_ms: how long a write waits for another process holding the lock.

    Raises:
        StoreError: the file is not a SQLite database or is damaged, is locked, cannot be
            created, or was written by a newer version of the workbench.
    """
    path = Path(path) if path is not None else paths.history_db_path()
    _check_header(path)
    warnings = _set_aside_empty(path)
    if path.exists() and not _writable(path):
        return _open_read_only(path, busy_timeout_ms, warnings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for the history database {path.parent}: {exc.strerror or exc}") from None
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
        db = _HistoryDatabase(conn)
        _configure(db, busy_timeout_ms)
        _refuse_newer(db, path)
        history_migrations.apply(db)
        db.open_warnings = warnings
        return db
    except StoreError:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if is_environmental(exc):
            raise store_error(exc, path) from None
        raise
    except UnicodeDecodeError as exc:  # SQLite's own message about the damage is not even text
        if conn is not None:
            conn.close()
        raise store_error(_undecodable(exc), path) from None


def _undecodable(exc: UnicodeDecodeError) -> sqlite3.DatabaseError:
    return sqlite3.DatabaseError(f"malformed database: undecodable bytes in the file ({exc.reason})")


def _set_aside_empty(path: Path) -> list[str]:
    """A 0-byte history file (a failed copy, a sync tool) is kept aside, never silently reused."""
    try:
        if path.stat().st_size != 0:
            return []
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return []  # the data may all be in the WAL: SQLite recovers it from there
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.name}.empty-{stamp}")
        os.replace(path, kept)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"history database {path} is an empty (0-byte) file and cannot be set aside "
                         f"({exc.strerror or exc}); restore a backup or remove it") from None
    return [(f"history database {path} was an empty (0-byte) file - it was kept as {kept.name} and a new, "
             "empty history was started; if you expected your history here, restore a backup")]


def _writable(path: Path) -> bool:
    # WAL needs to write the file and to create -wal/-shm beside it.
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _open_read_only(path: Path, busy_timeout_ms: int, warnings: list[str]) -> Database:
    """Open an unwritable history for reading: `mode=ro`, else `immutable=1` (read-only media)."""
    errors: list[str] = []
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        conn = None
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True,
                                   timeout=busy_timeout_ms / 1000, check_same_thread=False)
            db = _HistoryDatabase(conn)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            _refuse_newer(db, path)
            if history_migrations.pending(db):
                raise StoreError(f"history database {path} is read-only and needs an upgrade to this version; "
                                 "open it once where it can be written")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if not is_environmental(exc) or "locked" in str(exc).lower():
                raise store_error(exc, path) from None
            errors.append(str(exc))
            continue
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        db.read_only = True
        db.open_warnings = [*warnings, (f"history database {path} cannot be written (read-only file or file "
                            "system); opened read-only: browsing, search and export work, nothing new is recorded")]
        return db
    raise StoreError(f"history database {path} is read-only and cannot be opened ({'; '.join(errors)})")


class _HistoryDatabase(Database):
    """A sqlite-utils Database whose `atomic()` transactions start with BEGIN IMMEDIATE.

    A plain (deferred) BEGIN reads first; in WAL mode, upgrading that read to a write fails at
    once with "database is locked" - the busy timeout does not apply - when another process
    committed in between, so two workbench instances writing at once lost rows. IMMEDIATE takes
    the write lock up front, and the busy timeout then queues the writers instead.
    """

    open_warnings: list[str]  # set by open_history: odd files it worked around
    read_only: bool  # set (True) only when the file could not be opened for writing

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: sqlite-utils' savepoint handling
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def inserted_pk(table: Table) -> int:
    """The integer primary key of the row `table.insert(...)` just wrote."""
    pk = table.last_pk
    if pk is None:  # sqlite-utils sets it on every insert; like int(None), refuse loudly
        raise TypeError(f"insert into {table.name} left no primary key")
    return int(pk)


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise StoreError(f"history database {path} is a folder, not a file") from None
    except OSError as exc:
        raise StoreError(f"cannot read the history database {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_HEADER:
        raise StoreError(
            f"{path} is not a SQLite database (damaged or a different file); it was left untouched - "
            "move it aside or restore a backup"
        )


def _configure(db: Database, busy_timeout_ms: int) -> None:
    conn = db.conn
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Zero freed pages so that purged or redacted prompts do not linger in the file.
    conn.execute("PRAGMA secure_delete = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a committed row survives power loss, not only a crash of the app.
    conn.execute("PRAGMA synchronous = FULL")


def _refuse_newer(db: Database, path: Path) -> None:
    table = db["_sqlite_migrations"]
    if not table.exists():
        return
    known = {m.name for m in history_migrations.pending(Database(memory=True))}
    applied = {m.name for m in history_migrations.applied(db)}
    unknown = sorted(applied - known)
    if unknown:
        raise StoreError(
            f"history database {path} was written by a newer version of Prompt Workbench "
            f"(unknown schema steps: {', '.join(unknown)}); upgrade the workbench or open a backup"
        )


def known_migrations() -> list[str]:
    """Names of every schema step this version knows, in order."""
    return [m.name for m in history_migrations.pending(Database(memory=True))]


def store_error(exc: sqlite3.Error, path: Path | str | None = None) -> StoreError:
    """Turn a sqlite3 error into a StoreError with a message a user can act on."""
    where = f" {path}" if path else ""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return StoreError(
            f"history database{where} is locked by another program (another workbench window?); "
            "close it or try again", detail=text)
    if any(word in lowered for word in _FTS_DAMAGE):
        return StoreError(
            f"the search index of history database{where} is damaged ({text}); the file was left untouched - "
            "rebuild the index with 'workbench history rebuild-fts', or restore a backup", detail=text)
    if any(word in lowered for word in _DAMAGE):
        return StoreError(
            f"history database{where} is damaged ({text}); it was left untouched - run 'workbench history "
            "check' to see what is hit, then restore a backup (or 'workbench history rebuild-fts' if only "
            "the search index is hit, or move the file aside to start a new history)", detail=text)
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"history database{where} is read-only (file permissions or a read-only "
                          "file system); nothing can be recorded there", detail=text)
    if "unable to open" in lowered:
        return StoreError(f"cannot open the history database{where} (missing folder or no permission)", detail=text)
    if "is full" in lowered or ("disk i/o" in lowered and _disk_nearly_full(path)):
        return StoreError(f"disk full: the disk holding the history database{where} has no space left; "
                          "free some space and try again (nothing already recorded was lost)", detail=text)
    if "disk i/o" in lowered:
        return StoreError(f"disk error while using the history database{where}", detail=text)
    return StoreError(f"history database error{where}: {text}", detail=text)


def _disk_nearly_full(path: Path | str | None) -> bool:
    """SQLite reports ENOSPC on some file systems as a plain I/O error: look at the free space."""
    folder = Path(path).parent if path else paths.data_dir()
    try:
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False


_FTS_DAMAGE = ("vtable constructor failed", "fts5:", "requests_fts")
_DAMAGE = ("not a database", "malformed", "corrupt", "could not decode", *_FTS_DAMAGE)
_ENVIRONMENTAL = ("locked", "busy", "readonly", "read-only", "unable to open", "is full", "disk i/o", *_DAMAGE)


def is_environmental(exc: BaseException) -> bool:
    """True for failures of the user's world (lock, damage, disk), False for our bugs."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.ProgrammingError):
        return False
    lowered = str(exc).lower()
    return any(word in lowered for word in _ENVIRONMENTAL)


@contextlib.contextmanager
def translate_errors(path: Path | str | None = None) -> Iterator[None]:
    """Re-raise environmental sqlite3 errors inside the block as StoreError; bugs stay bugs."""
    try:
        yield
    except sqlite3.Error as exc:
        if is_environmental(exc):
            raise store_error(exc, path) from None
        raise
    except UnicodeDecodeError as exc:
        raise store_error(_undecodable(exc), path) from None


__all__ = ["MIGRATION_SET", "known_migrations", "open_history", "store_error", "translate_errors"]
