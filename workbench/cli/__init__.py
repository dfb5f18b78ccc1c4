"""The `workbench` command line.

Each sub-command lives in its own module under `workbench.cli` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`. User errors are
raised as `UserFacingError` and printed here as one line; nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from workbench import __version__
from workbench.core.api import sandbox_url
from workbench.core.errors import UserFacingError
from workbench.logsetup import setup_logging

# Sub-command modules, in help order. Every one must import: a missing module is a broken
# install, reported as the error it is (tests/cli/test_cli_commands.py).
COMMAND_MODULES = (
    "scan",
    "audit",
    "desensitize",
    "generate",
    "sandbox",
    "history",
    "appeal",
    "import_cmd",
    "stats",
    "trigger",
    "compare",
    "review",
    "team",
    "serve",
    "calibration",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Prompt Workbench: screen, fix, generate and keep evidence for gpt-image prompts.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--screenshot", metavar="PATH", help="start the GUI offscreen with demo data, save a PNG, exit"
    )
    parser.add_argument(
        "--tab",
        default="editor",
        choices=["editor", "history", "appeals", "dashboard"],
        help="tab shown for --screenshot",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"workbench.cli.{name}").register(subparsers)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from workbench import app  # Qt is imported only when the desktop app starts

    return int(app.main(screenshot=args.screenshot, tab=args.tab))


def shared_sandbox_url() -> str:
    """The URL of the process-wide Sandbox, started on first use (installed into core)."""
    from workbench.sandbox import shared_sandbox

    return shared_sandbox().url


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    sandbox_url.set_provider(shared_sandbox_url)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _run_gui(args)
        return int(args.func(args) or 0)
    except UserFacingError as exc:
        print(f"workbench: error: {exc.user_message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `workbench audit … | head`: the reader went away; not an error worth a traceback.
        sys.stderr.close()
        return 0
