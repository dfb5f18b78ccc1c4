from workbench.core.screening.scope import constraint_spans, inside


def _scoped(text):
    return [text[s:e] for s, e in constraint_spans(text)]


def test_a_cue_opens_a_scope_to_the_end_of_its_clause():
    assert _scoped("A castle at dawn, no gore, no blood. A knight rides out.") == ["no gore, no blood."]


def test_a_constraint_never_reaches_the_next_clause():
    text = "Avoid blood; a knife fight in the rain"
    spans = constraint_spans(text)
    start = text.index("knife")
    assert not inside(spans, start, start + 5)
    assert inside(spans, text.index("blood"), text.index("blood") + 5)


def test_negative_prompt_and_cjk_cues():
    assert _scoped("portrait\nNegative prompt: nudity, weapons") == ["Negative prompt: nudity, weapons"]
    assert _scoped("一个女孩，不要血") == ["不要血"]


def test_words_containing_a_cue_are_not_cues():
    assert constraint_spans("a nomad and a notebook") == []


def test_constraint_terms_become_info_notes_and_never_hide_a_request():
    from workbench.core.screening import build_engine

    engine = build_engine(foreign_files=[])
    result = engine.scan("no blood, a man shooting a crowd in the street")
    assert [f.text for f in result.findings] == ["shooting"]
    assert [(n.text, n.severity, n.scope, n.stage) for n in result.notes] == [
        ("blood", "info", "constraint", "scope")]
    assert engine.scan("Negative prompt: gore, nude, blood").verdict == "clear"


def test_sense_rules_typography_and_photography_clear_but_keep_real_use():
    from workbench.core.screening import build_engine

    engine = build_engine(foreign_files=[])
    assert not engine.scan("a small black bullet list under the headline").findings
    assert not engine.scan("Shoot at eye-level with a shallow depth of field").findings
    assert not engine.scan("paint splatter strokes in magenta, full bleed artwork").findings
    assert engine.scan("a bullet wound in the chest").findings
