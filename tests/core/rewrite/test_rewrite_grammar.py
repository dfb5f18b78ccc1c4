"""Grammar of replacements: a/an, plural vs singular, capitals and ALL CAPS, punctuation."""

from __future__ import annotations

import pytest

from workbench.core.rewrite import grammar as g


@pytest.mark.parametrize(
    "phrase, article",
    [
        ("ornate blade", "an"), ("stylized prop", "a"), ("unicorn", "a"), ("umbrella", "an"),
        ("hour-long scene", "an"), ("honest face", "an"), ("European castle", "a"),
        ("one-eyed cat", "a"), ("FBI agent", "an"), ("NASA rocket", "a"), ("UFO", "a"),
        ("8-year-old", "an"), ("18th-century dress", "an"), ("1940s officer", "a"),
        ("MRI scan", "an"), ("USB cable", "a"), ("elegant neckline", "an"),
    ],
)
def test_indefinite_article(phrase, article):
    assert g.indefinite_article(phrase) == article


@pytest.mark.parametrize(
    "phrase, plural",
    [
        ("stylized prop", "stylized props"), ("ornate ceremonial blade", "ornate ceremonial blades"),
        ("figure in period uniform", "figures in period uniform"), ("spark of light", "sparks of light"),
        ("glass", "glasses"), ("party", "parties"), ("woman in evening wear", "women in evening wear"),
        ("a round yellow creature", "round yellow creatures"), ("rustic knife", "rustic knives"),
    ],
)
def test_pluralize_phrase(phrase, plural):
    assert g.pluralize_phrase(phrase) == plural


@pytest.mark.parametrize(
    "text, term, form",
    [
        ("sword", "sword", "base"), ("swords", "sword", "plural"), ("fighting", "fight", "ing"),
        ("attacked", "attack", "past"), ("knives", "knife", "plural"), ("Assault Rifles", "assault rifle", "plural"),
        ("fought", "fight", "base"),
    ],
)
def test_surface_form(text, term, form):
    assert g.surface_form(text, term) == form


def test_surface_form_irregular():
    assert g.surface_form("fought", "fight", {"fought": "past"}) == "past"


@pytest.mark.parametrize(
    "text, index, expected",
    [("Sword", 0, True), ("a sword", 2, False), ("Run. Sword", 5, True), ("e.g.sword", 4, False),
     ("Scene:\nSword", 7, True), ('"Sword', 1, True), ("3.5 swords", 4, False)],
)
def test_sentence_start(text, index, expected):
    assert g.at_sentence_start(text, index) is expected


# --- the same rules, end to end through desensitize (fixed test scanner, see conftest.py)

@pytest.mark.parametrize(
    "original, rewritten",
    [
        # a/an agreement: the article before the edit changes, in the writer's case
        ("a sword on the table", "an ornate ceremonial blade on the table"),
        ("A sword on the table", "An ornate ceremonial blade on the table"),
        ("an AK-47 on the table", "a stylized tactical prop on the table"),
        ("a gun", "a stylized prop"),
        # uncountable replacement: the article goes
        ("a blood pool", "a crimson pool"),
        ("blood on the floor", "deep red tones on the floor"),
        # the replacement's own article is dropped after a determiner, kept after a preposition
        ("a photo of Pikachu", "a photo of a round yellow cartoon creature"),
        ("the Pikachu plush", "the round yellow cartoon creature plush"),
        ("Pikachu in the forest", "A round yellow cartoon creature in the forest"),
        ("Portrait of Taylor Swift", "Portrait of a pop singer on stage"),
    ],
)
def test_articles(rewrite, original, rewritten):
    assert rewrite(original) == rewritten


@pytest.mark.parametrize(
    "original, rewritten",
    [
        ("a sword", "an ornate ceremonial blade"),
        ("three swords", "three ornate ceremonial blades"),
        ("guns everywhere", "stylized props everywhere"),
        ("two bikinis", "two summer outfits"),
        ("warriors fighting with swords", "warriors facing off with ornate ceremonial blades"),
        ("a fighting scene", "a dramatic standoff scene"),
        ("they fought at dawn", "they faced off at dawn"),
        ("they fight at dawn", "they face off at dawn"),
        ("a sword fight", "an ornate ceremonial blade dramatic standoff"),
        ("blood stains", "crimson stains"),
    ],
)
def test_plural_and_verb_forms(rewrite, original, rewritten):
    assert rewrite(original) == rewritten


@pytest.mark.parametrize(
    "original, rewritten",
    [
        ("Sword on a table", "Ornate ceremonial blade on a table"),
        ("sword on a table", "ornate ceremonial blade on a table"),  # the writer's lower case stays
        ("Calm. Sword drawn", "Calm. Ornate ceremonial blade drawn"),
        ("The Last Sword", "The Last Ornate Ceremonial Blade"),  # Title Case
        ("A SEXY WOMAN IN A BIKINI", "AN ELEGANT WOMAN IN A SUMMER OUTFIT"),  # shouting
        ("GUN", "STYLIZED PROP"),
        ("an AK-47 and a knife", "a stylized tactical prop and a knife"),  # caps of a name are not shouting
        ("a photo of Taylor Swift", "a photo of a pop singer on stage"),  # a name's capital says nothing
        ("Taylor Swift on stage", "A pop singer on stage on stage"),
    ],
)
def test_capitals(rewrite, original, rewritten):
    assert rewrite(original) == rewritten


@pytest.mark.parametrize(
    "original, rewritten",
    [
        ("sword, gun, blood.", "ornate ceremonial blade, stylized prop, deep red tones."),
        ("(sword)", "(ornate ceremonial blade)"),
        ('"gun"', '"stylized prop"'),
        ("a sword!", "an ornate ceremonial blade!"),
        ("swords; guns", "ornate ceremonial blades; stylized props"),
        ("Sword-wielding", "Ornate ceremonial blade-wielding"),
        ("Pikachu's tail", "A round yellow cartoon creature's tail"),
        ("sw\u200bord", "ornate ceremonial blade"),
        ("a\u200b quiet sword", "a quiet ornate ceremonial blade"),
        ("  sword  ", "  ornate ceremonial blade  "),
    ],
)
def test_punctuation_next_to_edits(rewrite, original, rewritten):
    assert rewrite(original) == rewritten


@pytest.mark.parametrize(
    "original, rewritten",
    [
        ("a city in the style of Jane Painter", "a city in an epic painterly fantasy illustration style with dramatic lighting"),
        ("A city, art by Jane Painter", "A city, art in an epic painterly fantasy illustration style with dramatic lighting"),
        ("Jane Painter style city", "Epic painterly fantasy illustration style city"),
        ("a Jane Painter-style city", "an epic painterly fantasy illustration-style city"),
        ("Jane Painter's city", "Epic painterly fantasy illustration city"),
        ("a city, jane painter, 4k", "a city, epic painterly fantasy illustration style with dramatic lighting, 4k"),
        ("a city inspired by Jane Painter", "a city inspired by epic painterly fantasy illustration with dramatic lighting"),
    ],
)
def test_living_artist_phrasing(rewrite, original, rewritten):
    assert rewrite(original) == rewritten
