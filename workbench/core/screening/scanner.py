"""The screening engine: one pass over the prompt's tokens against a compiled token trie.

Build once (`Engine.build`), scan often. Scanning folds the text (case, accents, homoglyphs,
invisible characters), tokenises it with one regular expression, undoes disguises (leetspeak,
letters split by separators), finds the longest lexicon match at every token with dictionary
look-ups — no per-term work — and then applies context and combination rules to the few hits.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from workbench.core.screening import clauses as clause_split
from workbench.core.screening import languages, scope, structure
from workbench.core.screening.foreign import ForeignMatcher
from workbench.core.screening.lexicon import Entry, Lexicon
from workbench.core.screening.misspell import Misspellings
from workbench.core.screening.models import ENTITY_CATEGORIES, SEVERITIES, SEVERITY_RANK, Finding, ScanResult
from workbench.core.screening.normalize import Folded, fold, lookalike
from workbench.core.screening.phrases import PhraseIndex
from workbench.core.screening.rules import CombineRule, ContextRule, MentionRule, Rules, Selector, StyleRule
from workbench.core.screening.scenes import SceneRules
from workbench.core.screening.spans import SpanIndex

_TOKEN = re.compile(r"[@$]?[a-z0-9]+(?:[@$!]+[a-z0-9]+)*")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                       "9": "g", "@": "a", "$": "s", "!": "i"})
_LEET_ALT = str.maketrans({"1": "l", "!": "l", "0": "o", "3": "e", "4": "a", "5": "s",
                           "7": "t", "@": "a", "$": "s"})
_SEPARATORS = frozenset(" -._*/|+~·•'\"")
_MIN_SPLIT_RUN = 3  # g-u-n, n.u.d.e: at least three single letters joined


@dataclass
class _Hit:
    """A lexicon match being worked on by the rules (token span [i, j))."""

    i: int
    j: int
    entry: Entry
    category: str
    severity: str
    notes: list[str] = field(default_factory=list)
    rule: str = ""
    message: str = ""
    replacements: tuple[str, ...] = ()
    dropped: bool = False
    constrained: bool | None = None  # inside "no …" / a negative_prompt value (None: not read yet)
    mention: bool = False  # no risk alone: a finding only with harm near (lexicon `alone = "note"`)

    @property
    def kind(self) -> str:
        return self.entry.kind


@dataclass
class _Tokens:
    starts: list[int]
    ends: list[int]
    words: list[str]
    disguised: dict[int, str]  # token index → how it was disguised


class Engine:
    """A compiled lexicon plus rules. Thread-safe to share: scanning does not mutate it."""

    def __init__(self, lexicon: Lexicon, rules: Rules, allow: frozenset[str] = frozenset(),
                 foreign: ForeignMatcher | None = None, scenes: SceneRules | None = None):
        self.scenes = scenes  # clause-level scene rules (resources/scenes), None = none
        self.foreign = foreign  # other languages (resources/lexicon/i18n), None = English only
        self.lexicon = lexicon
        self.rules = rules
        self.allow = allow
        self._spellings = PhraseIndex(lexicon.spellings)
        self._markers = PhraseIndex(lexicon.markers)
        self._vocab = frozenset(
            tok for table in (lexicon.spellings, lexicon.markers) for toks in table for tok in toks
        )
        self._misspellings = Misspellings({
            toks[0]: index for toks, index in lexicon.spellings.items()
            if len(toks) == 1 and _misspellable(lexicon.entries[index])})
        self._ctx_by_term: dict[str, list[ContextRule]] = defaultdict(list)
        self._ctx_by_cat: dict[str, list[ContextRule]] = defaultdict(list)
        for rule in rules.context:
            for term in rule.terms:
                self._ctx_by_term[term].append(rule)
            for cat in rule.categories:
                self._ctx_by_cat[cat].append(rule)
        self._near_words = {rule.id: _near_set(rule) for rule in rules.context}
        self._style_first: dict[str, list[tuple[tuple[str, ...], StyleRule]]] = defaultdict(list)
        for style in rules.style:
            for phrase in style.after:
                self._style_first[phrase[0]].append((phrase[1:], style))

    @property
    def term_count(self) -> int:
        return len(self.lexicon.entries)

    @property
    def spelling_count(self) -> int:
        return len(self.lexicon.spellings)

    # ------------------------------------------------------------------ scanning

    def scan(self, text: str) -> ScanResult:
        # JSON, key: value lines, Markdown and {argument} templates: read the content, not the
        # scaffolding. The content view has the text's length, so every offset stays exact.
        shape = structure.analyse(text)
        view = text if shape.kind == "prose" else shape.content_view
        folded = fold(view)
        tokens = self._tokenise(folded.text)
        if self._misspellings:
            self._read_misspellings(text, folded, tokens)
        hits = self._match(tokens, self._spellings)
        hits += _outside_benign(self._match(tokens, self._markers), hits)
        live = [h for h in hits if not h.dropped]
        constraints = _Constraints(view, shape, folded, tokens)
        self._apply_context(live, tokens)
        live = [h for h in live if not h.dropped]
        live += self._apply_combinations(live, constraints)
        live += self._style_hits(text, folded, tokens, hits)
        kept = [h for h in live if not h.dropped and h.kind == "finding" and not self._allowed(h, tokens)
                and (not h.entry.cased or all(_capitalised(text, folded, tokens, k) for k in range(h.i, h.j)))]
        findings = [self._finding(text, folded, tokens, h) for h in kept]
        mentions = {(f.start, f.end, f.rule) for f, h in zip(findings, kept, strict=True) if h.mention}
        findings += _invisible_findings(text, folded)
        if self.foreign is not None:
            findings = self._foreign_findings(view, findings)
        findings, notes = _constraint_notes(_dedupe(findings), constraints)
        if shape.fields:
            findings, notes = _structure_stage(shape, findings, notes, mentions)
        result = self._scene_stage(ScanResult(view, tuple(findings), tuple(notes)), lambda: constraints.spans)
        if mentions:
            result = mention_stage(result, mentions, self.rules.mention)
        return result if view is text else _in_original(result, text)

    def _scene_stage(self, result: ScanResult,
                     constraints: Callable[[], list[tuple[int, int]]] | None = None) -> ScanResult:
        """Scene rules (issue 12) judge whole clauses over the term findings, outside constraints."""
        if self.scenes is None:
            return result
        return self.scenes.apply(result, constraints)

    def _tokenise(self, folded: str) -> _Tokens:
        starts, ends, words = [], [], []
        for m in _TOKEN.finditer(folded):
            starts.append(m.start())
            ends.append(m.end())
            words.append(m.group())
        disguised: dict[int, str] = {}
        vocab = self._vocab
        # Only tokens mixing letters with digits or @$! can be leetspeak: find those few first.
        odd = [k for k, word in enumerate(words) if not word.isalpha() and not word.isdigit() and word not in vocab]
        for k in odd:
            word = words[k]
            for table in (_LEET, _LEET_ALT):
                plain = word.translate(table)
                if plain in vocab:
                    words[k] = plain
                    disguised[k] = "leetspeak"
                    break
            else:
                stripped = word.strip("@$!")
                if stripped != word and stripped in vocab:
                    words[k] = stripped
        self._join_split_letters(folded, starts, ends, words, disguised)
        return _Tokens(starts, ends, words, disguised)

    def _read_misspellings(self, text: str, folded: Folded, tokens: _Tokens) -> None:
        """Words one edit from a high-severity term become that term. Capitalised words are
        names (Fuchs, Showa), not typos, and are left alone."""
        words = tokens.words
        fixes = self._misspellings.corrections(set(words) - self._vocab)
        if not fixes:
            return
        for k, word in enumerate(words):
            right = fixes.get(word)
            if right is None or k in tokens.disguised:
                continue
            start, end = folded.original_span(tokens.starts[k], tokens.ends[k])
            if not text[start:end].istitle():
                words[k] = right
                tokens.disguised[k] = "misspelling"

    def _join_split_letters(self, folded: str, starts: list[int], ends: list[int], words: list[str],
                            disguised: dict[int, str]) -> None:
        """Turn runs like g-u-n / n.u.d.e / s e x into one token when that spells a term."""
        pairs = [k for k in range(len(words) - 1) if len(words[k]) == 1 and len(words[k + 1]) == 1]
        if not pairs:
            return  # no two single letters side by side: nothing can be spelled out
        k = pairs[0]
        while k < len(words):
            run_end = k
            while (
                run_end + 1 < len(words)
                and len(words[run_end]) == 1
                and len(words[run_end + 1]) == 1
                and starts[run_end + 1] - ends[run_end] == 1
                and folded[ends[run_end]] in _SEPARATORS
            ):
                run_end += 1
            if run_end - k + 1 >= _MIN_SPLIT_RUN:
                joined = "".join(words[k : run_end + 1])
                plain = joined if joined in self._vocab else joined.translate(_LEET)
                if plain in self._vocab:
                    words[k : run_end + 1] = [plain]
                    ends[k : run_end + 1] = [ends[run_end]]
                    del starts[k + 1 : run_end + 1]
                    disguised[k] = "letters split by separators"
            k += 1

    def _match(self, tokens: _Tokens, index: PhraseIndex[int]) -> list[_Hit]:
        """Longest match at every position, left to right."""
        entries = self.lexicon.entries
        hits: list[_Hit] = []
        for i, j, k in index.scan(tokens.words):
            entry = entries[k]
            hits.append(_Hit(i, j, entry, entry.category, entry.severity, rule=entry.rule,
                             message=entry.reason, replacements=entry.replacements,
                             dropped=entry.kind == "benign", mention=entry.alone == "note"))
        return hits

    # ------------------------------------------------------------------ rules

    def _apply_context(self, hits: list[_Hit], tokens: _Tokens) -> None:
        words = tokens.words
        for hit in hits:
            if hit.kind != "finding":
                continue
            rules = self._ctx_by_term.get(hit.entry.term, []) + self._ctx_by_cat.get(hit.category, [])
            for rule in rules:
                lo, hi = max(0, hit.i - rule.window), min(len(words), hit.j + rule.window)
                window = words[lo : hit.i] + words[hit.j : hi]
                if not _window_has(window, rule.near, self._near_words[rule.id]):
                    continue
                if rule.action == "clear" and hit.entry.term in rule.terms:
                    hit.dropped = True  # a rule naming the word decides its sense, even a hard line's
                else:
                    _act(hit, rule.action, rule.severity, rule.category, rule.id, rule.note)
                if hit.dropped:
                    break

    def _apply_combinations(self, hits: list[_Hit], constraints: _Constraints) -> list[_Hit]:
        """Apply [[combine]] rules in file order; later rules see what earlier ones added."""
        added: list[_Hit] = []
        if not hits:
            return added
        # Selectors repeat across rules ("category:minors"): the hits are sorted by what a
        # selector asks once, and each pool is made once, until a rule changes a hit (adds one,
        # escalates, lowers).
        selection: _Selection | None = None
        pools_of: dict[Selector, _Pool] = {}
        for rule in self.rules.combine:
            if selection is None:
                selection = _Selection(hits)
            targets = selection.of(rule.on)
            if not targets:
                continue
            for selector in rule.when:
                if selector not in pools_of:
                    pools_of[selector] = _pool(selection.of(selector), constraints)
            pools = [pools_of[selector] for selector in rule.when]
            if not all(pools):
                continue
            fresh: list[_Hit] = []
            for target in targets:
                if not all(pool.near(target, rule.window) for pool in pools):
                    continue
                selection = None
                pools_of.clear()
                if rule.action == "add":
                    fresh.append(self._added_hit(rule, target))
                elif target.kind == "finding" and rule.action == "escalate":
                    _escalate(target, rule)
                elif target.kind == "finding" and rule.action == "note":
                    _act(target, "note", None, None, rule.id, rule.message)
                elif target.kind == "finding":
                    _act(target, "lower", None, None, rule.id, rule.message)
            added += fresh
            hits = hits + fresh
        return _merge_added(added)

    def _added_hit(self, rule: CombineRule, target: _Hit) -> _Hit:
        entry = target.entry
        replacements = rule.replacements
        if not replacements and rule.severity != "critical":
            replacements = entry.replacements
        return _Hit(target.i, target.j, Entry(
            term=entry.term, display=entry.display, category=rule.category or entry.category,
            severity=rule.severity or "medium", reason=rule.message,
            replacements=replacements, rule=rule.id,
            kind="finding", tags=entry.tags, source="rules"),
            rule.category or entry.category, rule.severity or "medium",
            rule=f"{rule.id}:{'-'.join(entry.term.split())}", message=rule.message,
            replacements=replacements, constrained=False)

    def _style_hits(self, text: str, folded: Folded, tokens: _Tokens, hits: list[_Hit]) -> list[_Hit]:
        """`in the style of Firstname Lastname (and …)` where a name is in no lexicon."""
        if not self._style_first:
            return []
        covered = {k for h in hits for k in range(h.i, h.j)}
        out: list[_Hit] = []
        words, first = tokens.words, self._style_first
        for k in [k for k, word in enumerate(words) if word in first]:
            for rest, style in first[words[k]]:
                end = k + 1 + len(rest)
                if tuple(words[k + 1 : end]) == rest:
                    out += self._credited_names(text, folded, tokens, style, end, covered)
        return out

    def _credited_names(self, text: str, folded: Folded, tokens: _Tokens, style: StyleRule, k: int,
                        covered: set[int]) -> list[_Hit]:
        """Unknown names after a credit phrase; known names and joiners ("and") are stepped over."""
        words, out = tokens.words, []
        while k < len(words):
            if k in covered:  # a known name: go on only if "and" follows it
                while k < len(words) and k in covered:
                    k += 1
                if k < len(words) and words[k] in style.joiners:
                    k += 1
                    continue
                break
            name_end = k
            while (
                name_end < len(words)
                and name_end - k < style.max_words
                and name_end not in covered
                and words[name_end].isalpha()
                and words[name_end] not in style.not_names
                and (style.lowercase or _capitalised(text, folded, tokens, name_end))
            ):
                name_end += 1
            if name_end - k < 2:
                break
            display = " ".join(words[k:name_end])
            entry = Entry(display, display, style.category, style.severity, style.message,
                          style.replacements, f"{style.id}:{display.replace(' ', '-')}", source="rules")
            out.append(_Hit(k, name_end, entry, style.category, style.severity, rule=entry.rule,
                            message=style.message, replacements=style.replacements))
            covered.update(range(k, name_end))
            if name_end >= len(words) or words[name_end] not in style.joiners:
                break
            k = name_end + 1
        return out

    # ------------------------------------------------------------------ other languages

    def _foreign_findings(self, text: str, findings: list[Finding]) -> list[Finding]:
        """Per clause language: drop English findings on words that are ordinary words of the
        clause's language ("son" in French), add the foreign lexicons' findings. Foreign markers
        (child, realistic) are not combined here; the pipeline's combination stage does that."""
        matcher = self.foreign
        if matcher is None:  # the caller only asks when there is one
            return findings
        clauses = languages.detect_clauses(text, clause_split.split(text))
        hits = matcher.match(text, clauses, benign=True)
        benign = [h for h in hits if h.entry.kind == "benign"]
        if benign or any(c.lang != "en" for c in clauses):
            findings = [f for f in findings if f.lang or f.category == "evasion" or not (
                any(b.start <= f.start and f.end <= b.end for b in benign)
                or ("+misspelling" in f.rule and languages.lang_at(clauses, f.start) != "en")
                or any(matcher.guard(languages.lang_at(clauses, f.start), w) for w in (f.term, f.text) if w))]
        foreign: list[Finding] = []
        for hit in hits:
            entry, original = hit.entry, text[hit.start : hit.end]
            if entry.kind != "finding" or entry.term in self.allow or languages.plain(original) in self.allow:
                continue
            gloss = f"{hit.lang}: {entry.gloss}" if entry.gloss else hit.lang
            foreign.append(Finding(hit.start, hit.end, original, entry.category, entry.severity,
                                    f"'{original}' ({gloss}): {entry.reason}", entry.replacements,
                                    entry.rule, entry.term, lang=hit.lang, stage="match"))
        spans = {(f.start, f.end, f.category) for f in foreign}  # "cadáver": the Spanish entry explains it
        return [f for f in findings if (f.start, f.end, f.category) not in spans] + foreign

    # ------------------------------------------------------------------ output

    def _allowed(self, hit: _Hit, tokens: _Tokens) -> bool:
        if not self.allow:
            return False
        return hit.entry.term in self.allow or " ".join(tokens.words[hit.i : hit.j]) in self.allow

    def _finding(self, text: str, folded: Folded, tokens: _Tokens, hit: _Hit) -> Finding:
        start, end = folded.original_span(tokens.starts[hit.i], tokens.ends[hit.j - 1])
        original = text[start:end]
        notes = [n for n in hit.notes if n]
        how = {tokens.disguised[k] for k in range(hit.i, hit.j) if k in tokens.disguised}
        if folded.changed and any(_disguising(ch) for ch in original if not ch.isascii()):
            how.add("look-alike letters")
        if "misspelling" in how:
            hit.rule += "+misspelling"  # read through a typo: English only (see _foreign_findings)
        if how:
            hit.mention = False  # a disguised word is an attempt to slip past: never a mere mention
            notes.append(f"Disguised spelling ({', '.join(sorted(how))}) of '{hit.entry.display}'.")
        message = " ".join([hit.message, *notes]).strip()
        return Finding(start, end, original, hit.category, hit.severity, message,
                       tuple(hit.replacements), hit.rule, hit.entry.term)


# ---------------------------------------------------------------------- helpers


def _misspellable(entry: Entry) -> bool:
    """High-severity English harm words: the ones worth reading through a typo."""
    return (entry.kind == "finding" and entry.severity in ("high", "critical") and not entry.lang
            and entry.category not in ENTITY_CATEGORIES)


def _outside_benign(markers: list[_Hit], hits: list[_Hit]) -> list[_Hit]:
    """Markers not inside a benign phrase ("baby" in "baby oil" is no child)."""
    covered = {k for h in hits if h.kind == "benign" for k in range(h.i, h.j)}
    if not covered:
        return markers
    return [m for m in markers if not covered.intersection(range(m.i, m.j))]


def _disguising(ch: str) -> bool:
    """Look-alike letters (Cyrillic а, full-width ｎ, math 𝐧) — but not ordinary accents (é)."""
    return lookalike(ch) is not None or unicodedata.normalize("NFKC", ch) != ch


def _near_set(rule: ContextRule) -> frozenset[str]:
    words = set()
    for phrase in rule.near:
        if len(phrase) == 1:
            w = phrase[0]
            words.update({w, w + "s", w + "es"})
    return frozenset(words)


def _window_has(window: list[str], phrases: tuple[tuple[str, ...], ...], singles: frozenset[str]) -> bool:
    if any(w in singles for w in window):
        return True
    for phrase in phrases:
        if len(phrase) > 1:
            size = len(phrase)
            for k in range(len(window) - size + 1):
                if tuple(window[k : k + size]) == phrase:
                    return True
    return False


def _act(hit: _Hit, action: str, severity: str | None, category: str | None, rid: str, note: str) -> None:
    rank = SEVERITY_RANK[hit.severity]
    if action == "note":  # a mention here: counts only with harm near (see mention_stage)
        if hit.severity not in ("critical", "high"):
            hit.mention = True
            hit.rule += f"+{rid}"
            if note:
                hit.notes.append(note)
        return
    if action == "clear":
        if hit.severity != "critical":
            hit.dropped = True
        return
    if action == "lower":
        if hit.severity == "critical":
            return
        if severity is not None:
            hit.severity = severity if SEVERITY_RANK[severity] < rank else hit.severity
        elif rank == 0:
            hit.dropped = True
            return
        else:
            hit.severity = SEVERITIES[rank - 1]
    elif action == "raise":
        if severity is not None:
            hit.severity = severity if SEVERITY_RANK[severity] > rank else hit.severity
        else:
            hit.severity = SEVERITIES[min(rank + 1, len(SEVERITIES) - 1)]
    elif action == "set":
        if severity is not None and hit.severity != "critical":
            hit.severity = severity
        if category:
            hit.category = category
    hit.rule += f"+{rid}"
    if note:
        hit.notes.append(note)


def _escalate(hit: _Hit, rule: CombineRule) -> None:
    hit.category = rule.category or hit.category
    if rule.severity and SEVERITY_RANK[rule.severity] > SEVERITY_RANK[hit.severity]:
        hit.severity = rule.severity
    hit.message = rule.message or hit.message  # the combination is now the reason
    hit.rule += f"+{rule.id}"
    if rule.replacements or hit.severity == "critical":
        hit.replacements = rule.replacements


class _Selection:
    """The live hits by what a selector can ask of them (a tag; a finding's category or term),
    sorted in one pass over the hits instead of one test per selector and hit."""

    def __init__(self, hits: list[_Hit]):
        self.findings: list[_Hit] = []
        self.by: dict[tuple[str, str], list[_Hit]] = defaultdict(list)
        for hit in hits:
            if hit.dropped:
                continue
            for tag in hit.entry.tags:
                self.by["tag", tag].append(hit)
            if hit.kind == "finding":
                self.findings.append(hit)
                self.by["category", hit.category].append(hit)
                self.by["term", hit.entry.term].append(hit)

    def of(self, selector: Selector) -> list[_Hit]:
        """The hits `selector` selects, in hit order."""
        if selector.kind == "any":
            return self.findings
        if selector.kind == "category" and selector.value.endswith("*"):  # sexual and its sub-categories
            prefix = selector.value[:-1]
            return [h for h in self.findings if h.category.startswith(prefix)]
        return self.by.get((selector.kind, selector.value), [])


def _pool(selected: list[_Hit], constraints: _Constraints) -> _Pool:
    # A mention (a held sword, swimwear) or a word inside a constraint ("avoid anything
    # sexual") is no harm to combine with; either may be a target.
    return _Pool([h for h in selected if not h.mention and not constraints.covers(h)])


class _Pool:
    """Hits matching one selector, indexed by token span, for fast "is one within N words?"."""

    def __init__(self, hits: list[_Hit]):
        self.index = SpanIndex(hits, lambda h: h.i, lambda h: h.j)

    def __bool__(self) -> bool:
        return bool(self.index)

    def near(self, target: _Hit, window: int) -> bool:
        return any(other is not target and max(other.i - target.j, target.i - other.j, 0) <= window
                   for other in self.index.near(target.i - window, target.j + window))


def _merge_added(added: list[_Hit]) -> list[_Hit]:
    """One added finding per span and category, keeping the worst severity."""
    best: dict[tuple[int, int, str], _Hit] = {}
    for hit in added:
        key = (hit.i, hit.j, hit.category)
        if key not in best or SEVERITY_RANK[hit.severity] > SEVERITY_RANK[best[key].severity]:
            best[key] = hit
    return list(best.values())


def _capitalised(text: str, folded: Folded, tokens: _Tokens, k: int) -> bool:
    start, _ = folded.original_span(tokens.starts[k], tokens.ends[k])
    ch = text[start]
    return ch.isupper()


def _invisible_findings(text: str, folded: Folded) -> list[Finding]:
    out = []
    for run in folded.invisible:
        names = sorted(set(run.names))
        count = run.end - run.start
        what = f"{count} invisible character{'s' if count > 1 else ''} ({', '.join(names).lower()})"
        out.append(Finding(run.start, run.end, text[run.start:run.end], "evasion", "low",
                           f"{what} hidden in the text. Invisible characters can disguise words; "
                           "they are removed by desensitize.", ("",), "invisible-characters", ""))
    return out


def _structure_stage(shape: structure.Structure, findings: list[Finding], notes: list[Finding],
                     mentions: set[tuple[int, int, str]]) -> tuple[list[Finding], list[Finding]]:
    """Every finding and note learns its field's path. A value under a typography key
    (`headline`, `button`, `font`) is lettering, so its words are mentions: they count only with
    harm near. (Values under constraint keys were made notes with the other constraints.)"""
    kept, out_notes = [], [_with_field(shape, n) for n in notes]
    for f in findings:
        fld = structure.field_at(shape, f.start)
        if fld is None:
            kept.append(f)
            continue
        f = replace(f, field=fld.path)
        if structure.role(fld.path, fld.key) == "typography" and f.severity not in ("high", "critical"):
            mentions.add((f.start, f.end, f.rule))
        kept.append(f)
    out_notes.sort(key=lambda f: (f.start, -f.end, f.category))
    return kept, out_notes


class _Constraints:
    """Where the prompt says what must not be shown, read only when something asks: most
    prompts have no hit or finding it could change, and finding the scopes is a regex search
    per clause."""

    def __init__(self, view: str, shape: structure.Structure, folded: Folded, tokens: _Tokens):
        self._view, self._shape, self._folded, self._tokens = view, shape, folded, tokens

    @functools.cached_property
    def spans(self) -> list[tuple[int, int]]:
        return _constraint_ranges(self._view, self._shape)

    def covers(self, hit: _Hit) -> bool:
        """Whether the hit lies inside a constraint (read once per hit)."""
        if hit.constrained is None:
            start, end = self._folded.original_span(self._tokens.starts[hit.i], self._tokens.ends[hit.j - 1])
            hit.constrained = scope.inside(self.spans, start, end)
        return hit.constrained


_POSITIVE_LABEL = re.compile(r"(?i)\b(?:prompt|positive(?: prompt)?|subject|scene)\s*[:：]")


def _constraint_ranges(view: str, shape: structure.Structure) -> list[tuple[int, int]]:
    """Where the prompt says what must not be shown: constraint scopes and JSON values under
    constraint keys (read before the combination rules, so "avoid anything sexual" next to
    "children" never combines into a hard line)."""
    ranges = scope.constraint_spans(view)
    for fld in shape.fields:
        if structure.role(fld.path, fld.key) != "constraint":
            continue
        if _POSITIVE_LABEL.search(view, fld.start, fld.end) is None:
            ranges.append((fld.start, fld.end))
    return ranges


def _with_field(shape: structure.Structure, f: Finding) -> Finding:
    fld = structure.field_at(shape, f.start)
    return replace(f, field=fld.path) if fld is not None and not f.field else f


def _in_original(result: ScanResult, text: str) -> ScanResult:
    """The result of scanning a content view, told in the original text's words."""
    def back(f: Finding) -> Finding:
        original = text[f.start:f.end]
        return f if original == f.text else replace(f, text=original)

    return replace(result, text=text, findings=tuple(back(f) for f in result.findings),
                   notes=tuple(back(n) for n in result.notes))


def _constraint_notes(findings: list[Finding], constraints: _Constraints) -> tuple[list[Finding], list[Finding]]:
    """Terms inside a constraint ("no gore", "Negative prompt: …", a `negative_prompt` value) are
    mentioned, not requested: they become info notes with scope "constraint" and never count
    towards the verdict."""
    if not findings:
        return findings, []
    spans = constraints.spans
    if not spans:
        return findings, []
    kept, notes = [], []
    for f in findings:
        if f.category != "evasion" and scope.inside(spans, f.start, f.end):
            notes.append(replace(f, severity="info", scope="constraint", stage="scope"))
        else:
            kept.append(f)
    return kept, notes


MENTION_NOTE = ("Alone this is not a risk: image models draw it. It counts with harm near it "
                "(injury, gore, a victim, sexual content, a child).")


def mention_stage(result: ScanResult, mentions: set[tuple[int, int, str]], rule: MentionRule) -> ScanResult:
    """Mentions (a sword, a swimsuit, a battle, a stylised child) stay findings only where a
    request of a cue category stands within the window; elsewhere they become info notes with
    scope "mention". A scene finding is always a cue."""
    requests = [g for g in result.findings if (g.start, g.end, g.rule) not in mentions]
    minimum = SEVERITY_RANK[rule.min_severity]
    kept, notes = [], list(result.notes)
    for f in result.findings:
        if (f.start, f.end, f.rule) not in mentions or f.severity in ("high", "critical"):
            kept.append(f)
            continue
        cues = rule.cues_for(f.category)
        cue = next((g for g in requests if g.category in cues
                    and (g.stage == "scene" or SEVERITY_RANK.get(g.severity, 0) >= minimum)
                    and max(g.start - f.end, f.start - g.end, 0) <= rule.window), None)
        if cue is not None:  # stage "context": the harm near it is what makes it count
            kept.append(replace(f, stage="context", message=f"{f.message} It counts here because of "
                                f"'{_short(cue.text)}' near it.".strip()))
        else:
            notes.append(replace(f, severity="info", scope="mention", stage="context",
                                 message=f"{f.message} {MENTION_NOTE}".strip()))
    notes.sort(key=lambda f: (f.start, -f.end, f.category))
    return replace(result, findings=tuple(kept), notes=tuple(notes))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop exact duplicates (same span and category), keeping the worst severity."""
    best: dict[tuple[int, int, str], Finding] = {}
    for f in findings:
        key = (f.start, f.end, f.category)
        if key not in best or SEVERITY_RANK[f.severity] > SEVERITY_RANK[best[key].severity]:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, -f.end, f.category))
