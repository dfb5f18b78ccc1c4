"""Cost estimates from the shipped price table, and actual cost from usage tokens."""

from __future__ import annotations

import pytest

from workbench.core.api.pricing import actual_cost, estimate_cost, load_prices
from workbench.core.api.records import ImageParams, Usage
from workbench.core.errors import UserFacingError


def test_shipped_table_loads_and_is_dated():
    table = load_prices()
    assert table.as_of and table.currency == "USD"
    assert {"gpt-image-1", "gpt-image-1-mini", "gpt-image-2"} <= set(table.models)


@pytest.mark.parametrize(
    "model, quality, size, per_image",
    [("gpt-image-1", "low", "1024x1024", 0.011), ("gpt-image-1", "high", "1536x1024", 0.25),
     ("gpt-image-1-mini", "medium", "1024x1536", 0.015), ("gpt-image-2", "high", "1024x1024", 0.211),
     ("gpt-image-2-2026-04-21", "low", "1024x1024", 0.006)],
)
def test_per_image_prices(model, quality, size, per_image):
    estimate = estimate_cost(ImageParams(model=model, quality=quality, size=size, n=1))
    assert estimate.per_image == pytest.approx(per_image)
    assert estimate.usd == pytest.approx(per_image)


def test_n_and_prompt_tokens_add_up():
    estimate = estimate_cost(ImageParams(model="gpt-image-1", quality="medium", size="1024x1024", n=3), prompt="x" * 400)
    assert estimate.usd == pytest.approx(3 * 0.042 + 100 * 5.0 / 1e6)


def test_auto_quality_and_size_are_estimated_with_a_note():
    estimate = estimate_cost(ImageParams(model="gpt-image-1", quality="auto", size="auto"))
    assert estimate.per_image == pytest.approx(0.042)
    assert any("auto" in note for note in estimate.notes)


def test_unlisted_size_scaled_by_area_and_unknown_model_has_no_estimate():
    estimate = estimate_cost(ImageParams(model="gpt-image-2", quality="medium", size="2048x2048"))
    assert estimate.per_image == pytest.approx(0.053 * 4)
    assert estimate_cost(ImageParams(model="some-future-model", quality="low")) is None


def test_actual_cost_from_usage():
    usage = Usage(input_tokens=50, input_text_tokens=40, input_image_tokens=10, output_tokens=1056, total_tokens=1106)
    assert actual_cost("gpt-image-1", usage) == pytest.approx((40 * 5 + 10 * 10 + 1056 * 40) / 1e6)
    assert actual_cost("gpt-image-1", None) is None
    assert actual_cost("unknown-model", usage) is None


def test_malformed_price_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "prices.toml"
    bad.write_text("models = [", encoding="utf-8")
    with pytest.raises(UserFacingError, match="cannot be read"):
        load_prices(bad)


def test_gpt_image_1_5_chatgpt_image_latest_and_dated_snapshots_have_prices():
    from workbench.core.api.pricing import default_prices, estimate_cost

    table = default_prices()
    for model in ("gpt-image-1.5", "chatgpt-image-latest", "gpt-image-1.5-2025-12-16", "gpt-image-1-2025-04-23"):
        assert table.get(model) is not None, model
    est = estimate_cost(ImageParams(model="gpt-image-1.5", quality="high", size="1536x1024"))
    assert est.per_image == 0.2
    assert estimate_cost(ImageParams(model="chatgpt-image-latest", quality="low")).per_image == 0.009


def test_edit_estimate_counts_the_reference_images_input_tokens():
    from workbench.core.api.pricing import estimate_cost, image_input_tokens

    params = ImageParams(model="gpt-image-1.5", quality="medium", size="1024x1024")
    plain = estimate_cost(params)
    edit = estimate_cost(params, reference_images=[(1024, 1024), (2048, 1536)])
    tokens = image_input_tokens(1024, 1024) + image_input_tokens(2048, 1536)
    assert tokens == (85 + 170 * 4) + (85 + 170 * 12)
    assert edit.usd == pytest.approx(plain.usd + tokens * 8.00 / 1_000_000)
    assert any("reference image" in note for note in edit.notes)


