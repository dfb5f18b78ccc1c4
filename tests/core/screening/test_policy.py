"""The policy stage: the same findings judged per target profile."""

from __future__ import annotations

import pytest

from workbench.core.errors import BadInputError
from workbench.core.screening import get_engine, scan
from workbench.core.screening.policy import decide
from workbench.core.screening.policy_profiles import choose, profiles, resolve

NEUTRAL = "Portrait of Elon Musk on a conference stage, studio lighting"
DECEPTIVE = "Elon Musk arrested in handcuffs, real photo"
VIOLENT = "Elon Musk stabbing a man with a knife"


def test_every_shipped_profile_loads():
    assert {"gpt-image-2", "gpt-image-1.x", "dall-e-3", "azure-openai", "fal-flux", "strict"} <= set(profiles())


def test_public_figure_neutral_is_caution_on_gpt_image_2_with_an_entity_note():
    r = scan(NEUTRAL, profile="gpt-image-2")
    assert r.verdict == "caution" and r.profile == "gpt-image-2"
    f = next(f for f in r.findings if f.category == "public-figure")
    assert f.stage == "policy" and "neutral scene" in f.message


@pytest.mark.parametrize("text", [DECEPTIVE, VIOLENT, "Elon Musk drunk and humiliated, crying"])
def test_public_figure_in_harmful_scene_stays_likely_blocked(text):
    assert scan(text, profile="gpt-image-2").verdict in ("likely_blocked", "hard_block")


def test_dall_e_3_declines_named_people_anywhere():
    assert scan(NEUTRAL, profile="dall-e-3").verdict == "likely_blocked"


def test_critical_stays_hard_block_under_every_profile():
    raw = get_engine().scan("Elon Musk naked")
    assert raw.verdict == "hard_block"
    for pid in profiles():
        assert decide(raw, pid).verdict == "hard_block"


def test_default_profile_is_the_default_models():
    assert resolve().profile.id == "gpt-image-1.x"
    assert choose("azure", "gpt-image-1").id == "azure-openai"
    assert choose("openai", "dall-e-3").id == "dall-e-3"
    assert choose("compatible", "fal-ai/flux/dev").id == "fal-flux"


def test_moderation_low_relaxes_violence_one_step():
    auto = scan("a soldier with a machete", profile=resolve(model="gpt-image-2"))
    low = scan("a soldier with a machete", profile=resolve(model="gpt-image-2", moderation="low"))
    rank = {"low": 0, "medium": 1, "high": 2}
    assert max(rank[f.severity] for f in low.findings) < max(rank[f.severity] for f in auto.findings)


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(BadInputError):
        resolve("no-such-profile")


def test_deciding_twice_is_refused():
    with pytest.raises(ValueError):
        decide(scan(NEUTRAL), "gpt-image-2")
