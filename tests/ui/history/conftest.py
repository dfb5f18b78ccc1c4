"""A real history in the test's WORKBENCH_HOME: generated traffic plus a few known requests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageData
from workbench.core.store.demo import generate_history

BLOCK_BODY = (
    '{"error": {"message": "Your request was rejected by the safety system. <b>not bold</b> '
    'request ID req_zebra_0001. safety_violations=[violence].", "type": "image_generation_user_error", '
    '"param": null, "code": "moderation_blocked"}}'
)


def png_bytes(color: str, side: int = 64) -> bytes:
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data)


@dataclass
class KnownHistory:
    store: object
    blocked_id: int  # a blocked request with a unique prompt and request ID
    rewrite_id: int  # a rewrite of it that passed, with two output images
    total: int


@pytest.fixture
def history(ops) -> KnownHistory:
    store = ops.history.store()
    generate_history(store, 450, seed=11)
    blocked = store.record_completed(
        "A zebra duel at midnight, swords <i>drawn</i>", {"model": "gpt-image-1", "size": "1024x1024"},
        outcome="blocked_input", http_status=400, profile="OpenAI", provider="openai",
        request_ids=["req_zebra_0001"], source="live",
        error=ErrorRecord(kind="blocked", message="Your request was rejected by the safety system.",
                          stage="input", categories=["violence"], http_status=400, code="moderation_blocked",
                          type="image_generation_user_error", raw_body=BLOCK_BODY,
                          request_ids=["req_zebra_0001"], provider="openai", safety_violations=["violence"]),
    ).id
    rewrite = store.begin_request("A zebra standoff at midnight, theatrical", {"model": "gpt-image-1", "n": 2},
                                  profile="Sandbox", provider="sandbox", parent_id=blocked,
                                  moderation_scores={"violence": 0.12, "sexual": 0.001})
    store.complete_request(rewrite, GenerationResult(
        outcome="ok", request_ids=["req_zebra_0002"], http_status=200, latency_ms=900.0,
        images=[ImageData(png_bytes("#3366aa"), "png"), ImageData(png_bytes("#aa6633"), "png")]))
    return KnownHistory(store, int(blocked), int(rewrite), store.count())


@pytest.fixture
def open_view(qtbot, ops):
    """Open the real History view at a size where every column shows; closed after the test."""
    from workbench.ui.history import HistoryView

    opened = []

    def make() -> HistoryView:
        widget = HistoryView(ops)
        qtbot.addWidget(widget)
        widget.resize(1300, 800)
        widget.show()
        qtbot.waitExposed(widget)
        opened.append(widget)
        return widget

    yield make
    for widget in opened:
        widget.worker.close()
