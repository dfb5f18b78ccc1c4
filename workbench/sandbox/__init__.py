"""The built-in Sandbox: a local OpenAI-compatible image API for offline use and tests.

`SandboxServer(...).start()` runs it in a background thread; `shared_sandbox()` gives the one
instance the app and the CLI use as their default provider when no key is configured.
"""

from __future__ import annotations

import atexit
import threading

from workbench.sandbox.server import LoggedRequest, SandboxConfig, SandboxServer

__all__ = ["LoggedRequest", "SandboxConfig", "SandboxServer", "shared_sandbox", "stop_shared_sandbox"]

_shared: SandboxServer | None = None
_lock = threading.Lock()


def shared_sandbox() -> SandboxServer:
    """The process-wide Sandbox on 127.0.0.1 (a free port), started on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = SandboxServer().start()
            atexit.register(stop_shared_sandbox)
        return _shared


def stop_shared_sandbox() -> None:
    global _shared
    with _lock:
        server, _shared = _shared, None
    if server is not None:
        server.stop()
