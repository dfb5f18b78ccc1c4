"""Learned calibration: what the user's own history shows passed or was blocked, per term and
model family (see `model` for the formula). The active snapshot is an in-memory dict read by
the policy stage on every scan."""

from __future__ import annotations

import threading

from workbench.core.calibration.model import Counts, Key, Snapshot, calibrated, evidence_text, key_of, posterior

__all__ = ["Counts", "Snapshot", "active", "add_to_active", "calibrated", "evidence_text", "key_of", "posterior",
           "set_active"]

_active: Snapshot | None = None
_lock = threading.Lock()  # the recorder adds on the GUI thread, an import on the history worker


def active() -> Snapshot | None:
    """The process-wide snapshot (None: no history evidence loaded)."""
    return _active


def set_active(snapshot: Snapshot | None) -> None:
    global _active
    with _lock:
        _active = snapshot


def add_to_active(source: str, delta: dict[Key, Counts]) -> None:
    """Add just-recorded counts to the active snapshot when it is the one of that history
    (a new snapshot is swapped in, so a reader never sees half an update)."""
    global _active
    with _lock:
        if _active is not None and delta and _active.source == source:
            _active = _active.with_updates(delta)
