"""The authored rewrite data: it parses, covers the engine's categories and markers, and no
replacement or framing is itself risky (which is what makes desensitize idempotent)."""

from __future__ import annotations

import pytest

from workbench.core.errors import LexiconError
from workbench.core.rewrite import grammar as g
from workbench.core.rewrite.framing import known_framings, parse_framings
from workbench.core.rewrite.table import default_table, parse_table, term_key
from workbench.core.screening import get_engine, scan
from workbench.core.screening.models import CATEGORIES

TABLE = default_table()


def _forms(phrase):
    forms = [phrase.singular, phrase.plural, phrase.attributive, phrase.ing, phrase.past, phrase.verb]
    if not phrase.mass and phrase.plural is None:
        forms.append(g.pluralize_phrase(phrase.singular))
    return [f for f in forms if f]


def test_no_replacement_is_itself_flagged():
    flagged = []
    for where, phrase in TABLE.all_phrases():
        for form in _forms(phrase):
            found = scan(form).findings
            if found:
                flagged.append((where, form, [(f.text, f.category) for f in found]))
    assert flagged == []


def test_framings_screen_clean():
    for framing in known_framings():
        assert scan(framing.prefix + "a quiet street at dusk").verdict == "clear", framing.id


def test_every_category_has_its_own_strategy():
    for category in CATEGORIES:
        if category in ("sexual/minors",):
            continue  # always critical: never rewritten
        assert TABLE.strategy_for(category, "").category == category


def test_every_minor_context_marker_has_a_replacement():
    """Realism, attire and bathing markers make a child risky; each must have a rewrite."""
    squeezed = {k.replace(" ", "") for k in TABLE.minor_context}
    missing = []
    for entry in get_engine().lexicon.entries:
        if entry.kind == "marker" and entry.tags & {"realism", "realism-weak", "revealing-attire", "bathing"}:
            if entry.term.replace(" ", "") not in squeezed:
                missing.append(entry.term)
    assert missing == []


def test_term_keys_match_the_lexicon_spelling():
    assert term_key("AK-47") == "ak 47"
    assert term_key("See-through  dress") == "see through dress"


def test_table_errors_are_one_line_lexicon_errors():
    with pytest.raises(LexiconError, match="not valid TOML"):
        parse_table("[terms\n")
    with pytest.raises(LexiconError, match="singular"):
        parse_table('[terms]\nsword = { plural = "x" }\n[[strategy]]\ncategory = "*"\n')
    with pytest.raises(LexiconError, match="kind"):
        parse_table('[[strategy]]\ncategory = "violence"\nkind = "explode"\n')
    with pytest.raises(LexiconError, match="id, text and prefix"):
        parse_framings('[[framing]]\nid = "x"\n')


def test_a_table_without_a_generic_strategy_is_reported():
    table = parse_table('[[strategy]]\ncategory = "violence"\n')
    with pytest.raises(LexiconError, match='category = "\\*"'):
        table.strategy_for("sexual", "")
