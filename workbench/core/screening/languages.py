"""Which language a clause is written in, cheaply enough to run on every keystroke.

CJK by script: any kana makes a clause Japanese, Han characters without kana Chinese (Korean
Hangul is "und": there is no Korean lexicon). Latin-script clauses by small, authored profiles
of function words: the articles, prepositions and pronouns that make up a third of any
sentence and tell the languages apart (plus letters only one language uses, such as ñ or ß).
A clause with too little evidence is "und"; `detect_clauses` then gives it the language of
the clause before it, so "Una mujer. Sangre." stays Spanish.

`foreign_word_guard(lang, word)` tells the English matcher that an English term is an
ordinary word of the clause's language ("son" in French, "war" in German) and must not fire.
The lists are data (`english_false_friends` in resources/lexicon/i18n/<lang>.toml).
"""

from __future__ import annotations

import functools
import re
import threading
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.core.errors import LexiconError
from workbench.core.screening.clauses import Clause
from workbench.core.screening.normalize import fold

LANGS = ("en", "zh", "ja", "es", "fr", "de", "pt")
LATIN = ("en", "es", "fr", "de", "pt")
UNDETERMINED = "und"

# Function words. A word listed under several languages counts for each; the distinctive
# ones (el/los/y, le/les/et, der/und, o/os/um/não) decide. Words that are also common English
# words ("a", "in", "on", "me") are left out of the other profiles.
_PROFILES: dict[str, str] = {
    "en": "the and of with is are on an to for this that these those from by at her his their "
          "its it be as or into over under behind which who has have was were not but while "
          "wearing standing holding sitting very each between above below there "
          "light night sky red black white small large big color colour shadow day street "
          "background soft dark",
    "es": "el la los las un una unos unas de del y con en por para que es está están su sus muy "
          "sin sobre como al lo se hay pero más este esta estos estas entre hacia desde donde "
          "cuando también ella ellos mujer hombre niño niña fondo estilo tiene lleva mientras "
          "junto detrás encima debajo alrededor luz noche cielo rojo negro blanco pequeño gran "
          "sombra día calle cada todo",
    "fr": "le la les un une des du de et avec dans sur pour par est sont sa son ses leur leurs "
          "très sans qui que au aux ce cette ces il elle ils elles pas ne plus femme homme en "
          "fond l d qu entre sous derrière devant chez pendant porte tient plein tout toute "
          "petit petite grand noir blanc rouge ombre lumière couleur nuit soir jour ciel rue",
    "de": "der die das den dem des ein eine einen einem einer eines und mit auf für von zu "
          "ist sind sehr ohne im vom zum zur nicht auch sein seine ihr ihre wird werden "
          "unter über hinter vor neben frau mann hintergrund stil aus bei trägt hält steht "
          "sitzt zwischen oder licht nacht himmel rot schwarz weiß klein groß farbe schatten "
          "tag straße beim",
    "pt": "o a os um uma uns umas de da dos das e com em na nos nas por para que é está estão "
          "seu sua seus suas muito sem sobre como ao à às não mais este esta entre fundo estilo "
          "ela ele mulher homem criança usando segurando atrás enquanto num numa dum duma pelo "
          "pela noite céu vermelho preto branco pequeno cor dia rua",
}
# Words several Latin languages share count for each; "a", "o", "e" and "in" are left out
# (English, or too short to be evidence).
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _PROFILES.items():
    for _w in _words.split():
        _WORD_LANGS[_w] = _WORD_LANGS.get(_w, ()) + (_lang,)
for _w in ("a", "o", "e", "in"):
    _WORD_LANGS.pop(_w, None)

_FOREIGN_WORDS = frozenset(w for w, langs in _WORD_LANGS.items() if langs != ("en",))

# Letters that only one or two of the languages use.
_LETTERS = {"ñ": ("es",), "¿": ("es",), "¡": ("es",), "ã": ("pt",), "õ": ("pt",),
            "á": ("es", "pt"), "í": ("es", "pt"), "ó": ("es", "pt"), "ú": ("es", "pt"),
            "ç": ("fr", "pt"), "ß": ("de",), "ä": ("de",), "ö": ("de",), "ü": ("de",),
            "è": ("fr",), "ù": ("fr",), "ë": ("fr",), "œ": ("fr",), "î": ("fr",), "û": ("fr",)}

_WORD = re.compile(r"[a-zà-öø-ÿœß]+")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  r"\uac00-\ud7af\u1100-\u11ff]")
_MIN_VOTES = 2  # fewer function words than this: not enough to name a Latin language


def _cjk(text: str, words: int) -> str | None:
    """zh/ja/und when CJK characters outweigh the Latin words of the clause, else None."""
    cjk = len(_CJK.findall(text))
    if cjk == 0 or cjk < words:
        return None
    if _HANGUL.search(text) and 2 * len(_HANGUL.findall(text)) > cjk:
        return UNDETERMINED
    return "ja" if _KANA.search(text) else "zh"


@functools.lru_cache(maxsize=4096)  # a keystroke changes one clause; the others are cache hits
def detect(text: str) -> str:
    """The language of one clause: "en", "zh", "ja", "es", "fr", "de", "pt" or "und"."""
    lower = text.lower()
    words = _WORD.findall(lower)
    if not lower.isascii():
        cjk = _cjk(text, len(words))
        if cjk is not None:
            return cjk
    votes = dict.fromkeys(LATIN, 0)
    for word in words:
        for lang in _WORD_LANGS.get(word, ()):
            votes[lang] += 1
    if not lower.isascii():
        for ch, langs in _LETTERS.items():
            if ch in lower:
                for lang in langs:
                    votes[lang] += 2
    best = max(LATIN[1:], key=lambda lang: votes[lang])
    if votes[best] >= _MIN_VOTES and votes[best] > votes["en"]:
        return best
    if votes[best] == 1 and votes["en"] == 0 and sum(votes.values()) == 1:
        return best  # one foreign function word and nothing else: "Um jovem cheirando…"
    if votes["en"] >= 1:
        return "en"
    return UNDETERMINED


def detect_clauses(text: str, clauses: list[Clause]) -> list[Clause]:
    """The clauses with `lang` set. An undetermined clause takes the language of the one
    before it (or of the first determined clause), and English when there is none."""
    if _plainly_english(text):
        return [c if c.lang == "en" else replace(c, lang="en") for c in clauses]
    langs = [detect(text[c.start : c.end]) for c in clauses]
    known = [lang for lang in langs if lang != UNDETERMINED]
    previous = known[0] if known else "en"
    out = []
    for clause, lang in zip(clauses, langs, strict=True):
        if lang == UNDETERMINED:
            lang = previous
        previous = lang
        out.append(clause if clause.lang == lang else replace(clause, lang=lang))
    return out


def _plainly_english(text: str) -> bool:
    """No CJK, no letter only another language uses, no function word of another language:
    then no clause can vote for anything but English (or nothing, which becomes English), so
    the clauses need not be looked at one by one. Most prompts are such."""
    lower = text.lower()
    if _CJK.search(text) or any(ch in lower for ch in _LETTERS):
        return False
    return _FOREIGN_WORDS.isdisjoint(_WORD.findall(lower))


def lang_at(clauses: list[Clause], pos: int) -> str:
    """Language of the clause holding character `pos` ("en" outside every clause)."""
    for clause in clauses:
        if clause.start <= pos < clause.end:
            return clause.lang
    return "en"


# ---------------------------------------------------------------------- false friends

_PLAIN = re.compile(r"[a-z0-9]+")
_friends: dict[str, frozenset[str]] | None = None
_friends_lock = threading.Lock()


def plain(text: str) -> str:
    """Lower case, accents folded, words joined by single spaces: how word lists compare."""
    return " ".join(_PLAIN.findall(fold(text).text))


def read_i18n_file(path: Path) -> dict[str, Any]:
    """One i18n lexicon file as TOML data, with one clear message when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read lexicon file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"lexicon file {path.name} is not valid TOML: {exc}") from None


def load_false_friends(paths: list[Path]) -> dict[str, frozenset[str]]:
    """`english_false_friends` of each i18n lexicon file, by the file's `lang`."""
    out: dict[str, set[str]] = {}
    for path in paths:
        data = read_i18n_file(path)
        words = data.get("english_false_friends", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise LexiconError(f"{path.name}: 'english_false_friends' must be a list of strings")
        out.setdefault(str(data.get("lang", path.stem)), set()).update(plain(w) for w in words)
    return {lang: frozenset(words - {""}) for lang, words in out.items()}


def _shipped_false_friends() -> dict[str, frozenset[str]]:
    global _friends
    with _friends_lock:
        if _friends is None:
            from workbench import paths

            _friends = load_false_friends(sorted(paths.resource("lexicon/i18n").glob("*.toml")))
        return _friends


def foreign_word_guard(lang: str, word: str) -> bool:
    """True when the English term `word`, found in a clause of language `lang`, is an ordinary
    word of that language ("son" in French, "war" in German) and must not be reported.
    Uses the shipped i18n lexicons; `ForeignMatcher.guard` does the same for its own files."""
    if lang in ("", "en", UNDETERMINED):
        return False
    friends = _shipped_false_friends().get(lang)
    return plain(word) in friends if friends else False
