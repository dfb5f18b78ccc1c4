"""Structure: content values with exact offsets, scaffolding blanked, never a raise."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.screening.structure import (
    analyse,
    constraint_fields,
    field_at,
    key_lists,
    typography_fields,
)


def _values(text: str) -> dict[str, str]:
    return {f.path: text[f.start:f.end] for f in analyse(text).fields}


def _same_content(text: str) -> None:
    """Every character of the view is the original or a space; inside a JSON field with
    escapes, an escape is read as its character at the escape's offset."""
    s = analyse(text)
    view = s.content_view
    assert len(view) == len(text)
    escaped = [(f.start, f.end) for f in s.fields if s.kind == "json" and "\\" in text[f.start:f.end]]
    for i, (original, seen) in enumerate(zip(text, view, strict=True)):
        if seen != original and not seen.isspace():
            assert any(a <= i < b for a, b in escaped), (i, original, seen)


def test_nested_json_values_have_exact_offsets_and_paths():
    doc = {"style": {"mood": "moody dusk", "palette": ["teal", "amber"]},
           "panels": [{"description": "a lighthouse"}, {"description": "gulls"}, {"description": "a ferry"}],
           "ratio": 1.5, "hd": True}
    text = json.dumps(doc, indent=2)
    s = analyse(text)
    assert s.kind == "json"
    assert _values(text) == {"style.mood": "moody dusk", "style.palette[0]": "teal", "style.palette[1]": "amber",
                             "panels[0].description": "a lighthouse", "panels[1].description": "gulls",
                             "panels[2].description": "a ferry"}
    ferry = next(f for f in s.fields if f.path == "panels[2].description")
    assert ferry.key == "description"
    assert text[ferry.start - 1] == '"' and text[ferry.end] == '"'
    assert field_at(s, ferry.start + 2) == ferry
    assert field_at(s, ferry.end) is None
    assert field_at(s, 0) is None


def test_json_keys_braces_quotes_are_blank_and_values_stay_put():
    text = '{"subject": "a red fox", "mood": ["calm"]}'
    view = analyse(text).content_view
    assert view.strip().split() == ["a", "red", "fox", "calm"]
    assert view.index("a red fox") == text.index("a red fox")
    assert "subject" not in view and "{" not in view and '"' not in view and "," not in view


def test_escaped_quotes_and_newlines_keep_their_width():
    text = r'{"caption": "she said \"hello\"\nthen left", "glyph": "\u8840 red"}'
    s = analyse(text)
    caption = _values(text)["caption"]
    assert caption == r'she said \"hello\"\nthen left'
    view = s.content_view
    assert len(view) == len(text)
    start = text.index("she said")
    assert view[start:start + len(caption)] == 'she said  "hello " \nthen left'
    glyph = text.index("\\u8840")
    assert view[glyph:glyph + 6] == "血     "


def test_almost_json_falls_back_without_fields_from_json():
    for text in ('{"subject": "a fox", "mood": "calm"} and make it pop',
                 '{"subject": "a fox, "mood": "calm"}',
                 '{"subject": "a fox"',
                 '{"a": [1, 2}',
                 "{",
                 '{"unterminated": "value'):
        s = analyse(text)
        assert s.kind != "json"
        assert not any(f.path in {"subject", "mood"} for f in s.fields)
        assert len(s.content_view) == len(text)


def test_trailing_comma_and_fenced_json_are_still_json():
    assert analyse('{"a": "fox", "b": ["owl",],}').kind == "json"
    fenced = '```json\n{"scene": "a quiet harbour"}\n```'
    s = analyse(fenced)
    assert s.kind == "json"
    assert _values(fenced) == {"scene": "a quiet harbour"}
    assert "`" not in s.content_view


def test_json_after_a_prose_lead_in():
    text = 'Render this poster:\n{"headline": "Summer Sale", "scene": "a beach at noon"}'
    s = analyse(text)
    assert s.kind == "json" and "prose" in s.kinds
    assert s.content_view.startswith("Render this poster:")
    assert _values(text)["scene"] == "a beach at noon"


def test_template_in_prose_name_is_scaffolding_default_is_content():
    text = 'A portrait with {argument name="hair style" default="short silver bob"} in soft light.'
    s = analyse(text)
    assert s.kind == "template" and "prose" in s.kinds
    (f,) = s.fields
    assert (f.path, f.key, text[f.start:f.end]) == ("argument:hair style", "hair style", "short silver bob")
    view = s.content_view
    assert "hair style" not in view and "argument" not in view and "{" not in view and '"' not in view
    assert view[f.start:f.end] == "short silver bob"
    assert view.startswith("A portrait with ") and view.endswith(" in soft light.")


def test_template_inside_json_value_escaped_and_bare():
    escaped = r'{"text": {"top": "Hi {argument name=\"user name\" default=\"Mira\"}!"}}'
    bare = '{"text": {"top": "Hi {argument name="user name" default="Mira"}!"}}'
    for text in (escaped, bare):
        s = analyse(text)
        assert s.kind == "json" and "template" in s.kinds
        values = _values(text)
        assert values["text.top.argument:user name"] == "Mira"
        assert values["text.top"] in {"Hi ", "!"}
        assert "user name" not in s.content_view
        assert s.content_view.split() == ["Hi", "Mira", "!"]


def test_template_without_default_is_all_scaffolding():
    text = 'Poster for {argument name="brand"} in blue.'
    s = analyse(text)
    assert s.fields == ()
    assert s.content_view.split() == ["Poster", "for", "in", "blue."]


def test_yaml_lines_nested_keys_and_lists():
    text = ("subject: an old fisherman\nstyle:\n  palette: muted greens\n  lens: 35mm\n"
            "avoid:\n- text overlays\n- watermarks\nmood: quiet\n")
    s = analyse(text)
    assert s.kind == "yaml"
    assert _values(text) == {"subject": "an old fisherman", "style.palette": "muted greens", "style.lens": "35mm",
                             "avoid[0]": "text overlays", "avoid[1]": "watermarks", "mood": "quiet"}
    assert s.content_view.startswith("subject: an old fisherman")  # line keys stay: they read as prose too
    assert "-" not in s.content_view


def test_prose_with_colons_and_urls_is_prose():
    text = "A harbour at 10:30 at night, see https://example.org for the palette. Make it calm."
    s = analyse(text)
    assert s.kind == "prose" and s.fields == ()
    assert s.content_view == text


def test_markdown_headings_bullets_and_bold():
    text = ("# Poster\nA lighthouse on a cliff.\n\n## Typography\n- **Headline:** Keep the Light\n"
            "- font: condensed serif\n\n## Avoid\n- lens flare\n- clutter\n")
    s = analyse(text)
    assert s.kind == "markdown"
    values = _values(text)
    assert values["Poster"] == "A lighthouse on a cliff."
    assert values["Poster.Typography.Headline"] == "Keep the Light"
    assert values["Poster.Avoid[0]"] == "lens flare" and values["Poster.Avoid[1]"] == "clutter"
    view = s.content_view
    assert "#" not in view and "**" not in view and "- " not in view
    assert view.index("Keep the Light") == text.index("Keep the Light")
    avoid = {text[f.start:f.end] for f in constraint_fields(s)}
    assert avoid == {"lens flare", "clutter"}
    typo = {text[f.start:f.end] for f in typography_fields(s)}
    assert {"Keep the Light", "condensed serif"} <= typo


def test_constraint_fields_by_key_or_path_part():
    doc = {"scene": "a knight holding a sword", "negative_prompt": "blood, gore",
           "constraints": {"must": "clean"}, "things_to_avoid": ["smoke"], "notes": "no logos",
           "Negative prompt": "extra fingers", "do_not": "crop"}
    text = json.dumps(doc)
    got = {f.path for f in constraint_fields(analyse(text))}
    assert got == {"negative_prompt", "constraints.must", "things_to_avoid[0]", "Negative prompt", "do_not"}


def test_a_negated_key_does_not_make_its_value_a_constraint():
    text = "No text: a crowded street market at noon\nAvoid: lens flare\nno: watermarks"
    got = {text[f.start:f.end] for f in constraint_fields(analyse(text))}
    assert got == {"lens flare", "watermarks"}


def test_typography_fields_by_key():
    text = json.dumps({"main_headline": "GLASS", "button_text": "Try it", "ui": {"hud": "ammo 30"},
                       "scene": "a city"})
    got = {f.path for f in typography_fields(analyse(text))}
    assert got == {"main_headline", "button_text", "ui.hud"}


def test_key_lists_come_from_the_shipped_data_file():
    keys = key_lists()
    assert {"negative_prompt", "avoid", "do_not", "no"} <= keys.constraint
    assert {"headline", "font", "bullets", "ui", "text"} <= keys.typography


def test_fields_are_ordered_and_disjoint():
    text = ('style: {argument name="look" default="film noir"} with rain\n'
            'mood: {argument name="mood" default="tense"}\nA street at night.')
    fields = analyse(text).fields
    assert [text[f.start:f.end] for f in fields] == ["film noir", " with rain", "tense"]
    assert fields[0].path == "style.argument:look"
    assert all(a.end <= b.start for a, b in zip(fields, fields[1:], strict=False))


def test_huge_inputs_complete():
    """32k characters of each shape finish (linear scanning; speed is a benchmark, not a test)."""
    doc = json.dumps({"panels": [{"description": "a fox in snow " * 4} for _ in range(400)]})
    shapes = [doc[:32000], doc, "[" * 32000, "{" * 32000, '"' * 32000, "a: b\n" * 6400,
              "# h\n- x\n" * 4000, '{argument name="x" default="' * 1000, "\\" * 32000]
    for text in shapes:
        s = analyse(text)
        assert len(s.content_view) == len(text)
    assert analyse(doc).kind == "json"
    assert len(analyse(doc).fields) == 400


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list('{}[]":,\\ \n\t#-*abcu0123456789：') + ["{argument name=", " default="]),
                max_size=120).map("".join))
def test_any_text_never_raises_and_keeps_offsets(text):
    _same_content(text)
    s = analyse(text)
    for f in s.fields:
        assert 0 <= f.start < f.end <= len(text)
    assert all(a.end <= b.start for a, b in zip(s.fields, s.fields[1:], strict=False))
    for f in s.fields:
        assert field_at(s, f.start) == f


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_raises(text):
    _same_content(text)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.text(max_size=20), lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20))
def test_real_json_values_are_found_exactly(value):
    text = json.dumps(value, ensure_ascii=False)
    if not text.startswith(("{", "[")):
        return
    s = analyse(text)
    assert s.kind == "json"
    _same_content(text)
    decoded = [json.loads('"' + text[f.start:f.end] + '"') for f in s.fields]
    expected = []

    def walk(v):
        if isinstance(v, str):
            if any(not c.isspace() and ord(c) >= 0x20 for c in v):  # blank or control-only values are no content
                expected.append(v)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)

    walk(value)
    if "{argument" not in text:
        assert decoded == expected
