"""Reading and writing user files safely: the one atomic writer and the one bounded reader.

Writing: data goes to a temporary file in the destination folder, is flushed to disk (fsync),
then renamed over the destination - an atomic step on every platform we support - and the
folder is flushed too, so a crash or kill never leaves a half-written file under the final
name and a finished write survives a power cut.

Reading: a file the user names (a prompt list, a log to import, a reference image) is read
with a size limit, checked before and while reading, and every failure is one clear message.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from workbench.core.errors import BadInputError


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `target`, on error it is removed.

    Raises:
        BadInputError: the destination folder cannot be created or written.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_name = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.part")
        # 0o666 minus the umask, like any normal file (mkstemp would make it private).
        os.close(os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise BadInputError(f"cannot write to {target.parent}: {_reason(exc)}") from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise BadInputError(f"cannot write {target}: {_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "disk full (no space left on the device)"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return str(exc.strerror or exc)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder for this."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_bounded(path: Path | str, limit: int, *, name: str | None = None, kind: str = "a file") -> bytes:
    """The bytes of `path`, refusing more than `limit` bytes (also if the file grows meanwhile).

    Args:
        name: how messages name the file (default: the path as given).
        kind: what the file should be, for "… is a folder, not {kind}".

    Raises:
        BadInputError: missing, a folder, unreadable, or larger than `limit`.
    """
    path = Path(path)
    name = str(path) if name is None else name
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > limit else handle.read(limit + 1)
    except FileNotFoundError:
        raise BadInputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{name} is a folder, not {kind}") from None
    except PermissionError:
        # Windows reports opening a folder as permission denied.
        if path.is_dir():
            raise BadInputError(f"{name} is a folder, not {kind}") from None
        raise BadInputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise BadInputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if size > limit or len(data) > limit:
        raise BadInputError(f"{name} is {max(size, len(data)) / 2**20:.1f} MB; the limit is {limit / 2**20:g} MB")
    return data
