"""`workbench serve [--host 127.0.0.1] [--port 8001]`: the history in Datasette, read-only.

Datasette opens the history file immutable (it never writes to it), with table and column
descriptions and canned queries; its JSON API (`/history/requests.json`) is there too. Needs
the optional `serve` extra (`pip install 'prompt-workbench[serve]'`). Stops with Ctrl+C.
"""

from __future__ import annotations

import argparse
import importlib.util
import json

from workbench.core.errors import BadInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="browse the history read-only in Datasette")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port (default 8001; 0 picks a free one)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench import paths
    from workbench.core.store.atomic import atomic_write_text
    from workbench.core.store.datasette_meta import metadata
    from workbench.core.store.history import HistoryStore

    if importlib.util.find_spec("datasette") is None:
        raise BadInputError("Datasette is not installed: pip install 'prompt-workbench[serve]'")
    with HistoryStore.open() as store:  # migrations applied, crash recovery done
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # immutable readers do not read the WAL
        db_path = store.path
    meta = paths.ensure(paths.cache_dir()) / "datasette-metadata.json"
    atomic_write_text(meta, json.dumps(metadata(db_path.stem), indent=1))
    from datasette.cli import cli as datasette_cli

    command = ["serve", "--immutable", str(db_path), "--metadata", str(meta),
               "--host", args.host, "--port", str(args.port), "--setting", "sql_time_limit_ms", "5000"]
    print(f"Datasette: the history read-only on http://{args.host}:{args.port}/ (Ctrl+C stops)", flush=True)
    try:  # in this process, so stopping `workbench serve` stops Datasette
        datasette_cli.main(args=command, prog_name="datasette", standalone_mode=False)
    except KeyboardInterrupt:
        pass
    return 0
