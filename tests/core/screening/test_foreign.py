"""Foreign lexicons: CJK substring automaton, Latin lemmas, benign phrases, false friends and
the findings Engine.scan makes of them."""

from __future__ import annotations

import tomllib

import pytest

from workbench import paths
from workbench.core.errors import LexiconError
from workbench.core.screening import build_engine, clauses, scan
from workbench.core.screening.foreign import ForeignMatcher
from workbench.core.screening.languages import detect_clauses

I18N = sorted(paths.resource("lexicon/i18n").glob("*.toml"))


@pytest.fixture(scope="module")
def matcher(tmp_path_factory) -> ForeignMatcher:
    return ForeignMatcher.build(I18N, cache_dir=tmp_path_factory.mktemp("cache"))


def hits(matcher: ForeignMatcher, text: str):
    found = matcher.match(text, detect_clauses(text, clauses.split(text)))
    return [(text[h.start : h.end], h.lang, h.entry.kind) for h in found]


def test_every_language_has_a_lexicon_that_loads():
    langs = {tomllib.loads(p.read_text(encoding="utf-8"))["lang"] for p in I18N}
    assert langs == {"zh", "ja", "es", "fr", "de", "pt"}


def test_each_lexicon_covers_the_harm_categories_and_minor_markers(matcher):
    for lang in ("zh", "ja", "es", "fr", "de", "pt"):
        entries = [e for e in matcher.entries if e.lang == lang]
        cats = {e.category for e in entries if e.kind == "finding"}
        assert {"violence", "violence/graphic", "sexual", "sexual/minors", "self-harm", "hate",
                "illicit"} <= cats, lang
        assert any("minor" in e.tags for e in entries), lang
        assert any("realism" in e.tags for e in entries), lang
        assert all(e.gloss for e in entries if e.kind != "benign"), lang


def test_cjk_offsets_next_to_emoji_and_astral_characters(matcher):
    text = "😀手枪🎉杀人𠀀尸体"
    found = hits(matcher, text)
    assert found == [("手枪", "zh", "finding"), ("杀人", "zh", "finding"), ("尸体", "zh", "finding")]


def test_traditional_and_simplified_both_match(matcher):
    for text in ("殺人", "杀人", "屍體", "尸体"):
        assert [k for _, _, k in hits(matcher, text)] == ["finding"], text


def test_full_width_and_half_width_forms_match(matcher):
    assert [t for t, _, _ in hits(matcher, "ｾｸｼｰなポーズ")] == ["ｾｸｼｰ"]


def test_cjk_benign_words_hide_the_risky_character(matcher):
    assert hits(matcher, "双十一秒杀活动，血橙果汁，水枪") == []
    assert hits(matcher, "イエローの背景、エッチング、ユニセックス") == []


def test_kana_around_a_hit_makes_it_japanese(matcher):
    assert hits(matcher, "自殺する") == [("自殺", "ja", "finding")]
    assert hits(matcher, "他想自杀") == [("自杀", "zh", "finding")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Una niña con dos cadáveres ensangrentados", ["niña", "cadáveres", "ensangrentados"]),
        ("Des enfants tués par un fusil", ["enfants", "tués", "fusil"]),
        ("Zwei Kinder und drei Leichen im Wald", ["Kinder", "Leichen"]),
        ("Eine Wasserleiche im Fluss, eine Frau", ["Wasserleiche"]),  # compound head
        ("Uma criança com duas facas e muito sangue", ["criança", "facas", "sangue"]),
        ("Une femme nue sur un lit", ["nue"]),
    ],
)
def test_latin_terms_match_by_lemma(matcher, text, expected):
    assert [t for t, _, _ in hits(matcher, text)] == expected


def test_accents_are_folded(matcher):
    assert [t for t, _, _ in hits(matcher, "Un cadaver con la cabeza cortada y sin ropa")] == [
        "cadaver", "cabeza cortada", "sin ropa"]


def test_latin_benign_phrases(matcher):
    assert hits(matcher, "Un niño con una pistola de agua en el parque") == [("niño", "es", "marker")]
    assert hits(matcher, "Un cheval pur-sang vu à l'œil nu dans le pré") == []
    assert hits(matcher, "Eine Kissenschlacht mit einer Wasserpistole im Garten") == []


def test_latin_terms_are_not_matched_in_english_clauses(matcher):
    # German "Kind" is a child, English "kind" is not; Spanish "sin" is "without".
    assert hits(matcher, "A kind man at the sin city casino with a red dress") == []


def test_lemma_table_is_cached_on_disk(tmp_path, matcher):
    ForeignMatcher.build(I18N, cache_dir=tmp_path)
    assert list(tmp_path.glob("i18n-lemmas-*.json"))


def test_bad_files_give_one_clear_message(tmp_path):
    path = tmp_path / "xx.toml"
    path.write_text('lang = "xx"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="lang"):
        ForeignMatcher.build([path])
    path.write_text('lang = "es"\n[[group]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="not valid TOML"):
        ForeignMatcher.build([path])


def test_no_replacement_is_itself_flagged():
    engine = build_engine()
    for entry in engine.foreign.entries:
        for replacement in entry.replacements:
            result = engine.scan(replacement)
            assert not result.findings, (entry.rule, replacement, result.findings)


# ---------------------------------------------------------------------- through Engine.scan


def test_scan_reports_foreign_findings_with_original_and_gloss():
    result = scan("Una mujer cubierta de sangre junto a un cadáver.")
    found = {f.text: f for f in result.findings}
    assert set(found) == {"cubierta de sangre", "cadáver"}
    corpse = found["cadáver"]
    assert corpse.lang == "es" and corpse.stage == "match" and corpse.severity == "high"
    assert corpse.message.startswith("'cadáver' (es: corpse): ")
    assert result.verdict == "likely_blocked"
    assert corpse.to_dict()["lang"] == "es"


def test_scan_cjk_prompt():
    result = scan("一个男人用手枪指着人质，写实照片")
    assert [(f.text, f.lang, f.category) for f in result.findings] == [("手枪", "zh", "violence")]


def test_english_false_friends_do_not_fire_in_foreign_clauses():
    assert scan("Une femme promène son chien dans le parc.").verdict == "clear"
    assert scan("Das Haus war alt und die Siege der Mannschaft waren groß.").verdict == "clear"
    # …but they still do in English clauses, and in a mixed prompt only there.
    assert scan("A war scene with dead soldiers.").findings
    mixed = scan("Das alte Haus war rot. A war scene with dead soldiers.")
    assert [f.start for f in mixed.findings if f.term == "war"] == [mixed.text.rindex("war")]


def test_english_terms_inside_foreign_benign_phrases_are_dropped():
    assert scan("Affiche pour un festival de musique, explosion de couleurs.").verdict == "clear"


def test_english_terms_still_fire_inside_foreign_clauses():
    result = scan("Une femme avec un machete dans la main.")
    assert [f.text for f in result.findings] == ["machete"]


def test_allow_list_covers_foreign_terms():
    engine = build_engine(allow=frozenset({"sangre"}))
    assert not engine.scan("Una mujer con sangre en la cara.").findings


def test_english_only_engine_when_no_foreign_files():
    engine = build_engine(foreign_files=[])
    assert engine.foreign is None
    assert not engine.scan("Una mujer con sangre en la cara.").findings


def test_entries_carry_lang_and_gloss(tmp_path):
    from workbench.core.screening.lexicon import parse_lexicon_file

    path = tmp_path / "es.toml"
    path.write_text('lang = "es"\n[[group]]\nid = "g"\ncategory = "violence"\ngloss = "weapon"\n'
                    'terms = ["arma", { term = "sangre", gloss = "blood" }]\n', encoding="utf-8")
    entries = [e for e, _, _ in parse_lexicon_file(path)]
    assert [(e.term, e.lang, e.gloss) for e in entries] == [("arma", "es", "weapon"), ("sangre", "es", "blood")]
    english = [e for e, _, _ in parse_lexicon_file(paths.resource("lexicon") / "violence.toml")]
    assert all(e.lang == "" and e.gloss == "" for e in english)


def test_user_matcher_from_own_files(tmp_path):
    path = tmp_path / "fr.toml"
    path.write_text('lang = "fr"\nenglish_false_friends = ["chair"]\n[[group]]\nid = "fr-x"\n'
                    'category = "violence"\nseverity = "high"\n'
                    'terms = [{ term = "égorger", gloss = "cut the throat" }]\n',
                    encoding="utf-8")
    own = ForeignMatcher.build([path], cache_dir=tmp_path / "cache")
    text = "Le boucher égorgea un homme avec son couteau."
    found = own.match(text, detect_clauses(text, clauses.split(text)))
    assert [(text[h.start : h.end], h.lemma, h.entry.rule) for h in found] == [("égorgea", "egorger", "fr-x:egorger")]
    assert own.guard("fr", "Chair") and not own.guard("fr", "son")
