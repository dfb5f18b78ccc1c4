"""Named operations the widgets call: thin wrappers over the core services.

Widgets never talk to `openai`, SQL or the file system directly; they call these. Each operation
does one thing, turns expected failures (`UserFacingError`) into a message or a return value,
and lets bugs through to the crash hook. Network calls are coroutines run on the qasync loop;
CPU-heavy work (image decoding, building SDK clients, the first `import openai`) runs in an
executor. Heavy modules (`openai`, the store) are imported on first use so the first window
appears quickly.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from workbench.core.errors import UserFacingError
from workbench.core.records import GenerationResult, ImageData
from workbench.core.screening.models import ScanResult
from workbench.ui import messages
from workbench.ui.gallery.model import GalleryItem
from workbench.ui.gallery.thumbnails import decode_image

MODERATION_CACHE_SIZE = 256


@dataclass
class GenerateOutcome:
    """What a finished generate/edit request left behind."""

    result: GenerationResult
    history_id: int | None
    advice: str
    items: list[GalleryItem]


@dataclass
class ModerationOutcome:
    """Moderation scores, or why there are none (`result` None: not available)."""

    result: Any  # workbench.core.api.results.ModerationResult | None
    note: str = ""


@dataclass
class LlmProposal:
    """An LLM rewrite to preview: the proposed text and its local verdict, or why there is none."""

    text: str
    verdict: str
    source: str
    error: str = ""


def _preload() -> None:
    """Import heavy modules and build cached tables (worker thread; everything is thread-safe)."""
    import importlib

    for module in ("openai", "httpx2", "PIL.Image", "sqlite_utils", "workbench.core.store",
                   "workbench.core.appeal.store", "workbench.core.api.client", "workbench.core.api.advice",
                   "workbench.core.rewrite", "workbench.core.rewrite.llm"):
        importlib.import_module(module)
    from workbench.core import rewrite, screening
    from workbench.core.api import pricing
    from workbench.core.rewrite.table import default_table

    for build in (screening.get_engine, pricing.default_prices, default_table, rewrite.known_framings):
        try:
            build()
        except UserFacingError:
            pass  # reported where it is used (screening pauses with a message)


class Operations(QObject):
    """The services of one running workbench (one main window, or one test).

    Signals:
        lexicon_changed(): the user's allow/block lists changed; rescan.
        settings_changed(): profiles, the active profile or keys changed.
        history_changed(): a request was recorded or completed.
        appeals_changed(int): an appeal was created or changed (its id).
    """

    lexicon_changed = Signal()
    settings_changed = Signal()
    history_changed = Signal()
    appeals_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scan_failed_message = ""
        self._settings = None
        self._store = None
        self._clients: dict[str, Any] = {}
        self._moderation_cache: OrderedDict[str, Any] = OrderedDict()
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="workbench-io")
        self._recorder = None  # core HistoryRecorder, made with the first client
        self._session_profile: str | None = None
        from workbench.ui.editor.judging import Judging

        self.judging = Judging(self)  # the editor's target policy and learned calibration

    async def close(self) -> None:
        """Release what the operations hold: SDK clients, the store, worker threads."""
        self.judging.close()
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            try:
                await client.aclose()
            except Exception:  # closing a broken connection must not block quitting
                pass
        if self._store is not None:
            self._store.close()
            self._store = None
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def run_in_worker(self, fn: Callable, *args):
        """Run a blocking call on the worker threads, keeping the GUI thread free."""
        # get_event_loop(): qasync may step a task while Qt, not asyncio, drives the loop.
        return await asyncio.get_event_loop().run_in_executor(self._executor, fn, *args)

    async def warm_up(self) -> None:
        """Prepare what the first keystroke and the first request need, off the GUI thread.

        Run once the window is up: importing the SDK (~0.3–0.7 s), the store and its
        dependencies, and compiling the screening engine would otherwise stall the GUI the
        first time they are used. Opening the database itself stays on the GUI thread (its
        connection belongs there) and takes about a millisecond once the modules are loaded.
        """
        await self.run_in_worker(_preload)
        with messages.handle_user_errors("History cannot be opened"):
            self.store()
        await self.judging.load_calibration()

    # --- screening ---------------------------------------------------------------------

    def scan_prompt(self, text: str) -> ScanResult:
        """Screen a prompt; a broken user lexicon is reported once and screening pauses."""
        from workbench.core import calibration, screening
        from workbench.core.screening.policy import decide

        if not text.strip():
            # Nothing to screen (the empty editor while the window is built): judge an empty
            # result without building the engine, which warm_up() does after the first paint.
            return decide(ScanResult(text), self.judging.policy(), calibration.active())
        try:
            result = screening.scan(text, profile=self.judging.policy())
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

    # --- rewriting -----------------------------------------------------------------------

    def desensitize(self, text: str):
        """The desensitize proposal for a prompt (edits, rewritten text, hard-line flag)."""
        from workbench.core import rewrite

        return rewrite.desensitize(text)

    def framing_suggestions(self, scan: ScanResult) -> list:
        """Framing statements for the categories in a scan, best first (none for hard lines)."""
        from workbench.core import rewrite

        return rewrite.suggest_framings(scan)

    def framing_present(self, text: str) -> str | None:
        """The known framing already in the prompt, if any (a second one is never added)."""
        from workbench.core import rewrite

        return rewrite.find_framing(text)

    def apply_framing(self, text: str, framing) -> str:
        from workbench.core import rewrite

        return rewrite.apply_framing(text, framing)

    def can_llm_rewrite(self) -> bool:
        """An LLM rewrite needs a profile that can chat (any with a key, or the Sandbox)."""
        profile = self.active_profile()
        return profile.kind == "sandbox" or self.key_source(profile) is not None

    async def llm_rewrite(self, text: str) -> LlmProposal | None:
        """Ask the active profile's chat model for a rewrite; the result is screened, not applied."""
        from workbench.core.rewrite.llm import llm_rewrite

        profile = self.active_profile()
        client = await self.client_for(profile.name)
        if client is None:
            return None
        try:
            result = await llm_rewrite(text, client.chat)
        except UserFacingError as exc:
            return LlmProposal("", "", profile.name, exc.user_message)
        source = f"{profile.name}, {result.model}" if result.model else profile.name
        if not result.ok:
            return LlmProposal("", "", source, result.message or "no proposal came back")
        return LlmProposal(result.proposed, result.verdict, source)

    # --- settings, profiles and keys -----------------------------------------------------

    def settings(self):
        if self._settings is None:
            from workbench.core.settings import load_settings

            self._settings = load_settings()
            for warning in self._settings.warnings:
                messages.warning(warning)
        return self._settings

    def save_settings(self) -> bool:
        from workbench.core.settings import save_settings

        try:
            save_settings(self.settings())
        except OSError as exc:
            messages.error(f"Settings could not be saved: {exc.strerror or exc}")
            return False
        self.settings_changed.emit()
        return True

    def profiles(self) -> list:
        return list(self.settings().profiles)

    def profile(self, name: str):
        return self.settings().profile(name)

    def active_profile_name(self) -> str:
        """The chosen profile; by default OpenAI when it has a key, else the Sandbox."""
        from workbench.core.settings import default_profile_name

        if self._session_profile:
            try:
                return self.settings().profile(self._session_profile).name
            except UserFacingError:
                self._session_profile = None
        return default_profile_name(self.settings(), lambda p: self.key_source(p) is not None)

    def active_profile(self):
        return self.settings().profile(self.active_profile_name())

    def set_active_profile(self, name: str, *, remember: bool = True) -> None:
        if name == self.active_profile_name():
            return
        self._session_profile = name
        if remember:
            self.settings().active_profile = name
            self.save_settings()
        else:
            self.settings_changed.emit()

    def save_profile(self, profile, *, old_name: str | None = None) -> bool:
        with messages.handle_user_errors("The profile was not saved"):
            settings = self.settings()
            if old_name and old_name.casefold() != profile.name.casefold():
                settings.remove_profile(old_name)
            settings.upsert_profile(profile)
            self._forget_client(profile.name)
            return self.save_settings()
        return False

    def remove_profile(self, name: str) -> None:
        from workbench.core.api import keys

        self.settings().remove_profile(name)
        keys.delete_key(name)
        self._forget_client(name)
        self.save_settings()

    def key_source(self, profile) -> str | None:
        """Where the profile's key comes from (`keyring`, `session`, `env:NAME`), or None."""
        from workbench.core.api import keys

        if not profile.needs_key:
            return "not needed"
        found = keys.get_key(profile.name, profile.kind)
        return found.source if found else None

    def keyring_status(self) -> tuple[bool, str]:
        from workbench.core.api import keys

        return keys.keyring_available()

    def save_key(self, profile, key: str):
        """Store a key in the system keyring, verified by reading it back.

        Returns the core's KeyStoreResult: `stored_in` is "keyring", or "" when the keyring
        refused or lost it (nothing stored; its message offers the session-only and
        environment options). None if the key itself was refused (empty).
        """
        from workbench.core.api import keys

        with messages.handle_user_errors("The key was not saved"):
            stored = keys.set_key(profile.name, key, kind=profile.kind, session_fallback=False)
            if stored.stored_in == "keyring":
                messages.info(f"Key for {profile.name} saved in the system keyring (read back to check).")
                self._key_changed(profile)
            return stored
        return None

    def keep_key_for_session(self, profile, key: str) -> None:
        """Keep a key in memory for this run only (the user's choice when the keyring fails)."""
        from workbench.core.api import keys

        keys.set_session_key(profile.name, key)
        messages.info(f"Key for {profile.name} kept for this session only; it is forgotten when you quit.")
        self._key_changed(profile)

    def _key_changed(self, profile) -> None:
        self._forget_client(profile.name)
        self.settings_changed.emit()

    def delete_key(self, profile) -> None:
        from workbench.core.api import keys

        keys.delete_key(profile.name)
        self._forget_client(profile.name)
        self.settings_changed.emit()

    # --- provider clients ----------------------------------------------------------------

    def _forget_client(self, name: str) -> None:
        client = self._clients.pop(name.casefold(), None)
        if client is not None:
            asyncio.ensure_future(client.aclose())

    async def client_for(self, profile_name: str):
        """The SDK client of a profile, built off the GUI thread; None (with a message) if unusable."""
        from workbench.core.api.client import ImageClient

        key = profile_name.casefold()
        if key in self._clients:
            return self._clients[key]
        profile = self.profile(profile_name)
        if self._recorder is None:
            from workbench.core.store.recorder import HistoryRecorder

            # Every request gets its history row before it is sent, and is completed after.
            self._recorder = HistoryRecorder(self.store, on_change=self.history_changed.emit)
        recorder = self._recorder
        try:
            client = await self.run_in_worker(lambda: ImageClient.for_profile(profile, recorder=recorder))
        except UserFacingError as exc:
            messages.error(exc.user_message)
            return None
        self._clients.setdefault(key, client)
        return self._clients[key]

    # --- generation ----------------------------------------------------------------------

    def store(self):
        """The history store, opened on first use (migrations and crash recovery run here)."""
        if self._store is None:
            from workbench.core.store import HistoryStore

            self._store = HistoryStore.open()
            for warning in self._store.warnings:  # a 0-byte file set aside, read-only, journal replayed
                messages.warning(warning)
        return self._store

    def estimate_cost(self, params, prompt: str = ""):
        from workbench.core.api import pricing

        try:
            return pricing.estimate_cost(params, prompt=prompt)
        except UserFacingError:
            return None

    def build_request(self, prompt: str, params, reference_paths=(), mask_path=None):
        """An ImageRequest with its input images read and checked; BadInputError on bad input."""
        from workbench.core.api.request import MAX_MASK_BYTES, ImageRequest, InputImage

        images = [InputImage.from_path(p) for p in reference_paths]
        mask = InputImage.from_path(mask_path, limit=MAX_MASK_BYTES) if mask_path else None
        request = ImageRequest(prompt=prompt, params=params, images=images, mask=mask)
        request.validate()
        return request

    async def generate(
        self,
        profile_name: str,
        request,
        *,
        scan: ScanResult | None = None,
        parent_id: int | None = None,
        on_partial: Callable[[ImageData], None] | None = None,
    ) -> GenerateOutcome | None:
        """Send one generate/edit request, recorded in history before and after.

        Returns None (after a message) when the request could not be sent at all (no key,
        unusable history database). Cancelling the task gives a `cancelled` outcome.
        """
        from workbench.core.api.advice import advice_for

        try:
            self.store()
        except UserFacingError as exc:
            messages.error(f"Not sent, because history cannot record it: {exc.user_message}")
            return None
        client = await self.client_for(profile_name)
        if client is None:
            return None
        self._register_key_as_secret(profile_name)
        if scan is not None:
            request.meta["findings"] = list(scan.findings)
            request.meta["verdict"] = scan.verdict
        cached = self._moderation_cache.get(self._moderation_key(profile_name, request.prompt, None))
        if cached is not None:
            request.meta["moderation_scores"] = cached.scores
        if parent_id is not None:
            request.meta["parent_id"] = parent_id
        try:
            result = await client.run(request, on_partial=on_partial, on_retry=_announce_retry)
        except UserFacingError as exc:
            messages.error(exc.user_message)
            return None
        history_id = request.meta.get("history_id")
        if not result.record_error:
            return GenerateOutcome(result, history_id, advice_for(result.error), self.gallery_items(history_id))
        # Saved, not recorded (disk full, database locked): show the images from memory; the
        # journal records them when history next opens.
        messages.warning(f"Saved, not recorded in history: {result.record_error}")
        items = [GalleryItem(key=f"unrecorded:{request.local_id}:{i}", prompt=request.prompt,
                             params=request.params.to_dict(), profile=profile_name, data=image.data)
                 for i, image in enumerate(img for img in result.images if img.partial_index is None)]
        return GenerateOutcome(result, history_id, advice_for(result.error), items)

    def _register_key_as_secret(self, profile_name: str) -> None:
        """Make the store scrub this profile's key from anything it writes (belt and braces)."""
        from workbench.core.api import keys

        profile = self.profile(profile_name)
        found = keys.get_key(profile.name, profile.kind) if profile.needs_key else None
        if found is not None:
            self.store().add_secret(found.value)

    def gallery_items(self, history_id: int | None) -> list[GalleryItem]:
        """The stored output images of one request, as gallery items."""
        if history_id is None:
            return []
        entry = self.store().get(history_id)
        return [
            GalleryItem(
                key=f"{entry.id}:{image.position}",
                prompt=entry.prompt,
                params=dict(entry.params),
                profile=entry.profile,
                history_id=entry.id,
                path=image.path,
                created_at=entry.created_at,
                review_state=entry.review_state,
            )
            for image in entry.images
            if image.role == "output"
        ]

    def recent_gallery_items(self, limit: int = 30) -> list[GalleryItem]:
        """Images of the most recent successful requests, newest first."""
        from workbench.core.store import HistoryFilter

        items: list[GalleryItem] = []
        with messages.handle_user_errors("History could not be read"):
            page = self.store().search("", HistoryFilter(outcomes=("ok",)), limit=limit)
            for row in page.rows:
                items.extend(self.gallery_items(row.id))
        return items

    # --- moderation ----------------------------------------------------------------------

    @staticmethod
    def _moderation_key(profile: str, text: str, image: bytes | None) -> str:
        digest = hashlib.sha256()
        for part in (profile.encode(), b"\0", text.encode("utf-8", "surrogatepass"), b"\0", image or b""):
            digest.update(part)
        return digest.hexdigest()

    async def moderate(self, text: str, image: bytes | None = None) -> ModerationOutcome:
        """Moderation scores for the prompt (and an image) from the active profile, cached."""
        profile = self.active_profile()
        if profile.kind == "azure":
            return ModerationOutcome(None, "Azure OpenAI has no moderation endpoint; choose an OpenAI profile or the Sandbox.")
        if profile.needs_key and self.key_source(profile) is None:
            return ModerationOutcome(
                None, f"Add an API key for {profile.name} in Settings to see scores. Local screening works without one."
            )
        key = self._moderation_key(profile.name, text, image)
        cached = self._moderation_cache.get(key)
        source = "Sandbox (simulated scores)" if profile.kind == "sandbox" else profile.name
        if cached is not None:
            self._moderation_cache.move_to_end(key)
            return ModerationOutcome(cached, f"{source} · cached")
        client = await self.client_for(profile.name)
        if client is None:
            return ModerationOutcome(None, "The moderation check could not start.")
        try:
            result = await client.moderate(text or None, [image] if image else ())
        except UserFacingError as exc:
            return ModerationOutcome(None, exc.user_message)
        if result.error is None:
            self._moderation_cache[key] = result
            while len(self._moderation_cache) > MODERATION_CACHE_SIZE:
                self._moderation_cache.popitem(last=False)
        latency = f" · {result.latency_ms / 1000:.1f} s" if result.latency_ms is not None else ""
        return ModerationOutcome(result, f"{source}{latency}")

    # --- images --------------------------------------------------------------------------

    async def load_image(self, source: str | bytes | None, max_side: int | None = None) -> QImage:
        """Decode (and scale) an image on a worker thread; a null image if unreadable."""
        if source is None:
            return QImage()
        return await self.run_in_worker(decode_image, source, max_side)

    def save_image_copy(self, source: Path, target: Path) -> bool:
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            messages.error(f"The image could not be saved to {target}: {exc.strerror or exc}")
            return False
        messages.info(f"Saved {target}")
        return True

    # --- appeals -------------------------------------------------------------------------

    def draft_appeals(self) -> list:
        from workbench.core.appeal.store import AppealStore

        with messages.handle_user_errors("Appeals could not be read"):
            return AppealStore(self.store()).list("draft")
        return []

    def add_to_appeal(self, history_ids: list[int], appeal_id: int | None = None):
        """Add requests to an appeal (a new draft when `appeal_id` is None); the appeal or None."""
        from workbench.core.appeal.store import AppealStore

        with messages.handle_user_errors("The request was not added to an appeal"):
            appeals = AppealStore(self.store())
            if appeal_id is None:
                appeal = appeals.create(history_ids)
            else:
                appeal = appeals.add_requests(appeal_id, history_ids)
            messages.info(f"Added to appeal #{appeal.id} (draft). Complete it in the Appeals tab.")
            self.appeals_changed.emit(appeal.id)
            return appeal
        return None


def _announce_retry(notice) -> None:
    """Every retry is said before it is sent (status bar); one that may bill again warns."""
    text = notice.message()
    (messages.warning if notice.may_bill else messages.info)(text[:1].upper() + text[1:])
