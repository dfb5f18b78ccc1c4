"""Fitting a chosen replacement into the sentence: form, article, capitals, neighbours.

`choose_form` picks which written form of a `Phrase` fits where the risky word stood;
`fit` turns it into a text piece, extending the span over an article that must change
("a sword" → "an ornate ceremonial blade") and matching the writer's capitalisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.rewrite import grammar as g
from workbench.core.rewrite.table import Phrase

# Words after which a bare verb follows ("to fight", "they fight", "will fight").
_VERB_CONTEXT = frozenset(
    {
        "to", "they", "we", "i", "you", "will", "would", "can", "could", "should", "must",
        "may", "might", "cannot", "dont", "don't", "didn't", "not", "lets", "let's",
    }
)
_TITLE_SMALL_WORDS = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "and", "or", "with", "for", "by"})


@dataclass(frozen=True, slots=True)
class Piece:
    """Replace text[start:end] with `after` (one finding's share of an edit)."""

    start: int
    end: int
    after: str


def choose_form(phrase: Phrase, form: str, text: str, start: int, end: int) -> tuple[str, bool]:
    """The written replacement for `form` at text[start:end], and whether it is plural/mass
    (so it must not follow a/an)."""
    nxt = g.next_word(text, end)
    prev = g.previous_word(text, start)
    prev_word = prev[0].lower() if prev else None
    noun_next = g.is_noun_like(nxt) and not text[end:end + 1].isalnum()
    if form == "ing":
        attributive_slot = prev_word is None or prev_word in g.DETERMINERS
        if phrase.attributive and noun_next and attributive_slot:
            return phrase.attributive, phrase.mass
        return phrase.ing or phrase.singular, phrase.mass
    if form == "past":
        return phrase.past or phrase.singular, phrase.mass
    if form == "plural" and not phrase.mass:
        return phrase.plural or g.pluralize_phrase(phrase.singular), True
    if phrase.verb and prev_word is not None and (
        prev_word in _VERB_CONTEXT or (g.looks_plural(prev_word) and prev_word not in g.DETERMINERS)
    ):
        return phrase.verb, False
    if phrase.attributive and noun_next:
        return phrase.attributive, False
    return phrase.singular, phrase.mass


def fit(
    text: str,
    start: int,
    end: int,
    replacement: str,
    *,
    plural: bool = False,
    proper_noun: bool = False,
    lo_limit: int = 0,
) -> Piece:
    """A piece replacing text[start:end] with `replacement`, grammatically fitted.

    Args:
        plural: the replacement is plural or uncountable (an a/an before it is dropped).
        proper_noun: the original was a name (capitalised everywhere, so its capital says
            nothing about the sentence).
        lo_limit: the piece may not extend left of this offset (another edit lies there).
    """
    original = text[start:end]
    if not replacement:
        return _deletion(text, start, end, lo_limit)
    # ALL CAPS only counts as shouting in shouted surroundings: "AK-47" or "NSFW" alone is
    # just how the word is written.
    shouted = g.is_shouted(original) and (
        _neighbours_shouted(text, start, end) or not any(ch.islower() for ch in text)
    )
    prev = g.previous_word(text, start)
    if prev is not None and prev[1] < lo_limit:
        prev = None
    replacement = _settle_own_article(replacement, prev)
    piece_start, lead = start, ""
    if prev is not None and prev[0].lower() in g.ARTICLES and not g.starts_with_article(replacement):
        article, a_start, a_end = prev
        if plural:
            piece_start, lead = a_start, ""
            if article[:1].isupper() and not shouted:
                replacement = g.capitalize_first(replacement)
        else:
            wanted = g.indefinite_article(replacement)
            if wanted != article.lower():
                piece_start = a_start
                lead = g.match_article_case(wanted, article, shouted) + text[a_end:start]
    replacement = _cased(text, original, replacement, shouted, proper_noun, lead, piece_start)
    return Piece(piece_start, end, lead + replacement)


def _settle_own_article(replacement: str, prev: tuple[str, int, int] | None) -> str:
    """Drop the replacement's own article after a determiner or adjective ('the Pikachu' →
    'the round yellow creature'); otherwise make sure it is the right one of a/an."""
    if not g.starts_with_article(replacement):
        return replacement
    if prev is not None and not g.keeps_article(prev[0]):
        return g.strip_article(replacement)
    first, _, rest = replacement.partition(" ")
    if first.lower() in g.ARTICLES and rest:
        wanted = g.indefinite_article(rest)
        return (wanted.capitalize() if first[:1].isupper() else wanted) + " " + rest
    return replacement


def _cased(
    text: str, original: str, replacement: str, shouted: bool, proper_noun: bool, lead: str, piece_start: int
) -> str:
    """The replacement in the writer's case: shouted, sentence-initial, Title Case or as is."""
    if shouted:
        return replacement.upper()
    if lead:  # an article we rewrote stands first and carries the sentence's capital
        return replacement
    first_upper = any(ch.isupper() for ch in original[:1])
    if not first_upper:
        return replacement
    if g.at_sentence_start(text, piece_start):
        return g.capitalize_first(replacement)
    if proper_noun:
        return replacement
    # A capital in mid-sentence on a common word: the user writes Title Case.
    return _title(replacement)


def _title(phrase: str) -> str:
    words = phrase.split(" ")
    return " ".join(
        w if (k and w.lower() in _TITLE_SMALL_WORDS) else g.capitalize_first(w) for k, w in enumerate(words)
    )


def _neighbours_shouted(text: str, start: int, end: int) -> bool:
    prev = g.previous_word(text, start)
    nxt = g.next_word(text, end)
    return bool((prev and g.is_shouted(prev[0])) or (nxt and g.is_shouted(nxt)))


def _deletion(text: str, start: int, end: int, lo_limit: int) -> Piece:
    """Remove a span without leaving a double space or a space before punctuation."""
    if start == end or not any(ch.isalnum() for ch in text[start:end]):
        return Piece(start, end, "")  # invisible characters: nothing around them to tidy
    if end < len(text) and text[end] == " " and (start == 0 or text[start - 1] in " (\n"):
        return Piece(start, end + 1, "")
    if start > lo_limit and text[start - 1] == " ":
        return Piece(start - 1, end, "")
    return Piece(start, end, "")
