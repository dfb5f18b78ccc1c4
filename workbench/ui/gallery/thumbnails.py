"""Decoding images for display, meant to run in a worker thread (QImage is thread-safe; QPixmap is not).

Broken or hostile files give a null image instead of an exception; Qt's allocation limit
refuses decompression bombs.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

# Qt refuses to allocate more than this many MB for one decoded image (decompression bombs).
ALLOCATION_LIMIT_MB = 512


def decode_image(source: str | bytes, max_side: int | None = None) -> QImage:
    """Read an image file or bytes, scaled so its longest side is at most `max_side`.

    Returns a null QImage if the data is not a readable image.
    """
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    if isinstance(source, (bytes, bytearray)):
        buffer = QBuffer()
        buffer.setData(QByteArray(bytes(source)))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        image = _read(reader, max_side)
        buffer.close()
        return image
    return _read(QImageReader(str(source)), max_side)


def _read(reader: QImageReader, max_side: int | None) -> QImage:
    reader.setAutoTransform(True)
    if max_side:
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > max_side:
            reader.setScaledSize(size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return QImage()
    if max_side and max(image.width(), image.height()) > max_side:
        image = image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image
