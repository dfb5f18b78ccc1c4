"""Matching the lexicons of other languages (resources/lexicon/i18n/<lang>.toml).

Chinese and Japanese are written without spaces, so their terms are found as substrings by
one Aho-Corasick automaton (pyahocorasick, C) over the whole text: no segmentation, one pass,
microseconds per kilobyte. Text and terms are first mapped character for character (so
offsets stay exact): full-width and half-width forms to their plain forms, traditional Chinese
characters to simplified ones (the table is data in zh.toml), so either spelling matches.

Spanish, French, German and Portuguese go through lemmas: a term matches every inflected form
of its words ("niños", "ensangrentada", "Waffen"). Lemmas come from simplemma's dictionaries,
but loading them costs ~2 s and ~300 MB, too much for every start; so `build` inverts them once
for the lexicon's own lemmas into a small form → lemma table (a few thousand entries) and
caches that table on disk, keyed by the lexicon words and the simplemma version. Scanning is
then a dictionary look-up per word, accents folded, only in clauses detected as that language.
German compounds also match on their head ("Kinderleiche" → "Leiche").
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.core.errors import LexiconError
from workbench.core.screening.clauses import Clause
from workbench.core.screening.languages import LANGS, load_false_friends, plain, read_i18n_file
from workbench.core.screening.lexicon import Entry, parse_lexicon_file
from workbench.core.screening.normalize import fold

CJK_LANGS = ("zh", "ja")
LATIN_LANGS = ("es", "fr", "de", "pt")
_TOKEN = re.compile(r"[a-z0-9]+")  # words of folded text
_TERM_WORD = re.compile(r"[^\W_]+")  # words of a term as written (accents kept for simplemma)
_COMPOUND_HEAD = 4  # shortest head of a German compound that counts ("Leiche", not "Ei")
_COMPOUND_LEFT = 3  # shortest modifier before it


@dataclass(frozen=True, slots=True)
class ForeignHit:
    """A foreign lexicon match: [start, end) in the original text, the entry it matched, the
    language of the text it was found in, and the lemma (or normalised form) that matched."""

    start: int
    end: int
    entry: Entry
    lang: str
    lemma: str


# ---------------------------------------------------------------------- CJK


def _cjk_table(variants: dict[str, str]) -> dict[int, str]:
    """One-to-one character map: NFKC forms (full-width Ａ, half-width ｶ) and variants."""
    table: dict[int, str] = {}
    for code in list(range(0xFF01, 0xFF5F)) + list(range(0xFF61, 0xFFA0)):
        plain = unicodedata.normalize("NFKC", chr(code)).lower()
        if len(plain) == 1:
            table[code] = plain
    for trad, simp in variants.items():
        table[ord(trad)] = simp
    return table


def _parse_variants(value: Any, where: str) -> dict[str, str]:
    """`traditional = ["殺杀", "槍枪", …]`: pairs of one traditional and one simplified character."""
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) == 2 for v in value):
        raise LexiconError(f"{where}: 'traditional' must be a list of two-character strings")
    return {pair[0]: pair[1] for pair in value}


class _Automaton:
    """Aho-Corasick over CJK keys; each key → entry indices (one per language that has it)."""

    def __init__(self, keys: dict[str, list[int]]):
        import ahocorasick

        self._auto = ahocorasick.Automaton()
        for key, indices in keys.items():
            self._auto.add_word(key, (len(key), tuple(indices)))
        self.empty = not keys
        if keys:
            self._auto.make_automaton()

    def iter(self, text: str):
        """(start, end, entry indices) of every occurrence, overlapping ones included."""
        if self.empty:
            return
        for last, (size, indices) in self._auto.iter(text):
            yield last + 1 - size, last + 1, indices


# ---------------------------------------------------------------------- lemmas


_memo: dict[str, dict[str, dict[str, str]]] = {}  # in-process: engines are rebuilt often


def _lemma_tables(words: dict[str, set[str]], cache_dir: Path | None) -> dict[str, dict[str, str]]:
    """Per language, folded form → folded lemma for every form of the given lexicon words."""
    import simplemma

    payload = json.dumps({lang: sorted(ws) for lang, ws in sorted(words.items())}, ensure_ascii=False)
    key = hashlib.sha256(f"{simplemma.__version__}\n{payload}".encode()).hexdigest()[:16]
    cache = cache_dir / f"i18n-lemmas-{key}.json" if cache_dir is not None else None
    if key in _memo:
        if cache is not None and not cache.exists():
            _write_cache(cache, _memo[key])
        return _memo[key]
    if cache is not None:
        try:
            _memo[key] = json.loads(cache.read_text(encoding="utf-8"))
            return _memo[key]
        except (OSError, ValueError):
            pass
    tables = _memo[key] = {lang: _invert(lang, ws) for lang, ws in words.items()}
    if cache is not None:
        _write_cache(cache, tables)
    return tables


def _write_cache(cache: Path, tables: dict[str, dict[str, str]]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a cache we cannot write only costs time next start


def _invert(lang: str, words: set[str]) -> dict[str, str]:
    """Lemmatise the lexicon words, then collect every dictionary form of those lemmas.
    A private dictionary factory is used so the full dictionary is freed afterwards."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    factory = DefaultDictionaryFactory(cache_max_size=1)
    lemmatizer = Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=factory))
    table: dict[str, str] = {}
    lemmas: dict[str, str] = {}  # folded lemma → folded lemma (the key a term matches on)
    for word in words:
        lemma = _plain(lemmatizer.lemmatize(word, lang))
        table[_plain(word)] = lemma
        lemmas[lemma] = lemma
        if lang != "de":  # plurals of words the dictionary does not know (pédopornographiques)
            table.setdefault(_plain(word) + "s", lemma)
    for form, lemma in factory.get_dictionary(lang).items():
        folded = _plain(lemma)
        if folded in lemmas:
            table.setdefault(_plain(form), folded)
    for lemma in lemmas:
        table.setdefault(lemma, lemma)
    return table


def _plain(word: str) -> str:
    return "".join(_TOKEN.findall(fold(word).text))


# ---------------------------------------------------------------------- matcher


class ForeignMatcher:
    """Compiled foreign lexicons. Build once, match often; matching does not mutate it."""

    def __init__(self, entries: list[Entry], cjk: dict[str, list[int]], cjk_table: dict[int, str],
                 latin: dict[str, dict[tuple[str, ...], int]], forms: dict[str, dict[str, str]],
                 false_friends: dict[str, frozenset[str]]):
        self.entries = entries
        self._cjk = _Automaton(cjk)
        self._cjk_table = cjk_table
        self._forms = forms
        self.false_friends = false_friends
        # first lemma → (remaining lemmas, entry index), longest first, per language
        self._first: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = {}
        self._heads: dict[str, dict[str, int]] = {}  # one-word keys, for compound heads
        for lang, table in latin.items():
            first: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
            for toks, index in table.items():
                first[toks[0]].append((toks[1:], index))
            for cands in first.values():
                cands.sort(key=lambda c: -len(c[0]))
            self._first[lang] = dict(first)
            self._heads[lang] = {toks[0]: i for toks, i in table.items()
                                 if len(toks) == 1 and len(toks[0]) >= _COMPOUND_HEAD}

    @classmethod
    def build(cls, paths: list[Path], *, cache_dir: Path | None = None) -> ForeignMatcher:
        """Compile the i18n lexicon files. `cache_dir` keeps the lemma tables between runs."""
        entries: list[Entry] = []
        spellings: list[tuple[int, list[str]]] = []
        variants: dict[str, str] = {}
        for path in paths:
            data = read_i18n_file(path)
            lang = data.get("lang")
            if lang not in LANGS or lang == "en":
                raise LexiconError(f"{path.name}: 'lang' must be one of {', '.join(LANGS[1:])}")
            variants.update(_parse_variants(data.get("traditional"), path.name))
            for entry, forms, _ in parse_lexicon_file(path):
                if not entry.term:  # CJK: no Latin tokens; the term is the spelling itself
                    entry = replace(entry, term=entry.display.lower(), rule=entry.rule + entry.display)
                spellings.append((len(entries), forms))
                entries.append(entry)
        cjk_table = _cjk_table(variants)
        cjk: dict[str, list[int]] = defaultdict(list)
        words: dict[str, set[str]] = defaultdict(set)
        raw_latin: list[tuple[str, list[str], int]] = []
        for index, forms in spellings:
            lang = entries[index].lang
            for form in forms:
                if lang in CJK_LANGS:
                    cjk[form.lower().translate(cjk_table)].append(index)
                else:
                    toks = _TERM_WORD.findall(form)
                    words[lang].update(toks)
                    raw_latin.append((lang, toks, index))
        lemma_tables = _lemma_tables(dict(words), cache_dir) if words else {}
        latin: dict[str, dict[tuple[str, ...], int]] = defaultdict(dict)
        for lang, toks, index in raw_latin:
            table = lemma_tables.get(lang, {})
            key = tuple(table.get(p, p) for p in (_plain(t) for t in toks) if p)
            if key:
                latin[lang].setdefault(key, index)
        return cls(entries, dict(cjk), cjk_table, dict(latin), lemma_tables, load_false_friends(paths))

    # ------------------------------------------------------------------ matching

    def guard(self, lang: str, word: str) -> bool:
        """True when English `word` is an ordinary word of `lang` (see languages.py)."""
        friends = self.false_friends.get(lang)
        return bool(friends) and plain(word) in friends

    def match(self, text: str, clauses: list[Clause], *, benign: bool = False) -> list[ForeignHit]:
        """Foreign findings and markers in `text`, sorted by position. `clauses` carry the
        detected language (languages.detect_clauses); benign phrases are resolved here, and
        with `benign=True` returned too (kind "benign"), so English findings inside them
        ("explosion" in "explosion de couleurs") can be dropped as well."""
        hits: list[ForeignHit] = []
        if not text.isascii():
            hits += self._match_cjk(text, clauses)
        for clause in clauses:
            if clause.lang in self._first:
                hits += self._match_latin(text, clause)
        return _resolve(hits, benign)

    def _match_cjk(self, text: str, clauses: list[Clause]) -> list[ForeignHit]:
        mapped = text.lower().translate(self._cjk_table) if self._cjk_table else text.lower()
        if len(mapped) != len(text):  # lower() changed a length (İ): match the unlowered text
            mapped = text.translate(self._cjk_table)
        out = []
        for start, end, indices in self._cjk.iter(mapped):
            lang = _cjk_lang(text, start, end, clauses)
            index = next((i for i in indices if self.entries[i].lang == lang), indices[0])
            out.append(ForeignHit(start, end, self.entries[index], lang, mapped[start:end]))
        return out

    def _match_latin(self, text: str, clause: Clause) -> list[ForeignHit]:
        lang = clause.lang
        folded = fold(text[clause.start : clause.end])
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(folded.text)]
        forms = self._forms.get(lang, {})
        keys = [forms.get(folded.text[a:b], folded.text[a:b]) for a, b in spans]
        first, heads = self._first[lang], self._heads[lang]
        out: list[ForeignHit] = []
        i, n = 0, len(keys)
        while i < n:
            size = self._longest(first, keys, i)
            if size is None and lang == "de":
                size = self._compound(folded.text, spans[i], keys, i, heads, forms)
            if size is None:
                i += 1
                continue
            length, index = size
            start, end = folded.original_span(spans[i][0], spans[i + length - 1][1])
            out.append(ForeignHit(clause.start + start, clause.start + end, self.entries[index],
                                  lang, " ".join(keys[i : i + length])))
            i += length
        return out

    @staticmethod
    def _longest(first, keys: list[str], i: int) -> tuple[int, int] | None:
        for rest, index in first.get(keys[i], ()):
            size = len(rest)
            if size == 0 or tuple(keys[i + 1 : i + 1 + size]) == rest:
                return 1 + size, index
        return None

    @staticmethod
    def _compound(folded: str, span: tuple[int, int], keys: list[str], i: int,
                  heads: dict[str, int], forms: dict[str, str]) -> tuple[int, int] | None:
        """A German compound whose head (last part) is a one-word term: "Kinderleichen"."""
        word = folded[span[0] : span[1]]
        for cut in range(_COMPOUND_LEFT, len(word) - _COMPOUND_HEAD + 1):
            tail = word[cut:]
            index = heads.get(forms.get(tail, tail))
            if index is not None:
                keys[i] = forms.get(tail, tail)
                return 1, index
        return None


def _cjk_lang(text: str, start: int, end: int, clauses: list[Clause]) -> str:
    """ja when the run of CJK text around the hit has kana, or its clause is Japanese."""
    lo, hi = start, end
    while lo > 0 and _is_cjk(text[lo - 1]):
        lo -= 1
    while hi < len(text) and _is_cjk(text[hi]):
        hi += 1
    if any(_is_kana(ch) for ch in text[lo:hi]):
        return "ja"
    for clause in clauses:
        if clause.start <= start < clause.end:
            return "ja" if clause.lang == "ja" else "zh"
    return "zh"


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF \
        or 0xFF66 <= code <= 0xFF9F


def _is_kana(ch: str) -> bool:
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0xFF66 <= code <= 0xFF9F


def _resolve(hits: list[ForeignHit], keep_benign: bool = False) -> list[ForeignHit]:
    """Benign phrases drop the findings and markers they overlap; of overlapping findings the
    longest (then leftmost) wins; markers are kept beside findings (they only add tags)."""
    benign = [h for h in hits if h.entry.kind == "benign"]
    live = [h for h in hits if h.entry.kind != "benign"
            and not any(b.start < h.end and h.start < b.end and b.end - b.start >= h.end - h.start
                        for b in benign)]
    out: list[ForeignHit] = []
    for kind in ("finding", "marker", "benign"):
        if kind == "benign" and not keep_benign:
            break
        taken: list[ForeignHit] = []
        pool = benign if kind == "benign" else live
        for hit in sorted((h for h in pool if h.entry.kind == kind),
                          key=lambda h: (-(h.end - h.start), h.start)):
            if not any(t.start < hit.end and hit.start < t.end for t in taken):
                taken.append(hit)
        out += taken
    return sorted(out, key=lambda h: (h.start, -h.end))
