"""What the editor's verdict is judged for: the target policy and the learned calibration.

The Generate panel's provider, model and moderation choose the policy profile (`set_target`);
the user can pin one instead (`pin`, remembered in the UI state file). The calibration snapshot
is loaded from the history once, off the GUI thread, and again (debounced) after the history
changes; between loads the recorder adds each outcome to it in memory. Per keystroke the editor
only reads `policy()` (cached) and the in-memory snapshot: no database query.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from workbench import paths
from workbench.core import calibration
from workbench.core.calibration import model
from workbench.core.errors import UserFacingError
from workbench.core.screening.models import Finding
from workbench.core.screening.policy_profiles import Policy, profiles, resolve
from workbench.ui import labels, uistate

PIN_KEY = "policy/pinned"
RELOAD_DELAY_MS = 400


class Judging(QObject):
    """Signals:
        changed(): the policy or the calibration changed (the editor rescans).
    """

    changed = Signal()

    def __init__(self, ops) -> None:
        super().__init__(ops)
        self._ops = ops
        self._provider: str | None = None
        self._model: str | None = None
        self._moderation = "auto"
        self._pinned: str | None = _load_pin()
        self._policy: Policy | None = None
        self._reload = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload.timeout.connect(self._on_reload_due)
        ops.history.changed.connect(self._reload.start)
        self._loading = None
        self._closed = False

    def close(self) -> None:
        """Stop reloading (the operations are closing: no worker threads any more)."""
        self._closed = True
        self._reload.stop()
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()

    # --- the target -----------------------------------------------------------------------

    def policy(self) -> Policy:
        """The policy the editor judges for (cached until the target or the pin changes)."""
        if self._policy is None:
            try:
                self._policy = resolve(self._pinned, provider=self._provider, model=self._model,
                                       moderation=self._moderation)
            except UserFacingError:  # a pinned profile that no longer exists
                self._pinned = None
                self._policy = resolve(provider=self._provider, model=self._model, moderation=self._moderation)
        return self._policy

    def set_target(self, provider: str | None, model_name: str | None, moderation: str | None) -> None:
        """The Generate panel's provider kind, model and moderation level."""
        moderation = moderation if moderation in ("auto", "low") else "auto"
        target = (provider or None, (model_name or "").strip() or None, moderation)
        if target != (self._provider, self._model, self._moderation):
            self._provider, self._model, self._moderation = target
            self._changed()

    @property
    def pinned(self) -> str | None:
        return self._pinned

    @property
    def model_name(self) -> str | None:
        return self._model

    def pin(self, profile_id: str | None) -> None:
        """Judge for this profile whatever the Generate panel sends to (None: follow it)."""
        if profile_id == self._pinned:
            return
        self._pinned = profile_id
        s = uistate.settings()
        s.setValue(PIN_KEY, profile_id or "")
        s.sync()
        self._changed()

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        """(profile id, name) of every policy profile, by name."""
        return sorted(((p.id, p.name) for p in profiles().values()), key=lambda c: c[1].lower())

    def _changed(self) -> None:
        self._policy = None
        self.changed.emit()

    # --- calibration ----------------------------------------------------------------------

    async def load_calibration(self) -> None:
        """Load (recounting if stale) the history's calibration on a worker thread."""
        from workbench.core.calibration import history
        from workbench.ui import messages

        if self._closed:
            return
        with messages.handle_user_errors("Calibration from your history is not used"):
            snapshot = await self._ops.run_in_worker(history.load_file, paths.history_db_path())
            calibration.set_active(snapshot)
            self.changed.emit()

    def _on_reload_due(self) -> None:
        import asyncio

        if not self._closed and (self._loading is None or self._loading.done()):
            self._loading = asyncio.ensure_future(self.load_calibration())

    # --- the hover --------------------------------------------------------------------------

    def explain(self, text: str, finding: Finding) -> list[str]:
        """Plain lines for a finding's hover: how sure the evidence is, and the other model
        families whose profile reads it differently."""
        from workbench.core.screening import get_engine
        from workbench.core.screening.policy import elsewhere

        policy = self.policy()
        snapshot = calibration.active()
        lines = []
        counts = snapshot.get(*model.key_of(finding), policy.family) if snapshot is not None else None
        if counts is not None and counts.requests:
            sure = model.sureness(finding.severity, counts)
            if "Evidence:" not in finding.message:
                lines.append(f"Evidence: {model.evidence_text(counts, policy.family)}.")
            lines.append(f"How sure: {sure:.0%} your history, {1 - sure:.0%} the {policy.profile.name} profile.")
        elif policy.family:
            lines.append(f"No outcomes of this on {policy.family} in your history yet.")
        if finding.severity in ("critical", "info") or finding.rule.startswith("user-block"):
            return lines
        try:
            others = elsewhere(get_engine().scan(text), finding, policy, snapshot)
        except UserFacingError:
            return lines
        if others:
            lines.append("Other models: " + "; ".join(
                f"{p.name} {labels.severity(sev).lower()}" for p, sev in others))
        return lines


def _load_pin() -> str | None:
    value = uistate.settings().value(PIN_KEY, "")
    return value if isinstance(value, str) and value else None
