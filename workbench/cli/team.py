"""`workbench team set-url|push|pull|sync|status [--url URL] [--images] [--json]`.

Syncs the local history with the team's PostgreSQL server (see `workbench.core.team`). The URL
comes from `--url` or from `team set-url`; a password in it is moved to the keyring and never
written to settings. `--json` prints how many rows moved each way. Exit 0, or 2 with one line
when the server is unreachable or the input is bad.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.cli._history_args import open_store
from workbench.core.errors import BadInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("team", help="sync the history with the team's PostgreSQL server")
    sub = parser.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    p = sub.add_parser("set-url", help="remember the team server (a password in the URL goes to the keyring)")
    p.add_argument("url", help="postgresql://user[:password]@host:5432/dbname[?sslmode=verify-full]")
    p.set_defaults(func=run_set_url)
    for name, help_text in (("push", "send this machine's requests, appeals and deletes"),
                            ("pull", "bring the team's requests, appeals and deletes here"),
                            ("sync", "push, then pull"),
                            ("status", "what is waiting to go up or come down")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--url", help="team server (default: the one set with 'team set-url')")
        p.add_argument("--json", action="store_true")
        if name != "status":
            p.add_argument("--images", action="store_true", help="images too (by content hash)")
            p.add_argument("--image-cap", type=float, default=5.0, metavar="MB",
                           help="largest image sent (default 5 MB)")
        p.set_defaults(func=run_sync, action=name)


def run_set_url(args: argparse.Namespace) -> int:
    from workbench.core.settings import load_settings, save_settings
    from workbench.core.team.connection import parse_url, remember_password

    server, password = parse_url(args.url)
    settings = load_settings()
    settings.team_url = server.url
    save_settings(settings)
    print(f"team server: {server.label}")
    if password is not None and not remember_password(server, password):
        print("workbench: warning: no keyring here, so the password was not kept; give it in --url "
              "or in PGPASSWORD each time", file=sys.stderr)
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from workbench.core.team import sync
    from workbench.core.team.connection import connect

    url = args.url or _saved_url()
    with open_store() as store:
        if args.action == "status":
            return _status(store, url, args.json)
        conn, server = connect(url)
        with conn:
            report = sync.SyncReport(server.label)
            cap = int(args.image_cap * 1024 * 1024)
            progress = None if args.json else _progress
            if args.action in ("push", "sync"):
                sync.push(store, conn, server, images=args.images, image_cap=cap, progress=progress, report=report)
            if args.action in ("pull", "sync"):
                sync.pull(store, conn, server, images=args.images, progress=progress, report=report)
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(_summary(report))
    return 0


def _status(store: Any, url: str, as_json: bool) -> int:
    from workbench.core.errors import UserFacingError
    from workbench.core.team import sync
    from workbench.core.team.connection import connect, parse_url

    server, _ = parse_url(url)
    try:
        conn, server = connect(url, timeout=5)
    except UserFacingError as exc:
        conn, offline = None, exc.user_message
    else:
        offline = ""
    try:
        info = sync.status(store, conn, server)
    finally:
        if conn is not None:
            conn.close()
    if offline:
        info["offline"] = offline
    if as_json:
        print(json.dumps(info))
        return 0
    local = info["local"]
    print(f"team server: {info['server']} · {'online' if conn is not None else 'OFFLINE: ' + offline}")
    print(f"this machine: {info['machine']} · {local['requests']} requests, {local['unpushed_requests']} to push, "
          f"{local['changed_appeals']} changed appeals, {local['open_conflicts']} open conflicts")
    if "remote" in info:
        r = info["remote"]
        print(f"server: {r['requests']} requests from {r['machines']} machines, {r['appeals']} appeals, "
              f"{r['waiting_to_pull']} to pull")
    print(f"last push: {info['last_push_at'] or 'never'} · last pull: {info['last_pull_at'] or 'never'}")
    return 0


def _saved_url() -> str:
    from workbench.core.settings import load_settings

    url = load_settings().team_url
    if not url:
        raise BadInputError("no team server: give --url or run 'workbench team set-url URL'")
    return url


def _progress(what: str, count: int) -> None:
    print(f"{what}: {count}", file=sys.stderr, flush=True)


def _summary(report: Any) -> str:
    p, q = report.pushed, report.pulled
    lines = [f"team server {report.server}" + (" (cancelled)" if report.cancelled else ""),
             f"pushed: {p.requests} requests, {p.appeals} appeals, {p.tombstones} deletes, {p.images} images"
             + (f", {p.conflicts} conflicts" if p.conflicts else ""),
             f"pulled: {q.requests} requests, {q.appeals} appeals, {q.tombstones} deletes, {q.images} images"
             + (f", {q.conflicts} conflicts" if q.conflicts else "")]
    return "\n".join(lines)
