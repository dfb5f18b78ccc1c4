"""Clause language detection and the English false-friend guard."""

from __future__ import annotations

import pytest

from workbench.core.screening import clauses, languages
from workbench.core.screening.languages import detect, detect_clauses, foreign_word_guard


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("a photo of a woman in a red dress on the beach", "en"),
        ("Una mujer con un vestido rojo en la playa", "es"),
        ("Un charco de sangre alrededor de un cuerpo, cámara cenital", "es"),
        ("une femme avec son chien dans le parc", "fr"),
        ("Eine Frau mit einem Hund im Park", "de"),
        ("Uma mulher com um cachorro no parque", "pt"),
        ("Um jovem numa festa", "pt"),
        ("一个女孩在公园里看书", "zh"),
        ("公園で遊ぶ子供たち", "ja"),
        ("写真", "zh"),  # Han without kana
        ("한국어 문장입니다", "und"),
        ("no text", "und"),
        ("", "und"),
    ],
)
def test_detect(text, lang):
    assert detect(text) == lang


def test_cjk_wins_over_a_few_latin_words_and_loses_to_many():
    assert detect("一个女孩在公园里, 8k, photorealistic") == "zh"
    assert detect("The headline reads “温暖的午后” in a bold serif font with a soft shadow") == "en"


def test_mixed_prompt_is_detected_clause_by_clause():
    text = "Cinematic poster, dark mood. Un cadáver en la nieve, luz fría. 血まみれの手。Eine Frau im Regen."
    langs = [c.lang for c in detect_clauses(text, clauses.split(text))]
    assert langs == ["en", "es", "ja", "de"]


def test_undetermined_clause_takes_the_language_before_it():
    text = "Una mujer con un vestido rojo. Sangre. Photo."
    assert [c.lang for c in detect_clauses(text, clauses.split(text))] == ["es", "es", "es"]
    assert [c.lang for c in detect_clauses("no text", clauses.split("no text"))] == ["en"]


def test_lang_at_maps_offsets_to_clauses():
    text = "A red car. Un coche rojo con un perro."
    found = detect_clauses(text, clauses.split(text))
    assert languages.lang_at(found, 2) == "en"
    assert languages.lang_at(found, text.index("coche")) == "es"
    assert languages.lang_at(found, len(text) + 5) == "en"


@pytest.mark.parametrize(
    ("lang", "word", "guarded"),
    [("fr", "son", True), ("fr", "Son", True), ("de", "war", True), ("de", "die", True),
     ("de", "Lust", True), ("es", "son", True), ("fr", "gun", False), ("en", "son", False),
     ("", "war", False), ("zh", "war", False), ("und", "son", False)],
)
def test_foreign_word_guard(lang, word, guarded):
    assert foreign_word_guard(lang, word) is guarded


def test_false_friends_load_from_files(tmp_path):
    path = tmp_path / "xx.toml"
    path.write_text('lang = "fr"\nenglish_false_friends = ["Chair", "pour"]\n', encoding="utf-8")
    assert languages.load_false_friends([path]) == {"fr": frozenset({"chair", "pour"})}
    path.write_text('lang = "fr"\nenglish_false_friends = "pour"\n', encoding="utf-8")
    with pytest.raises(Exception, match="english_false_friends"):
        languages.load_false_friends([path])
