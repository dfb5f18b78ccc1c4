"""Scene rules: harm that lives in a clause's combination of words, not in any one of them.

A scene rule (resources/scenes/*.toml, format in resources/scenes/README.md) names word
classes for an actor, an act, a target and depiction cues ("a weapon" + "aimed at" + "people";
"a child" + "drinking" + "vodka"). The vocabulary is compiled once into a first-word index;
scanning tokenises the prompt with one regular expression, looks every token up once, and
only evaluates rules in clauses that contain one of their acts. Words inside a constraint
("no children drinking") never take part. A match becomes one `Finding` (stage "scene")
over the smallest span covering the words that made it, with a message that names the scene.
"""

from __future__ import annotations

import bisect
import tomllib
from collections import defaultdict
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.core.errors import LexiconError
from workbench.core.screening import clauses as clause_split
from workbench.core.screening import scope
from workbench.core.screening.models import SEVERITIES, SEVERITY_RANK, Finding, ScanResult
from workbench.core.screening.normalize import lower_same_length
from workbench.core.screening.phrases import PhraseIndex
from workbench.core.screening.spans import SpanIndex
from workbench.core.screening.words import Words, words_in, words_of

_INFLECTIONS = ("noun", "verb", "none")
_PASSIVE_END = ("ed", "en")
NEGATIVE_LIST_CLASS = "defect"  # quality defects: two in a clause make it a negative prompt list
_LEAD_WINDOW = 3  # a lead word stands at most this many tokens before the act
NO_REWRITE = (
    "No rewrite is offered: the harm is the scene itself, and changing its words would only "
    "disguise it. Change what the image shows."
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class SceneRule:
    """actor × act × target × depiction. Every slot is a tuple of alternatives (any of the
    named classes); `with_` is a tuple of such slots, all required."""

    id: str
    category: str
    severity: str
    scene: str  # what the message calls it: "a weapon aimed at people"
    explain: str
    act: tuple[str, ...]
    target: tuple[str, ...] = ()  # after the act (before it when the act is passive)
    actor: tuple[str, ...] = ()  # anywhere within the window
    with_: tuple[tuple[str, ...], ...] = ()
    cue: tuple[str, ...] = ()  # depiction cue anywhere in the clause
    agent: tuple[str, ...] = ()  # the nearest agent word before the act must be one of these
    unless: tuple[str, ...] = ()  # any of these in the clause voids the rule
    lead: tuple[str, ...] = ()  # one of these right before the act ("as" rats, "like" vermin)
    window: int = 10  # in tokens, around the act
    target_window: int = 0  # how far after the act the target may stand (0 = window)
    priority: int = 0  # among overlapping matches of equal severity, the higher wins

    def required(self) -> tuple[tuple[str, ...], ...]:
        """The slots that each need a word of their classes before the rule can match."""
        return tuple(s for s in (self.act, self.target, self.actor, *self.with_, self.cue, self.lead) if s)

    def classes(self) -> set[str]:
        out = set(self.act) | set(self.target) | set(self.actor) | set(self.cue)
        out |= set(self.agent) | set(self.unless) | set(self.lead)
        for slot in self.with_:
            out |= set(slot)
        return out


@dataclass(frozen=True, slots=True)
class DepictionRule:
    """A depiction cue that shows a benign scene (a memorial, a museum case, a wildlife film):
    near it, and where no harmful scene was found, high findings of `categories` are lowered
    one step to medium. Never a critical finding, never a scene."""

    id: str
    cue: tuple[str, ...]
    categories: tuple[str, ...]
    explain: str
    window: int = 12

    def classes(self) -> set[str]:
        return set(self.cue)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A vocabulary phrase in the text: char span, token span [i, j), its classes."""

    start: int
    end: int
    i: int
    j: int
    classes: frozenset[str]
    surface: str


@dataclass(frozen=True, slots=True)
class SceneMatch:
    """A rule matched in a clause; `parts` are the (slot, start, end) of the words used."""

    rule: SceneRule
    start: int
    end: int
    parts: tuple[tuple[str, int, int], ...]

    def finding(self, text: str) -> Finding:
        quoted = " ".join(text[self.start : self.end].split())
        scene = self.rule.scene[:1].upper() + self.rule.scene[1:]
        message = f"{scene}: '{quoted}'. {self.rule.explain} {NO_REWRITE}".replace("  ", " ").strip()
        return Finding(self.start, self.end, text[self.start : self.end], self.rule.category,
                       self.rule.severity, message, (), f"scene:{self.rule.id}", "", stage="scene")


# --------------------------------------------------------------------------- compiling


def _inflect(phrase: str, how: str) -> set[str]:
    """Regular forms of a phrase: nouns inflect their last word, verbs their first."""
    words = phrase.split(" ")
    if how == "none":
        return {phrase}
    k = len(words) - 1 if how == "noun" else 0
    w = words[k]
    forms = {w}
    if how == "noun":
        forms |= {w + "s", w + "es"}
        if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
            forms.add(w[:-1] + "ies")
        if w.endswith("f"):
            forms.add(w[:-1] + "ves")
        if w.endswith("fe"):
            forms.add(w[:-2] + "ves")
    else:
        stem = w[:-1] if w.endswith("e") and not w.endswith("ee") else w
        forms |= {w + "s", w + "es", stem + "ing", stem + "ed", w + "d"}
        if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
            forms |= {w + w[-1] + "ing", w + w[-1] + "ed"}
        if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
            forms |= {w[:-1] + "ies", w[:-1] + "ied"}
        if w.endswith("ie"):
            forms.add(w[:-2] + "ying")
    return {" ".join(words[:k] + [f] + words[k + 1 :]) for f in forms}


def _slot(raw: object, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return tuple(raw)
    raise LexiconError(f"{where}: a slot is a class name or a list of class names")


def parse_rules(text: str, name: str) -> list[SceneRule | DepictionRule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{name} is not valid TOML: {exc}") from None
    out: list[SceneRule | DepictionRule] = []
    for raw in data.get("depiction", []):
        where = f"{name} [[depiction]] {raw.get('id', '?')}"
        if not raw.get("id") or not raw.get("cue") or not raw.get("categories"):
            raise LexiconError(f"{where}: needs id, cue and categories")
        out.append(DepictionRule(raw["id"], _slot(raw["cue"], where), _slot(raw["categories"], where),
                                 str(raw.get("explain", "")), int(raw.get("window", 12))))
    for raw in data.get("scene", []):
        where = f"{name} [[scene]] {raw.get('id', '?')}"
        for key in ("id", "category", "severity", "scene", "act"):
            if not raw.get(key):
                raise LexiconError(f"{where}: needs {key}")
        if raw["severity"] not in SEVERITIES:
            raise LexiconError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
        with_raw = raw.get("with", [])
        if not isinstance(with_raw, list):
            raise LexiconError(f"{where}: with is a list of slots")
        out.append(SceneRule(
            id=raw["id"], category=raw["category"], severity=raw["severity"], scene=raw["scene"],
            explain=str(raw.get("explain", "")), act=_slot(raw["act"], where),
            target=_slot(raw.get("target"), where), actor=_slot(raw.get("actor"), where),
            with_=tuple(_slot(s, where) for s in with_raw), cue=_slot(raw.get("cue"), where),
            agent=_slot(raw.get("agent"), where), unless=_slot(raw.get("unless"), where),
            lead=_slot(raw.get("lead"), where), window=int(raw.get("window", 10)),
            target_window=int(raw.get("target_window", 0)), priority=int(raw.get("priority", 0)),
        ))
    return out


def parse_vocabulary(text: str, name: str) -> tuple[dict[str, set[str]], tuple[str, ...], frozenset[str]]:
    """class → spellings (inflected), the agent classes, irregular passive forms."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{name} is not valid TOML: {exc}") from None
    classes: dict[str, set[str]] = defaultdict(set)
    for cls, raw in data.get("class", {}).items():
        how = raw.get("inflect", "none")
        if how not in _INFLECTIONS or not isinstance(raw.get("words"), list):
            raise LexiconError(f"{name} [class.{cls}]: needs words = [...] and inflect in {_INFLECTIONS}")
        for word in raw["words"]:
            for spelling in str(word).split("|"):
                phrase = " ".join(words_in(spelling))
                if phrase:
                    classes[cls] |= _inflect(phrase, how)
    agents = tuple(data.get("agents", ()))
    passive = frozenset(" ".join(words_in(p)) for p in data.get("passive_forms", ()))
    return dict(classes), agents, passive


class SceneRules:
    """The compiled vocabulary and rules. Immutable once built; safe to share."""

    def __init__(self, classes: dict[str, set[str]], rules: list[SceneRule | DepictionRule],
                 agents: tuple[str, ...] = (), passive: frozenset[str] = frozenset()):
        missing = {c for r in rules for c in r.classes()} - set(classes)
        if missing:
            raise LexiconError(f"scene rules name unknown classes: {', '.join(sorted(missing))}")
        self.rules = tuple(r for r in rules if isinstance(r, SceneRule))
        self.depictions = tuple(r for r in rules if isinstance(r, DepictionRule))
        self._depiction_cues = {c for r in self.depictions for c in r.cue}
        self.agents = frozenset(agents)
        self.passive = passive
        table: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for cls, spellings in classes.items():
            for spelling in spellings:
                table[tuple(spelling.split(" "))].add(cls)
        self._vocabulary = PhraseIndex({toks: frozenset(names) for toks, names in table.items()})
        self._phrases = {" ".join(t): frozenset(c) for t, c in table.items()}
        self._required = {rule.id: rule.required() for rule in self.rules}
        self._order = {rule.id: k for k, rule in enumerate(self.rules)}
        self._by_act: dict[str, list[SceneRule]] = defaultdict(list)
        for rule in self.rules:
            for cls in rule.act:
                self._by_act[cls].append(rule)

    @classmethod
    def load(cls, folder: Path) -> SceneRules:
        vocab_path = folder / "vocabulary.toml"
        try:
            classes, agents, passive = parse_vocabulary(vocab_path.read_text(encoding="utf-8"), vocab_path.name)
            rules = []
            for path in sorted(folder.glob("*.toml")):
                if path.name != vocab_path.name:
                    rules += parse_rules(path.read_text(encoding="utf-8"), path.name)
        except OSError as exc:
            raise LexiconError(f"cannot read scene rules in {folder}: {exc}") from None
        return cls(classes, rules, agents, passive)

    def classes_of(self, phrase: str) -> frozenset[str]:
        """The classes a phrase belongs to (for checks and tests)."""
        return self._phrases.get(" ".join(words_in(phrase)), frozenset())

    # ----------------------------------------------------------------------- scanning

    def apply(self, result: ScanResult, constraints: Callable[[], list[tuple[int, int]]] | None = None) -> ScanResult:
        """`result` with a finding added for every scene recognised in its text, and high
        findings lowered next to a benign depiction cue where no harmful scene stands."""
        found, occs, clauses, starts = self._analyse(result.text, result.findings, constraints)
        findings = list(result.findings)
        if self.depictions and findings:
            findings = self._lower(result.text, findings, found, occs, clauses, starts)
        if not found and findings == list(result.findings):
            return result
        findings += [m.finding(result.text) for m in found]
        findings.sort(key=lambda f: (f.start, -f.end, f.category))
        return replace(result, findings=tuple(findings))

    def matches(self, text: str, findings: tuple[Finding, ...] | list[Finding] = ()) -> list[SceneMatch]:
        """Scenes in `text`, at most one per overlapping stretch (worst severity, then priority)."""
        return self._analyse(text, findings)[0]

    def _analyse(
        self, text: str, findings: Sequence[Finding], constraints: Callable[[], list[tuple[int, int]]] | None = None
    ) -> tuple[list[SceneMatch], list[Occurrence], list[tuple[int, int]], list[int]]:
        tokens = words_of(lower_same_length(text))
        phrases = self._vocabulary.scan(tokens.words)
        wanted = self._depiction_cues if findings else set()
        present = {c for _, _, classes in phrases for c in classes}
        present.update(c for f in findings if f.stage == "match" and f.term for c in self._phrases.get(f.term, ()))
        # Most prompts hold an act word ("with", "holding") but not the rest of any scene:
        # rules whose slots cannot all be filled anywhere in the text are not tried at all, and
        # when none is left (nine prompts in ten) the words are never placed in the text.
        viable = {r.id for c in present.intersection(self._by_act) for r in self._by_act[c]
                  if self._possible(r, present)}
        if not viable and present.isdisjoint(wanted):
            return [], [], [], []
        occs, starts = self._occurrences(tokens, phrases, findings)
        # The engine passes its own (with JSON constraint fields), read only now that it matters.
        spans = constraints() if constraints is not None else scope.constraint_spans(text)
        if spans:
            occs = [o for o in occs if not scope.inside(spans, o.start, o.end)]
        found: list[SceneMatch] = []
        clauses = _clause_ranges(text, occs)
        for lo, hi in clauses:
            clause = _Clause.of(occs[lo:hi])
            if sum(NEGATIVE_LIST_CLASS in o.classes for o in clause.occs) >= 2:
                continue  # "low quality, blurry, bad anatomy, …": things to avoid, not a scene
            by_class = clause.by_class
            tried: set[str] = set()
            for cls in [c for c in by_class if c in self._by_act]:
                for rule in self._by_act[cls]:
                    if rule.id in viable and rule.id not in tried and self._possible(rule, by_class):
                        tried.add(rule.id)
                        match = self._evaluate(rule, clause)
                        if match is not None:
                            found.append(match)
        return _best(found, self._order), occs, clauses, starts

    def _lower(self, text: str, findings: list[Finding], found: list[SceneMatch], occs: list[Occurrence],
               clauses: list[tuple[int, int]], starts: list[int]) -> list[Finding]:
        """Depiction cues: a high finding near one, in a clause without a harmful scene, is
        lowered to medium ("a museum display of rifles", "a vigil for the victims")."""
        out = list(findings)
        ends = [c.end for c in clause_split.split(text)]
        for lo, hi in clauses:
            clause = occs[lo:hi]
            c_start, c_end = clause[0].start, clause[-1].end
            index = bisect.bisect_left(ends, c_end)
            if any(m.start < c_end and c_start < m.end for m in found):
                continue
            for rule in self.depictions:
                cues = [o for o in clause if o.classes.intersection(rule.cue)]
                if not cues:
                    continue
                for k, f in enumerate(out):
                    if f.severity != "high" or f.category not in rule.categories or f.stage == "scene":
                        continue
                    i = bisect.bisect_right(starts, f.start) - 1
                    same_clause = bisect.bisect_left(ends, f.end) == index
                    if same_clause and any(abs(o.i - i) <= rule.window for o in cues):
                        note = f" {rule.explain}" if rule.explain else ""
                        out[k] = replace(f, severity="medium", message=f.message + note,
                                         rule=f"{f.rule}+depiction:{rule.id}")
        return out

    def _occurrences(self, tokens: Words, phrases: list[tuple[int, int, frozenset[str]]],
                     findings: Sequence[Finding]) -> tuple[list[Occurrence], list[int]]:
        """The vocabulary phrases found in the text's words, placed."""
        words, starts, ends = tokens.words, tokens.starts, tokens.ends
        out = [Occurrence(starts[i], ends[j - 1], i, j, classes, " ".join(words[i:j]))
               for i, j, classes in phrases]
        # Disguised spellings the match stage undid ("k1lling"): their canonical term counts too.
        seen = {(o.start, o.end) for o in out}  # `out` is in token order: keep it so
        for f in findings:
            if f.stage != "match" or not f.term or (f.start, f.end) in seen:
                continue
            term_classes = self._phrases.get(f.term)
            if term_classes:
                i = max(0, bisect.bisect_right(starts, f.start) - 1)
                j = max(i + 1, bisect.bisect_left(starts, f.end))
                bisect.insort(out, Occurrence(f.start, f.end, i, j, term_classes, f.term), key=_token_order)
        return out, starts

    def _possible(self, rule: SceneRule, present: Container[str]) -> bool:
        """Every slot the rule needs has a word of its classes in `present` (classes seen)."""
        return all(any(c in present for c in slot) for slot in self._required[rule.id])

    def _evaluate(self, rule: SceneRule, clause: _Clause) -> SceneMatch | None:
        by_class = clause.by_class
        if any(c in by_class for c in rule.unless):
            return None
        cue = _any(by_class, rule.cue)
        if rule.cue and not cue:
            return None
        for act in _any(by_class, rule.act):
            parts: list[tuple[str, Occurrence]] = [("act", act)]
            if rule.lead:
                leads = clause.near(rule.lead, act, _LEAD_WINDOW)
                lead = next((o for o in leads if o.j <= act.i and act.i - o.j <= _LEAD_WINDOW), None)
                if lead is None:
                    continue
                parts.append(("lead", lead))
            if rule.agent and not self._agent_ok(rule, act, clause):
                continue
            if rule.target:
                reach = rule.target_window or rule.window
                target = self._target(rule, act, reach, clause.near(rule.target, act, reach))
                if target is None:
                    continue
                parts.append(("target", target))
            ok = True
            for slot_name, slot in [("actor", rule.actor)] * bool(rule.actor) + [("with", s) for s in rule.with_]:
                near = _nearest(act, [o for o in clause.near(slot, act, rule.window) if o is not act], rule.window)
                if near is None:
                    ok = False
                    break
                parts.append((slot_name, near))
            if not ok:
                continue
            if cue:
                parts.append(("cue", min(cue, key=lambda o: _distance(act, o))))
            parts += self._participants(rule, act, clause, parts)
            core = [o for name, o in parts if name != "cue"]
            start, end = min(o.start for o in core), max(o.end for o in core)
            return SceneMatch(rule, start, end, tuple((name, o.start, o.end) for name, o in parts))
        return None

    def _participants(self, rule: SceneRule, act: Occurrence, clause: _Clause,
                      parts: list[tuple[str, Occurrence]]) -> list[tuple[str, Occurrence]]:
        """The other words of the scene: its doer (the nearest agent word before the act) and
        every further word of its classes near the act ("kids snorting cocaine": the cocaine
        belongs to the scene as much as the snorting), so that no rewrite can touch them."""
        used = {id(o) for _, o in parts}
        classes = set(rule.act) | set(rule.target) | set(rule.actor) | {c for s in rule.with_ for c in s}
        out: list[tuple[str, Occurrence]] = []
        doer = self._doer(rule, act, clause)
        if doer is not None and id(doer) not in used:
            out.append(("actor", doer))
            used.add(id(doer))
        for occ in clause.around(act, rule.window):
            if id(occ) not in used and occ.classes & classes and _distance(act, occ) <= rule.window:
                out.append(("with", occ))
        return out

    def _target(self, rule: SceneRule, act: Occurrence, reach: int, targets: list[Occurrence]) -> Occurrence | None:
        after = [o for o in targets if o.i >= act.j and o.i - act.j <= reach]
        if after:
            return min(after, key=lambda o: o.i)
        if self._passive(act):
            before = [o for o in targets if o.j <= act.i and act.i - o.j <= reach]
            if before:
                return max(before, key=lambda o: o.j)
        return None

    def _passive(self, act: Occurrence) -> bool:
        head = act.surface.split(" ")[0]
        return head.endswith(_PASSIVE_END) or head in self.passive or act.surface in self.passive

    def _agent_ok(self, rule: SceneRule, act: Occurrence, clause: _Clause) -> bool:
        """The doer: the nearest agent word before the act (within the window) must be of the
        rule's agent classes; no agent word before it (imperative, passive) passes."""
        best = self._doer(rule, act, clause)
        return best is None or bool(best.classes & set(rule.agent))

    def _doer(self, rule: SceneRule, act: Occurrence, clause: _Clause) -> Occurrence | None:
        """The nearest agent word before the act, within the rule's window."""
        best = None
        for occ in clause.around(act, rule.window):
            if occ.j > act.i:
                break
            if act.i - occ.j <= rule.window and occ.classes & self.agents:
                best = occ
        return best


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True, slots=True)
class _Clause:
    """The occurrences of one clause (in token order) and, for the rules, the same by class.
    A long clause (a 30,000-character tag list has no full stop) holds thousands: `around`
    finds those near an act by bisection instead of walking all of them for every act."""

    occs: list[Occurrence]
    by_class: dict[str, list[Occurrence]]
    index: SpanIndex[Occurrence]  # token spans
    _by_slot: dict[tuple[str, ...], SpanIndex[Occurrence]] = field(default_factory=dict)

    @classmethod
    def of(cls, occs: list[Occurrence]) -> _Clause:
        by_class: dict[str, list[Occurrence]] = defaultdict(list)
        for occ in occs:
            for c in occ.classes:
                by_class[c].append(occ)
        return cls(occs, by_class, SpanIndex(occs, lambda o: o.i, lambda o: o.j))

    def around(self, act: Occurrence, reach: int) -> list[Occurrence]:
        """In order, every occurrence that can stand within `reach` tokens of `act`."""
        return self.index.near(act.i - reach, act.j + reach)

    def near(self, slot: tuple[str, ...], act: Occurrence, reach: int) -> list[Occurrence]:
        """`around`, for the occurrences of a slot's classes only (each slot indexed once)."""
        index = self._by_slot.get(slot)
        if index is None:
            index = self._by_slot[slot] = SpanIndex(_any(self.by_class, slot), lambda o: o.i, lambda o: o.j)
        return index.near(act.i - reach, act.j + reach)


def _token_order(o: Occurrence) -> tuple[int, int]:
    return o.i, o.start


def _any(by_class: dict[str, list[Occurrence]], classes: tuple[str, ...]) -> list[Occurrence]:
    if len(classes) == 1:
        return by_class.get(classes[0], [])
    seen: dict[int, Occurrence] = {}
    for c in classes:
        for o in by_class.get(c, ()):
            seen[id(o)] = o
    return sorted(seen.values(), key=lambda o: o.i)


def _distance(a: Occurrence, b: Occurrence) -> int:
    return max(b.i - a.j, a.i - b.j, 0)


def _nearest(act: Occurrence, cands: list[Occurrence], window: int) -> Occurrence | None:
    best = None
    for o in cands:
        d = _distance(act, o)
        if d <= window and (best is None or d < _distance(act, best)):
            best = o
    return best


def _clause_ranges(text: str, occs: list[Occurrence]) -> list[tuple[int, int]]:
    """Index ranges of `occs` that fall in the same clause."""
    if not occs:
        return []
    ends = [c.end for c in clause_split.split(text)]
    out: list[tuple[int, int]] = []
    lo, current = 0, bisect.bisect_left(ends, occs[0].end)
    for k, occ in enumerate(occs):
        clause = bisect.bisect_left(ends, occ.end)
        if clause != current:
            out.append((lo, k))
            lo, current = k, clause
    out.append((lo, len(occs)))
    return out


def _best(found: list[SceneMatch], order: dict[str, int]) -> list[SceneMatch]:
    """Non-overlapping matches: worst severity first, then priority, then position, then the
    longer (it tells more of the scene), then the rule written first, so a tie never depends on
    the order the rules happened to be tried in."""
    ranked = sorted(found, key=lambda m: (-SEVERITY_RANK[m.rule.severity], -m.rule.priority, m.start,
                                          m.start - m.end, order[m.rule.id]))
    kept: list[SceneMatch] = []
    for m in ranked:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
