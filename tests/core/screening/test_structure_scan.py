"""The engine reads structured prompts: content, not scaffolding; constraint and typography
fields; every finding carries its field's path and exact offsets into the original text."""

from __future__ import annotations

import json

from workbench.core.screening import scan


def test_a_negative_prompt_field_is_a_constraint_and_a_content_field_is_a_request():
    text = json.dumps({"subject": "a knight in a hall", "negative_prompt": "gore, blood, nudity",
                       "scene": "gore on the floor"})
    result = scan(text)
    assert [(f.text, f.field) for f in result.findings] == [("gore", "scene")]
    assert {(n.text, n.scope, n.field) for n in result.notes} == {
        ("gore", "constraint", "negative_prompt"), ("blood", "constraint", "negative_prompt"),
        ("nudity", "constraint", "negative_prompt")}
    for f in result.findings + result.notes:
        assert text[f.start:f.end] == f.text


def test_keys_and_placeholder_names_are_scaffolding():
    text = '{"weapon": "a wooden spoon", "kill_switch": "off"}'
    assert scan(text).verdict == "clear"
    text = 'A kitchen poster showing {argument name="weapon of choice" default="a whisk"}.'
    assert scan(text).verdict == "clear"


def test_a_template_default_is_content_with_exact_offsets():
    text = 'Poster of {argument name="subject" default="a gory zombie feast"} at night'
    result = scan(text)
    gory = next(f for f in result.findings if f.text == "gory")
    assert text[gory.start:gory.end] == "gory" and gory.field == "argument:subject"


def test_typography_fields_hold_lettering_so_their_words_are_mentions():
    text = json.dumps({"headline": "FIGHT FOR YOUR DREAMS", "layout": "centered, bold sans serif"})
    result = scan(text)
    assert result.verdict == "clear"
    assert any(n.scope == "mention" and n.field == "headline" for n in result.notes)


def test_nested_paths_and_escapes():
    text = '{"panels": [{"description": "calm lake"}, {"description": "a bloody\\nknife fight"}]}'
    result = scan(text)
    bloody = next(f for f in result.findings if f.text == "bloody")
    assert bloody.field == "panels[1].description"
    assert text[bloody.start:bloody.end] == "bloody"
