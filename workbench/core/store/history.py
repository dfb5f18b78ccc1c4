"""The history store: every image request, written before the call and completed after.

Usage (the app, the CLI and importers all go through this class)::

    store = HistoryStore.open()                      # migrations + crash recovery
    rid = store.begin_request(prompt, params, profile="OpenAI", base_url=url,
                              findings=scan.findings, moderation_scores=scores)
    result = await client.generate(...)              # GenerationResult
    store.complete_request(rid, result)
    page = store.search("knight", HistoryFilter(outcomes=("blocked_input",)))

Nothing secret is stored: every text goes through `scrub` (API-key shapes, credential fields,
known secrets registered with `add_secret`), and base URLs lose user-info and key parameters.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import paths
from workbench.core.api.error_parsing import keep_masked
from workbench.core.api.records import (
    OUTCOMES,
    ErrorRecord,
    GenerationResult,
    ImageData,
    ImageParams,
)
from workbench.core.errors import BadInputError, StoreError
from workbench.core.io.textinput import clean_surrogates
from workbench.core.store import journal, maintenance
from workbench.core.store.db import open_history, translate_errors
from workbench.core.store.images import ImageFiles, StoredFile, png_metadata
from workbench.core.store.migrations import finding_rows
from workbench.core.store.models import (
    BLOCKED_OUTCOMES,
    HistoryEntry,
    HistoryFilter,
    HistorySummary,
    ImportOutcome,
    IntegrityReport,
    Page,
    StoredImage,
    dumps,
    loads,
)
from workbench.core.store.promptkey import prompt_key, prompt_sha256
from workbench.core.store.query import fts_query, where_clause
from workbench.core.store.scrub import clean_base_url, scrub_text, scrub_value
from workbench.core.store.timestamps import utc_now
from workbench.core.team.ids import machine_id, uuid7

SUMMARY_COLUMNS = (
    "r.id, r.created_at, r.outcome, substr(r.prompt, 1, 300), r.model, r.profile, r.stage, "
    "r.categories, r.error_code, r.http_status, json_extract(r.request_ids, '$[0]'), "
    "r.parent_id, r.source, r.actual_cost, r.latency_ms, r.redacted, r.review_state"
)
FINAL_OUTCOMES = tuple(o for o in OUTCOMES if o != "pending")
MAX_LINEAGE_DEPTH = 1000


@dataclass
class LineageNode:
    """A request in a rewrite chain: depth < 0 ancestors, 0 the request, > 0 rewrites of it."""

    depth: int
    summary: HistorySummary


def this_owner() -> str:
    """Who is writing a pending row: host and process id (used by crash recovery)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class HistoryStore:
    """Records, finds and maintains requests in the history database."""

    def __init__(self, db: Database, *, images_root: Path | None = None, path: Path | None = None,
                 secrets: Iterable[str] = (), journal_dir: Path | None = None) -> None:
        self.db = db
        self.path = path
        self.files = ImageFiles(images_root if images_root is not None else paths.images_dir())
        self.journal_dir = journal_dir if journal_dir is not None else paths.journal_dir()
        self._secrets: list[str] = [s for s in secrets if s]
        # Said once when the store opened (a 0-byte file set aside, opened read-only, replayed).
        self.warnings: list[str] = list(getattr(db, "open_warnings", ()))
        self.read_only = bool(getattr(db, "read_only", False))

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, images_root: Path | None = None,
             recover: bool = True, busy_timeout_ms: int = 5000, secrets: Iterable[str] = ()) -> HistoryStore:
        """Open the history (default: `paths.history_db_path()`), migrating it.

        With `recover`, rows left `pending` by a process that no longer runs become
        `interrupted` (see `mark_interrupted`).

        Raises:
            StoreError: damaged, locked, unwritable or newer-version database.
        """
        db_path = Path(path) if path is not None else paths.history_db_path()
        db = open_history(db_path, busy_timeout_ms=busy_timeout_ms)
        store = cls(db, images_root=images_root, path=db_path, secrets=secrets)
        if recover and not store.read_only:
            try:
                replayed = store.replay_journal()
                store.mark_interrupted()
            except StoreError:
                db.close()
                raise
            if replayed:
                store.warnings.append(f"recorded {replayed} completed request(s) that could not be "
                                      "recorded earlier (from the journal)")
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[HistoryStore]:
        """Group many writes into one commit (imports, demo data); nested calls are savepoints."""
        with translate_errors(self.path), self.db.atomic():
            yield self

    @property
    def known_secrets(self) -> tuple[str, ...]:
        return tuple(self._secrets)

    def add_secret(self, value: str | None) -> None:
        """Register a secret (e.g. the active API key) that must never be written verbatim."""
        if value and value not in self._secrets:
            self._secrets.append(value)

    def scrub(self, text: str | None) -> str | None:
        """Text with secrets removed (key shapes and the secrets registered here)."""
        return scrub_text(text, self._secrets)

    # -- recording -------------------------------------------------------------------------

    def begin_request(
        self,
        prompt: str,
        params: ImageParams | Mapping[str, Any] | None = None,
        *,
        profile: str | None = None,
        provider: str | None = None,
        base_url: str | None = None,
        endpoint: str = "generate",
        findings: Sequence[Any] = (),
        verdict: str | None = None,
        moderation_scores: Mapping[str, Any] | None = None,
        parent_id: int | None = None,
        estimated_cost: float | None = None,
        reference_images: Sequence[bytes | ImageData] = (),
        mask: bytes | ImageData | None = None,
        notes: str = "",
        source: str = "live",
    ) -> int:
        """Write the `pending` row for a request about to be sent; returns its id.

        Call this BEFORE the network call, so a crash during the call still leaves a record.
        `findings` are screening `Finding` objects (or their dicts); `moderation_scores` the
        Moderations result or a category→score mapping.
        """
        row = self._request_row(prompt, params, profile=profile, provider=provider, base_url=base_url,
                                endpoint=endpoint, findings=findings, verdict=verdict,
                                moderation_scores=moderation_scores, parent_id=parent_id,
                                estimated_cost=estimated_cost, notes=notes)
        row.update(created_at=utc_now(), outcome="pending", owner=this_owner(), source=source)
        with translate_errors(self.path), self.db.atomic():
            request_id = self._insert(row)
            for position, image in enumerate(reference_images):
                self._add_image(request_id, image, role="reference", position=position)
            if mask is not None:
                self._add_image(request_id, mask, role="mask", position=0)
        return request_id

    def complete_request(self, request_id: int, result: GenerationResult,
                         stored: Sequence[StoredFile | None] = ()) -> None:
        """Record the outcome of a request started with `begin_request` (images included).

        `stored[i]`, when given, is the already-written file of the i-th final image.
        """
        if result.outcome not in FINAL_OUTCOMES:
            raise ValueError(f"cannot complete a request with outcome {result.outcome!r}")
        with translate_errors(self.path):
            current = self.db.execute(
                "SELECT request_ids, prompt, params_json, created_at, estimated_cost FROM requests WHERE id = ?",
                [request_id],
            ).fetchone()
            if current is None:
                raise StoreError(f"history has no request #{request_id}")
            ids_json, prompt, params_json, created_at, estimated = current
            fields = self._result_fields(result, loads(ids_json, []), estimated)
            meta = png_metadata(prompt, loads(params_json, {}), {
                "history_id": request_id, "created_at": created_at, "request_ids": loads(fields["request_ids"], []),
            })
            finals = [img for img in result.images if img.partial_index is None]
            files = []
            for i in range(max(len(finals), len(stored))):
                file = stored[i] if i < len(stored) else None
                if file is None and i < len(finals):
                    file = self.files.put(finals[i].data, finals[i].format, meta)
                if file is not None:
                    files.append(file)
            with self.db.atomic():
                self.db.table("requests").update(request_id, _storable(fields))
                self.db.execute("DELETE FROM images WHERE request_id = ? AND role = 'output'", [request_id])
                for position, file in enumerate(files):
                    self._image_row(request_id, file, role="output", position=position)

    def finish_request(self, request_id: int, result: GenerationResult, *,
                       delivered: Sequence[str | Path] = ()) -> str | None:
        """Complete a live request so that nothing paid for is lost; None when recorded.

        Order: the output images go to the images folder (the gallery's), a journal entry is
        written (naming those files and `delivered`, copies the caller already wrote, e.g.
        `--out`), then the row is completed and the entry removed. When completing fails, the
        entry stays for the next open, and the reason is returned ("saved, not recorded").
        """
        finals = [img for img in result.images if img.partial_index is None]
        stored, problems = self._store_outputs(request_id, result, finals)
        images = []
        for i, image in enumerate(finals):
            file = stored[i]
            source = str(delivered[i]) if i < len(delivered) else None
            images.append({"relpath": file.relpath if file else None, "sha256": file.sha256 if file else None,
                           "format": image.format, "width": image.width, "height": image.height,
                           "bytes": len(image.data), "source": source})
        entry = None
        if self.path is not None:
            try:
                entry = journal.write(self.journal_dir, db=self.path, history_id=request_id,
                                      result=self._scrubbed(result), images=images)
            except BadInputError as exc:
                problems.append(f"the journal could not be written either ({exc.user_message})")
        try:
            self.complete_request(request_id, result, stored)
        except StoreError as exc:
            where = f"; it is kept in {entry} and recorded when history next opens" if entry else ""
            result.journal = str(entry) if entry else None
            return "; ".join([exc.user_message + where, *problems])
        if entry is not None:
            journal.remove(entry)
        return None

    def replay_journal(self) -> int:
        """Record the journal's completed requests for this database; returns how many.

        An entry whose row was since deleted is set aside (renamed), never lost. An entry that
        still cannot be recorded (the database locked) stays for the next time.
        """
        if self.path is None:
            return 0
        done = 0
        for entry in journal.entries(self.journal_dir, self.path):
            row = self.db.execute("SELECT outcome FROM requests WHERE id = ?", [entry.history_id]).fetchone()
            if row is None:
                journal.set_aside(entry.path)
                continue
            if row[0] in ("pending", "interrupted"):
                stored = [self._journal_image(entry.history_id, image, entry.result) for image in entry.images]
                try:
                    self.complete_request(entry.history_id, entry.result, stored)
                except StoreError:
                    return done  # still locked or full: the entries wait for the next open
                done += 1
            journal.remove(entry.path)
        return done

    def _store_outputs(self, request_id: int, result: GenerationResult,
                       finals: list[ImageData]) -> tuple[list[StoredFile | None], list[str]]:
        meta = self._metadata_for(request_id, result)
        stored: list[StoredFile | None] = []
        problems: list[str] = []
        for image in finals:
            try:
                stored.append(self.files.put(image.data, image.format, meta))
            except StoreError as exc:
                stored.append(None)
                problems.append(exc.user_message)
        return stored, problems

    def _metadata_for(self, request_id: int, result: GenerationResult | None = None) -> dict[str, str] | None:
        """PNG text for an output image (the same as `complete_request` writes); None when the
        row cannot even be read."""
        try:
            with translate_errors(self.path):
                row = self.db.execute("SELECT prompt, params_json, created_at, request_ids FROM requests "
                                      "WHERE id = ?", [request_id]).fetchone()
        except StoreError:
            return None
        if row is None:
            return None
        err = result.error if result is not None else None
        ids = _merge_ids(loads(row[3], []), result.request_ids if result else [], err.request_ids if err else [])
        return png_metadata(row[0], loads(row[1], {}), {
            "history_id": request_id, "created_at": row[2], "request_ids": ids})

    def _journal_image(self, request_id: int, image: dict[str, Any], result: GenerationResult) -> StoredFile | None:
        """The stored file a journal entry names, re-stored from the delivered copy if it is gone."""
        relpath = image.get("relpath")
        if relpath and self.files.path(relpath).is_file():
            return StoredFile(image.get("sha256") or "", image.get("format") or "png", relpath,
                              int(image.get("bytes") or 0), image.get("width"), image.get("height"))
        try:
            data = Path(image["source"]).read_bytes() if image.get("source") else None
        except OSError:
            data = None
        if data is None:
            return None  # neither copy survives: the row is still completed, without this image
        return self.files.put(data, image.get("format"), self._metadata_for(request_id, result))

    def _scrubbed(self, result: GenerationResult) -> GenerationResult:
        if result.error is None:
            return result
        import copy

        clean = copy.copy(result)
        clean.error = copy.copy(result.error)
        clean.error.message = self.scrub(result.error.message) or ""
        clean.error.raw_body = self.scrub(result.error.raw_body) or ""
        return clean

    def record_completed(
        self,
        prompt: str,
        params: ImageParams | Mapping[str, Any] | None = None,
        *,
        outcome: str,
        error: ErrorRecord | None = None,
        created_at: str | None = None,
        request_ids: Sequence[str] = (),
        http_status: int | None = None,
        latency_ms: float | None = None,
        usage: Mapping[str, Any] | None = None,
        actual_cost: float | None = None,
        profile: str | None = None,
        provider: str | None = None,
        base_url: str | None = None,
        endpoint: str = "generate",
        findings: Sequence[Any] = (),
        parent_id: int | None = None,
        source: str = "import",
        source_detail: str | None = None,
        import_key: str | None = None,
        notes: str = "",
    ) -> ImportOutcome:
        """Write a finished request that was not made live (imported logs, pasted errors, demo).

        A row whose `import_key` is already present is skipped (`duplicate=True`), so
        importing the same log twice adds nothing.
        """
        row = self._completed_row(
            prompt, params, outcome=outcome, error=error, created_at=created_at, request_ids=request_ids,
            http_status=http_status, latency_ms=latency_ms, usage=usage, actual_cost=actual_cost, profile=profile,
            provider=provider, base_url=base_url, endpoint=endpoint, findings=findings, parent_id=parent_id,
            source=source, source_detail=source_detail, import_key=import_key, notes=notes)
        with translate_errors(self.path), self.db.atomic():
            if import_key and self.db.execute(
                    "SELECT 1 FROM requests WHERE import_key = ?", [import_key]).fetchone():
                return ImportOutcome(None, duplicate=True)
            return ImportOutcome(self._insert(row))

    def record_completed_many(self, rows: Sequence[Mapping[str, Any]]) -> list[ImportOutcome]:
        """`record_completed` for a batch (keyword dicts), in one transaction: one duplicate query
        per batch instead of one per row (a million-line import)."""
        prepared = [self._completed_row(**row) for row in rows]
        keys = [row["import_key"] for row in prepared if row.get("import_key")]
        outcomes: list[ImportOutcome] = []
        with translate_errors(self.path), self.db.atomic():
            present = self.present_import_keys(keys)
            for row in prepared:
                key = row.get("import_key")
                if key and key in present:
                    outcomes.append(ImportOutcome(None, duplicate=True))
                    continue
                if key:
                    present.add(key)
                outcomes.append(ImportOutcome(self._insert(row)))
        return outcomes

    def present_import_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these import keys are already in the history (rows a new import skips)."""
        wanted = list(keys)
        present: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            present.update(key for (key,) in self.db.execute(
                f"SELECT import_key FROM requests WHERE import_key IN ({', '.join('?' * len(chunk))})", chunk))
        return present

    def _completed_row(self, prompt: str, params: ImageParams | Mapping[str, Any] | None = None, *, outcome: str,
                       error: ErrorRecord | None = None, created_at: str | None = None,
                       request_ids: Sequence[str] = (), http_status: int | None = None,
                       latency_ms: float | None = None, usage: Mapping[str, Any] | None = None,
                       actual_cost: float | None = None, profile: str | None = None, provider: str | None = None,
                       base_url: str | None = None, endpoint: str = "generate", findings: Sequence[Any] = (),
                       parent_id: int | None = None, source: str = "import", source_detail: str | None = None,
                       import_key: str | None = None, notes: str = "") -> dict[str, Any]:
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        row = self._request_row(prompt, params, profile=profile, provider=provider, base_url=base_url,
                                endpoint=endpoint, findings=findings, verdict=None, moderation_scores=None,
                                parent_id=parent_id, estimated_cost=None, notes=notes)
        usage = dict(usage or {})
        result = GenerationResult(outcome=outcome, latency_ms=latency_ms, actual_cost=actual_cost,
                                  request_ids=list(request_ids), http_status=http_status, error=error)
        row.update(self._result_fields(result, [], None))
        for key in ("input_tokens", "output_tokens", "total_tokens"):
            if usage.get(key) is not None:
                row[key] = usage[key]
        row.update(created_at=created_at or utc_now(), source=source, source_detail=source_detail,
                   import_key=import_key)
        row["completed_at"] = row["created_at"]
        return row

    def mark_interrupted(self, *, include_live: bool = False, stale_hours: float = 24.0) -> int:
        """Turn `pending` rows whose writer died into `interrupted`; returns how many.

        A row is abandoned when the process that wrote it (same host) is gone, when it has no
        owner, or when it is older than `stale_hours` (a writer on another host). Rows of
        running processes are left alone, so a CLI command never interrupts the GUI's call.
        `include_live=True` also takes rows of other running processes (never this one's).
        """
        host = socket.gethostname()
        me = os.getpid()
        with translate_errors(self.path):
            rows = self.db.execute(
                "SELECT id, owner, created_at FROM requests WHERE outcome = 'pending'").fetchall()
            if not rows:
                return 0
            limit = maintenance.hours_ago(stale_hours)
            abandoned = []
            for request_id, owner, created_at in rows:
                owner_host, _, pid_text = (owner or "").rpartition(":")
                pid = int(pid_text) if pid_text.isdigit() else None
                if owner_host == host and pid == me:
                    continue
                stale = (created_at or "") < limit
                if pid is None or include_live or stale or owner_host == host and not process_alive(pid):
                    abandoned.append(request_id)
            if abandoned:
                with self.db.atomic():
                    self.db.execute(
                        f"UPDATE requests SET outcome = 'interrupted' WHERE outcome = 'pending' "
                        f"AND id IN ({', '.join('?' for _ in abandoned)})", abandoned)
            return len(abandoned)

    def set_notes(self, request_id: int, notes: str) -> None:
        with translate_errors(self.path):
            self._require(request_id)
            self.db.table("requests").update(request_id, {"notes": self.scrub(notes) or ""})

    # -- reading ---------------------------------------------------------------------------

    def get(self, request_id: int) -> HistoryEntry:
        """One request with everything stored about it, images included."""
        with translate_errors(self.path):
            cursor = self.db.execute("SELECT * FROM requests WHERE id = ?", [int(request_id)])
            values = cursor.fetchone()
            if values is None:
                raise BadInputError(f"history has no request #{request_id}")
            row = dict(zip([d[0] for d in cursor.description], values, strict=True))
            entry = self._entry(row, self.images(int(request_id)))
            entry.reviews = [dict(zip(("image_position", "state", "reviewer", "note", "created_at"), r, strict=True))
                             for r in self.db.execute(
                                 "SELECT image_position, state, reviewer, note, created_at FROM reviews "
                                 "WHERE request_id = ? ORDER BY id", [int(request_id)]).fetchall()]
            return entry

    def images(self, request_id: int) -> list[StoredImage]:
        with translate_errors(self.path):
            rows = self.db.execute(
                "SELECT id, request_id, role, position, sha256, format, width, height, bytes, path "
                "FROM images WHERE request_id = ? ORDER BY role, position, id", [request_id]).fetchall()
        return [StoredImage(id_, rid, role, position, sha256, fmt, width, height, size, str(self.files.path(path)))
                for id_, rid, role, position, sha256, fmt, width, height, size, path in rows]

    def first_output_images(self, request_ids: Sequence[int]) -> dict[int, str]:
        """The first output image file of each request that has one (one query per page of rows)."""
        ids = [int(i) for i in request_ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with translate_errors(self.path):
            rows = self.db.execute(
                f"SELECT request_id, path FROM images WHERE role = 'output' AND request_id IN ({marks}) "
                "ORDER BY request_id, position DESC, id DESC", ids).fetchall()
        # ordered so the lowest position comes last and wins
        return {int(request_id): str(self.files.path(relpath)) for request_id, relpath in rows}

    def search(self, query: str = "", flt: HistoryFilter | None = None, *, limit: int = 50,
               offset: int = 0, before: tuple[str, int] | None = None, order: str = "newest") -> Page:
        """Full-text search (prompt, error message, notes, request IDs) plus filters, paged.

        Args:
            query: what the user typed; words are prefix-matched, "quotes" make phrases.
            flt: filters (outcome, category, stage, profile, model, dates, source).
            limit, offset: page size and start (offset paging).
            before: keyset cursor `(created_at, id)` from `Page.next_before`; faster than deep
                offsets at 100,000 rows.
            order: "newest" (default) or "relevance" (only with a query).
        """
        limit = max(1, min(int(limit), 10_000))
        match = fts_query(query)
        if order == "relevance" and match:
            where, params = self._where("", flt, None)
            sql = (f"SELECT {SUMMARY_COLUMNS} FROM requests_fts JOIN requests r ON r.id = requests_fts.rowid "
                   f"WHERE requests_fts MATCH ?{' AND ' + where if where else ''} "
                   "ORDER BY bm25(requests_fts, 10.0, 3.0, 2.0, 1.0), r.id DESC LIMIT ? OFFSET ?")
            args = [match, *params, limit, int(offset)]
        else:
            where, params = self._where(query, flt, before)
            sql = (f"SELECT {SUMMARY_COLUMNS} FROM requests r{self._newest_first_hint(match)}"
                   f"{' WHERE ' + where if where else ''} "
                   "ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?")
            args = [*params, limit, int(offset)]
        with translate_errors(self.path):
            rows = [self._summary(row) for row in self.db.execute(sql, args).fetchall()]
        cursor = (rows[-1].created_at, rows[-1].id) if len(rows) == limit and order != "relevance" else None
        return Page(rows=rows, limit=limit, offset=int(offset), next_before=cursor)

    # Above this many full-text matches, walking the date index newest-first and stopping at the
    # page is far cheaper than fetching and sorting every match (1M rows: 75 ms → 8 ms); below
    # it, the opposite holds (a rare word would walk the whole index).
    WALK_INDEX_ABOVE = 2_000

    def _newest_first_hint(self, match: str | None) -> str:
        if not match:
            return ""
        with translate_errors(self.path):
            hits = self.db.execute(
                "SELECT count(*) FROM requests_fts WHERE requests_fts MATCH ?", [match]).fetchone()[0]
        return " INDEXED BY idx_requests_created_at" if hits > self.WALK_INDEX_ABOVE else ""

    def count(self, query: str = "", flt: HistoryFilter | None = None) -> int:
        where, params = self._where(query, flt, None)
        with translate_errors(self.path):
            return int(self.db.execute(
                f"SELECT count(*) FROM requests r{' WHERE ' + where if where else ''}", params).fetchone()[0])

    def _where(self, query: str, flt: HistoryFilter | None, before: tuple[str, int] | None) -> tuple[str, list[Any]]:
        where, params = where_clause(flt, "r")
        clauses = [where] if where else []
        match = fts_query(query)
        if match:
            clauses.append("r.id IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)")
            params.append(match)
        if before is not None:
            # A row-value comparison lets SQLite seek in the created_at index (an OR would scan it).
            clauses.append("(r.created_at, r.id) < (?, ?)")
            params.extend([before[0], int(before[1])])
        return " AND ".join(clauses), params

    def lineage(self, request_id: int) -> list[LineageNode]:
        """The rewrite chain through a request: ancestors, the request, then its rewrites."""
        up = (
            "WITH RECURSIVE chain(id, parent_id, depth) AS ("
            " SELECT id, parent_id, 0 FROM requests WHERE id = ?"
            " UNION ALL SELECT r.id, r.parent_id, chain.depth - 1 FROM requests r"
            f" JOIN chain ON r.id = chain.parent_id WHERE chain.depth > -{MAX_LINEAGE_DEPTH})"
            " SELECT id, depth FROM chain"
        )
        down = (
            "WITH RECURSIVE chain(id, depth) AS ("
            " SELECT id, 0 FROM requests WHERE id = ?"
            " UNION ALL SELECT r.id, chain.depth + 1 FROM requests r"
            f" JOIN chain ON r.parent_id = chain.id WHERE chain.depth < {MAX_LINEAGE_DEPTH})"
            " SELECT id, depth FROM chain WHERE depth > 0"
        )
        with translate_errors(self.path):
            depths = dict(self.db.execute(up, [request_id]).fetchall())
            if not depths:
                raise BadInputError(f"history has no request #{request_id}")
            depths.update(self.db.execute(down, [request_id]).fetchall())
            summaries = self._summaries(list(depths))
        nodes = [LineageNode(depths[s.id], s) for s in summaries]
        return sorted(nodes, key=lambda n: (n.depth, n.summary.created_at, n.summary.id))

    def same_prompt(self, key: str) -> list[HistoryEntry]:
        """Every request whose normalised prompt has this key, oldest first (no images)."""
        with translate_errors(self.path):
            cursor = self.db.execute(
                "SELECT * FROM requests WHERE prompt_key = ? ORDER BY created_at, id", [key])
            names = [d[0] for d in cursor.description]
            return [self._entry(dict(zip(names, values, strict=True)), []) for values in cursor.fetchall()]

    def _summaries(self, ids: list[int]) -> list[HistorySummary]:
        if not ids:
            return []
        sql = f"SELECT {SUMMARY_COLUMNS} FROM requests r WHERE r.id IN ({', '.join('?' for _ in ids)})"
        return [self._summary(row) for row in self.db.execute(sql, ids).fetchall()]

    # -- maintenance -----------------------------------------------------------------------

    def backup(self, destination: Path | str) -> Path:
        """Copy the database with `VACUUM INTO` (consistent while in use); returns the file."""
        return maintenance.backup(self, Path(destination))

    def purge(self, flt: HistoryFilter | None = None, *, older_than_hours: float | None = None,
              everything: bool = False, include_appealed: bool = False, dry_run: bool = False) -> int:
        """Delete requests (and their unshared image files); returns how many (would be) deleted."""
        return maintenance.purge(self, flt, older_than_hours=older_than_hours, everything=everything,
                                 include_appealed=include_appealed, dry_run=dry_run)

    def redact(self, ids: Iterable[int]) -> int:
        """Replace prompts of these requests, their echoes and image metadata; returns rows changed."""
        return maintenance.redact(self, list(ids))

    def integrity_check(self, *, verify_images: bool = True) -> IntegrityReport:
        return maintenance.integrity_check(self, verify_images=verify_images)

    @staticmethod
    def rebuild_fts(path: Path | str | None = None) -> str:
        """Rebuild (or, if damaged, recreate) the search index; returns what was done."""
        return maintenance.rebuild_fts(Path(path) if path is not None else paths.history_db_path())

    # -- rows ------------------------------------------------------------------------------

    def _request_row(self, prompt: str, params: ImageParams | Mapping[str, Any] | None, *,
                     profile: str | None, provider: str | None, base_url: str | None, endpoint: str,
                     findings: Sequence[Any], verdict: str | None, moderation_scores: Mapping[str, Any] | None,
                     parent_id: int | None, estimated_cost: float | None, notes: str) -> dict[str, Any]:
        if not isinstance(prompt, str):
            raise BadInputError("the prompt must be text")
        prompt = self.scrub(prompt) or ""
        param_dict = _params_dict(params)
        param_dict = scrub_value(param_dict, self._secrets)
        finding_dicts = [_finding_dict(f) for f in findings]
        return {
            "prompt": prompt,
            "prompt_sha256": prompt_sha256(prompt),
            "prompt_key": prompt_key(prompt),
            "model": _text(param_dict.get("model")),
            "size": _text(param_dict.get("size")),
            "quality": _text(param_dict.get("quality")),
            "moderation": _text(param_dict.get("moderation")),
            "params_json": dumps(param_dict),
            "profile": profile,
            "provider": provider,
            "base_url": self.scrub(clean_base_url(base_url)),
            "endpoint": endpoint,
            "findings_json": dumps(scrub_value(finding_dicts, self._secrets)),
            "verdict": verdict or _verdict(finding_dicts),
            "moderation_json": dumps(scrub_value(dict(moderation_scores), self._secrets))
            if moderation_scores is not None else None,
            "parent_id": parent_id,
            "estimated_cost": estimated_cost,
            "notes": self.scrub(notes) or "",
        }

    def _result_fields(self, result: GenerationResult, known_ids: list[str], estimated: float | None) -> dict[str, Any]:
        err = result.error
        ids = _merge_ids(known_ids, result.request_ids, err.request_ids if err else [])
        usage = result.usage
        fields: dict[str, Any] = {
            "outcome": result.outcome,
            "completed_at": utc_now(),
            "http_status": result.http_status if result.http_status is not None else (err.http_status if err else None),
            "latency_ms": result.latency_ms,
            "actual_cost": result.actual_cost,
            "estimated_cost": result.estimated_cost if result.estimated_cost is not None else estimated,
            "retries": int(result.retries or 0),
            "request_ids": dumps(ids),
            "input_tokens": usage.input_tokens if usage else None,
            "output_tokens": usage.output_tokens if usage else None,
            "total_tokens": usage.total_tokens if usage else None,
        }
        if err is not None:
            blocked = err.is_block or result.outcome in BLOCKED_OUTCOMES
            fields.update(
                error_kind=err.kind,
                error_type=err.type,
                error_code=err.code,
                error_message=self.scrub(err.message),
                raw_body=keep_masked(err.raw_body, self.scrub),  # masked keys are not secrets
                stage=err.stage if blocked else None,
                categories=dumps(list(err.categories)),
                safety_violations=dumps(list(err.safety_violations)),
                error_param=getattr(err, "param", None),
                error_details=dumps(scrub_value(_details(err, result), self._secrets)),
                request_id_sources=dumps(dict(getattr(err, "request_id_sources", {}) or {})),
            )
            if result.outcome == "blocked_input" and err.stage == "unknown":
                fields["stage"] = "input"
            elif result.outcome == "blocked_output" and err.stage == "unknown":
                fields["stage"] = "output"
            if err.provider and err.provider != "unknown":
                fields["provider"] = err.provider
        elif len(getattr(result, "attempts", ())) > 1:  # a success after retries: keep each attempt
            fields["error_details"] = dumps(scrub_value(_details(None, result), self._secrets))
        if getattr(result, "model", None):
            fields["result_model"] = result.model
        return fields

    def _insert(self, row: dict[str, Any]) -> int:
        row.setdefault("gid", uuid7())  # the request's id across machines (team sync)
        row.setdefault("origin", machine_id())
        # Plain parameterised SQL: sqlite-utils' insert() rebuilds its query for every row, which
        # dominated a million-line import.
        clean = _storable(row)
        columns = ", ".join(f"[{name}]" for name in clean)
        cursor = self.db.execute(f"INSERT INTO requests ({columns}) VALUES ({', '.join('?' * len(clean))})",
                                 list(clean.values()))
        if cursor.lastrowid is None:  # an INSERT always sets it; like int(None), refuse loudly
            raise TypeError("INSERT INTO requests left no rowid")
        request_id = cursor.lastrowid
        self._insert_findings(request_id, row.get("findings_json", "[]"))
        return request_id

    def _insert_findings(self, request_id: int, findings_json: str) -> None:
        findings = finding_rows(request_id, findings_json)
        if findings:  # plain SQL too: an import screens every line, so most rows have findings
            self.db.conn.executemany(
                "INSERT INTO request_findings (request_id, term, category, severity) VALUES (?, ?, ?, ?)",
                [(f["request_id"], f["term"], f["category"], f["severity"]) for f in findings])

    def replace_findings(self, request_id: int, findings: Sequence[Any]) -> None:
        """Store new findings for a request whose prompt was completed or corrected later
        (`findings_json`, the verdict they give and `request_findings`, as a new row has them)."""
        finding_dicts = [_finding_dict(f) for f in findings]
        findings_json = dumps(scrub_value(finding_dicts, self._secrets))
        with translate_errors(self.path), self.db.atomic():
            self.db.execute("UPDATE requests SET findings_json = ?, verdict = ? WHERE id = ?",
                            [findings_json, _verdict(finding_dicts), int(request_id)])
            self.db.execute("DELETE FROM request_findings WHERE request_id = ?", [int(request_id)])
            self._insert_findings(int(request_id), findings_json)

    def _add_image(self, request_id: int, image: bytes | ImageData, *, role: str, position: int,
                   metadata: dict[str, str] | None = None) -> None:
        data, fmt = (image.data, image.format) if isinstance(image, ImageData) else (bytes(image), None)
        self._image_row(request_id, self.files.put(data, fmt, metadata if role == "output" else None),
                        role=role, position=position)

    def _image_row(self, request_id: int, stored: StoredFile, *, role: str, position: int) -> None:
        self.db.table("images").insert({
            "request_id": request_id, "role": role, "position": position, "sha256": stored.sha256,
            "format": stored.format, "width": stored.width, "height": stored.height, "bytes": stored.size,
            "path": stored.relpath, "created_at": utc_now(),
        })

    def _require(self, request_id: int) -> None:
        if not self.db.execute("SELECT 1 FROM requests WHERE id = ?", [request_id]).fetchone():
            raise BadInputError(f"history has no request #{request_id}")

    @staticmethod
    def _summary(row: Sequence[Any]) -> HistorySummary:
        return HistorySummary(
            id=row[0], created_at=row[1], outcome=row[2], prompt_preview=row[3] or "", model=row[4],
            profile=row[5], stage=row[6], categories=loads(row[7], []), error_code=row[8],
            http_status=row[9], request_id=row[10], parent_id=row[11], source=row[12] or "live",
            actual_cost=row[13], latency_ms=row[14], redacted=bool(row[15]), review_state=row[16],
        )

    @staticmethod
    def _entry(row: dict[str, Any], images: list[StoredImage]) -> HistoryEntry:
        return HistoryEntry(
            id=row["id"], created_at=row["created_at"], completed_at=row["completed_at"],
            outcome=row["outcome"], endpoint=row["endpoint"], prompt=row["prompt"],
            prompt_sha256=row["prompt_sha256"], prompt_key=row["prompt_key"], model=row["model"],
            size=row["size"], quality=row["quality"], moderation=row["moderation"],
            params=loads(row["params_json"], {}), profile=row["profile"], provider=row["provider"],
            base_url=row["base_url"], findings=loads(row["findings_json"], []), verdict=row["verdict"],
            moderation_scores=loads(row["moderation_json"], None), http_status=row["http_status"],
            error_kind=row["error_kind"], error_type=row["error_type"], error_code=row["error_code"],
            error_message=row["error_message"], raw_body=row["raw_body"], stage=row["stage"],
            categories=loads(row["categories"], []), safety_violations=loads(row["safety_violations"], []),
            request_ids=loads(row["request_ids"], []), latency_ms=row["latency_ms"],
            input_tokens=row["input_tokens"], output_tokens=row["output_tokens"],
            total_tokens=row["total_tokens"], estimated_cost=row["estimated_cost"],
            actual_cost=row["actual_cost"], retries=row["retries"] or 0, parent_id=row["parent_id"],
            notes=row["notes"] or "", source=row.get("source") or "live",
            source_detail=row.get("source_detail"), redacted=bool(row.get("redacted")),
            error_param=row.get("error_param"), error_details=loads(row.get("error_details"), {}),
            request_id_sources=loads(row.get("request_id_sources"), {}), result_model=row.get("result_model"),
            images=images, review_state=row.get("review_state"),
        )


def _params_dict(params: ImageParams | Mapping[str, Any] | None) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, ImageParams):
        out = params.to_dict()
        extra = out.pop("extra", {}) or {}
        out = {k: v for k, v in out.items() if v is not None}
        if extra:
            out["extra"] = extra
        return out
    return {str(k): v for k, v in dict(params).items() if v is not None}


def _finding_dict(finding: Any) -> dict[str, Any]:
    if isinstance(finding, Mapping):
        out = dict(finding)
    else:
        out = finding.to_dict()
        out["term"] = getattr(finding, "term", "") or ""
    if not out.get("term"):
        out["term"] = str(out.get("text", "")).strip().lower()
    return out


_SEVERITY_VERDICT = {"critical": "hard_block", "high": "likely_blocked"}


def _verdict(findings: list[dict[str, Any]]) -> str | None:
    if not findings:
        return None
    severities = {str(f.get("severity", "")) for f in findings}
    for severity, verdict in _SEVERITY_VERDICT.items():
        if severity in severities:
            return verdict
    return "caution"


def _details(err: ErrorRecord | None, result: GenerationResult) -> dict[str, Any]:
    """The error's evidence plus every attempt (what each sent, saw and may have cost)."""
    details = dict(getattr(err, "details", {}) or {}) if err is not None else {}
    attempts = list(getattr(result, "attempts", ()) or ())
    if attempts:
        details["attempts"] = attempts
    return details


def _merge_ids(*groups: Iterable[str]) -> list[str]:
    out: list[str] = []
    for group in groups:
        for value in group or ():
            value = str(value).strip()
            if value and value not in out:
                out.append(value)
    return out


def _storable(row: dict[str, Any]) -> dict[str, Any]:
    """Short fields that skip `scrub` (error codes, profile names) lose lone surrogates too."""
    return {k: clean_surrogates(v) if isinstance(v, str) else v for k, v in row.items()}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (conservative: unsure → alive)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    synchronize, wait_timeout = 0x00100000, 0x00000102
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(synchronize, False, pid)
    if not handle:
        return False
    try:
        return bool(kernel32.WaitForSingleObject(handle, 0) == wait_timeout)
    finally:
        kernel32.CloseHandle(handle)
