"""Small English grammar helpers: fitting a replacement phrase where a risky word stood.

Only what desensitizing needs: the indefinite article a/an, plural forms of a noun phrase, the
inflection a word was written in (sword / swords / fighting / fought), matching the writer's
capitalisation, and telling what kind of word stands next to an edit.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- articles

# Words spelled with a vowel but spoken with a consonant sound ("a unicorn", "a one-off") and
# the reverse ("an hour"). Checked as prefixes of the lower-cased first word.
_A_BEFORE_VOWEL = (
    "uni", "use", "usu", "ura", "ure", "uri", "uro", "utensil", "utili", "utop", "uter",
    "eu", "ewe", "one", "once", "ouija", "ubiq", "ufo", "uk", "ukulele",
)
_AN_BEFORE_CONSONANT = ("hour", "honest", "honor", "honour", "heir")
# Letters whose names start with a vowel sound, for initialisms read letter by letter (an FBI).
_VOWEL_SOUND_LETTERS = frozenset("aefhilmnorsx")

ARTICLES = frozenset({"a", "an"})
DETERMINERS = frozenset(
    {
        "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its",
        "our", "their", "every", "each", "some", "any", "no", "one", "another", "either",
        "neither", "which", "whose", "what",
    }
)
# Words after which a noun phrase keeps its own article ("portrait of a tech founder").
_KEEPS_ARTICLE = frozenset(
    {
        "of", "with", "and", "or", "but", "by", "for", "like", "as", "to", "from", "in", "on",
        "at", "into", "onto", "near", "behind", "beside", "between", "under", "over", "above",
        "below", "about", "against", "among", "around", "through", "without", "within", "than",
        "is", "are", "was", "were", "be", "been", "being", "becomes", "become", "became",
        "has", "have", "had", "meets", "meet", "vs", "versus", "feat", "featuring", "starring",
        "showing", "depicting", "holding", "hugging", "after", "before", "then",
        "where", "while", "when", "also", "plus", "nor", "upon", "via", "per", "towards",
        "toward", "beneath", "alongside", "inside", "outside", "past", "during",
    }
)
# Words that cannot be the noun an attributive word modifies ("fighting *with* swords").
FUNCTION_WORDS = _KEEPS_ARTICLE | DETERMINERS | frozenset(
    {
        "it", "he", "she", "they", "we", "you", "i", "him", "them", "us", "me", "who", "whom",
        "not", "very", "so", "too", "all", "both", "there", "here", "up", "down", "off", "out",
        "away", "back", "again", "together", "alone", "only", "just", "even", "still",
        "will", "would", "can", "could", "should", "may", "might", "must", "do", "does", "did",
        "if", "because", "since", "until", "unless", "although", "though", "whether", "yet",
        "that", "which", "ever", "never", "always", "often", "now", "today", "tonight",
    }
)

# Irregular past participles, which follow a noun without being one ("sword drawn").
_PARTICIPLES = frozenset(
    "drawn held worn shown broken fallen hidden thrown taken given made left lost stuck hung lit "
    "laid set found known seen done gone risen frozen spun split cut shot struck torn sworn".split()
)

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def indefinite_article(phrase: str) -> str:
    """'a' or 'an' for the phrase that follows it (lower case).

    >>> indefinite_article("ornate blade"), indefinite_article("unicorn"), indefinite_article("FBI agent")
    ('an', 'a', 'an')
    """
    match = _WORD.search(phrase)
    if match is None:
        return "a"
    word = match.group()
    lower = word.lower()
    if lower[0].isdigit():
        number = re.match(r"\d+", lower)
        digits = number.group() if number else ""
        # eight, eleven, eighteen, eighty…: spoken with a vowel sound
        if digits.startswith("8") or (digits in ("11", "18") or (len(digits) in (5, 8) and digits[:2] in ("11", "18"))):
            return "an"
        return "a"
    letters = word.replace("-", "").replace("'", "").replace("’", "")
    if letters.isupper() and len(letters) > 1 and (len(letters) <= 3 or not re.search(r"[AEIOU]", letters)):
        return "an" if letters[0].lower() in _VOWEL_SOUND_LETTERS else "a"
    if lower.startswith(_AN_BEFORE_CONSONANT):
        return "an"
    if lower.startswith(_A_BEFORE_VOWEL):
        return "a"
    return "an" if lower[0] in "aeiou" else "a"


def starts_with_article(phrase: str) -> bool:
    first = phrase.split(" ", 1)[0].lower()
    return first in ARTICLES or first == "the"


def strip_article(phrase: str) -> str:
    """'a round yellow creature' → 'round yellow creature'."""
    return phrase.split(" ", 1)[1] if starts_with_article(phrase) and " " in phrase else phrase


# --------------------------------------------------------------------------- plurals

_IRREGULAR_PLURALS = {
    "man": "men", "woman": "women", "child": "children", "person": "people", "foot": "feet",
    "tooth": "teeth", "mouse": "mice", "goose": "geese", "knife": "knives", "wife": "wives",
    "life": "lives", "leaf": "leaves", "wolf": "wolves", "half": "halves", "shelf": "shelves",
    "thief": "thieves", "calf": "calves", "elf": "elves", "self": "selves", "loaf": "loaves",
    "staff": "staffs", "sheep": "sheep", "deer": "deer", "fish": "fish", "series": "series",
    "species": "species", "aircraft": "aircraft", "ox": "oxen", "cactus": "cacti",
}
_PLURAL_TO_SINGULAR = {v: k for k, v in _IRREGULAR_PLURALS.items() if k != v}
# Prepositions that end the head of a noun phrase ("cup of tea" → "cups of tea").
_HEAD_ENDERS = (" of ", " with ", " in ", " on ", " from ", " wearing ", " holding ", " that ", " and ")


def pluralize_word(word: str) -> str:
    """Plural of one English noun ('blade' → 'blades', 'figure' → 'figures')."""
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS:
        plural = _IRREGULAR_PLURALS[lower]
        return plural.upper() if word.isupper() and len(word) > 1 else word[: 1] + plural[1:] if word[:1].isupper() else plural
    if re.search(r"(s|x|z|ch|sh)$", lower):
        return word + "es"
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    return word + "s"


def pluralize_phrase(phrase: str) -> str:
    """Plural of a noun phrase: its head noun, which is the last word before any
    prepositional tail ('figure in period uniform' → 'figures in period uniform')."""
    body = strip_article(phrase)
    cut = len(body)
    for ender in _HEAD_ENDERS:
        at = body.find(ender)
        if 0 < at < cut:
            cut = at
    head, tail = body[:cut], body[cut:]
    words = head.split(" ")
    words[-1] = pluralize_word(words[-1])
    return " ".join(words) + tail


# --------------------------------------------------------------------------- inflection

def _last_word(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return words[-1] if words else ""


def surface_form(text: str, term: str, irregular: dict[str, str] | None = None) -> str:
    """How `text` inflects the canonical `term`: 'base', 'plural', 'ing' or 'past'.

    The last word decides ('assault rifles' is a plural of 'assault rifle'). `irregular` maps
    written forms to a form name ('fought' → 'past', 'knives' → 'plural').
    """
    word, base = _last_word(text), _last_word(term)
    if not word or not base or word == base:
        return "base"
    if irregular and word in irregular:
        return irregular[word]
    if _IRREGULAR_PLURALS.get(base) == word:
        return "plural"
    if word.endswith("ing") and not base.endswith("ing"):
        return "ing"
    if word.endswith("ed") and not base.endswith("ed"):
        return "past"
    if word.endswith("s") and not base.endswith("s"):
        return "plural"
    return "base"


def looks_plural(word: str) -> bool:
    """A rough guess for words without a canonical term (ends in -s, not -ss/-us/-is)."""
    lower = word.lower()
    if lower in _PLURAL_TO_SINGULAR:
        return True
    return len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is"))


# --------------------------------------------------------------------------- case

def is_shouted(original: str) -> bool:
    """ALL CAPS with at least two letters ('SWORD', not 'A' or 'Sword')."""
    letters = [c for c in original if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def capitalize_first(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
        if ch.isdigit():
            return text
    return text


def at_sentence_start(text: str, index: int) -> bool:
    """True when nothing but opening quotes/brackets and spaces stand between `index` and the
    start of the text, a line break, or a sentence end (. ! ?) or a colon."""
    i = index - 1
    while i >= 0 and text[i] in " \t\"'“‘([{*_":
        i -= 1
    if i < 0 or text[i] in "\n\r":
        return True
    # "end. Sword" starts a sentence; "e.g.sword" or "3.5" does not
    return text[i] in ".!?:" and i < index - 1


# --------------------------------------------------------------------------- neighbours

def previous_word(text: str, index: int) -> tuple[str, int, int] | None:
    """The word right before `index`, separated from it by spaces only: (word, start, end)."""
    i = index
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i == index and index > 0 and text[index - 1].isalnum():
        return None  # `index` is inside a word
    end = i
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "'’-"):
        i -= 1
    if i == end:
        return None
    return text[i:end], i, end


def next_word(text: str, index: int) -> str | None:
    """The word right after `index`, separated from it by spaces only ('' if punctuation)."""
    i = index
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text) or not text[i].isalnum():
        return None
    j = i
    while j < len(text) and (text[j].isalnum() or text[j] in "-"):
        j += 1
    return text[i:j]


def is_noun_like(word: str | None) -> bool:
    """Could `word` be the noun an adjective before it modifies? (A guess without a tagger:
    not a function word, not an -ly adverb, not an -ing/-ed verb form.)"""
    if not word:
        return False
    lower = word.lower()
    if lower in FUNCTION_WORDS or lower in _PARTICIPLES or lower.endswith("ly"):
        return False
    if lower.endswith(("ing", "ed")) and len(lower) > 5:
        return False
    return not lower[0].isdigit()


def keeps_article(word: str | None) -> bool:
    """After this word a noun phrase keeps its own article (or starts a new phrase)."""
    if word is None:
        return True
    lower = word.lower()
    if lower in DETERMINERS or lower.endswith(("'s", "’s")):
        return False
    return lower in _KEEPS_ARTICLE or lower.endswith(("ing", "ed"))


def match_article_case(article: str, like: str, shouted: bool) -> str:
    """Write `article` ('a'/'an') the way the user wrote the article it replaces."""
    if shouted or (like.isupper() and len(like) > 1):
        return article.upper()
    if like[:1].isupper():
        return article.capitalize()
    return article
