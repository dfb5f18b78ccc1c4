"""Profile operations: settings, provider profiles, their keys and the SDK clients built from them.

The clients live here because a profile or key change must drop the client built from it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.core.errors import UserFacingError
from workbench.ui import messages
from workbench.ui.operations.history import HistoryOperations


class ProfileOperations(QObject):
    """Settings, profiles, keys and one SDK client per profile.

    Signals:
        changed(): profiles, the active profile or keys changed.
    """

    changed = Signal()

    def __init__(self, history: HistoryOperations, run_in_worker: Callable[..., Awaitable[Any]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self._run_in_worker = run_in_worker
        self._settings = None
        self._session_profile: str | None = None
        self._clients: dict[str, Any] = {}
        self._recorder = None  # core HistoryRecorder, made with the first client

    async def close(self) -> None:
        """Close the SDK clients."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            try:
                await client.aclose()
            except Exception:  # closing a broken connection must not block quitting
                pass

    # --- settings and profiles -----------------------------------------------------------

    def settings(self):
        if self._settings is None:
            from workbench.core.settings import load_settings

            self._settings = load_settings()
            for warning in self._settings.warnings:
                messages.warning(warning)
        return self._settings

    def save_settings(self) -> bool:
        from workbench.core.settings import save_settings

        try:
            save_settings(self.settings())
        except OSError as exc:
            messages.error(f"Settings could not be saved: {exc.strerror or exc}")
            return False
        self.changed.emit()
        return True

    def profiles(self) -> list:
        return list(self.settings().profiles)

    def profile(self, name: str):
        return self.settings().profile(name)

    def active_profile_name(self) -> str:
        """The chosen profile; by default OpenAI when it has a key, else the Sandbox."""
        from workbench.core.settings import default_profile_name

        if self._session_profile:
            try:
                return self.settings().profile(self._session_profile).name
            except UserFacingError:
                self._session_profile = None
        return default_profile_name(self.settings(), lambda p: self.key_source(p) is not None)

    def active_profile(self):
        return self.settings().profile(self.active_profile_name())

    def set_active_profile(self, name: str, *, remember: bool = True) -> None:
        if name == self.active_profile_name():
            return
        self._session_profile = name
        if remember:
            self.settings().active_profile = name
            self.save_settings()
        else:
            self.changed.emit()

    def save_profile(self, profile, *, old_name: str | None = None) -> bool:
        with messages.handle_user_errors("The profile was not saved"):
            settings = self.settings()
            if old_name and old_name.casefold() != profile.name.casefold():
                settings.remove_profile(old_name)
            settings.upsert_profile(profile)
            self._forget_client(profile.name)
            return self.save_settings()
        return False

    def remove_profile(self, name: str) -> None:
        from workbench.core.api import keys

        self.settings().remove_profile(name)
        keys.delete_key(name)
        self._forget_client(name)
        self.save_settings()

    # --- keys ----------------------------------------------------------------------------

    def key_source(self, profile) -> str | None:
        """Where the profile's key comes from (`keyring`, `session`, `env:NAME`), or None."""
        from workbench.core.api import keys

        if not profile.needs_key:
            return "not needed"
        found = keys.get_key(profile.name, profile.kind)
        return found.source if found else None

    def keyring_status(self) -> tuple[bool, str]:
        from workbench.core.api import keys

        return keys.keyring_available()

    def save_key(self, profile, key: str):
        """Store a key in the system keyring, verified by reading it back.

        Returns the core's KeyStoreResult: `stored_in` is "keyring", or "" when the keyring
        refused or lost it (nothing stored; its message offers the session-only and
        environment options). None if the key itself was refused (empty).
        """
        from workbench.core.api import keys

        with messages.handle_user_errors("The key was not saved"):
            stored = keys.set_key(profile.name, key, kind=profile.kind, session_fallback=False)
            if stored.stored_in == "keyring":
                messages.info(f"Key for {profile.name} saved in the system keyring (read back to check).")
                self._key_changed(profile)
            return stored
        return None

    def keep_key_for_session(self, profile, key: str) -> None:
        """Keep a key in memory for this run only (the user's choice when the keyring fails)."""
        from workbench.core.api import keys

        keys.set_session_key(profile.name, key)
        messages.info(f"Key for {profile.name} kept for this session only; it is forgotten when you quit.")
        self._key_changed(profile)

    def _key_changed(self, profile) -> None:
        self._forget_client(profile.name)
        self.changed.emit()

    def delete_key(self, profile) -> None:
        from workbench.core.api import keys

        keys.delete_key(profile.name)
        self._forget_client(profile.name)
        self.changed.emit()

    # --- provider clients ----------------------------------------------------------------

    def _forget_client(self, name: str) -> None:
        client = self._clients.pop(name.casefold(), None)
        if client is not None:
            asyncio.ensure_future(client.aclose())

    async def client_for(self, profile_name: str):
        """The SDK client of a profile, built off the GUI thread; None (with a message) if unusable."""
        from workbench.core.api.client import ImageClient

        key = profile_name.casefold()
        if key in self._clients:
            return self._clients[key]
        profile = self.profile(profile_name)
        if self._recorder is None:
            from workbench.core.store.recorder import HistoryRecorder

            # Every request gets its history row before it is sent, and is completed after.
            self._recorder = HistoryRecorder(self._history.store, on_change=self._history.changed.emit)
        recorder = self._recorder
        try:
            client = await self._run_in_worker(lambda: ImageClient.for_profile(profile, recorder=recorder))
        except UserFacingError as exc:
            messages.error(exc.user_message)
            return None
        self._clients.setdefault(key, client)
        return self._clients[key]
