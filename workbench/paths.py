"""Where every file of the workbench lives: user data, config, cache, logs and resources.

This is the only module that knows paths. `WORKBENCH_HOME` moves all user files under one
folder (tests and portable installs); otherwise platformdirs picks the OS conventions.
Resources are found in a frozen bundle, inside an installed wheel, or in a source checkout.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "prompt-workbench"
HOME_ENV = "WORKBENCH_HOME"


def home() -> Path | None:
    """The `WORKBENCH_HOME` override, if set."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _user_dir(kind: str) -> Path:
    return _user_dir_for(kind, os.environ.get(HOME_ENV, "").strip())


@functools.lru_cache(maxsize=64)  # every scan asks (allow/block lists, policies): answer once per home
def _user_dir_for(kind: str, override: str) -> Path:
    if override:
        return Path(override).expanduser() / kind
    return Path(getattr(platformdirs, f"user_{kind}_path")(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """History database, stored images, appeal drafts."""
    return _user_dir("data")


def config_dir() -> Path:
    """Settings, provider profiles (never keys) and the user's allow/block lists."""
    return _user_dir("config")


def cache_dir() -> Path:
    """Thumbnails and moderation results; safe to delete."""
    return _user_dir("cache")


def log_dir() -> Path:
    """Log files (keys are redacted before anything is written)."""
    return _user_dir("log")


def ensure(path: Path) -> Path:
    """Create a directory (and parents) if missing and return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def history_db_path() -> Path:
    return data_dir() / "history.db"


def images_dir() -> Path:
    return data_dir() / "images"


def journal_dir() -> Path:
    """Completed requests not yet in the history database (replayed when it next opens)."""
    return data_dir() / "journal"


def settings_path() -> Path:
    return config_dir() / "settings.json"


def user_lexicon_dir() -> Path:
    """`allow.txt` and `block.toml`, layered over the shipped lexicon."""
    return config_dir() / "lexicon"


def user_policies_dir() -> Path:
    """The user's own policy profiles (`*.toml`), layered over the shipped `resources/policies`."""
    return config_dir() / "policies"


def resources_dir() -> Path:
    """The folder holding lexicons, rewrite tables, sandbox policy, prices, icons, styles."""
    return _resources_dir(getattr(sys, "_MEIPASS", None))


@functools.lru_cache(maxsize=4)  # looked up on every scan; where the program lives does not move
def _resources_dir(frozen: str | None) -> Path:
    candidates = []
    if frozen:
        candidates.append(Path(frozen) / "resources")
    package = Path(__file__).resolve().parent
    candidates.append(package / "resources")  # installed wheel (force-included)
    candidates.append(package.parent / "resources")  # source checkout / editable install
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "resources folder not found (looked in: " + ", ".join(str(c) for c in candidates) + ")"
    )


def resource(*parts: str) -> Path:
    """Path of a shipped resource file, e.g. `resource("lexicon", "violence.toml")`."""
    return resources_dir().joinpath(*parts)


def ui_state_path() -> Path:
    """Window geometry, splitter positions and theme choice of the desktop app (QSettings INI)."""
    return config_dir() / "ui-state.ini"
