"""Counting the history into calibration: which findings passed or were blocked, per model family.

Tables (migration m140): `calibration_counts` (origin "history" = this history, else a
teammate's imported file) and `calibration_state` (the fingerprint the history counts were made
from, the reset point, imported files' dates).

What counts: a request the safety system judged (`ok` or blocked at any stage) on a real
provider. Never: Sandbox requests (provider `sandbox`), demo rows (source `demo`),
find-the-trigger probes (source `trigger`: fragments of one prompt, not independent draws) and
moderation-only probes. Each distinct (term, category) of the request's findings
(`request_findings`) gets one pass or one block on the family its provider and model choose
(`policy_profiles.family_for`).

Keeping current: the recorder calls `record_request` after each live outcome and the importer
`record_requests` after each batch of new log lines (a few small queries); anything else that
changes the history (purges, a replayed journal, a new policy profile, an imported entry's
prompt completed later) changes the fingerprint, and `load` then recounts (`recompute`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench.core.calibration.model import Counts, Key, Snapshot

HISTORY = "history"
JUDGED = ("ok", "blocked_input", "blocked_output", "blocked_unknown")
NOT_COUNTED_SOURCES = ("demo", "trigger")
NOT_COUNTED_PROVIDERS = ("sandbox",)

# The one definition of "this request is evidence" (alias r = requests).
COUNTED_SQL = (
    f"r.outcome IN ({', '.join(repr(o) for o in JUDGED)}) "
    f"AND coalesce(r.source, 'live') NOT IN ({', '.join(repr(s) for s in NOT_COUNTED_SOURCES)}) "
    f"AND coalesce(r.provider, '') NOT IN ({', '.join(repr(p) for p in NOT_COUNTED_PROVIDERS)}) "
    "AND r.endpoint != 'moderate' AND r.id > ?"
)
_COLUMNS = "origin, family, term, category, passes, blocks, blocks_input, blocks_output, block_categories, last_at"


def get_state(db: Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM calibration_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_state(db: Database, key: str, value: str) -> None:
    db.execute("INSERT INTO calibration_state (key, value) VALUES (?, ?) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])


def reset_after(db: Database) -> int:
    """Requests up to this id were forgotten by a reset (0 = never reset)."""
    try:
        return int(get_state(db, "reset_after", "0"))
    except ValueError:
        return 0


def _profiles_stamp() -> str:
    """Which profiles choose the families: a new or changed [match] means recount."""
    from workbench.core.screening.policy_profiles import profiles

    parts = sorted((p.id, p.models, p.providers, p.priority) for p in profiles().values())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def fingerprint(db: Database) -> str:
    """What the history's counts depend on: counted requests (how many, their ids), the reset
    point and the profiles' [match] tables. One scan of `requests`."""
    since = reset_after(db)
    n, total, top = db.execute(
        f"SELECT count(*), coalesce(sum(r.id), 0), coalesce(max(r.id), 0) FROM requests r WHERE {COUNTED_SQL}",
        [since]).fetchone()
    return f"{n}:{total}:{top}:{since}:{_profiles_stamp()}"


def _advanced(stamp: str, added: int, id_sum: int, id_max: int) -> str:
    """The fingerprint after `added` more counted requests (their ids' sum and max), without
    scanning the table."""
    try:
        n, total, top, rest = stamp.split(":", 3)
        return f"{int(n) + added}:{int(total) + id_sum}:{max(int(top), id_max)}:{rest}"
    except ValueError:
        return stamp  # unreadable: stays stale, the next load recounts


def is_fresh(db: Database) -> bool:
    return get_state(db, "fingerprint") == fingerprint(db)


class _Tally:
    """Mutable counts while counting; frozen into `Counts` at the end."""

    __slots__ = ("blocks", "by_category", "by_stage", "last_at", "passes")

    def __init__(self) -> None:
        self.passes = self.blocks = 0
        self.by_stage = {"input": 0, "output": 0}
        self.by_category: dict[str, int] = {}
        self.last_at = ""

    def add(self, outcome: str, stage: str | None, categories: Iterable[str], n: int, at: str) -> None:
        if outcome == "ok":
            self.passes += n
        else:
            self.blocks += n
            stage = stage or {"blocked_input": "input", "blocked_output": "output"}.get(outcome, "")
            if stage in self.by_stage:
                self.by_stage[stage] += n
            for name in categories:
                self.by_category[name] = self.by_category.get(name, 0) + n
        self.last_at = max(self.last_at, at or "")

    def counts(self) -> Counts:
        return Counts(self.passes, self.blocks, self.by_stage["input"], self.by_stage["output"], self.last_at,
                      tuple(sorted(self.by_category.items())))


def _categories(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return sorted({str(c) for c in value if isinstance(c, str) and c}) if isinstance(value, list) else []


class _Families:
    """(provider, model) → family, memoised (a history has few distinct pairs). One instance
    serves the incremental updates; `recompute` (which a changed profile [match] triggers,
    through the fingerprint) starts it afresh."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], str] = {}

    def __call__(self, provider: str, model: str) -> str:
        key = (provider, model)
        if key not in self._known:
            from workbench.core.screening.policy_profiles import family_for

            self._known[key] = family_for(provider or None, model or None)
        return self._known[key]


_families = _Families()

# Outcomes per (term, category, provider, model, outcome, stage, categories) of counted requests;
# `only` narrows it to some ids (an incremental update).
_TALLY_SQL = (
    "SELECT rf.term, rf.category, coalesce(r.provider, ''), coalesce(r.model, ''), r.outcome, r.stage, "
    "r.categories, count(*), max(r.created_at) FROM requests r "
    f"JOIN request_findings rf ON rf.request_id = r.id WHERE {COUNTED_SQL}{{only}} "
    "GROUP BY 1, 2, 3, 4, 5, 6, 7"
)
_CHUNK = 500  # ids per IN (...) list, well inside SQLite's variable limit


def _tally_into(tallies: dict[tuple[str, str, str], _Tally], families: _Families,
                rows: Iterable[tuple[Any, ...]]) -> None:
    for term, category, provider, model, outcome, stage, cats, n, at in rows:
        key = (families(provider, model), term, category)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = _Tally()
        tally.add(outcome, stage, _categories(cats), n, at)


def recompute(db: Database) -> int:
    """Recount the history's calibration from scratch (since the last reset); returns how many
    (family, term, category) keys it holds. Imported teammates' counts are left alone."""
    global _families
    families = _families = _Families()
    tallies: dict[tuple[str, str, str], _Tally] = {}
    with db.atomic():
        stamp = fingerprint(db)
        _tally_into(tallies, families, db.execute(_TALLY_SQL.format(only=""), [reset_after(db)]))
        db.execute("DELETE FROM calibration_counts WHERE origin = ?", [HISTORY])
        db.conn.executemany(
            f"INSERT INTO calibration_counts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row_values(HISTORY, *key, t.counts()) for key, t in tallies.items()])
        set_state(db, "fingerprint", stamp)
    return len(tallies)


def row_values(origin: str, family: str, term: str, category: str, c: Counts) -> tuple[Any, ...]:
    return (origin, family, term, category, c.passes, c.blocks, c.blocks_input, c.blocks_output,
            json.dumps(dict(c.block_categories), sort_keys=True), c.last_at)


def record_request(db: Database, request_id: int) -> dict[Key, Counts]:
    """Count one request that just got its outcome (the recorder, after each live request)."""
    return record_requests(db, [request_id])


def record_requests(db: Database, request_ids: Iterable[int]) -> dict[Key, Counts]:
    """Count requests that were just written with their outcomes (one live request, a batch of
    imported log lines); returns what was added per (term, category, family). Requests that are
    not evidence (Sandbox, demo, probes, errors, …) add nothing. Call once per request: the
    counts and the fingerprint advance by exactly these requests."""
    ids = sorted({int(i) for i in request_ids})
    tallies: dict[tuple[str, str, str], _Tally] = {}
    n = total = top = 0
    with db.atomic():
        since = reset_after(db)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            only = f" AND r.id IN ({', '.join('?' * len(chunk))})"
            count, id_sum, id_max = db.execute(
                f"SELECT count(*), coalesce(sum(r.id), 0), coalesce(max(r.id), 0) FROM requests r "
                f"WHERE {COUNTED_SQL}{only}", [since, *chunk]).fetchone()
            n, total, top = n + count, total + id_sum, max(top, id_max)
            if count:
                _tally_into(tallies, _families, db.execute(_TALLY_SQL.format(only=only), [since, *chunk]))
        if not n:
            return {}
        delta: dict[Key, Counts] = {}
        for (family, term, category), tally in tallies.items():
            add = tally.counts()
            old = db.execute(
                f"SELECT {_COLUMNS} FROM calibration_counts WHERE origin = ? AND family = ? AND term = ? "
                "AND category = ?", [HISTORY, family, term, category]).fetchone()
            db.execute(f"INSERT OR REPLACE INTO calibration_counts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       row_values(HISTORY, family, term, category, _counts(old).plus(add) if old else add))
            delta[(term, category, family)] = add
        stamp = get_state(db, "fingerprint")
        if stamp:
            set_state(db, "fingerprint", _advanced(stamp, n, total, top))
    return delta


def _counts(row: tuple[Any, ...]) -> Counts:
    try:
        cats = json.loads(row[8] or "{}")
    except ValueError:
        cats = {}
    by_category = tuple(sorted((str(k), int(v)) for k, v in cats.items())) if isinstance(cats, dict) else ()
    return Counts(int(row[4]), int(row[5]), int(row[6]), int(row[7]), str(row[9] or ""), by_category)


def stored(db: Database) -> list[tuple[str, str, str, str, Counts]]:
    """Every stored row: (origin, family, term, category, counts)."""
    return [(r[0], r[1], r[2], r[3], _counts(r)) for r in db.execute(
        f"SELECT {_COLUMNS} FROM calibration_counts ORDER BY family, term, category, origin")]


def snapshot(db: Database, source: str = "") -> Snapshot:
    """The counts of every origin, summed per (term, category, family)."""
    merged: dict[Key, Counts] = {}
    for _origin, family, term, category, counts in stored(db):
        key = (term, category, family)
        merged[key] = merged[key].plus(counts) if key in merged else counts
    return Snapshot(merged, source)


def load(db: Database, source: str = "", *, refresh: bool = True) -> Snapshot:
    """The snapshot, recounted first when the history changed behind the counts' back."""
    if refresh and not getattr(db, "read_only", False) and not is_fresh(db):
        recompute(db)
    return snapshot(db, source)


def reset(db: Database, *, imported: bool = True) -> int:
    """Forget what was learned: the history's counts (outcomes so far will not be counted
    again; new ones are) and, with `imported`, teammates' imported counts. Returns rows removed."""
    with db.atomic():
        top = db.execute("SELECT coalesce(max(id), 0) FROM requests").fetchone()[0]
        removed = db.execute("DELETE FROM calibration_counts" + ("" if imported else " WHERE origin = ?"),
                             [] if imported else [HISTORY]).rowcount
        if imported:
            db.execute("DELETE FROM calibration_state WHERE key LIKE 'import:%'")
        set_state(db, "reset_after", str(int(top)))
        set_state(db, "fingerprint", fingerprint(db))
    return int(removed)


def forget_reset(db: Database) -> None:
    """Count the whole history again on the next recompute (undo the reset point)."""
    with db.atomic():
        db.execute("DELETE FROM calibration_state WHERE key = 'reset_after'")


def recorded_severities(db: Database) -> dict[tuple[str, str], str]:
    """The severity each (term, category) was most often recorded with (a prior for the
    learned view when the term alone is not flagged)."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for term, category, severity, n in db.execute(
            "SELECT term, category, severity, count(*) FROM request_findings GROUP BY 1, 2, 3"):
        key = (term, category)
        if key not in best or n > best[key][0]:
            best[key] = (n, severity)
    return {key: severity for key, (_n, severity) in best.items()}


def describe(db: Database) -> dict[str, Any]:
    """What the counts are made of: origins and how many keys each, reset point, freshness."""
    origins = dict(db.execute("SELECT origin, count(*) FROM calibration_counts GROUP BY origin").fetchall())
    return {"origins": origins, "reset_after": reset_after(db), "fresh": is_fresh(db)}


def load_file(path: str | Path) -> Snapshot | None:
    """The snapshot of the history database at `path`, recounted when stale; None when there is
    no history there yet (nothing is created). Raises StoreError (damaged, locked, …)."""
    from workbench.core.store.db import open_history, translate_errors

    path = Path(path)
    if not path.exists():
        return None
    db = open_history(path)
    try:
        with translate_errors(path):
            return load(db, str(path))
    finally:
        db.close()
