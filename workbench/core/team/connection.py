"""Connecting to the team server: the URL (TLS settings in it), the password in the keyring.

A URL is `postgresql://user@host:5432/dbname?sslmode=verify-full&sslrootcert=/path/ca.pem`.
A password written in the URL is taken out before anything is stored or shown and kept in the
keyring (service `prompt-workbench`, entry `team:user@host:port/dbname`), like API keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import keyring
import keyring.errors

from workbench.core.api.keys import SERVICE
from workbench.core.errors import BadInputError, UserFacingError


@dataclass(frozen=True)
class TeamServer:
    url: str  # without a password
    label: str  # user@host:port/dbname: the key of the sync cursor and of the keyring entry

    @property
    def keyring_entry(self) -> str:
        return f"team:{self.label}"


def parse_url(url: str) -> tuple[TeamServer, str | None]:
    """The server without its password, and the password if the URL carried one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("postgresql", "postgres"):
        raise BadInputError("the team URL must start with postgresql://")
    if not parts.hostname:
        raise BadInputError("the team URL needs a host: postgresql://user@host:5432/dbname")
    user = unquote(parts.username or "")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    netloc = (quote(user, safe="") + "@" if user else "") + (f"[{parts.hostname}]" if ":" in parts.hostname else host)
    if ":" in parts.hostname and parts.port:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    label = f"{user + '@' if user else ''}{host}{parts.path or '/'}"
    password = unquote(parts.password) if parts.password else None
    return TeamServer(clean, label), password


def remember_password(server: TeamServer, password: str) -> bool:
    """Keep the password in the keyring; False when no keyring is available."""
    try:
        keyring.set_password(SERVICE, server.keyring_entry, password)
        return keyring.get_password(SERVICE, server.keyring_entry) == password
    except keyring.errors.KeyringError:
        return False


def stored_password(server: TeamServer) -> str | None:
    try:
        return keyring.get_password(SERVICE, server.keyring_entry)
    except keyring.errors.KeyringError:
        return None


def connect(url: str, *, timeout: float = 10.0) -> tuple[Any, TeamServer]:
    """An open psycopg connection (autocommit; transactions are explicit) and its server."""
    import psycopg

    server, password = parse_url(url)
    if password is not None:
        remember_password(server, password)
    else:
        password = stored_password(server)
    try:
        conn = psycopg.connect(server.url, password=password, connect_timeout=max(1, int(timeout)),
                               autocommit=True, application_name="prompt-workbench")
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserFacingError(f"team server {server.label} is not reachable (offline?): {first}") from None
    return conn, server
