"""Cost before and after a request, from the authored price table `resources/pricing/prices.toml`.

Before: `estimate_cost(params, prompt=…, reference_images=…)` uses the per-image price for
model × quality × size (× n), the prompt's text tokens and, for edits, the reference images'
input tokens. After: `actual_cost(model, usage)` prices the tokens the API reported. A model
missing from the table gets no figure (None), never a guess. Dated snapshots
("gpt-image-1.5-2025-12-16") price like the model they snapshot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench import paths
from workbench.core.api.records import ImageParams, Usage
from workbench.core.errors import UserFacingError
from workbench.core.io.tomlfile import read_toml

PER_MILLION = 1_000_000
_SNAPSHOT_RE = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # a dated snapshot of a listed model


def image_input_tokens(width: int, height: int) -> int:
    """Input tokens of one reference image: 85 plus 170 per 512-pixel tile once the image is
    fitted into 2048 pixels (the tile rule OpenAI documents for image inputs)."""
    scale = min(1.0, 2048 / max(width, height, 1))
    w, h = width * scale, height * scale
    return 85 + 170 * math.ceil(w / 512) * math.ceil(h / 512)


@dataclass(frozen=True)
class ModelPrices:
    name: str
    text_input: float | None = None  # USD per million tokens
    image_input: float | None = None
    image_output: float | None = None
    text_output: float | None = None
    per_image: dict[str, dict[str, float]] = field(default_factory=dict)  # quality -> size -> USD


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    currency: str
    auto_quality: str
    auto_size: str
    chars_per_token: float
    models: dict[str, ModelPrices]
    aliases: dict[str, str]

    def get(self, model: str) -> ModelPrices | None:
        name = self.aliases.get(model, model)
        if name not in self.models:
            undated = _SNAPSHOT_RE.sub("", name)
            name = self.aliases.get(undated, undated)
        return self.models.get(name)


@dataclass(frozen=True)
class CostEstimate:
    usd: float
    per_image: float
    images: int
    notes: tuple[str, ...] = ()
    as_of: str = ""


def load_prices(path: Path | None = None) -> PriceTable:
    """Read the price table; a malformed file raises UserFacingError with one line."""
    path = path or paths.resource("pricing", "prices.toml")
    data = read_toml(path, "price table")
    try:
        return _table_from(data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise UserFacingError(f"price table {path} is malformed: {exc}") from None


@lru_cache(maxsize=1)
def default_prices() -> PriceTable:
    return load_prices()


def estimate_cost(
    params: ImageParams,
    *,
    prompt: str = "",
    reference_images: Sequence[tuple[int | None, int | None]] = (),
    table: PriceTable | None = None,
) -> CostEstimate | None:
    """Estimated USD for a request, or None when the model or its quality has no price.

    `reference_images`: (width, height) of each image sent to an edit; their input tokens are
    added at the model's image-input price (an unknown size counts as 1024x1024).
    """
    table = table or default_prices()
    prices = table.get(params.model)
    if prices is None:
        return None
    quality = params.quality if params.quality and params.quality != "auto" else table.auto_quality
    size = params.size if params.size and params.size != "auto" else table.auto_size
    notes: list[str] = []
    if params.quality in (None, "auto"):
        notes.append(f"quality 'auto' estimated as {table.auto_quality}")
    by_size = prices.per_image.get(quality)
    if not by_size:
        return None
    per_image = by_size.get(size)
    if per_image is None:
        per_image = _scaled_by_area(by_size, size)
        if per_image is None:
            return None
        notes.append(f"size {size} priced by area from the nearest listed size")
    n = max(1, int(params.n or 1))
    total = per_image * n
    if prompt and prices.text_input:
        tokens = math.ceil(len(prompt) / table.chars_per_token)
        total += tokens * prices.text_input / PER_MILLION
    if reference_images:
        tokens = sum(image_input_tokens(w or 1024, h or 1024) for w, h in reference_images)
        rate = prices.image_input if prices.image_input is not None else prices.text_input
        if rate:
            total += tokens * rate / PER_MILLION
            notes.append(f"{len(reference_images)} reference image(s): about {tokens:,} input tokens")
    return CostEstimate(usd=round(total, 6), per_image=per_image, images=n, notes=tuple(notes), as_of=table.as_of)


def actual_cost(model: str, usage: Usage | None, *, table: PriceTable | None = None) -> float | None:
    """USD for the tokens the API reported, or None without usage or prices."""
    if usage is None:
        return None
    table = table or default_prices()
    prices = table.get(model)
    if prices is None or prices.image_output is None:
        return None
    input_total = usage.input_tokens or 0
    text_in = usage.input_text_tokens
    image_in = usage.input_image_tokens
    if text_in is None and image_in is None:
        text_in, image_in = input_total, 0
    text_in = text_in or 0
    image_in = image_in or 0
    output_total = usage.output_tokens or 0
    text_out = usage.output_text_tokens or 0
    image_out = usage.output_image_tokens if usage.output_image_tokens is not None else output_total - text_out
    cost = (
        text_in * (prices.text_input or 0.0)
        + image_in * (prices.image_input or prices.text_input or 0.0)
        + image_out * prices.image_output
        + text_out * (prices.text_output or prices.text_input or 0.0)
    ) / PER_MILLION
    return round(cost, 6)


def _scaled_by_area(by_size: dict[str, float], size: str) -> float | None:
    dims = _parse_size(size)
    if dims is None or not by_size:
        return None
    area = dims[0] * dims[1]
    listed = [(d[0] * d[1], price) for key, price in by_size.items() if (d := _parse_size(key))]
    if not listed:
        return None
    base_area, base_price = min(listed, key=lambda item: abs(item[0] - area))
    return base_price * area / base_area


def _parse_size(size: str) -> tuple[int, int] | None:
    width, sep, height = size.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        return None
    return int(width), int(height)


def _table_from(data: dict[str, Any]) -> PriceTable:
    models = {}
    for name, entry in (data.get("models") or {}).items():
        per_image = {
            quality: {size: float(price) for size, price in sizes.items()}
            for quality, sizes in (entry.get("per_image") or {}).items()
        }
        models[name] = ModelPrices(
            name=name,
            text_input=_opt_float(entry.get("text_input")),
            image_input=_opt_float(entry.get("image_input")),
            image_output=_opt_float(entry.get("image_output")),
            text_output=_opt_float(entry.get("text_output")),
            per_image=per_image,
        )
    return PriceTable(
        as_of=str(data.get("as_of", "")),
        currency=str(data.get("currency", "USD")),
        auto_quality=str(data.get("auto_quality", "medium")),
        auto_size=str(data.get("auto_size", "1024x1024")),
        chars_per_token=float(data.get("chars_per_token", 4.0)),
        models=models,
        aliases={str(k): str(v) for k, v in (data.get("aliases") or {}).items()},
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
