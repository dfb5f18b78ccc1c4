"""Hostile image files on every path that opens one: edit inputs, stored images, the GUI.

A decompression bomb here is a 6 KB PNG that declares 100,000 x 100,000 pixels (10 G pixels,
~10 GB decoded); truncated files are real PNG/JPEG/WebP cut in half. Nothing may decode the
bomb's pixels, crash, or hang; where the user asked for the image, they get a clear message.
"""

from __future__ import annotations

import io
import resource
import struct
import zlib

import pytest
from PIL import Image
from reliability_helpers import assert_one_line_error, run_cli

from workbench.core.api.request import InputImage
from workbench.core.errors import BadInputError
from workbench.core.store.images import ImageFiles


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(side: int = 100_000) -> bytes:
    """A valid-looking greyscale PNG of side x side whose IDAT starts an all-zero stream."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    idat = packer.compress(b"\x00" * (side + 1) * 64) + packer.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def encoded(fmt: str, side: int = 256) -> bytes:
    image = Image.effect_noise((side, side), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


TRUNCATED = {fmt: encoded(fmt)[: len(encoded(fmt)) // 2] for fmt in ("PNG", "JPEG", "WEBP")}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- edit inputs (CLI --image, GUI "Add reference…") ----------------------------------------------


def test_bomb_as_reference_image_is_refused_before_anything_is_sent(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())
    with pytest.raises(BadInputError, match="pixels"):
        InputImage.from_path(bomb)
    proc = run_cli("generate", "--image", str(bomb), "--out", str(tmp_path), "make it blue", cwd=tmp_path)
    assert_one_line_error(proc, "bomb.png")
    history = run_cli("history", "list", "--json")
    assert history.stdout.strip() == "", "a refused input must not become a request"


@pytest.mark.parametrize("fmt", sorted(TRUNCATED))
def test_truncated_reference_image_is_refused(tmp_path, fmt):
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(TRUNCATED[fmt])
    with pytest.raises(BadInputError, match="damaged or truncated"):
        InputImage.from_path(path)


def test_intact_reference_images_still_pass(tmp_path):
    for fmt in ("PNG", "JPEG", "WEBP"):
        path = tmp_path / f"ok.{fmt.lower()}"
        path.write_bytes(encoded(fmt))
        assert InputImage.from_path(path).mime == f"image/{fmt.lower()}"


def test_mask_that_is_a_bomb_is_refused(tmp_path):
    (tmp_path / "ref.png").write_bytes(encoded("PNG"))
    (tmp_path / "mask.png").write_bytes(png_bomb(60_000))
    proc = run_cli("generate", "--image", str(tmp_path / "ref.png"), "--mask", str(tmp_path / "mask.png"),
                   "--out", str(tmp_path), "make it blue", cwd=tmp_path)
    assert_one_line_error(proc, "mask.png")


# -- stored images (history, gallery files, PNG metadata) ---------------------------------------


def test_storing_a_bomb_reads_only_its_header(tmp_path):
    before = _peak_rss_mb()
    stored = ImageFiles(tmp_path).put(png_bomb(), "png", {"Description": "a prompt"})
    assert (stored.width, stored.height) == (100_000, 100_000)  # from IHDR, pixels never decoded
    assert _peak_rss_mb() - before < 200


@pytest.mark.parametrize("fmt", sorted(TRUNCATED))
def test_storing_a_truncated_image_keeps_the_bytes(tmp_path, fmt):
    stored = ImageFiles(tmp_path).put(TRUNCATED[fmt], fmt.lower(), {"Description": "x"})
    assert (tmp_path / stored.relpath).read_bytes()[:8] == TRUNCATED[fmt][:8]


# -- the GUI (thumbnails, viewer, copy) ----------------------------------------------------------


@pytest.mark.parametrize("name", ["bomb", "PNG", "JPEG", "WEBP"])
def test_gui_decoding_refuses_and_the_viewer_says_so(qapp, tmp_path, name):
    from PySide6.QtWidgets import QLabel

    from workbench.ui.gallery.model import GalleryItem
    from workbench.ui.gallery.thumbnails import decode_image
    from workbench.ui.gallery.viewer import ImageViewer

    data = png_bomb() if name == "bomb" else TRUNCATED[name]
    path = tmp_path / f"hostile.{name.lower()}"
    path.write_bytes(data)
    before = _peak_rss_mb()
    for source in (str(path), data):
        for side in (None, 160):
            image = decode_image(source, side)
            if name == "bomb":
                assert image.isNull()
            elif not image.isNull():  # Qt may keep the rows it could read: never more than the header said
                assert image.width() <= 256 and image.height() <= 256
    assert _peak_rss_mb() - before < 300, "the bomb's pixels were allocated"
    if name == "bomb":
        viewer = ImageViewer(GalleryItem(key="k", prompt="p", path=str(path)), decode_image(str(path)))
        assert any("cannot be shown" in label.text() for label in viewer.findChildren(QLabel))
        viewer.deleteLater()
