"""The completion journal: a paid result reaches history even when recording it fails.

Before a completed request is written to the database, one small JSON file describing it (the
outcome, usage, request IDs, error, and where its images are) is written atomically - temporary
file, fsync, rename, fsync of the folder - to `paths.journal_dir()`. Once the database has it,
the file is deleted. When the write to the database fails (disk full, the database locked past
the busy timeout, the process killed), the file stays, and `HistoryStore.open` replays it the
next time any command or the app opens that database: the pending row gets its request ID and
outcome. Image bytes are not in the journal: they are already in the images folder (the
gallery's) or in the files the CLI wrote to `--out`, which the journal names.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.api.records import ErrorRecord, GenerationResult, Usage
from workbench.core.store.atomic import atomic_write_text

log = logging.getLogger(__name__)

VERSION = 1
SUFFIX = ".json"
UNMATCHED = ".unmatched"  # an entry whose row is gone: kept for the user, never replayed again


@dataclass
class JournalEntry:
    path: Path
    db: str
    history_id: int
    result: GenerationResult
    # One per final image: {"relpath", "sha256", "format", "width", "height", "bytes", "source"}.
    images: list[dict[str, Any]] = field(default_factory=list)


def write(directory: Path, *, db: Path, history_id: int, result: GenerationResult,
          images: list[dict[str, Any]]) -> Path:
    """Write one entry durably; returns its path.

    Raises:
        BadInputError: the folder cannot be created or written (e.g. the disk is full).
    """
    data = {"version": VERSION, "db": _db_key(db), "history_id": int(history_id),
            "result": result_to_json(result), "images": images}
    target = Path(directory) / f"{int(history_id)}-{secrets.token_hex(4)}{SUFFIX}"
    atomic_write_text(target, json.dumps(data, ensure_ascii=False))
    _fsync_dir(target.parent)
    return target


def entries(directory: Path, db: Path) -> list[JournalEntry]:
    """Entries for this database, oldest first; unreadable files are logged and skipped."""
    directory = Path(directory)
    try:
        files = sorted(directory.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
    except OSError:
        return []
    key = _db_key(db)
    found = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("db") != key:
                continue
            found.append(JournalEntry(path, data["db"], int(data["history_id"]),
                                      result_from_json(data["result"]), list(data.get("images") or [])))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("journal entry %s cannot be read (%s); it was left in place", path, exc)
    return found


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def set_aside(path: Path) -> Path:
    """Keep an entry that can no longer be replayed (its row was deleted) under another name."""
    target = path.with_name(path.name + UNMATCHED)
    with contextlib.suppress(OSError):
        os.replace(path, target)
    return target


def result_to_json(result: GenerationResult) -> dict[str, Any]:
    """Everything of a result but the image bytes (they live in files)."""
    data = asdict(result)
    data["images"] = []
    return data


def result_from_json(data: dict[str, Any]) -> GenerationResult:
    data = dict(data)
    error, usage = data.pop("error", None), data.pop("usage", None)
    data.pop("images", None)
    known = {k: v for k, v in data.items() if k in GenerationResult.__dataclass_fields__}
    result = GenerationResult(**known)
    if error is not None:
        result.error = ErrorRecord(**{k: v for k, v in error.items() if k in ErrorRecord.__dataclass_fields__})
    if usage is not None:
        result.usage = Usage(**{k: v for k, v in usage.items() if k in Usage.__dataclass_fields__})
    return result


def _db_key(db: Path) -> str:
    return str(Path(db).resolve())


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the folder is synced (POSIX; Windows cannot open folders).
    if os.name == "nt":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = ["JournalEntry", "entries", "remove", "result_from_json", "result_to_json",
           "set_aside", "write"]
