"""Matching the lexicons of other languages (resources/lexicon/i18n/<lang>.toml).

Chinese and Japanese are written without spaces, so their terms are found as substrings (no
segmentation) by a first-character index over the non-ASCII stretches of the text. Text and
terms are first mapped character for character (so offsets stay exact): full-width and
half-width forms to their plain forms, traditional Chinese characters to simplified ones (the
table is data in zh.toml), so either spelling matches.

Spanish, French, German and Portuguese go through lemmas: a term matches every inflected form
of its words ("niños", "ensangrentada", "Waffen"). Lemmas come from simplemma's dictionaries,
but loading them costs 2-5 s and ~300 MB, too much for every start; so `build` inverts them once
for the lexicon's own lemmas into a small form → lemma table (a few thousand entries) and
caches that table on disk, keyed by the lexicon words and the simplemma version. Scanning is
then a dictionary look-up per word, accents folded, only in clauses detected as that language.
German compounds also match on their head ("Kinderleiche" → "Leiche").
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.core.errors import LexiconError
from workbench.core.screening.clauses import Clause
from workbench.core.screening.languages import LANGS, load_false_friends, plain, read_i18n_file
from workbench.core.screening.lexicon import Entry, parse_lexicon_file
from workbench.core.screening.phrases import PhraseIndex

CJK_LANGS = ("zh", "ja")
LATIN_LANGS = ("es", "fr", "de", "pt")  # matched through lemmas; CJK_LANGS as substrings
_TOKEN = re.compile(r"[a-z0-9ßæœøðþ]+")  # words of folded text
_TERM_WORD = re.compile(r"[^\W_]+")  # words of a term as written (accents kept for simplemma)
_COMPOUND_HEAD = 4  # shortest head of a German compound that counts ("Leiche", not "Ei")
_COMPOUND_LEFT = 3  # shortest modifier before it
_CACHE_SIZE = 4096  # clauses whose Latin hits are kept


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
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        if len(folded) == 1:
            table[code] = folded
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


class _SubstringIndex:
    """Every occurrence of any CJK key: a regular expression finds (in C) the positions whose
    character starts some key, and there the keys starting with it are compared, longest
    first. Measured faster here than an Aho-Corasick automaton (pyahocorasick) on 1.7k-char
    prompts, because few positions start a key; overlapping occurrences are all reported."""

    def __init__(self, keys: dict[str, list[int]]):
        first: dict[str, list[tuple[str, tuple[int, ...]]]] = defaultdict(list)
        for key, indices in keys.items():
            first[key[0]].append((key, tuple(indices)))
        for cands in first.values():
            cands.sort(key=lambda c: -len(c[0]))
        self._first = dict(first)
        self._starts = re.compile("[" + "".join(re.escape(ch) for ch in sorted(first)) + "]") if first else None

    def iter(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """(start, end, entry indices) of every occurrence."""
        if self._starts is None:
            return
        first = self._first
        for m in self._starts.finditer(text):
            i = m.start()
            for key, indices in first[text[i]]:
                if text.startswith(key, i):
                    yield i, i + len(key), indices


# ---------------------------------------------------------------------- lemmas


_TABLE_VERSION = 2  # bump when the folding of forms changes
_memo: dict[str, dict[str, dict[str, str]]] = {}  # in-process: engines are rebuilt often


def _lemma_tables(words: dict[str, set[str]], cache_dir: Path | None) -> dict[str, dict[str, str]]:
    """Per language, folded form → folded lemma for every form of the given lexicon words."""
    import simplemma

    payload = json.dumps({lang: sorted(ws) for lang, ws in sorted(words.items())}, ensure_ascii=False)
    key = hashlib.sha256(f"{_TABLE_VERSION}\n{simplemma.__version__}\n{payload}".encode()).hexdigest()[:16]
    cache = cache_dir / f"i18n-lemmas-{key}.json" if cache_dir is not None else None
    if key in _memo:
        if cache is not None and not cache.exists():
            _write_cache(cache, _memo[key])
        return _memo[key]
    if cache is not None:
        try:
            tables = json.loads(cache.read_text(encoding="utf-8"))
            if isinstance(tables, dict) and set(tables) == set(words):
                _memo[key] = tables
                return tables
        except (OSError, ValueError):
            pass  # missing or damaged: rebuild it
    tables = _memo[key] = {lang: _invert(lang, ws) for lang, ws in words.items()}
    if cache is not None:
        _write_cache(cache, tables)
    return tables


def _write_cache(cache: Path, tables: dict[str, dict[str, str]]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("i18n-lemmas-*.json"):  # tables of earlier lexicon versions
            old.unlink(missing_ok=True)
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
    lemmas: set[str] = set()  # folded lemmas: the keys terms match on
    spelled: set[str] = set()  # the same lemmas as the dictionary spells them (any case)
    for word in words:
        raw = lemmatizer.lemmatize(word, lang)
        lemma = _plain(raw)
        table[_plain(word)] = lemma
        lemmas.add(lemma)
        spelled.update({raw, raw.lower(), raw[:1].upper() + raw[1:]})
        if lang != "de":  # plurals of words the dictionary does not know (pédopornographiques)
            table.setdefault(_plain(word) + "s", lemma)
    for form, lemma in _entries_with_lemma(factory.get_dictionary(lang), spelled):
        folded = _plain(lemma)
        if folded in lemmas:
            table.setdefault(_plain(form), folded)
    for lemma in lemmas:
        table.setdefault(lemma, lemma)
    return table


def _entries_with_lemma(dictionary: Mapping[str, str], spelled: set[str]) -> list[tuple[str, str]]:
    """(form, lemma) pairs whose lemma is one of `spelled`, following one more step of the
    dictionary's chains (ensanguentada → ensanguentado → ensanguentar) and reporting the final
    lemma. simplemma keeps each dictionary as bytes → bytes; comparing bytes and decoding only
    the hits is far faster than its str view over a million entries (public view as fallback)."""
    raw = getattr(dictionary, "_dict", None)
    if not isinstance(raw, dict):
        raw = {form.encode(): lemma.encode() for form, lemma in dictionary.items()}
    final = {s.encode(): s for s in spelled}  # spelling → the lemma it stands for
    found: dict[bytes, str] = {}
    for _ in range(2):
        for form, lemma in raw.items():
            if lemma in final and form not in found:
                found[form] = final[lemma]
        final.update({form: lemma for form, lemma in found.items() if form not in final})
    return [(form.decode(), lemma) for form, lemma in found.items()]


def _latin_table() -> dict[int, str]:
    """Lower-case Latin letters with diacritics → their base letter, one character for one, so
    folding is a single str.translate and offsets stay exact (ß, æ, œ stay themselves)."""
    table = {}
    for code in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base.isalpha():
            table[code] = base.lower()
    return table


_LATIN = _latin_table()


def _latin_fold(text: str) -> str:
    """Lower case, accents folded, same length as `text`."""
    lower = text.lower()
    if len(lower) != len(text):  # a rare character whose lower case is longer (İ)
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower.translate(_LATIN)


def _plain(word: str) -> str:
    return "".join(_TOKEN.findall(_latin_fold(word)))


# ---------------------------------------------------------------------- matcher


class ForeignMatcher:
    """Compiled foreign lexicons. Build once, match often. Matching only adds to a per-clause
    result cache (a dict: safe to share between threads, at worst a clause is matched twice)."""

    def __init__(self, entries: list[Entry], cjk: dict[str, list[int]], cjk_table: dict[int, str],
                 latin: dict[str, dict[tuple[str, ...], int]], forms: dict[str, dict[str, str]],
                 false_friends: dict[str, frozenset[str]]):
        self.entries = entries
        self._cjk = _SubstringIndex(cjk)
        self._cjk_table = cjk_table
        self._mapped_chars = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(cjk_table)) + "]")
        self._forms = forms
        self.false_friends = false_friends
        self._cjk_cache: dict[str, list[tuple[int, int, tuple[int, ...], str]]] = {}
        self._latin_cache: dict[tuple[str, str], tuple[tuple[int, int, int, str], ...]] = {}
        # lemma phrases → entry index, per language
        self._phrases: dict[str, PhraseIndex[int]] = {}
        self._heads: dict[str, dict[str, int]] = {}  # one-word keys, for compound heads
        for lang, table in latin.items():
            self._phrases[lang] = PhraseIndex(table)
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
        return plain(word) in friends if friends else False

    def match(self, text: str, clauses: list[Clause], *, benign: bool = False) -> list[ForeignHit]:
        """Foreign findings and markers in `text`, sorted by position. `clauses` carry the
        detected language (languages.detect_clauses); benign phrases are resolved here, and
        with `benign=True` returned too (kind "benign"), so English findings inside them
        ("explosion" in "explosion de couleurs") can be dropped as well."""
        hits: list[ForeignHit] = []
        if not text.isascii():
            hits += self._match_cjk(text, clauses)
        for clause in clauses:
            if clause.lang in self._phrases:
                hits += self._match_latin(text, clause)
        return _resolve(hits, benign)

    def _match_cjk(self, text: str, clauses: list[Clause]) -> list[ForeignHit]:
        """The automaton runs over the non-ASCII stretches only (with the letters glued to
        them, for terms like AV女優): most prompts are English with a few quoted CJK strings."""
        out = []
        starts = [c.start for c in clauses]
        for run in _NON_ASCII_RUN.finditer(text):
            lo = run.start()
            while lo > 0 and text[lo - 1] in _ASCII_ALNUM and run.start() - lo < 8:
                lo -= 1
            for a, b, indices, key in self._run_hits(text[lo : run.end()]):
                start, end = lo + a, lo + b
                lang = _cjk_lang(text, start, end, clauses, starts)
                index = next((i for i in indices if self.entries[i].lang == lang), indices[0])
                out.append(ForeignHit(start, end, self.entries[index], lang, key))
        return out

    def _run_hits(self, raw: str) -> list[tuple[int, int, tuple[int, ...], str]]:
        """Occurrences in one non-ASCII stretch, cached like the Latin clauses."""
        found = self._cjk_cache.get(raw)
        if found is None:
            mapped = raw.lower()
            if len(mapped) != len(raw):  # lower() changed a length (İ): keep the case
                mapped = raw
            if self._mapped_chars.search(mapped):
                mapped = mapped.translate(self._cjk_table)
            found = [(a, b, indices, mapped[a:b]) for a, b, indices in self._cjk.iter(mapped)]
            if len(self._cjk_cache) >= _CACHE_SIZE:
                self._cjk_cache.clear()
            self._cjk_cache[raw] = found
        return found

    def _match_latin(self, text: str, clause: Clause) -> list[ForeignHit]:
        """Hits of one clause, cached by (language, clause text): while the user types, every
        clause but the one being edited is unchanged."""
        key = (clause.lang, text[clause.start : clause.end])
        found = self._latin_cache.get(key)
        if found is None:
            if len(self._latin_cache) >= _CACHE_SIZE:
                self._latin_cache.clear()
            found = self._latin_cache[key] = self._latin_hits(*key)
        return [ForeignHit(clause.start + a, clause.start + b, self.entries[i], clause.lang, lemma)
                for a, b, i, lemma in found]

    def _latin_hits(self, lang: str, clause_text: str) -> tuple[tuple[int, int, int, str], ...]:
        folded = _latin_fold(clause_text)
        spans = [m.span() for m in _TOKEN.finditer(folded)]
        forms = self._forms.get(lang, {})
        keys = [forms.get(w, w) for w in (folded[a:b] for a, b in spans)]
        phrases, heads = self._phrases[lang], self._heads[lang]
        out: list[tuple[int, int, int, str]] = []
        i, n = 0, len(keys)
        while i < n:
            size = phrases.longest(keys, i)
            if size is None and lang == "de":
                size = self._compound(folded, spans[i], keys, i, heads, forms)
            if size is None:
                i += 1
                continue
            length, index = size
            out.append((spans[i][0], spans[i + length - 1][1], index, " ".join(keys[i : i + length])))
            i += length
        return tuple(out)

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


# Non-ASCII stretches, glued over spaces ("ユニセックス 男女兼用") and over ASCII letters inside
# mixed terms ("三K党"); letters just before a stretch ("AV女優") are added in _match_cjk.
# The pattern starts at a non-ASCII character, so the regex engine skips ASCII text quickly.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f](?:[^\x00-\x7f]| +(?=[^\x00-\x7f])|[A-Za-z0-9]+(?=[^\x00-\x7f]))*")
_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_NEAR = 8  # characters either side that decide zh/ja for CJK inside a non-CJK clause


def _cjk_lang(text: str, start: int, end: int, clauses: list[Clause], starts: list[int]) -> str:
    """The clause's language when it is Chinese or Japanese; else (a CJK string quoted in an
    English clause) ja when kana stand near the hit."""
    k = bisect.bisect_right(starts, start) - 1
    if k >= 0 and clauses[k].lang in CJK_LANGS and start < clauses[k].end:
        return clauses[k].lang
    return "ja" if _KANA.search(text, max(0, start - _NEAR), end + _NEAR) else "zh"


def _resolve(hits: list[ForeignHit], keep_benign: bool = False) -> list[ForeignHit]:
    """Benign phrases drop the findings and markers they overlap (when at least as long); of
    overlapping findings the longest (then leftmost) wins; markers are kept beside findings
    (they only add tags). With `keep_benign` the benign phrases are returned too."""
    benign = [h for h in hits if h.entry.kind == "benign"]
    live = [h for h in hits if h.entry.kind != "benign"]
    if benign:
        live = [h for h in live if not any(b.start < h.end and h.start < b.end
                                           and b.end - b.start >= h.end - h.start for b in benign)]
    out: list[ForeignHit] = []
    for kind, pool in (("finding", live), ("marker", live), ("benign", benign if keep_benign else [])):
        taken: list[ForeignHit] = []
        for hit in sorted((h for h in pool if h.entry.kind == kind),
                          key=lambda h: (h.start - h.end, h.start)):
            if not any(t.start < hit.end and hit.start < t.end for t in taken):
                taken.append(hit)
        out += taken
    return sorted(out, key=lambda h: (h.start, -h.end))
