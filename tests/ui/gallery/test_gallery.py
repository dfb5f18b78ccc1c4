"""Gallery: thumbnails off the GUI thread, zoom, compare, copy, restore prompt and settings."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QImage

from workbench.ui.gallery import GalleryItem, GalleryPanel
from workbench.ui.gallery.thumbnails import decode_image
from workbench.ui.gallery.viewer import CompareDialog, ImageViewer


def make_png(path, color: str, size=(320, 200)) -> str:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return str(path)


def items(tmp_path) -> list[GalleryItem]:
    return [
        GalleryItem(key=f"{i}:0", prompt=f"prompt {i}", params={"size": "1024x1024", "quality": q}, profile="Sandbox",
                    history_id=i, path=make_png(tmp_path / f"{i}.png", color))
        for i, (color, q) in enumerate((("red", "low"), ("blue", "high")), start=1)
    ]


def test_thumbnails_are_decoded_and_two_images_compare(qtbot, ops, qloop, until, tmp_path):
    panel = GalleryPanel(ops.images)
    qtbot.addWidget(panel)
    panel.show()
    panel.model.prepend(items(tmp_path))
    qloop.run_until_complete(until(lambda: panel.model.has_thumbnail("1:0") and panel.model.has_thumbnail("2:0")))
    assert not panel.compare_action.isEnabled()
    panel.select_keys(["1:0", "2:0"])
    assert panel.compare_action.isEnabled() and not panel.zoom_action.isEnabled()

    async def scenario():
        panel.compare_action.trigger()
        await until(lambda: any(isinstance(d, CompareDialog) for d in panel._dialogs))

    qloop.run_until_complete(scenario())
    dialog = next(d for d in panel._dialogs if isinstance(d, CompareDialog))
    assert [v.label.pixmap().isNull() for v in dialog.views] == [False, False]


def test_zoom_and_copy_a_single_image(qtbot, ops, qloop, until, tmp_path):
    panel = GalleryPanel(ops.images)
    qtbot.addWidget(panel)
    panel.model.prepend(items(tmp_path))
    panel.select_keys(["2:0"])

    async def scenario():
        panel.zoom_action.trigger()
        await until(lambda: any(isinstance(d, ImageViewer) for d in panel._dialogs))
        panel.copy_action.trigger()
        await until(lambda: not QGuiApplication.clipboard().image().isNull())

    qloop.run_until_complete(scenario())
    viewer = next(d for d in panel._dialogs if isinstance(d, ImageViewer))
    viewer.view.set_zoom(2.0)
    assert viewer.view.label.pixmap().width() == 640
    assert QGuiApplication.clipboard().image().pixelColor(5, 5) == QColor("blue")


def test_save_as_copies_the_stored_file(qtbot, ops, tmp_path, said):
    panel = GalleryPanel(ops.images)
    qtbot.addWidget(panel)
    source = items(tmp_path)[0]
    target = tmp_path / "out" / "copy.png"
    assert not ops.images.save_image_copy(Path(source.path), target)  # the folder does not exist
    assert any(m.level == "error" for m in said)
    target.parent.mkdir()
    assert ops.images.save_image_copy(Path(source.path), target)
    assert target.read_bytes() == Path(source.path).read_bytes()


def test_restore_puts_prompt_and_settings_back_with_lineage(window, tmp_path):
    item = items(tmp_path)[1]
    window.editor.setPlainText("something else")
    window.gallery.model.prepend([item])
    window.gallery.select_keys([item.key])
    window.gallery.restore_action.trigger()
    assert window.editor.toPlainText() == "prompt 2"
    assert window.generate_panel.form.quality.currentText() == "high"
    assert window.generate_panel.parent_id == 2
    window.editor.undo()
    assert window.editor.toPlainText() == "something else"


def test_broken_or_hostile_images_decode_to_nothing(tmp_path):
    assert decode_image(b"\x89PNG\r\n\x1a\nnot really").isNull()
    assert decode_image(b"").isNull()
    assert decode_image(str(tmp_path / "missing.png")).isNull()
    # A PNG header claiming 100000 x 100000 pixels is refused, not allocated.
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    bomb = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    assert decode_image(bomb).isNull()
