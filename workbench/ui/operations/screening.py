"""Screening operations: judging a prompt, and the user's allow- and block-lists."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from workbench.core.errors import UserFacingError
from workbench.core.screening.models import ScanResult
from workbench.ui import messages
from workbench.ui.editor.judging import Judging


class ScreeningOperations(QObject):
    """Local screening for the editor, judged for the target policy of `judging`.

    Signals:
        lexicon_changed(): the user's allow/block lists changed; rescan.
    """

    lexicon_changed = Signal()

    def __init__(self, judging: Judging, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._judging = judging
        self._scan_failed_message = ""

    def scan_prompt(self, text: str) -> ScanResult:
        """Screen a prompt; a broken user lexicon is reported once and screening pauses."""
        from workbench.core import calibration, screening
        from workbench.core.screening.policy import decide

        if not text.strip():
            # Nothing to screen (the empty editor while the window is built): judge an empty
            # result without building the engine, which warm_up() does after the first paint.
            return decide(ScanResult(text), self._judging.policy(), calibration.active())
        try:
            result = screening.scan(text, profile=self._judging.policy())
        except UserFacingError as exc:
            if exc.user_message != self._scan_failed_message:
                self._scan_failed_message = exc.user_message
                messages.error(f"Screening is paused: {exc.user_message}")
            return ScanResult(text)
        self._scan_failed_message = ""
        return result

    def allow_term(self, term: str) -> bool:
        """Add a term to the user's allow-list. True if it was saved."""
        from workbench.core import screening

        with messages.handle_user_errors("Could not update your allow-list"):
            screening.add_to_allow_list(term)
            messages.info(f"“{term}” will no longer be flagged (your allow-list).")
            self.lexicon_changed.emit()
            return True
        return False

    def remove_allowed(self, term: str) -> bool:
        from workbench.core import screening

        with messages.handle_user_errors("Could not update your allow-list"):
            screening.remove_from_allow_list(term)
            self.lexicon_changed.emit()
            return True
        return False

    def allow_list(self) -> list[str]:
        from workbench.core import screening

        with messages.handle_user_errors("Could not read your allow-list"):
            return sorted(screening.load_allow_list())
        return []

    def block_term(self, term: str, category: str, severity: str, reason: str = "") -> bool:
        """Add a term to the user's block-list. True if it was saved."""
        from workbench.core import screening

        with messages.handle_user_errors("Could not update your block-list"):
            screening.add_to_block_list(term, category, severity, reason)
            messages.info(f"“{term}” is now on your block-list.")
            self.lexicon_changed.emit()
            return True
        return False

    def block_list_path(self) -> Path:
        from workbench import paths
        from workbench.core import screening

        return paths.user_lexicon_dir() / screening.BLOCK_FILE
