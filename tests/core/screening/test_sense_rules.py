"""Every word-sense rule in resources/rules/context.toml has an example it applies to and one
where the same word still counts, so a user extending the data sees what each rule does."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workbench.core.screening import scan

CONTEXT_FILE = Path(__file__).parents[3] / "resources" / "rules" / "context.toml"

# rule id -> (word, a prompt where the rule changes it, a prompt where the word still counts)
EXAMPLES = {
    "shoot-photography": ("shoot", "a fashion photo shoot in a studio", "he wants to shoot the hostage"),
    "knife-kitchen": ("knife", "a knife slicing bread on a cutting board", "a knife to her throat"),
    "blood-medical": ("blood", "a nurse taking a blood sample in the lab", "blood running down his face"),
    "fight-sport-play": ("fight", "a pillow fight between two kittens", "two men fight in a dark alley"),
    "war-history": ("battle", "a museum painting of a medieval battle", "a battle with dead soldiers"),
    "gun-sport-toy": ("gun", "a plastic toy gun on a shelf", "a gun to his head"),
    "breast-food": ("breast", "roasted chicken breast on a plate", "a woman with bare breasts"),
    "nude-colour": ("nude", "nude lipstick and beige eyeshadow", "a nude woman on a bed"),
    "kill-game-metaphor": ("kill", "slay the dragon boss", "kill the hostages"),
    "explosion-colour": ("explosion", "an explosion of colour and confetti", "an explosion killing dozens of people"),
    "living-artist-named-style": ("greg rutkowski", "in the style of Greg Rutkowski", "a castle, Greg Rutkowski"),
    "public-figure-fiction": ("taylor swift", "a Taylor Swift impersonator", "Taylor Swift on stage"),
    "slur-ambiguity": ("retard", "fire retard coating", "you retard"),
    "fake-gore": ("gore", "a halloween cake with fake gore", "gore spilling from the wound"),
    "animal-mating": ("sex", "birds having sex in a tree", "a couple having sex"),
    "cock-rooster": ("cock", "a cock crowing on the farm", "a huge cock"),
    "animal-not-character": ("black panther", "a black panther in the jungle at night", "Black Panther in his suit"),
    "bullet-typography": ("bullet", "a slide with three bullet points", "a bullet wound in the chest"),
    "shoot-camera-direction": ("shoot", "shoot at eye level with a 50mm lens", "shoot the prisoner"),
    "bleed-print-layout": ("bleed", "full bleed artwork to the edges", "wounds that bleed on the floor"),
    "splatter-paint": ("splatter", "paint splatter in neon colours", "brain splatter on the wall"),
    "game-ui-action": ("attack", "a large attack button in the game HUD", "an attack on villagers, blood everywhere"),
    "action-pose": ("punch", "a martial arts pose reference sheet, straight punch", "he punches the bleeding prisoner"),
    "flesh-fruit": ("flesh", "watermelon with vivid red flesh and green rind", "rotting flesh on the bones"),
    "violent-nature": ("violent", "a violent storm over the sea", "violent men beating a prisoner"),
    "sex-form-field": ("sex", "ID card: Name: Jane Roe, Sex: F, Nationality: Canada", "a sex scene in a hotel"),
    "crotch-garment": ("crotch", "measure around the bust, waist, crotch seam and hem", "a photo of her crotch"),
    "killer-praise": ("killer", "a chalkboard menu: Killer Burger, truffle fries", "a killer stalking a woman"),
    "kill-game-stat": ("kill", "HUD text: Kills: 12 | Deaths: 3 | Headshots: 4", "kill the hostages now"),
    "sex-weekday-pt": ("sex", "calendar header SEG TER QUA QUI SEX SAB DOM", "explicit sex on camera"),
}


def _rule_ids() -> list[str]:
    data = tomllib.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    return [rule["id"] for rule in data["context"]]


def _counted(text: str, word: str) -> list:
    return [f for f in scan(text).findings if word in f.text.lower() or word == f.term]


def test_every_sense_rule_has_an_example():
    assert sorted(_rule_ids()) == sorted(EXAMPLES)


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_sense_rule_applies_and_the_word_still_counts_elsewhere(rule_id):
    """Where the rule applies, the word is dropped or carries the rule's id (lowered, raised,
    or a mention note); elsewhere the same word is a finding the rule did not touch."""
    word, applies, counts = EXAMPLES[rule_id]
    untouched = [f for f in _counted(applies, word) if rule_id not in f.rule]
    assert not untouched, f"{rule_id}: {applies!r} -> {untouched}"
    plain = [f for f in _counted(counts, word) if rule_id not in f.rule]
    assert plain, f"{rule_id}: {counts!r} should still count {word!r}: {scan(counts)}"


def test_a_cased_name_is_a_name_only_when_capitalised():
    assert scan("a green arrow pointing right on the chart").verdict == "clear"
    assert [f.text for f in scan("Green Arrow drawing his bow").findings] == ["Green Arrow"]
