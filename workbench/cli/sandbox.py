"""`workbench sandbox [--host 127.0.0.1] [--port N]`: run the local OpenAI-compatible Sandbox.

The first line printed is exactly `Sandbox listening on http://HOST:PORT/v1`, so scripts can
read the URL. Runs until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from pathlib import Path

from workbench.core.errors import BadInputError, UserFacingError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sandbox", help="run the local OpenAI-compatible test server")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", default="0", help="port to listen on (default: a free port)")
    parser.add_argument(
        "--switch",
        action="append",
        default=[],
        metavar="SWITCH",
        help="server-wide behaviour, e.g. 500x1, 429, slow=2, output-block (same words as [sandbox:…])",
    )
    parser.add_argument("--require-key", metavar="KEY", help="answer 401 to requests that do not send this key")
    parser.add_argument("--policy", metavar="FILE", help="use this policy TOML instead of the shipped one")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.sandbox import SandboxConfig, SandboxServer

    port = _port(args.port)
    policy = Path(args.policy) if args.policy else None
    if policy is not None and not policy.is_file():
        raise BadInputError(f"{args.policy}: no such policy file")
    config = SandboxConfig(switches=tuple(args.switch), api_key=args.require_key, policy_path=policy)
    try:
        server = SandboxServer(args.host, port, config)
    except OSError as exc:
        raise UserFacingError(f"cannot listen on {args.host}:{port} ({exc.strerror or exc})") from None
    server.start()
    print(f"Sandbox listening on {server.url}", flush=True)
    if not _is_loopback(args.host):
        print("warning: the Sandbox is reachable from other machines on this address", file=sys.stderr)
    print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("Sandbox stopped.", file=sys.stderr)
    return 0


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise BadInputError(f"--port must be a number, not {text!r}") from None
    if not 0 <= port <= 65535:
        raise BadInputError(f"--port must be from 0 to 65535, not {port}")
    return port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
