"""What the caller asks for: one image request (generate or edit) and its input images."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.api.records import ImageParams
from workbench.core.errors import BadInputError
from workbench.core.io.files import read_bounded
from workbench.core.io.textinput import prompt_too_long

MAX_EDIT_IMAGES = 16
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_MASK_BYTES = 4 * 1024 * 1024
# Pillow's decompression-bomb line (~179 megapixels): decoding more would take gigabytes, and
# no reference photo is that large. A tiny file can declare 100,000 x 100,000 pixels.
MAX_IMAGE_PIXELS = 178_956_970

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpeg", "image/jpeg"),
    (b"RIFF", "webp", "image/webp"),  # checked with WEBP at offset 8 below
)


def sniff_format(data: bytes) -> str | None:
    """`png`, `jpeg` or `webp` from the file's magic bytes; None for anything else."""
    for magic, name, _ in _MAGIC:
        if data.startswith(magic):
            if name == "webp" and data[8:12] != b"WEBP":
                continue
            return name
    return None


@dataclass
class InputImage:
    """A reference image (or mask) for an edit."""

    data: bytes
    filename: str = "image.png"
    mime: str = "image/png"

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "image", *, limit: int = MAX_IMAGE_BYTES) -> InputImage:
        fmt = sniff_format(data)
        if fmt is None:
            raise BadInputError(f"{name} is not a PNG, JPEG or WebP image")
        if len(data) > limit:
            raise BadInputError(f"{name} is {len(data) / 2**20:.1f} MB; the limit is {limit // 2**20} MB")
        check_image(data, name, fmt)
        stem = Path(name).stem or "image"
        return cls(data=data, filename=f"{stem}.{'jpg' if fmt == 'jpeg' else fmt}", mime=f"image/{fmt}")

    @classmethod
    def from_path(cls, path: str | Path, *, limit: int = MAX_IMAGE_BYTES) -> InputImage:
        path = Path(path)
        return cls.from_bytes(read_bounded(path, limit, kind="an image"), path.name, limit=limit)

    def as_upload(self) -> tuple[str, bytes, str]:
        """The (filename, bytes, mime) tuple the SDK sends as a multipart file."""
        return (self.filename, self.data, self.mime)


def check_image(data: bytes, name: str, fmt: str) -> None:
    """Refuse decompression bombs and damaged or truncated files before they are sent or shown.

    Reads the header and checks the structure (PNG/WebP chunk checksums; a JPEG is decoded at
    1/8 scale, ~20 ms at 2048 px) without ever decoding a bomb's pixels.
    """
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError(f"{width}x{height}")
                if fmt == "jpeg":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                    image.load()
                else:
                    image.verify()
    except Image.DecompressionBombError:
        raise BadInputError(f"{name} declares more than {MAX_IMAGE_PIXELS:,} pixels "
                            "(a decompression bomb?); it was not opened") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for damaged files
        raise BadInputError(f"{name} is damaged or truncated ({exc})") from None


@dataclass
class ImageRequest:
    """One generate (no images) or edit (1–16 images, optional mask) request.

    `local_id` identifies the request before the provider gives it an ID (the history row is
    written under it before sending). `meta` carries caller data (findings, lineage) untouched.
    Streaming is used when `stream` is set or `params.partial_images` is positive.
    """

    prompt: str
    params: ImageParams = field(default_factory=ImageParams)
    images: list[InputImage] = field(default_factory=list)
    mask: InputImage | None = None
    stream: bool = False
    local_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_edit(self) -> bool:
        return bool(self.images)

    @property
    def wants_stream(self) -> bool:
        return self.stream or bool(self.params.partial_images)

    def validate(self) -> None:
        """Raise BadInputError (one line) for requests the API would certainly refuse."""
        if not self.prompt or not self.prompt.strip():
            raise BadInputError("the prompt is empty")
        if not _encodable(self.prompt):  # e.g. undecodable bytes on the command line
            raise BadInputError("the prompt is not valid UTF-8 text (it has unpaired surrogate characters)")
        if prompt_too_long(self.prompt):
            raise BadInputError(prompt_too_long(self.prompt) or "")
        if len(self.images) > MAX_EDIT_IMAGES:
            raise BadInputError(f"{len(self.images)} reference images; an edit takes at most {MAX_EDIT_IMAGES}")
        if self.mask is not None and not self.images:
            raise BadInputError("a mask needs at least one reference image")
        if self.mask is not None and len(self.mask.data) > MAX_MASK_BYTES:
            raise BadInputError("the mask is larger than 4 MB")
        p = self.params
        if not p.model or not str(p.model).strip():
            raise BadInputError("the model is empty")
        if not isinstance(p.n, int) or not 1 <= p.n <= 10:
            raise BadInputError("n must be a whole number from 1 to 10")
        if p.output_compression is not None and not 0 <= p.output_compression <= 100:
            raise BadInputError("output_compression must be from 0 to 100")
        if p.partial_images is not None and not 0 <= p.partial_images <= 3:
            raise BadInputError("partial_images must be from 0 to 3")
        if p.moderation not in (None, "auto", "low"):
            raise BadInputError("moderation must be 'auto' or 'low'")
        if p.background == "transparent" and p.output_format == "jpeg":
            raise BadInputError("a transparent background needs png or webp output")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
