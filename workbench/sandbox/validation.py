"""Checking image requests the way the real API does: parameters, sizes, uploads.

Every refusal is an `ApiError` carrying the HTTP status and the OpenAI-shaped error body.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.sandbox import bodies, images
from workbench.sandbox.forms import Form, Upload

STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536", "256x256", "512x512", "1792x1024", "1024x1792")
QUALITIES = ("auto", "low", "medium", "high", "standard", "hd")
FORMATS = ("png", "jpeg", "webp")
MAX_PROMPT_CHARS = 32_000


class ApiError(Exception):
    """An HTTP error answer: status, OpenAI-shaped body, extra headers."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def bad(code: str, message: str, *, param: str | None = None, type: str = "invalid_request_error") -> ApiError:
    return ApiError(400, bodies.error(message, type=type, code=code, param=param))


def coerce(fields: dict[str, str]) -> dict[str, Any]:
    """Multipart sends every field as text; restore the JSON types the API expects."""
    result: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("n", "output_compression", "partial_images"):
            result[key] = int(value) if value.strip().lstrip("-").isdigit() else value
        elif key == "stream":
            result[key] = value.strip().lower() == "true"
        else:
            result[key] = value
    return result


def validate_image_params(data: dict[str, Any], *, edit: bool, deployment: str | None) -> dict[str, Any]:
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ApiError(400, bodies.invalid_value("prompt", "Missing required parameter: 'prompt'."))
    if len(prompt) > MAX_PROMPT_CHARS:
        raise ApiError(400, bodies.error(
            f"Invalid 'prompt': string too long. Expected a string with maximum length {MAX_PROMPT_CHARS}, "
            f"but got a string with length {len(prompt)} instead.",
            type="invalid_request_error", code="string_above_max_length", param="prompt"))
    model = data.get("model") or deployment or ("gpt-image-1.5" if edit else "gpt-image-1")
    if not isinstance(model, str):
        raise ApiError(400, bodies.invalid_value("model", "model must be a string."))
    n = data.get("n", 1)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 10:
        raise ApiError(400, bodies.invalid_value("n", f"Invalid value for 'n': {n!r}. Expected an integer from 1 to 10."))
    size = data.get("size") or "auto"
    width, height = _size(size, model)
    quality = data.get("quality") or "auto"
    _one_of("quality", quality, QUALITIES)
    output_format = data.get("output_format") or "png"
    _one_of("output_format", output_format, FORMATS)
    compression = data.get("output_compression")
    if compression is not None and (not isinstance(compression, int) or not 0 <= compression <= 100):
        raise ApiError(400, bodies.invalid_value("output_compression", "output_compression must be an integer from 0 to 100."))
    background = data.get("background") or "auto"
    _one_of("background", background, ("auto", "opaque", "transparent"))
    if background == "transparent" and output_format == "jpeg":
        raise ApiError(400, bodies.invalid_value("background", "Transparent backgrounds need output_format png or webp."))
    moderation = data.get("moderation")
    if moderation is not None:
        _one_of("moderation", moderation, ("auto", "low"))
    partial = data.get("partial_images")
    if partial is not None and (not isinstance(partial, int) or not 0 <= partial <= 3):
        raise ApiError(400, bodies.invalid_value("partial_images", "partial_images must be an integer from 0 to 3."))
    quality_used = "medium" if quality in ("auto", "standard") else ("high" if quality == "hd" else quality)
    return {
        "model": model, "n": n, "width": width, "height": height, "size_used": f"{width}x{height}",
        "quality": quality, "quality_used": quality_used, "output_format": output_format,
        "output_compression": compression, "background": background, "moderation": moderation,
        "partial_images": partial, "stream": bool(data.get("stream")),
    }


def _one_of(param: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        supported = ", ".join(repr(a) for a in allowed)
        raise ApiError(400, bodies.invalid_value(param, f"Invalid value: {value!r}. Supported values are: {supported}."))


def _size(size: Any, model: str) -> tuple[int, int]:
    if size == "auto":
        return 1024, 1024
    if isinstance(size, str) and size in STANDARD_SIZES:
        w, h = size.split("x")
        return int(w), int(h)
    match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", size) if isinstance(size, str) else None
    if match and model.startswith("gpt-image-2"):
        w, h = int(match.group(1)), int(match.group(2))
        if w % 16 == 0 and h % 16 == 0 and max(w, h) <= 3840 and w * h <= 3840 * 2160 and max(w, h) <= 3 * min(w, h):
            return w, h
    supported = ", ".join(STANDARD_SIZES[:3])
    raise ApiError(400, bodies.invalid_value("size", f"Invalid size {size!r}. Supported sizes are auto, {supported}."))


def validate_uploads(form: Form) -> list[Upload]:
    uploads = form.files.get("image", [])
    if not uploads:
        raise ApiError(400, bodies.invalid_value("image", "Missing required parameter: 'image'."))
    if len(uploads) > 16:
        raise ApiError(400, bodies.invalid_value("image", f"Too many images: {len(uploads)}. At most 16 are allowed."))
    first_size = None
    for index, upload in enumerate(uploads):
        size = images.image_size(upload.data)
        if size is None:
            message = f"Invalid image file or mode for image {index + 1}, please check your image file."
            raise bad("invalid_image_file", message, param="image", type="image_generation_user_error")
        first_size = first_size or size
    for mask in form.files.get("mask", [])[:1]:
        size = images.image_size(mask.data)
        if size is None or size != first_size:
            message = "Invalid mask image: it must be a PNG with the same dimensions as the first image."
            raise ApiError(400, bodies.invalid_value("mask", message))
    return uploads
