"""Placeholder images that visibly carry the prompt's gist, so previews differ.

Colours come from the prompt's hash; the first words are drawn on a panel. PNG and JPEG files
also carry the prompt in metadata, which lets the Sandbox's moderation endpoint "see" what an
image it generated shows.
"""

from __future__ import annotations

import hashlib
import io
import textwrap

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

PROMPT_KEY = "workbench-sandbox-prompt"
MAX_SIDE = 4096


def render(
    prompt: str,
    width: int,
    height: int,
    *,
    fmt: str = "png",
    compression: int | None = None,
    transparent: bool = False,
    index: int = 0,
    coarseness: int = 1,
) -> bytes:
    """Encode one placeholder. `coarseness` > 1 gives a pixelated "partial" frame."""
    width, height = max(16, min(width, MAX_SIDE)), max(16, min(height, MAX_SIDE))
    digest = hashlib.sha256(f"{prompt}\0{index}".encode("utf-8", "replace")).digest()
    image = _gradient(digest, width, height, transparent)
    _draw_caption(image, prompt, digest, index)
    if coarseness > 1:
        small = image.resize((max(1, width // coarseness), max(1, height // coarseness)), Image.BILINEAR)
        image = small.resize((width, height), Image.NEAREST)
    return _encode(image, fmt, compression, prompt)


def embedded_prompt(data: bytes) -> str | None:
    """The prompt a Sandbox image was made from (None for any other image)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            text = image.info.get(PROMPT_KEY) or image.info.get("comment")
    except Exception:  # not an image we can read: nothing embedded
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str) and text.startswith(PROMPT_KEY + ":"):
        return text[len(PROMPT_KEY) + 1 :]
    return text if isinstance(text, str) and text else None


def image_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def _gradient(digest: bytes, width: int, height: int, transparent: bool) -> Image.Image:
    c1 = (digest[0], digest[1], digest[2])
    c2 = (digest[3], digest[4], digest[5])
    c3 = (digest[6], digest[7], digest[8])
    # A 2x2 seed image stretched with bilinear filtering: a smooth four-corner gradient, fast.
    mode = "RGBA" if transparent else "RGB"
    seed = Image.new(mode, (2, 2))
    corners = [c1, c2, c3, tuple(255 - v for v in c1)]
    for (x, y), colour in zip(((0, 0), (1, 0), (0, 1), (1, 1)), corners, strict=False):
        seed.putpixel((x, y), colour + ((255,) if transparent else ()))
    image = seed.resize((width, height), Image.BILINEAR)
    if transparent:
        mask = Image.new("L", (width, height), 0)
        ImageDraw.Draw(mask).ellipse((width * 0.08, height * 0.08, width * 0.92, height * 0.92), fill=255)
        image.putalpha(mask)
    return image


def _draw_caption(image: Image.Image, prompt: str, digest: bytes, index: int) -> None:
    width, height = image.size
    words = " ".join(prompt.split()[:12]) or "(empty prompt)"
    size = max(10, min(width, height) // 14)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # a Pillow built without FreeType: the fixed bitmap font
        font = ImageFont.load_default()
    chars = max(8, int(width * 0.85 / (size * 0.5)))
    lines = textwrap.wrap(words, width=chars)[:4]
    draw = ImageDraw.Draw(image)
    top = int(height * 0.3)
    box = (int(width * 0.06), top - size // 2, int(width * 0.94), top + (len(lines) + 1) * int(size * 1.25))
    panel = (0, 0, 0, 140) if image.mode == "RGBA" else (20, 20, 20)
    draw.rounded_rectangle(box, radius=max(4, size // 3), fill=panel)
    ink = (255, 255, 255) if image.mode == "RGB" else (255, 255, 255, 255)
    for number, line in enumerate(lines):
        draw.text((box[0] + size // 2, top + number * int(size * 1.25)), line, font=font, fill=ink)
    tag = f"SANDBOX · #{index + 1} · {digest.hex()[:8]}"
    draw.text((int(width * 0.06), int(height * 0.9)), tag, font=font, fill=ink)


def _encode(image: Image.Image, fmt: str, compression: int | None, prompt: str) -> bytes:
    out = io.BytesIO()
    embedded = prompt[:2000]
    if fmt == "jpeg":
        quality = 90 if compression is None else max(1, min(100, compression))
        image.convert("RGB").save(out, "JPEG", quality=quality, comment=f"{PROMPT_KEY}:{embedded}".encode())
    elif fmt == "webp":
        quality = 80 if compression is None else max(0, min(100, compression))
        image.save(out, "WEBP", quality=quality)
    else:
        info = PngImagePlugin.PngInfo()
        info.add_itxt(PROMPT_KEY, embedded)
        image.save(out, "PNG", pnginfo=info, compress_level=1)
    return out.getvalue()
