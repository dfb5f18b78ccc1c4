"""Typed settings with profiles: round trip, corrupt files, defaults, no keys on disk."""

from __future__ import annotations

import json

import pytest

from workbench import paths
from workbench.core.api.profiles import Profile
from workbench.core.errors import BadInputError
from workbench.core.settings import SCHEMA_VERSION, Settings, default_profile_name, load_settings, save_settings


def test_defaults_have_sandbox_and_openai():
    settings = load_settings()
    assert [p.name for p in settings.profiles] == ["Sandbox", "OpenAI"]
    assert settings.schema_version == SCHEMA_VERSION and not settings.warnings


def test_round_trip_keeps_profiles_and_unknown_keys():
    settings = Settings()
    settings.upsert_profile(Profile(name="Gateway", kind="compatible", base_url="https://gw.example/v1", default_model="gpt-image-2"))
    settings.active_profile = "Gateway"
    settings.extra["theme"] = "dark"  # a field another module owns
    save_settings(settings)
    loaded = load_settings()
    assert loaded.profile("gateway").base_url == "https://gw.example/v1"
    assert loaded.active_profile == "Gateway" and loaded.extra["theme"] == "dark"


@pytest.mark.parametrize("content", ["{not json", "[1,2]", '{"schema_version": "x"}', "\x00\x01"])
def test_corrupt_file_gives_defaults_and_a_warning_and_is_kept(content):
    path = paths.settings_path()
    paths.ensure(path.parent)
    path.write_text(content, encoding="utf-8")
    settings = load_settings()
    assert settings.warnings and "corrupt" in settings.warnings[0]
    assert [p.name for p in settings.profiles] == ["Sandbox", "OpenAI"]
    save_settings(settings)
    assert path.with_name("settings.json.corrupt").read_text(encoding="utf-8") == content
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_one_bad_profile_does_not_lose_the_others():
    path = paths.settings_path()
    paths.ensure(path.parent)
    path.write_text(json.dumps({"schema_version": 1, "profiles": [
        {"name": "Good", "kind": "compatible", "base_url": "http://127.0.0.1:9/v1"},
        {"name": "Bad", "kind": "martian"}]}), encoding="utf-8")
    settings = load_settings()
    assert [p.name for p in settings.profiles] == ["Good", "Sandbox", "OpenAI"]
    assert any("unusable profile" in w for w in settings.warnings)


def test_default_profile_name():
    settings = Settings()
    assert default_profile_name(settings, lambda p: False) == "Sandbox"
    assert default_profile_name(settings, lambda p: p.name == "OpenAI") == "OpenAI"
    settings.active_profile = "Sandbox"
    assert default_profile_name(settings, lambda p: True) == "Sandbox"
    settings.active_profile = "Deleted"
    assert default_profile_name(settings, lambda p: False) == "Sandbox"


def test_profile_validation_and_sandbox_cannot_be_removed():
    with pytest.raises(BadInputError, match="base URL"):
        Profile(name="X", kind="compatible").validate()
    with pytest.raises(BadInputError, match="endpoint"):
        Profile(name="Y", kind="azure").validate()
    with pytest.raises(BadInputError, match="http"):
        Profile(name="Z", kind="compatible", base_url="ftp://x").validate()
    settings = Settings()
    settings.remove_profile("sandbox")
    assert settings.profile("Sandbox").kind == "sandbox"
    with pytest.raises(BadInputError, match="no profile named"):
        settings.profile("nope")
