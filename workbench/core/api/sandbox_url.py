"""Where the built-in Sandbox listens, asked of a provider the app or the CLI installs.

The Sandbox server lives in `workbench.sandbox`, which core must not import (import-linter
contract in pyproject.toml). The composition roots - `workbench.app` and `workbench.cli` -
install `lambda: shared_sandbox().url` at start-up, the way they hand `write_pdf` to
`core.appeal.export`; a sandbox profile without a base URL then asks for it here.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.core.errors import UserFacingError

SandboxUrlProvider = Callable[[], str]

_provider: SandboxUrlProvider | None = None


def set_provider(provider: SandboxUrlProvider | None) -> None:
    """Install (or, with None, remove) the function that starts the Sandbox and returns its URL."""
    global _provider
    _provider = provider


def sandbox_url() -> str:
    """The base URL of the running Sandbox (the provider may start it on first use).

    Raises:
        UserFacingError: nothing installed a provider (core used without the app or the CLI).
    """
    if _provider is None:
        raise UserFacingError("the built-in Sandbox is not available here; give the Sandbox profile a base URL")
    return _provider()
