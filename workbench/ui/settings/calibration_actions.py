"""Export, import and reset learned calibration from the desktop app (the dashboard's map).

Each action asks through the non-blocking dialogs (`ui.dialogs`), does its database work on a
worker thread with its own connection to the history, then reloads the editor's snapshot, so
the next keystroke already judges with the result. The same core functions as `workbench
calibration export|import|reset`.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QWidget

from workbench import paths
from workbench.ui import dialogs, messages

FILE_FILTER = "Calibration (*.json);;All files (*)"


def _on_history(fn, *args):
    """Run `fn(db, *args)` on a fresh connection to the history (worker thread)."""
    from workbench.core.store.db import open_history, translate_errors

    path = paths.history_db_path()
    db = open_history(path)
    try:
        with translate_errors(path):
            return fn(db, *args)
    finally:
        db.close()


def _export(db, target: Path) -> int:
    from workbench.core.calibration import exchange, history
    from workbench.core.io.files import atomic_write_text
    from workbench.core.store.timestamps import utc_now
    from workbench.core.team.ids import machine_id

    history.load(db, str(paths.history_db_path()))
    doc = exchange.document(db, machine_id(), utc_now())
    atomic_write_text(target, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return len(doc["counts"])


def _import(db, source: Path):
    from workbench.core.calibration import exchange
    from workbench.core.team.ids import machine_id

    return exchange.import_document(db, exchange.read(source), machine_id())


def _reset(db) -> int:
    from workbench.core.calibration import history

    return history.reset(db)


def rows_job() -> list:
    """What the map shows (recounted first when stale)."""
    from workbench.core.calibration import history, report

    def learned(db):
        snap = history.load(db, str(paths.history_db_path()))
        return report.learned(snap, recorded=history.recorded_severities(db))

    return _on_history(learned)


async def export_calibration(parent: QWidget, ops) -> Path | None:
    target = await dialogs.save_file(parent, "Export calibration", Path.home() / "calibration.json", FILE_FILTER)
    if target is None:
        return None
    with messages.handle_user_errors("Calibration was not exported"):
        n = await ops.run_in_worker(_on_history, _export, target)
        messages.info(f"Exported {n:,} calibration count(s) to {target}.")
        return target
    return None


async def import_calibration(parent: QWidget, ops):
    source = await dialogs.open_file(parent, "Import a teammate's calibration", Path.home(), FILE_FILTER)
    if source is None:
        return None
    with messages.handle_user_errors("Calibration was not imported (nothing changed)"):
        result = await ops.run_in_worker(_on_history, _import, source)
        note = f" ({result.skipped_own:,} row(s) learned here skipped)" if result.skipped_own else ""
        messages.info(f"Imported {result.rows:,} calibration count(s) from {len(result.origins)} teammate(s){note}.")
        await ops.judging.load_calibration()
        return result
    return None


async def reset_calibration(parent: QWidget, ops) -> int | None:
    if not await dialogs.confirm(
            parent, "Reset calibration?",
            "Forget what your history taught the verdict, including imported counts? Outcomes so far are "
            "not counted again; new ones are. Export first to keep a copy.", action="Reset", destructive=True):
        return None
    with messages.handle_user_errors("Calibration was not reset"):
        removed = await ops.run_in_worker(_on_history, _reset)
        messages.info(f"Calibration reset: {removed:,} count(s) forgotten.")
        await ops.judging.load_calibration()
        return removed
    return None
