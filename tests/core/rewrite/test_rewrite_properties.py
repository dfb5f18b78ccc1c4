"""Properties of desensitize over generated prompts, with the shipped engine and tables:
it never raises, text outside the edits is untouched, and running it again changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.rewrite import apply_edits, desensitize
from workbench.core.rewrite.edits import compose
from workbench.core.rewrite.models import Edit
from workbench.core.rewrite.table import default_table

# Prompt material: risky words from the rewrite table (so most generated prompts have
# findings), names, framing and minor-context words, ordinary words and punctuation.
_TABLE = default_table()
RISKY = sorted(_TABLE.terms)[::3] + ["Taylor Swift", "Mickey Mouse", "Hayao Miyazaki", "Greg Rutkowski", "Pikachu"]
CONTEXT = ["child", "photorealistic", "close-up", "photo", "in the style of", "art by", "movie still", "museum diorama"]
ORDINARY = ["a", "an", "the", "two", "woman", "castle", "at", "night", "with", "on", "of", "is", "they", "blue", "portrait"]
PUNCT = [",", ".", "!", ";", ":", " - ", "(", ")", "'s", '"', "\n"]
DISGUISE = ["\u200b", "g-u-n", "k1ll", "ѕword", "N.U.D.E"]


def _cased() -> st.SearchStrategy[str]:
    """A prompt word in one of the ways people write it."""
    return st.sampled_from(RISKY + CONTEXT + ORDINARY).flatmap(
        lambda w: st.sampled_from([w, w.upper(), w.capitalize(), w.title()])
    )


tokens = st.one_of(
    _cased(), _cased(), _cased(),
    st.sampled_from(PUNCT), st.sampled_from(DISGUISE),
    st.text(max_size=6),
)
prompts = st.lists(tokens, max_size=14).flatmap(
    lambda parts: st.sampled_from([" ", ""]).map(lambda sep: sep.join(parts))
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(prompts)
def test_never_raises_and_leaves_text_outside_edits_untouched(text):
    result = desensitize(text)
    edits = list(result.edits)
    for a, b in zip(edits, edits[1:], strict=False):
        assert a.end <= b.start  # sorted, non-overlapping
    for e in edits:
        assert text[e.start:e.end] == e.before
    assert apply_edits(text, edits) == result.rewritten
    if result.hard_block:
        assert result.rewritten == text and not edits


@PROPERTY
@given(prompts)
def test_idempotent(text):
    once = desensitize(text).rewritten
    twice = desensitize(once)
    assert twice.rewritten == once
    assert twice.edits == ()


@PROPERTY
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    result = desensitize(text)
    assert apply_edits(text, result.edits) == result.rewritten


# --- the edit algebra on its own


@st.composite
def edited(draw, text: str):
    """Random non-overlapping edits of `text`."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        edits.append(Edit(a, b, text[a:b], draw(st.text("xyzXYZ ", max_size=5)), "c", "r"))
    return edits


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_compose_equals_applying_both_rounds(data):
    original = data.draw(st.text("abcdef ", max_size=30))
    first = data.draw(edited(original))
    text1 = apply_edits(original, first)
    second = data.draw(edited(text1))
    text2 = apply_edits(text1, second)
    composed = compose(original, first, text1, second)
    assert apply_edits(original, composed) == text2
    for a, b in zip(composed, composed[1:], strict=False):
        assert a.end <= b.start
