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
