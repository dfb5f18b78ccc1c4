"""Sharing calibration as one file: export what this history learned, import a teammate's.

The file is JSON::

    {"format": "workbench-calibration", "version": 1, "exported_at": "2026-12-07T10:00:00Z",
     "origin": "<installation id>", "model": {"K": 8, "prior": {...}},
     "counts": [{"origin": "...", "family": "gpt-image-2", "term": "rifle", "category": "violence",
                 "passes": 14, "blocks": 1, "blocks_input": 1, "blocks_output": 0,
                 "block_categories": {"violence": 1}, "last_at": "2026-12-01T09:00:00Z"}, ...]}

Rows carry the installation they were learned on, so counts are never added twice: importing
skips rows learned here (they are this history), and a newer file from the same teammate
replaces that teammate's earlier import instead of adding to it. An import is validated
completely before anything is written, and is one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench.core.calibration import history
from workbench.core.calibration.model import HIGH_AT, MEDIUM_AT, PRIOR, Counts, K
from workbench.core.errors import BadInputError

FORMAT = "workbench-calibration"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
MAX_ERRORS = 5
_INTS = ("passes", "blocks", "blocks_input", "blocks_output")
_TEXTS = ("origin", "family", "term", "category")


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0  # rows written
    origins: list[str] = field(default_factory=list)  # teammates whose counts were (re)placed
    skipped_own: int = 0  # rows learned on this installation (already in this history)
    skipped_older: list[str] = field(default_factory=list)  # origins whose stored import is newer

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "origins": self.origins, "skipped_own": self.skipped_own,
                "skipped_older": self.skipped_older}


def document(db: Database, origin: str, exported_at: str) -> dict[str, Any]:
    """The export of every stored count (this history's rows named by `origin`)."""
    rows = []
    for row_origin, family, term, category, c in history.stored(db):
        rows.append({"origin": origin if row_origin == history.HISTORY else row_origin,
                     "family": family, "term": term, "category": category, **c.to_dict()})
    return {"format": FORMAT, "version": VERSION, "exported_at": exported_at, "origin": origin,
            "model": {"K": K, "prior": PRIOR, "high_at": HIGH_AT, "medium_at": MEDIUM_AT}, "counts": rows}


def read(path: Path) -> dict[str, Any]:
    """The parsed, validated file. Raises BadInputError naming what is wrong (and where)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BadInputError(f"calibration file {path} is {size:,} bytes; the limit is {MAX_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"calibration file {path} not found") from None
    except IsADirectoryError:
        raise BadInputError(f"{path} is a folder, not a calibration file") from None
    except UnicodeDecodeError:
        raise BadInputError(f"calibration file {path} is not UTF-8 text (is it the right file?)") from None
    except OSError as exc:
        raise BadInputError(f"cannot read calibration file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadInputError(f"calibration file {path} is not valid JSON ({exc})") from None
    return validate(data, str(path))


def validate(data: Any, where: str = "calibration file") -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadInputError(f"{where} is not a workbench calibration file (expected \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BadInputError(f"{where}: \"version\" must be a whole number")
    if version > VERSION:
        raise BadInputError(f"{where} was written by a newer workbench (version {version}; this one reads "
                            f"{VERSION}); upgrade to import it")
    for key in ("exported_at", "origin"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise BadInputError(f"{where}: \"{key}\" must be non-empty text")
    counts = data.get("counts")
    if not isinstance(counts, list):
        raise BadInputError(f"{where}: \"counts\" must be a list")
    errors: list[str] = []
    seen: set[tuple[str, str, str, str]] = set()
    for index, row in enumerate(counts, 1):
        problem = _row_problem(row)
        if problem is None:
            row_key = (row["origin"], row["family"], row["term"].strip().lower(), row["category"])
            if row_key in seen:
                problem = "the same origin, family, term and category appear twice"
            seen.add(row_key)
        if problem:
            errors.append(f"row {index}: {problem}")
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise BadInputError(f"{where} has bad rows, nothing was imported: " + "; ".join(errors))
    return data


def _row_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return "not an object"
    for key in _TEXTS:
        if not isinstance(row.get(key), str) or not row[key].strip():
            return f"\"{key}\" must be non-empty text"
    for key in _INTS:
        value = row.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"\"{key}\" must be a whole number ≥ 0, not {value!r}"
    if row.get("blocks_input", 0) + row.get("blocks_output", 0) > row.get("blocks", 0):
        return "blocks_input + blocks_output is more than blocks"
    cats = row.get("block_categories", {})
    if not isinstance(cats, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in cats.items()):
        return "\"block_categories\" must map category names to whole numbers ≥ 0"
    if not isinstance(row.get("last_at", ""), str):
        return "\"last_at\" must be text"
    return None


def import_document(db: Database, data: dict[str, Any], own_origin: str) -> ImportReport:
    """Write a validated document: per teammate origin, replace their earlier import (unless it
    is newer than this file); rows learned on this installation are skipped."""
    report = ImportReport()
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for row in data["counts"]:
        if row["origin"] == own_origin:
            report.skipped_own += 1
            continue
        by_origin.setdefault(row["origin"], []).append(row)
    exported_at = data["exported_at"]
    with db.atomic():
        for origin, rows in sorted(by_origin.items()):
            stored_at = history.get_state(db, f"import:{origin}")
            if stored_at and stored_at > exported_at:
                report.skipped_older.append(origin)
                continue
            db.execute("DELETE FROM calibration_counts WHERE origin = ?", [origin])
            db.conn.executemany(
                "INSERT INTO calibration_counts (origin, family, term, category, passes, blocks, blocks_input, "
                "blocks_output, block_categories, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [history.row_values(origin, r["family"], r["term"].strip().lower(), r["category"], _counts(r))
                 for r in rows])
            history.set_state(db, f"import:{origin}", exported_at)
            report.origins.append(origin)
            report.rows += len(rows)
    return report


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(row.get("passes", 0), row.get("blocks", 0), row.get("blocks_input", 0),
                  row.get("blocks_output", 0), row.get("last_at", ""),
                  tuple(sorted(row.get("block_categories", {}).items())))
