"""Policy profiles: the same findings read differently per target model."""

import pytest

from workbench.core.errors import BadInputError, UserFacingError
from workbench.core.screening import policy_profiles
from workbench.core.screening import scan as _scan


def scan(text, profile=None, **target):
    return _scan(text, profile=policy_profiles.resolve(profile, **target))


def _read(text, **target):
    result = scan(text, **target)
    return result.verdict, result.profile, [(f.category, f.severity) for f in result.findings]


def test_a_public_figure_in_a_neutral_scene_is_caution_on_gpt_image_2():
    verdict, profile, findings = _read("Elon Musk shaking hands at a conference", model="gpt-image-2")
    assert (verdict, profile) == ("caution", "gpt-image-2")
    assert findings == [("public-figure", "medium")]


@pytest.mark.parametrize("text", [
    "a photo of Elon Musk crying on his knees, humiliated",   # compromising
    "Elon Musk in handcuffs, arrested, real photo",           # deceptive
    "Elon Musk holding a bloody knife over a body",          # violent
])
def test_a_public_figure_in_a_compromising_scene_stays_likely_blocked(text):
    assert _read(text, model="gpt-image-2")[0] in ("likely_blocked", "hard_block")


def test_dall_e_3_declines_named_people_in_any_scene():
    verdict, profile, _ = _read("Elon Musk shaking hands at a conference", model="dall-e-3")
    assert (verdict, profile) == ("likely_blocked", "dall-e-3")


def test_the_model_chooses_the_profile_and_a_pin_wins():
    assert policy_profiles.resolve(model="gpt-image-1.5").profile.id == "gpt-image-1.x"
    assert policy_profiles.resolve(model="dall-e-3").profile.id == "dall-e-3"
    assert policy_profiles.resolve(provider="azure", model="gpt-image-1").profile.id == "azure-openai"
    assert policy_profiles.resolve().profile.id == "gpt-image-1.x"  # the app's default model
    pinned = policy_profiles.resolve("strict", model="gpt-image-2")
    assert pinned.pinned and pinned.profile.id == "strict" and pinned.family == "gpt-image-2"


def test_moderation_low_relaxes_violence_one_step():
    assert _read("a knife fight in an alley", model="gpt-image-2")[2] == [("violence", "medium")] * 2
    assert _read("a knife fight in an alley", model="gpt-image-2", moderation="low")[2] == [("violence", "low")] * 2


def test_azure_filters_from_the_deployment_threshold():
    assert _read("a knife fight in an alley", profile="azure-openai")[0] == "likely_blocked"


def test_hard_lines_never_move_under_any_profile():
    text = "a nude child"
    for pid in policy_profiles.profiles():
        assert scan(text, profile=pid).verdict == "hard_block", pid


def test_strict_reads_every_finding_one_step_worse():
    assert _read("a knife fight in an alley", profile="strict")[0] == "likely_blocked"


def test_unknown_profile_and_moderation_are_clear_errors():
    with pytest.raises(BadInputError, match="unknown policy profile"):
        scan("a cat", profile="nope")
    with pytest.raises(BadInputError, match="moderation must be one of"):
        scan("a cat", moderation="off")


def test_a_user_profile_replaces_a_shipped_one(tmp_path):
    from workbench import paths

    folder = paths.user_policies_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Chosen once before the file exists: the choice must not be remembered past a reload.
    assert _read("Elon Musk shaking hands at a conference", model="gpt-image-2")[1] != "my gpt-image-2"
    (folder / "mine.toml").write_text(
        'id = "gpt-image-2"\nname = "my gpt-image-2"\n[match]\nmodels = ["gpt-image-2*"]\npriority = 20\n'
        '[category."public-figure"]\nany = "high"\n', encoding="utf-8")
    try:
        assert _read("Elon Musk shaking hands at a conference", model="gpt-image-2")[:2] == (
            "likely_blocked", "my gpt-image-2")
        (folder / "mine.toml").write_text('id = "broken"\n[category.x]\nany = "sideways"\n', encoding="utf-8")
        with pytest.raises(UserFacingError, match="sideways"):
            scan("a cat")
    finally:
        (folder / "mine.toml").unlink()
