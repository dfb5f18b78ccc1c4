"""Render the app icon (resources/icons/workbench.svg) into the freedesktop hicolor theme.

    .venv/bin/python packaging/render_icons.py          # writes packaging/icons/hicolor/…
    .venv/bin/python packaging/render_icons.py --check  # exit 1 if a committed icon is stale

The SVG in resources/ is the single source: the GUI loads it at run time, and this script
copies it to hicolor/scalable/apps/ and renders PNGs at the standard sizes with Qt's own SVG
renderer (QtSvg, part of PySide6-Essentials), so no extra tool is needed. Run it again after
editing the SVG and commit the results.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.promptworkbench.PromptWorkbench"
SOURCE = ROOT / "resources" / "icons" / "workbench.svg"
HICOLOR = ROOT / "packaging" / "icons" / "hicolor"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render_png(svg: bytes, size: int) -> bytes:
    """The SVG drawn into a transparent size×size square, as PNG bytes."""
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: Qt cannot parse this SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def targets(svg: bytes) -> dict[Path, bytes]:
    """Every file this script owns under hicolor/, with its expected content."""
    out = {HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg": svg}
    for size in SIZES:
        out[HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = render_png(svg, size)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report icons that differ from the SVG")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs it alive)
    svg = SOURCE.read_bytes()
    stale = []
    for path, data in targets(svg).items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(ROOT)))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
