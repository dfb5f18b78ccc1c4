"""Named operations the widgets call: thin wrappers over the core services, one module per concern.

Widgets never talk to `openai`, SQL or the file system directly; they call these. Each operation
does one thing, turns expected failures (`UserFacingError`) into a message or a return value,
and lets bugs through to the crash hook. Network calls are coroutines run on the qasync loop;
CPU-heavy work (image decoding, building SDK clients, the first `import openai`) runs in an
executor. Heavy modules (`openai`, the store) are imported on first use so the first window
appears quickly.

`Operations` (made once by app.py, or by a test) owns the worker threads and the lifecycle and
holds one object per concern; a screen takes the facade, or only the part it uses:

    ops.history     history.py    the history store, gallery items of stored requests
    ops.profiles    profiles.py   settings, profiles, keys, SDK clients
    ops.screening   screening.py  scanning a prompt, allow- and block-lists
    ops.rewriting   rewriting.py  desensitize, framing, LLM rewrite (the Fix panel)
    ops.moderation  moderation.py moderation scores, cached (the Moderation panel)
    ops.generate    generate.py   cost estimate, request building, sending (the Generate panel)
    ops.images      images.py     decoding for display, saving a copy (the Gallery)
    ops.appeals     appeals.py    draft appeals, adding requests to one
    ops.judging     ui/editor/judging.py  the editor's target policy and learned calibration
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject

from workbench.core.errors import UserFacingError
from workbench.ui import messages
from workbench.ui.editor.judging import Judging
from workbench.ui.operations.appeals import AppealOperations
from workbench.ui.operations.generate import GenerateOperations
from workbench.ui.operations.history import HistoryOperations
from workbench.ui.operations.images import ImageOperations
from workbench.ui.operations.moderation import ModerationOperations
from workbench.ui.operations.profiles import ProfileOperations
from workbench.ui.operations.rewriting import RewritingOperations
from workbench.ui.operations.screening import ScreeningOperations


def _preload() -> None:
    """Import heavy modules and build cached tables (worker thread; everything is thread-safe)."""
    import importlib

    for module in ("openai", "httpx2", "PIL.Image", "sqlite_utils", "workbench.core.store",
                   "workbench.core.appeal.store", "workbench.core.api.client", "workbench.core.api.advice",
                   "workbench.core.rewrite", "workbench.core.rewrite.llm",
                   # What the first request imports lazily on the GUI thread (20-30 ms stall):
                   # the SDK's resources, anyio's asyncio backend, the HTTP/1.1 connection, IDNA.
                   "openai.resources.images", "openai.resources.moderations", "anyio._backends._asyncio",
                   "anyio.streams.memory", "httpcore2", "h11", "encodings.idna"):
        importlib.import_module(module)
    from workbench.core import rewrite, screening
    from workbench.core.api import pricing
    from workbench.core.rewrite.table import default_table

    for build in (screening.prepare, pricing.default_prices, default_table, rewrite.known_framings):
        try:
            build()
        except UserFacingError:
            pass  # reported where it is used (screening pauses with a message)


class Operations(QObject):
    """The services of one running workbench (one main window, or one test)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="workbench-io")
        self.history = HistoryOperations(self)
        self.profiles = ProfileOperations(self.history, self.run_in_worker, self)
        self.judging = Judging(self)  # the editor's target policy and learned calibration
        self.screening = ScreeningOperations(self.judging, self)
        self.rewriting = RewritingOperations(self.profiles)
        self.moderation = ModerationOperations(self.profiles)
        self.generate = GenerateOperations(self.history, self.profiles, self.moderation)
        self.images = ImageOperations(self.run_in_worker)
        self.appeals = AppealOperations(self.history, self)

    async def close(self) -> None:
        """Release what the operations hold: SDK clients, the store, worker threads."""
        self.judging.close()
        await self.profiles.close()
        self.history.close()
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
            self.history.store()
        await self.judging.load_calibration()
