"""Image files stored by content hash, with prompt and parameters embedded in PNG text chunks.

Files live at `<images_dir>/<sha256[:2]>/<sha256>.<ext>`, where the hash is of the bytes on
disk, so a name always verifies its content and identical files are stored once. PNG metadata
is added by inserting `iTXt` chunks before `IEND` - the pixels are never decoded or re-encoded,
so everything else the provider put in the file is kept byte for byte. Other formats are stored
unchanged. Writes go to a temporary file and are renamed into place, so a crash never leaves a
half-written image under its final name.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.errors import BadInputError, StoreError
from workbench.core.store.atomic import atomic_write_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Keywords we write (and strip again on redaction). "parameters" follows AUTOMATIC1111 so other
# tools' "PNG info" views show it; "Description" and "Software" are standard PNG keywords.
METADATA_KEYWORDS = ("Description", "parameters", "workbench", "Software")
EXTENSIONS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "webp": "webp", "gif": "gif"}
# The only names `put` ever writes: <2 hex>/<64 hex>.<ext>.
_RELPATH = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,8}")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    format: str
    relpath: str  # relative to the images folder
    size: int
    width: int | None
    height: int | None


class ImageFiles:
    """The content-addressed image folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, relpath: str) -> Path:
        """Where a stored image lives. A `relpath` that is not one of ours (a tampered or foreign
        database naming `../../somewhere`) maps to a file that cannot exist, so nothing outside
        the images folder is ever read, exported or deleted through the history."""
        if not _RELPATH.fullmatch(relpath or ""):
            return self.root / ".not-an-image-path"
        return self.root / relpath

    def put(self, data: bytes, fmt: str | None = None, metadata: dict[str, str] | None = None) -> StoredFile:
        """Store image bytes (with metadata chunks if PNG); returns where they went."""
        fmt = (fmt or sniff_format(data) or "bin").lower()
        if fmt == "png" and metadata:
            data = add_png_text(data, metadata)
        sha = hashlib.sha256(data).hexdigest()
        relpath = f"{sha[:2]}/{sha}.{EXTENSIONS.get(fmt, 'bin')}"
        target = self.root / relpath
        if not target.exists():
            try:
                atomic_write_bytes(target, data)
            except BadInputError as exc:
                raise StoreError(f"cannot store an image: {exc.user_message}") from None
        width, height = image_size(data)
        return StoredFile(sha, fmt, relpath, len(data), width, height)

    def read(self, relpath: str) -> bytes:
        return self.path(relpath).read_bytes()

    def delete(self, relpath: str) -> None:
        try:
            self.path(relpath).unlink()
        except FileNotFoundError:
            pass


def sniff_format(data: bytes) -> str | None:
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """Width and height from the header; (None, None) for unreadable or hostile data."""
    if data.startswith(PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    try:
        from PIL import Image  # header read only; pixels are never decoded here

        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Exception:  # noqa: BLE001 - any unreadable image simply has no known size
        return None, None


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def _itxt(keyword: str, text: str) -> bytes:
    # keyword NUL, compression flag 1 + method 0 (zlib), empty language tag NUL, empty translated keyword NUL
    payload = keyword.encode("latin-1") + b"\x00\x01\x00\x00\x00" + zlib.compress(text.encode("utf-8"))
    return _chunk(b"iTXt", payload)


def iter_png_chunks(data: bytes) -> list[tuple[bytes, bytes, int, int]]:
    """(type, payload, start, end) for each chunk; raises ValueError on malformed PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks = []
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG chunk")
        chunks.append((kind, data[pos + 8:pos + 8 + length], pos, end))
        pos = end
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise ValueError("PNG without IEND")
    return chunks


def add_png_text(data: bytes, metadata: dict[str, str]) -> bytes:
    """Insert iTXt chunks before IEND (replacing ours if present); malformed PNGs are returned as is."""
    try:
        data = strip_png_text(data)
        chunks = iter_png_chunks(data)
    except ValueError:
        return data
    iend_start = chunks[-1][2]
    extra = b"".join(_itxt(k, v) for k, v in metadata.items() if v)
    return data[:iend_start] + extra + data[iend_start:]


def strip_png_text(data: bytes, keywords: tuple[str, ...] = METADATA_KEYWORDS) -> bytes:
    """Remove text chunks with our keywords, keeping every other byte as it was."""
    try:
        chunks = iter_png_chunks(data)
    except ValueError:
        return data
    wanted = {k.encode("latin-1") for k in keywords}
    out = [data[:len(PNG_SIGNATURE)]]
    for kind, payload, start, end in chunks:
        if kind in (b"iTXt", b"tEXt", b"zTXt") and payload.split(b"\x00", 1)[0] in wanted:
            continue
        out.append(data[start:end])
    return b"".join(out)


def read_png_text(data: bytes) -> dict[str, str]:
    """The text chunks of a PNG (tEXt, zTXt, iTXt) as a dict; {} if not a readable PNG."""
    try:
        chunks = iter_png_chunks(data)
    except ValueError:
        return {}
    out: dict[str, str] = {}
    for kind, payload, _start, _end in chunks:
        try:
            if kind == b"tEXt":
                key, value = payload.split(b"\x00", 1)
                out[key.decode("latin-1")] = value.decode("latin-1")
            elif kind == b"zTXt":
                key, rest = payload.split(b"\x00", 1)
                out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
            elif kind == b"iTXt":
                key, rest = payload.split(b"\x00", 1)
                flag, _method = rest[0], rest[1]
                _lang, rest = rest[2:].split(b"\x00", 1)
                _tkey, text = rest.split(b"\x00", 1)
                out[key.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode("utf-8")
        except (ValueError, IndexError, zlib.error, UnicodeDecodeError):
            continue
    return out


def png_metadata(prompt: str, params: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, str]:
    """The text chunks written into a stored PNG: prompt, readable parameters, and JSON."""
    shown = ", ".join(
        f"{key.replace('_', ' ').capitalize()}: {value}"
        for key, value in params.items()
        if value not in (None, "", {}, []) and key != "extra"
    )
    record = {"prompt": prompt, "params": params, **(extra or {})}
    return {
        "Description": prompt,
        "parameters": f"{prompt}\n{shown}" if shown else prompt,
        "workbench": json.dumps(record, ensure_ascii=False, sort_keys=True),
        "Software": "Prompt Workbench",
    }
