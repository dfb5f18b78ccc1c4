"""The client hook that writes every request to history: a `pending` row before it is sent,
completed after — so a crash mid-request still leaves a record (it becomes `interrupted`), and a
completion that cannot be written is journalled and recorded on the next open (store.journal).

A real outcome (ok or blocked, not Sandbox or demo) also updates the learned calibration: its
counts in the history (`calibration.history.record_request`) and the active in-memory snapshot
the editor reads, so the next keystroke already judges with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.core import calibration
from workbench.core.api.records import GenerationResult
from workbench.core.calibration import history
from workbench.core.errors import StoreError
from workbench.core.store.db import translate_errors
from workbench.core.store.history import HistoryStore


class HistoryRecorder:
    """A `core.api.hooks.Recorder` over a history store.

    `store` is the store itself or a callable returning it (the GUI opens it lazily). Local
    findings come from `request.meta["findings"]` (the editor already has them); when absent
    the prompt is screened here so CLI requests carry them too.
    """

    def __init__(self, store: HistoryStore | Callable[[], HistoryStore],
                 on_change: Callable[[], None] | None = None) -> None:
        self._store = store
        self._on_change = on_change

    def _get_store(self) -> HistoryStore:
        return self._store() if callable(self._store) else self._store

    def before_send(self, request: Any, context: Any) -> None:
        meta = request.meta
        findings, verdict = meta.get("findings"), meta.get("verdict")
        if findings is None:
            from workbench.core.screening import scan

            result = scan(request.prompt)
            findings, verdict = result.findings, result.verdict
        meta["history_id"] = self._get_store().begin_request(
            request.prompt,
            request.params,
            profile=context.profile_name,
            provider=context.profile_kind,
            base_url=context.base_url,
            endpoint="edit" if request.is_edit else "generate",
            findings=findings,
            verdict=verdict,
            moderation_scores=meta.get("moderation_scores"),
            parent_id=meta.get("parent_id"),
            estimated_cost=context.estimated_cost,
            reference_images=[image.data for image in request.images],
            mask=request.mask.data if request.mask is not None else None,
            source=meta.get("source", "live"),  # "trigger" for find-the-trigger probes
        )
        self._changed()

    def after_complete(self, request: Any, context: Any, result: GenerationResult) -> None:
        """Complete the row; when that fails the result is journalled and `record_error` set.

        `request.meta["delivered"]` names the copies the caller already saved (CLI `--out`).
        """
        history_id = request.meta.get("history_id")
        if history_id is not None:
            store = self._get_store()
            problem = store.finish_request(history_id, result, delivered=request.meta.get("delivered", ()))
            if problem is not None:
                result.record_error = problem
            elif result.outcome in history.JUDGED:
                self._learn(store, history_id)
            self._changed()

    @staticmethod
    def _learn(store: HistoryStore, history_id: int) -> None:
        """Count the outcome into calibration; a failure here never loses the request (the
        counts go stale and the next load recounts them)."""
        try:
            with translate_errors(store.path):
                delta = history.record_request(store.db, history_id)
        except StoreError:
            return
        calibration.add_to_active(str(store.path), delta)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()
