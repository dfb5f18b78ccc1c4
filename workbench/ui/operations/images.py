"""Image operations: decoding for display off the GUI thread, and saving a copy where the user chose."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from workbench.ui import messages
from workbench.ui.gallery.thumbnails import decode_image


class ImageOperations:
    """Decoding runs on the worker threads the operations own (`run_in_worker`)."""

    def __init__(self, run_in_worker: Callable[..., Awaitable[Any]]) -> None:
        self._run_in_worker = run_in_worker

    async def load_image(self, source: str | bytes | None, max_side: int | None = None) -> QImage:
        """Decode (and scale) an image on a worker thread; a null image if unreadable."""
        if source is None:
            return QImage()
        return await self._run_in_worker(decode_image, source, max_side)

    def save_image_copy(self, source: Path, target: Path) -> bool:
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            messages.error(f"The image could not be saved to {target}: {exc.strerror or exc}")
            return False
        messages.info(f"Saved {target}")
        return True
