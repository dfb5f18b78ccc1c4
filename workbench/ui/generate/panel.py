"""The generate panel: profile and settings, cost estimate, Generate/Cancel, and the outcome.

The request runs as a task on the qasync loop; Cancel cancels that task (the client turns it
into a recorded `cancelled` outcome). Streamed partial frames go to the gallery as they arrive.
Every request is recorded in history by the operations layer before it is sent.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from workbench.core.api.records import ImageData
from workbench.core.errors import UserFacingError
from workbench.ui import dialogs, messages
from workbench.ui.gallery.model import GalleryItem
from workbench.ui.generate.params_form import ParamsForm
from workbench.ui.generate.result_card import ResultCard
from workbench.ui.lifetime import alive
from workbench.ui.widgets.scrolling import scrolling

_partial_ids = itertools.count(1)


class GeneratePanel(QWidget):
    """Signals:
        images_arrived(list): GalleryItems to show (final images of a request).
        partial_arrived(object): a GalleryItem for a streamed partial frame (replaces the last).
        partials_done(str): the partial frames of this run (key prefix) can be removed.
        finished(object): the GenerateOutcome of a request (None if it could not be sent).
        reference_changed(object): bytes of the first reference image, or None.
    """

    images_arrived = Signal(list)
    partial_arrived = Signal(object)
    partials_done = Signal(str)
    finished = Signal(object)
    reference_changed = Signal(object)

    def __init__(self, ops, prompt_source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._prompt_source = prompt_source  # () -> ScanResult of the current prompt
        self._task: asyncio.Future | None = None
        self._started = 0.0
        self._reference_paths: list[str] = []
        self._mask_path: str | None = None
        self.parent_id: int | None = None  # lineage: set when the prompt came from a history row

        self.title = QLabel("Generate")
        self.title.setObjectName("sectionTitle")
        self.profile = QComboBox()
        self.profile.setObjectName("profileCombo")
        self.profile_note = QLabel()
        self.profile_note.setProperty("hint", True)
        self.form = ParamsForm()

        self.references = QListWidget()
        self.references.setMaximumHeight(54)
        self.add_reference_button = QPushButton("Add reference…")
        self.remove_reference_button = QPushButton("Remove")
        self.mask_button = QPushButton("Mask…")
        self.mask_label = QLabel("No mask")
        self.mask_label.setProperty("hint", True)
        ref_buttons = QHBoxLayout()
        for widget in (self.add_reference_button, self.remove_reference_button, self.mask_button):
            ref_buttons.addWidget(widget)
        ref_buttons.addWidget(self.mask_label, 1)

        self.estimate = QLabel()
        self.estimate.setTextFormat(Qt.TextFormat.PlainText)
        self.estimate.setWordWrap(True)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("primaryButton")
        self.generate_button.setToolTip("Send the request (Ctrl+Enter)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.elapsed = QLabel()
        self.elapsed.setProperty("hint", True)
        run_row = QHBoxLayout()
        run_row.addWidget(self.generate_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.elapsed, 1)
        self.card = ResultCard()

        profile_row = QHBoxLayout()
        profile_row.addWidget(QLabel("Profile"))
        profile_row.addWidget(self.profile, 1)
        # Heading and profile stay in view; settings and the outcome scroll below them.
        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addLayout(profile_row)
        heading.addWidget(self.profile_note)
        body = QWidget(objectName="generateBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 8, 4)
        layout.addWidget(self.form)
        refs_title = QLabel("Reference images (edit)")
        refs_title.setProperty("hint", True)
        layout.addWidget(refs_title)
        layout.addWidget(self.references)
        layout.addLayout(ref_buttons)
        layout.addWidget(self.estimate)
        layout.addLayout(run_row)
        layout.addWidget(self.card)
        layout.addStretch(1)
        self.scroll = scrolling(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 0, 0)
        heading.setContentsMargins(0, 0, 8, 0)
        outer.addLayout(heading)
        outer.addWidget(self.scroll, 1)

        self._tick = QTimer(self, interval=100)
        self._tick.timeout.connect(self._update_elapsed)
        self.form.changed.connect(self.update_estimate)
        self.form.changed.connect(self._update_policy_target)
        self.profile.currentIndexChanged.connect(self._on_profile_chosen)
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button.clicked.connect(self.cancel)
        self.add_reference_button.clicked.connect(self._on_add_reference)
        self.remove_reference_button.clicked.connect(self._on_remove_reference)
        self.mask_button.clicked.connect(self._on_choose_mask)
        self.card.appeal_requested.connect(self._on_appeal_requested)
        self.reload_profiles()

    # --- profiles and settings -------------------------------------------------------------

    def reload_profiles(self) -> None:
        active = self._ops.profiles.active_profile_name()
        self.profile.blockSignals(True)
        self.profile.clear()
        for profile in self._ops.profiles.profiles():
            label = profile.name if profile.kind != "sandbox" else f"{profile.name} (local, free)"
            self.profile.addItem(label, profile.name)
        index = self.profile.findData(active)
        self.profile.setCurrentIndex(max(index, 0))
        self.profile.blockSignals(False)
        self._describe_profile()
        self.update_estimate()
        self._update_policy_target()

    def profile_name(self) -> str:
        return self.profile.currentData() or self._ops.profiles.active_profile_name()

    def _on_profile_chosen(self, _index: int) -> None:
        name = self.profile.currentData()
        if name:
            self._ops.profiles.set_active_profile(name)
            profile = self._ops.profiles.profile(name)
            self.form.set_default_model(profile.default_model)
        self._describe_profile()
        self.update_estimate()
        self._update_policy_target()

    def _update_policy_target(self) -> None:
        """The editor's verdict is judged for where this panel sends: provider, model, moderation."""
        params = self.form.params()
        kind = self._ops.profiles.profile(self.profile_name()).kind
        self._ops.judging.set_target(kind, params.model, params.moderation)

    def _describe_profile(self) -> None:
        profile = self._ops.profiles.profile(self.profile_name())
        source = self._ops.profiles.key_source(profile)
        if profile.kind == "sandbox":
            text = "Built-in local server: free, offline, simulated blocks and images."
        elif source is None:
            text = "No API key yet: add one in Settings (Ctrl+,)."
        else:
            text = f"{profile.display_url()} · key from {source.replace('env:', 'environment ')}"
        self.profile_note.setText(text)

    def set_params(self, params: dict, profile: str | None = None) -> None:
        """Restore the settings of an earlier request."""
        if profile and self.profile.findData(profile) >= 0:
            self.profile.setCurrentIndex(self.profile.findData(profile))
        self.form.set_params(params)

    def update_estimate(self) -> None:
        params = self.form.params()
        estimate = self._ops.generate.estimate_cost(params, self._prompt_source().text)
        profile = self._ops.profiles.profile(self.profile_name())
        if estimate is None:
            text = f"No price known for {params.model}."
        else:
            text = f"Estimated cost: ${estimate.usd:.3f}"
            if estimate.images > 1:
                text += f" ({estimate.images} × ${estimate.per_image:.3f})"
            if estimate.notes:
                text += " · " + "; ".join(estimate.notes)
        if profile.kind == "sandbox":
            text = "Sandbox: free. " + (text.replace("Estimated cost", "On the real API") if estimate else "")
        self.estimate.setText(text)

    # --- reference images -----------------------------------------------------------------

    @asyncSlot()
    async def _on_add_reference(self) -> None:
        files = await dialogs.open_files(
            self, "Add reference images", Path.home(), "Images (*.png *.jpg *.jpeg *.webp)", many=True
        )
        if alive(self):
            self.add_references([str(name) for name in files])

    def add_references(self, files: list[str]) -> None:
        for name in files:
            if name not in self._reference_paths:
                self._reference_paths.append(name)
                self.references.addItem(Path(name).name)
        self._emit_reference()

    def _on_remove_reference(self) -> None:
        for item in self.references.selectedItems():
            row = self.references.row(item)
            self.references.takeItem(row)
            del self._reference_paths[row]
        self._emit_reference()

    @asyncSlot()
    async def _on_choose_mask(self) -> None:
        if self._mask_path:
            self._mask_path = None
            self.mask_label.setText("No mask")
            self.mask_button.setText("Mask…")
            return
        chosen = await dialogs.open_file(self, "Choose a mask (PNG with transparent areas)", Path.home(), "PNG (*.png)")
        if chosen is not None and alive(self):
            name = str(chosen)
            self._mask_path = name
            self.mask_label.setText(Path(name).name)
            self.mask_button.setText("Clear mask")

    @asyncSlot()
    async def _emit_reference(self) -> None:
        data = None
        if self._reference_paths:
            try:
                data = await self._ops.run_in_worker(Path(self._reference_paths[0]).read_bytes)
            except OSError:
                data = None
        if alive(self):
            self.reference_changed.emit(data)

    # --- running ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None

    def _set_running(self, running: bool) -> None:
        self.generate_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.profile.setEnabled(not running)
        if running:
            self._started = time.perf_counter()
            self._tick.start()
            self._update_elapsed()
        else:
            self._tick.stop()

    def _update_elapsed(self) -> None:
        self.elapsed.setText(f"Running… {time.perf_counter() - self._started:.1f} s")

    @classmethod
    async def confirm_hard_block(cls, parent: QWidget) -> bool:
        """Ask before sending a prompt with a hard-line finding to a real provider."""
        return await dialogs.confirm(
            parent,
            "Send a prompt with a hard-line finding?",
            "Local screening found content the image system refuses in any form. The request "
            "will almost certainly be blocked and counts against your account's violation rate.\n\n"
            "Send it anyway?",
            action="Send anyway",
        )

    @asyncSlot()
    async def generate(self) -> None:
        if self._task is not None:
            return
        scan = self._prompt_source()
        if not scan.text.strip():
            messages.warning("Write a prompt first.")
            return
        profile_name = self.profile_name()
        profile = self._ops.profiles.profile(profile_name)
        if scan.verdict == "hard_block" and profile.kind != "sandbox":
            if not await self.confirm_hard_block(self):
                return
        try:
            request = self._ops.generate.build_request(scan.text, self.form.params(), self._reference_paths, self._mask_path)
        except UserFacingError as exc:
            messages.error(f"Not sent: {exc.user_message}")
            return
        run_key = f"partial:{next(_partial_ids)}"
        self.card.hide()
        self._set_running(True)
        task = self._task = asyncio.ensure_future(
            self._ops.generate.generate(
                profile_name, request, scan=scan, parent_id=self.parent_id,
                on_partial=lambda frame: self._on_partial(run_key, scan.text, request.params, frame),
            )
        )
        try:
            outcome = await task
        except asyncio.CancelledError:
            outcome = None  # cancelled before the client started; nothing was sent
        finally:
            if alive(self):
                self._task = None
                self._set_running(False)
                self.partials_done.emit(run_key)
        if alive(self):
            self._show_outcome(outcome, scan.text)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self.elapsed.setText("Cancelling…")
            self._task.cancel()

    def _on_partial(self, run_key: str, prompt: str, params, frame: ImageData) -> None:
        if not alive(self):
            return
        self.partial_arrived.emit(
            GalleryItem(key=run_key, prompt=prompt, params=params.to_dict(), profile=self.profile_name(),
                        data=frame.data, partial=True)
        )

    def _show_outcome(self, outcome, prompt: str) -> None:
        if outcome is None:
            self.elapsed.setText("Not sent.")
            self.finished.emit(None)
            return
        result = outcome.result
        seconds = (result.latency_ms or 0) / 1000
        self.elapsed.setText(
            {"ok": f"Done in {seconds:.1f} s", "cancelled": "Cancelled."}.get(result.outcome, f"Finished in {seconds:.1f} s")
        )
        self.card.show_result(result, outcome.advice, outcome.history_id, prompt)
        self.card.set_prompt(self._prompt_source().text)  # edited while it ran: stale at once
        if outcome.items:
            self.images_arrived.emit(outcome.items)
        self.finished.emit(outcome)

    # --- appeals ----------------------------------------------------------------------------

    @asyncSlot()
    async def _on_appeal_requested(self, history_id: int) -> None:
        from workbench.ui.generate.appeal_dialog import AppealChoiceDialog

        drafts = self._ops.appeals.draft_appeals()
        choice = await AppealChoiceDialog.ask(drafts, self)
        if choice is None:
            return
        self._ops.appeals.add_to_appeal([history_id], None if choice == "new" else choice)
