"""Every rule kind of the engine, on a small lexicon written by the test."""

from __future__ import annotations

import textwrap

import pytest

from workbench.core.errors import LexiconError
from workbench.core.screening import build_engine
from workbench.core.screening.lexicon import inflections

LEXICON = """
[[group]]
id = "weapons"
category = "violence"
severity = "high"
reason = "weapon"
replacements = ["prop"]
inflect = true
terms = ["gun", "knife | knives", "assault rifle", { term = "AK-47 | AK47", severity = "critical" }]

[[group]]
id = "acts"
category = "violence"
severity = "medium"
reason = "act"
inflect = true
terms = ["fight | fought", "shoot", "stab"]

[[group]]
id = "sex"
category = "sexual"
severity = "medium"
reason = "suggestive"
terms = ["bikini", "nude"]

[[group]]
id = "people"
category = "public-figure"
severity = "high"
reason = "real person"
terms = ["Barack Obama | Obama", "Beyoncé"]

[[group]]
id = "benign"
kind = "benign"
category = "violence"
terms = ["killer whale", "water gun", "photo shoot"]

[[group]]
id = "minor"
kind = "marker"
tag = "minor"
terms = ["child | children", "girl"]

[[group]]
id = "real"
kind = "marker"
tag = "realism"
terms = ["photorealistic", "close-up"]

[[group]]
id = "framing"
kind = "marker"
tag = "framing"
terms = ["movie still"]

[[group]]
id = "attire"
kind = "marker"
tag = "attire"
terms = ["bikini"]
"""

RULES = """
[[context]]
id = "shoot-photo"
terms = ["shoot"]
near = ["photo", "camera"]
window = 3
action = "clear"

[[context]]
id = "knife-kitchen"
terms = ["knife"]
near = ["bread", "cutting board"]
window = 4
action = "lower"

[[context]]
id = "gun-toy"
terms = ["gun"]
near = ["museum"]
window = 4
action = "set"
severity = "low"

[[context]]
id = "style-raise"
categories = ["public-figure"]
near = ["style of"]
window = 3
action = "raise"
severity = "critical"

[[combine]]
id = "minor-sexual"
on = "category:sexual*"
when = ["tag:minor"]
action = "escalate"
category = "sexual/minors"
severity = "critical"
message = "minor + sexual"

[[combine]]
id = "minor-real"
on = "tag:minor"
when = ["tag:realism"]
window = 5
action = "add"
category = "minors"
severity = "high"
message = "realistic child"

[[combine]]
id = "framing"
on = "category:violence"
when = ["tag:framing"]
action = "lower"
message = "framed"

[[style]]
id = "unknown-artist"
after = ["in the style of"]
category = "living-artist"
severity = "low"
message = "unknown artist"
"""


@pytest.fixture()
def engine(tmp_path):
    lex = tmp_path / "lexicon.toml"
    lex.write_text(LEXICON, encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    return build_engine([lex], [rules])


def spans(result):
    return [(f.text, f.category, f.severity) for f in result.findings]


def test_case_insensitive_word_boundaries(engine):
    assert spans(engine.scan("A GUN on the table")) == [("GUN", "violence", "high")]
    assert engine.scan("begun, gunther, shotgunner").findings == ()


def test_inflections_and_irregular_aliases(engine):
    found = [f.text for f in engine.scan("guns, fighting, fought, stabbing, stabbed, knives").findings]
    assert found == ["guns", "fighting", "fought", "stabbing", "stabbed", "knives"]
    assert {"stabbing", "stabbed", "stabs"} <= inflections("stab")
    assert "scared" not in inflections("scar")


def test_multi_word_terms_across_punctuation(engine):
    result = engine.scan("an Assault-Rifle and an assault  rifle")
    assert [f.text for f in result.findings] == ["Assault-Rifle", "assault  rifle"]
    assert {f.rule for f in result.findings} == {"weapons:assault-rifle"}


def test_names_with_and_without_first_name_and_accents(engine):
    result = engine.scan("Obama and barack obama meet Beyonce")
    assert [f.text for f in result.findings] == ["Obama", "barack obama", "Beyonce"]
    assert all(f.category == "public-figure" for f in result.findings)


def test_benign_phrase_clears_covered_findings(engine):
    assert engine.scan("a killer whale with a water gun at a photo shoot").findings == ()


def test_context_clear_lower_set_raise(engine):
    assert engine.scan("shoot with a camera").findings == ()
    assert engine.scan("shoot him and then take the camera").findings != ()  # outside the window
    assert spans(engine.scan("shoot him"))[0][2] == "medium"
    assert spans(engine.scan("a knife near the bread"))[0][2] == "medium"  # lowered from high
    assert spans(engine.scan("a gun in a museum"))[0][2] == "low"
    assert spans(engine.scan("in the style of Obama"))[0][2] == "critical"


def test_combination_add_escalate_and_lower(engine):
    added = engine.scan("a photorealistic close-up of a child")
    assert ("child", "minors", "high") in spans(added)
    assert engine.scan("a child playing in the park").findings == ()  # marker alone: nothing

    escalated = engine.scan("a girl in a bikini")
    assert ("bikini", "sexual/minors", "critical") in spans(escalated)
    assert escalated.verdict == "hard_block"
    assert all(f.replacements == () for f in escalated.findings if f.severity == "critical")

    framed = engine.scan("movie still: a man with a gun")
    assert spans(framed) == [("gun", "violence", "medium")]
    critical = engine.scan("movie still: an AK-47")
    assert spans(critical) == [("AK-47", "violence", "critical")]  # never lowered


def test_combination_window(engine):
    far = "a child " + "word " * 20 + "photorealistic"
    assert not any(f.category == "minors" for f in engine.scan(far).findings)


def test_style_rule_unknown_capitalised_name(engine):
    result = engine.scan("a harbour in the style of Ada Lovelock, oil")
    assert spans(result) == [("Ada Lovelock", "living-artist", "low")]
    assert engine.scan("a harbour in the style of the sea").findings == ()
    assert engine.scan("in the style of obama")  # known name: the lexicon finding, not the rule


def test_verdicts(engine):
    assert engine.scan("a sunny meadow").verdict == "clear"
    assert engine.scan("a nude statue").verdict == "caution"
    assert engine.scan("a gun").verdict == "likely_blocked"
    assert engine.scan("an AK47").verdict == "hard_block"


def test_allow_list_suppresses_term(tmp_path):
    lex = tmp_path / "l.toml"
    lex.write_text(LEXICON, encoding="utf-8")
    engine = build_engine([lex], [], allow=frozenset({"gun", "barack obama"}))
    assert [f.text for f in engine.scan("a gun, a knife, Obama").findings] == ["knife"]


def test_block_file_adds_and_overrides(tmp_path):
    lex = tmp_path / "l.toml"
    lex.write_text(LEXICON, encoding="utf-8")
    block = tmp_path / "block.toml"
    block.write_text(textwrap.dedent("""
        [[group]]
        id = "user-block"
        category = "copyrighted-ip"
        severity = "high"
        terms = ["Blorbo", "knife"]
    """), encoding="utf-8")
    engine = build_engine([lex], [], block_file=block)
    assert spans(engine.scan("Blorbo with a knife")) == [
        ("Blorbo", "copyrighted-ip", "high"), ("knife", "copyrighted-ip", "high")]


@pytest.mark.parametrize("content, message", [
    ("[[group]]\nid='x'\ncategory='violence'\nseverity='extreme'\nterms=['a']", "severity 'extreme'"),
    ("[[group]]\nid='x'\ncategory='violence'\nterms=[]", "non-empty list"),
    ("[[group]]\ncategory='violence'\nterms=['a']", "needs an 'id'"),
    ("[[group]\n", "not valid TOML"),
])
def test_bad_lexicon_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        build_engine([path], [])
