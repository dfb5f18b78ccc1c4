"""The log file: `workbench.log` in the logs folder (`paths.log_dir()`, shown in Settings), rotated.

`setup_logging()` is called once by each composition root (`workbench.cli.main`, which also
starts the desktop app, and `workbench.app.main`). Workbench loggers write INFO and above by
default; `WORKBENCH_LOG_LEVEL=DEBUG` adds the debug lines. Other libraries (openai, httpx)
reach the file from WARNING only. Every line passes the key redaction filter.

What may be logged: prompt text and anything the user wrote only at DEBUG; keys never (they
are also redacted, as a second line of defence). tests/test_logging.py enforces both.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from workbench import __version__, paths

LOG_FILE = "workbench.log"
LEVEL_ENV = "WORKBENCH_LOG_LEVEL"
MAX_BYTES = 1_000_000  # per file; with 3 backups the logs folder stays under 4 MB
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_handler: logging.Handler | None = None


def setup_logging(level: str | int | None = None) -> Path:
    """Send workbench logs to the rotating file in the current logs folder; returns its path.

    Calling it again (another WORKBENCH_HOME, another level) replaces the previous handler.
    An unwritable logs folder is not fatal: logging then stays off.
    """
    global _handler
    chosen = _level(level if level is not None else os.environ.get(LEVEL_ENV, "INFO"))
    path = paths.log_dir() / LOG_FILE
    close_logging()
    try:
        paths.ensure(path.parent)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        return path
    handler.setLevel(chosen)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_LazyRedaction())
    logging.getLogger().addHandler(handler)
    _handler = handler
    logging.getLogger("workbench").setLevel(chosen)
    logging.getLogger(__name__).debug("workbench %s, log level %s", __version__, logging.getLevelName(chosen))
    return path


def close_logging() -> None:
    """Remove and close the log file handler (tests, before WORKBENCH_HOME goes away)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


class _LazyRedaction(logging.Filter):
    """`keys.RedactingFilter`, imported at the first record (keyring costs ~30 ms at start-up)."""

    _filter: logging.Filter | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self._filter is None:
            from workbench.core.api.keys import RedactingFilter

            self._filter = RedactingFilter()
        return bool(self._filter.filter(record))


def _level(value: str | int) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(value.strip().upper())
    return level if isinstance(level, int) else logging.INFO
