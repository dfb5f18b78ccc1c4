"""Typed, versioned user settings saved as JSON at `paths.settings_path()`.

A corrupt or unreadable file never crashes the app: defaults are used and a warning is kept in
`Settings.warnings` (and logged); the bad file is left in place until the next save, which
first renames it to `settings.json.corrupt`. Keys the current version does not know (written
by a newer version, or by a module that has not loaded yet) are preserved in `extra`.
Other modules may add fields: give each a default and bump nothing unless a value changes
meaning (then add a migrator to `_MIGRATIONS`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from workbench import paths
from workbench.core.api.profiles import (
    OPENAI_NAME,
    SANDBOX_NAME,
    Profile,
    builtin_profiles,
    find_profile,
)
from workbench.core.io.files import atomic_write_text

SCHEMA_VERSION = 1

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """All persisted preferences. Profiles never contain keys (see core.api.keys)."""

    schema_version: int = SCHEMA_VERSION
    profiles: list[Profile] = field(default_factory=builtin_profiles)
    active_profile: str | None = None  # None: Sandbox unless an OpenAI key is configured
    team_url: str | None = None  # postgresql://user@host/db of the team server (never a password)
    extra: dict[str, Any] = field(default_factory=dict)
    # Not saved: what went wrong while loading.
    warnings: list[str] = field(default_factory=list, compare=False)

    def profile(self, name: str) -> Profile:
        return find_profile(self.profiles, name)

    def upsert_profile(self, profile: Profile) -> None:
        """Add a profile or replace the one with the same name."""
        profile.validate()
        for index, existing in enumerate(self.profiles):
            if existing.name.casefold() == profile.name.casefold():
                self.profiles[index] = profile
                return
        self.profiles.append(profile)

    def remove_profile(self, name: str) -> None:
        if name.casefold() == SANDBOX_NAME.casefold():
            return  # the Sandbox is always available
        self.profiles = [p for p in self.profiles if p.name.casefold() != name.casefold()]
        if self.active_profile and self.active_profile.casefold() == name.casefold():
            self.active_profile = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update(
            schema_version=self.schema_version,
            profiles=[p.to_dict() for p in self.profiles],
            active_profile=self.active_profile,
        )
        if self.team_url:
            data["team_url"] = self.team_url
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        names = {f.name for f in fields(cls)} - {"warnings", "extra", "profiles"}
        settings = cls(**{k: v for k, v in data.items() if k in names})
        settings.extra = {k: v for k, v in data.items() if k not in names and k != "profiles"}
        raw_profiles = data.get("profiles")
        if isinstance(raw_profiles, list):
            settings.profiles = []
            for raw in raw_profiles:
                try:
                    profile = Profile.from_dict(raw)
                    profile.validate()
                except Exception as exc:  # one bad profile must not lose the others
                    settings.warnings.append(f"ignored an unusable profile in settings ({exc})")
                    continue
                settings.profiles.append(profile)
        _ensure_builtins(settings)
        return settings


def default_profile_name(settings: Settings, has_key: Callable[[Profile], bool]) -> str:
    """The profile to use when none is named: the active one, else OpenAI with a key, else Sandbox.

    `has_key(profile) -> bool` is injected so this stays free of keyring access in tests.
    """
    if settings.active_profile:
        try:
            return settings.profile(settings.active_profile).name
        except Exception:
            pass  # a stale name: fall through to the defaults
    try:
        openai_profile = settings.profile(OPENAI_NAME)
        if has_key(openai_profile):
            return openai_profile.name
    except Exception:
        pass
    return SANDBOX_NAME


def load_settings() -> Settings:
    """Read settings; missing file → defaults; corrupt file → defaults plus a warning."""
    path = paths.settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        return _with_warning(f"settings file {path} could not be read ({exc.strerror}); using defaults")
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        data = _migrate(data)
        return Settings.from_dict(data)
    except Exception as exc:  # any malformed content: defaults, never a crash
        return _with_warning(f"settings file {path} is corrupt ({exc}); using defaults")


def save_settings(settings: Settings) -> None:
    """Write settings atomically (temp file + rename). Keys are never part of settings."""
    path = paths.settings_path()
    paths.ensure(path.parent)
    if settings.warnings and path.exists():
        # Keep the unreadable file for the user instead of overwriting it silently.
        try:
            os.replace(path, path.with_name(path.name + ".corrupt"))
        except OSError:
            pass
    atomic_write_text(path, json.dumps(settings.to_dict(), indent=2, ensure_ascii=False) + "\n")
    settings.warnings = []


def _with_warning(message: str) -> Settings:
    log.warning(message)
    settings = Settings()
    settings.warnings.append(message)
    return settings


def _ensure_builtins(settings: Settings) -> None:
    names = {p.name.casefold() for p in settings.profiles}
    for builtin in builtin_profiles():
        if builtin.name.casefold() not in names:
            settings.profiles.append(builtin)


# schema_version -> function upgrading a dict from that version to the next.
_MIGRATIONS: dict[int, Any] = {}


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int):
        raise ValueError("schema_version is not a number")
    if version > SCHEMA_VERSION:
        log.warning("settings were written by a newer version (%s); unknown keys are kept", version)
        return {**data, "schema_version": SCHEMA_VERSION}
    while version < SCHEMA_VERSION:
        data = _MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data
