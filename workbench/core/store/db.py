"""Opening the history database safely: WAL, foreign keys, busy timeout, migrations.

`open_history(path)` never creates a database over an existing file it cannot read, and never
overwrites anything: a corrupt file, a locked database or one written by a newer workbench is
reported as a `StoreError` with one clear line, and the file is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

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


class _HistoryDatabase(Database):
    """A sqlite-utils Database whose `atomic()` transactions start with BEGIN IMMEDIATE.

    A plain (deferred) BEGIN reads first; in WAL mode, upgrading that read to a write fails at
    once with "database is locked" - the busy timeout does not apply - when another process
    committed in between, so two workbench instances writing at once lost rows. IMMEDIATE takes
    the write lock up front, and the busy timeout then queues the writers instead.
    """

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
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return StoreError(
            f"history database{where} is damaged ({text}); it was left untouched - "
            "restore a backup or move it aside", detail=text)
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"history database{where} is read-only; check the file permissions", detail=text)
    if "unable to open" in lowered:
        return StoreError(f"cannot open the history database{where} (missing folder or no permission)", detail=text)
    if "is full" in lowered:
        return StoreError(f"the disk holding the history database{where} is full", detail=text)
    if "disk i/o" in lowered:
        return StoreError(f"disk error while using the history database{where}", detail=text)
    return StoreError(f"history database error{where}: {text}", detail=text)


_ENVIRONMENTAL = ("locked", "busy", "not a database", "malformed", "corrupt", "readonly",
                  "read-only", "unable to open", "is full", "disk i/o")


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


__all__ = ["MIGRATION_SET", "known_migrations", "open_history", "store_error", "translate_errors"]
