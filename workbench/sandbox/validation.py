"""Checking image requests the way the real API does: parameters, sizes, uploads.

Every refusal is an `ApiError` carrying the HTTP status and the OpenAI-shaped error body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench import paths
from workbench.core.errors import UserFacingError
from workbench.core.io.tomlfile import read_toml
from workbench.sandbox import bodies, images
from workbench.sandbox.forms import Form, Upload

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


@dataclass(frozen=True)
class ModelRules:
    """What one model family accepts (resources/sandbox/models.toml)."""

    family: str
    sizes: tuple[str, ...]
    qualities: tuple[str, ...]
    edit_qualities: tuple[str, ...]
    n_max: int = 10
    free_sizes: bool = False
    max_edge: int = 0
    max_pixels: int = 0
    response_format: bool = False
    style: bool = False
    gpt_params: bool = True
    transparent: bool = True
    input_fidelity: bool = True
    edits: bool = True


@lru_cache(maxsize=4)
def model_table(path: Path | None = None) -> tuple[dict[str, ModelRules], dict[str, str], str]:
    """(families, name prefixes, default family) from the model data file."""
    path = path or paths.resource("sandbox", "models.toml")
    data = read_toml(path, "sandbox model table")
    try:
        families = {
            name: ModelRules(family=name, **{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
            for name, entry in data["family"].items()
        }
        prefixes = {str(k): str(v) for k, v in data.get("prefixes", {}).items()}
        default = str(data.get("default_family", "gpt-image"))
        if default not in families or any(v not in families for v in prefixes.values()):
            raise ValueError("a prefix or the default names an unknown family")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserFacingError(f"sandbox model table {path} is malformed: {exc}") from None
    return families, prefixes, default


def rules_for(model: str) -> ModelRules:
    families, prefixes, default = model_table()
    match = max((p for p in prefixes if model.startswith(p)), key=len, default=None)
    return families[prefixes[match] if match else default]


def validate_image_params(data: dict[str, Any], *, edit: bool, deployment: str | None) -> dict[str, Any]:
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ApiError(400, bodies.invalid_value("prompt", "Missing required parameter: 'prompt'."))
    model = data.get("model") or deployment or ("gpt-image-1.5" if edit else "gpt-image-1")
    if not isinstance(model, str):
        raise ApiError(400, bodies.invalid_value("model", "model must be a string."))
    rules = rules_for(model)
    limit = MAX_PROMPT_CHARS if rules.gpt_params else (4000 if rules.family == "dall-e-3" else 1000)
    if len(prompt) > limit:
        raise ApiError(400, bodies.error(
            f"Invalid 'prompt': string too long. Expected a string with maximum length {limit}, "
            f"but got a string with length {len(prompt)} instead.",
            type="invalid_request_error", code="string_above_max_length", param="prompt"))
    if edit and not rules.edits:
        raise ApiError(400, bodies.invalid_value(
            "model", f"Invalid value: '{model}'. This model does not support image edits."))
    _unknown_parameters(data, rules, edit)
    n = data.get("n", 1)
    if not isinstance(n, int) or isinstance(n, bool):
        raise ApiError(400, bodies.error(
            f"Invalid type for 'n': expected an integer, but got {type(n).__name__} instead.",
            type="invalid_request_error", code="invalid_type", param="n"))
    if n < 1:
        raise ApiError(400, bodies.error(
            f"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {n} instead.",
            type="invalid_request_error", code="integer_below_min_value", param="n"))
    if n > rules.n_max:
        message = ("You must provide n=1 for this model." if rules.n_max == 1 else
                   f"Invalid 'n': integer above maximum value. Expected a value <= {rules.n_max}, but got {n} instead.")
        code = "invalid_value" if rules.n_max == 1 else "integer_above_max_value"
        raise ApiError(400, bodies.error(message, type="invalid_request_error", code=code, param="n"))
    size = data.get("size") or ("auto" if "auto" in rules.sizes else "1024x1024")
    width, height = _size(size, rules)
    qualities = rules.edit_qualities if edit else rules.qualities
    quality = data.get("quality") or ("auto" if "auto" in qualities else qualities[0] if qualities else "auto")
    _one_of("quality", quality, qualities)
    output_format = data.get("output_format") or "png"
    _one_of("output_format", output_format, FORMATS)
    compression = data.get("output_compression")
    if compression is not None and (not isinstance(compression, int) or not 0 <= compression <= 100):
        raise ApiError(400, bodies.invalid_value("output_compression", "output_compression must be an integer from 0 to 100."))
    background = data.get("background") or "auto"
    _one_of("background", background, ("auto", "opaque", "transparent"))
    if background == "transparent" and not rules.transparent:
        raise ApiError(400, bodies.invalid_value(
            "background", f"Transparent backgrounds are not supported for {model}. Use background 'opaque' or 'auto'."))
    if background == "transparent" and output_format == "jpeg":
        raise ApiError(400, bodies.invalid_value("background", "Transparent backgrounds need output_format png or webp."))
    moderation = data.get("moderation")
    if moderation is not None:
        _one_of("moderation", moderation, ("auto", "low"))
    partial = data.get("partial_images")
    if partial is not None and (not isinstance(partial, int) or not 0 <= partial <= 3):
        raise ApiError(400, bodies.invalid_value("partial_images", "partial_images must be an integer from 0 to 3."))
    if data.get("response_format") is not None:
        _one_of("response_format", data["response_format"], ("url", "b64_json"))
    if data.get("style") is not None:
        _one_of("style", data["style"], ("vivid", "natural"))
    if edit and data.get("input_fidelity") is not None:
        if not rules.input_fidelity:
            raise ApiError(400, bodies.error(
                f"input_fidelity is not supported for model '{model}'.", type="invalid_request_error",
                code="invalid_input_fidelity_model", param="input_fidelity"))
        _one_of("input_fidelity", data["input_fidelity"], ("low", "high"))
    quality_used = "medium" if quality in ("auto", "standard") else ("high" if quality == "hd" else quality)
    return {
        "model": model, "n": n, "width": width, "height": height, "size_used": f"{width}x{height}",
        "quality": quality, "quality_used": quality_used, "output_format": output_format,
        "output_compression": compression, "background": background, "moderation": moderation,
        "partial_images": partial, "stream": bool(data.get("stream")),
    }


_GPT_ONLY = ("background", "output_format", "output_compression", "moderation", "partial_images", "stream")


def _unknown_parameters(data: dict[str, Any], rules: ModelRules, edit: bool) -> None:
    """Parameters this model does not take get the API's `unknown_parameter` error."""
    refused = [k for k in _GPT_ONLY if not rules.gpt_params and data.get(k) not in (None, False)]
    if not rules.response_format and data.get("response_format") is not None:
        refused.append("response_format")
    if not rules.style and data.get("style") is not None:
        refused.append("style")
    if refused:
        name = refused[0]
        raise ApiError(400, bodies.error(f"Unknown parameter: '{name}'.", type="invalid_request_error",
                                         code="unknown_parameter", param=name))


def _one_of(param: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        message = f"Invalid value: {value!r}. Supported values are: {_listed(allowed)}."
        raise ApiError(400, bodies.invalid_value(param, message))


def _listed(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def _size(size: Any, rules: ModelRules) -> tuple[int, int]:
    if size == "auto" and "auto" in rules.sizes:
        return 1024, 1024
    if isinstance(size, str) and size in rules.sizes:
        w, h = size.split("x")
        return int(w), int(h)
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", size) if isinstance(size, str) else None
    if match and rules.free_sizes:
        w, h = int(match.group(1)), int(match.group(2))
        problem = None
        if w % 16 or h % 16:
            problem = "Both width and height must be multiples of 16."
        elif max(w, h) > rules.max_edge or w * h > rules.max_pixels:
            problem = f"The largest supported size is {rules.max_edge}x{rules.max_pixels // rules.max_edge}."
        elif max(w, h) > 3 * min(w, h):
            problem = "The aspect ratio must be between 1:3 and 3:1."
        if problem is None:
            return w, h
        raise ApiError(400, bodies.invalid_value("size", f"Invalid size '{size}'. {problem}"))
    message = f"Invalid value: {size!r}. Supported values are: {_listed(rules.sizes)}."
    raise ApiError(400, bodies.invalid_value("size", message))


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
