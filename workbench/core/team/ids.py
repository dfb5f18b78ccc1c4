"""Global ids (UUIDv7, RFC 9562: time-ordered, unique across machines) and this machine's id."""

from __future__ import annotations

import os
import time
import uuid

from workbench import paths
from workbench.core.store.atomic import atomic_write_text

MACHINE_FILE = "machine-id"
_cache: dict[str, str] = {}  # per data folder (tests change WORKBENCH_HOME)


def uuid7(ms: int | None = None) -> str:
    """A UUIDv7 string: 48-bit Unix milliseconds, version 7, variant 10, 74 random bits."""
    ms = int(time.time() * 1000) if ms is None else ms
    rand = os.urandom(10)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (int.from_bytes(rand[:2], "big") & 0xFFF) << 64
    value |= 0b10 << 62 | (int.from_bytes(rand[2:], "big") & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def machine_id() -> str:
    """A random id for this installation, made once and kept in the data folder."""
    path = paths.data_dir() / MACHINE_FILE
    if str(path) in _cache:
        return _cache[str(path)]
    try:
        value = path.read_text(encoding="ascii").strip()
        if value:
            _cache[str(path)] = value
            return value
    except (OSError, UnicodeDecodeError):
        pass
    value = str(uuid.uuid4())
    paths.ensure(path.parent)
    atomic_write_text(path, value + "\n")
    _cache[str(path)] = value
    return value
