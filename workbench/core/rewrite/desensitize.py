"""One-click desensitize: rewrite every rewritable finding of a prompt in one pass.

Each finding is rewritten by its category's strategy (resources/rewrite/replacements.toml):
weapons and violent acts become theatrical equivalents, gore becomes colour and atmosphere,
suggestive words become neutral, names become descriptions, living artists become their
genre. Overlapping findings make one edit; text outside the edits is untouched. The result is
screened again by the whole engine (scene rules included), and rounds repeat until nothing
rewritable is left, so that desensitizing the output changes nothing. Critical findings are
hard lines: the text comes back unchanged.

It rewrites the depiction, never the act: where a scene rule found a harmful scene (a weapon
aimed at people, a child drinking), no word inside that scene is touched, since swapping them
would only disguise the scene. Words outside it (realism, a living artist's name) may still be
rewritten, and the scene finding stays in `remaining`, so the verdict says the scene is still
there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from workbench.core.rewrite import grammar as g
from workbench.core.rewrite.edits import apply_edits, compose, phrase_pattern
from workbench.core.rewrite.fit import Piece, choose_form, fit
from workbench.core.rewrite.framing import framing_span
from workbench.core.rewrite.models import Edit, RewriteResult
from workbench.core.rewrite.table import Phrase, RewriteTable, Strategy, default_table, term_key
from workbench.core.screening.models import ENTITY_CATEGORIES, SEVERITY_RANK, Finding, ScanResult

Scanner = Callable[[str], ScanResult]

MAX_ROUNDS = 4  # a disguised word is spelled plainly, then replaced: two rounds; four is ample
_PHRASE_WINDOW = 60  # how far around a finding a longer table phrase is looked for


def desensitize(
    text: str,
    *,
    scan_result: ScanResult | None = None,
    table: RewriteTable | None = None,
    scanner: Scanner | None = None,
) -> RewriteResult:
    """Rewrite every rewritable finding of `text`; nothing is applied anywhere.

    Args:
        scan_result: the scan of `text`, if the caller already has it.
        table: the rewrite table (default: the shipped one).
        scanner: the screening function (default: the shared engine's `scan`).

    Raises:
        ValueError: if `scan_result` is the scan of another text.
    """
    scan = scanner or default_scanner()
    table = table or default_table()
    if scan_result is not None and scan_result.text != text:
        raise ValueError("scan_result belongs to a different text")
    first = scan_result if scan_result is not None else scan(text)
    critical = [f for f in first.findings if f.severity == "critical"]
    if critical:
        return RewriteResult(
            text, text, (), first.findings, True, hard_line_message(critical, table), findings=first.findings
        )
    if not any(f.rewritable for f in first.findings) and scene_findings(first.findings):
        return RewriteResult(text, text, (), first.findings, False, _summary(first, first, []),
                             findings=first.findings)
    edits: list[Edit] = []
    current, result = text, first
    seen = {current}
    for _ in range(MAX_ROUNDS):
        if any(f.severity == "critical" for f in result.findings):
            break  # never rewrite around a hard line that appeared mid-way
        round_edits = (plan_edits(current, _requests_first(result.findings), table)
                       or plan_edits(current, result.findings, table))
        if not round_edits:
            break
        rewritten = apply_edits(current, round_edits)
        if rewritten in seen:
            break  # no progress (or a cycle): stop rather than oscillate
        seen.add(rewritten)
        edits = compose(text, edits, current, round_edits)
        current, result = rewritten, scan(rewritten)
    return RewriteResult(
        text, current, tuple(edits), result.findings, False, _summary(first, result, edits), findings=first.findings
    )


def _requests_first(findings: Sequence[Finding]) -> Sequence[Finding]:
    """Mentions that count only because of harm near them (stage "context": a sword beside
    "bloody") wait a round: once the harm is rewritten they are no risk and stay as written."""
    requests = [f for f in findings if f.stage != "context"]
    if any(f.rewritable for f in requests):
        return requests
    return findings


def plan_edits(text: str, findings: Sequence[Finding], table: RewriteTable) -> list[Edit]:
    """One round: an edit per cluster of overlapping rewritable findings (plus the context
    words a `minors` finding asks to change), sorted and non-overlapping."""
    protected = framing_span(text)  # a framing is chosen on purpose: its words stay
    scenes = [(f.start, f.end) for f in scene_findings(findings)]  # the act is never reworded
    clusters = _clusters(
        [
            f for f in findings
            if f.rewritable and f.end > f.start and not _inside(f, protected)
            and not _overlaps(f.start, f.end, scenes)
        ]
    )
    bounds = [(min(f.start for f in c), max(f.end for f in c)) for c in clusters]
    edits: list[Edit] = []
    extra: list[tuple[Piece, Finding, Strategy]] = []
    for k, cluster in enumerate(clusters):
        lo_limit = bounds[k - 1][1] if k else 0
        hi_limit = bounds[k + 1][0] if k + 1 < len(bounds) else len(text)
        pieces: list[tuple[Piece, Finding, Strategy]] = []
        for finding in _select(cluster):
            strategy = table.strategy_for(finding.category, finding.rule)
            if strategy.kind == "minors" and term_key(finding.term or finding.text) not in table.terms:
                if not extra:  # the context words are the same for every minors finding
                    extra = [(p, finding, strategy) for p in _minor_context_pieces(text, table)]
                continue
            piece = _rewrite(text, finding, strategy, table, lo_limit, hi_limit)
            if piece is not None:
                pieces.append((piece, finding, strategy))
        edit = _cluster_edit(text, bounds[k], pieces)
        if edit is not None:
            edits.append(edit)
    taken = [(e.start, e.end) for e in edits] + scenes
    for piece, finding, strategy in extra:
        if all(piece.end <= s or piece.start >= e for s, e in taken):
            taken.append((piece.start, piece.end))
            edits.append(_edit(text, piece.start, piece.end, piece.after, [(finding, strategy)]))
    edits.sort(key=lambda e: e.start)
    return [e for e in edits if e.before != e.after]


# --------------------------------------------------------------------------- clusters


def scene_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings of the scene stage: harm in the combination, which no rewrite removes."""
    return [f for f in findings if f.stage == "scene"]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _inside(f: Finding, span: tuple[int, int] | None) -> bool:
    return span is not None and span[0] <= f.start and f.end <= span[1]


def _clusters(findings: list[Finding]) -> list[list[Finding]]:
    clusters: list[list[Finding]] = []
    end = -1
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if clusters and f.start < end:
            clusters[-1].append(f)
            end = max(end, f.end)
        else:
            clusters.append([f])
            end = f.end
    return clusters


def _select(cluster: list[Finding]) -> list[Finding]:
    """Non-overlapping findings to rewrite: longest first, then a real category over
    `evasion`, then the worst severity."""
    ranked = sorted(
        cluster,
        key=lambda f: (-(f.end - f.start), f.category == "evasion", -SEVERITY_RANK[f.severity], f.start),
    )
    chosen: list[Finding] = []
    for f in ranked:
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


def _cluster_edit(
    text: str, bounds: tuple[int, int], pieces: list[tuple[Piece, Finding, Strategy]]
) -> Edit | None:
    """Stitch a cluster's pieces, and the original text between them, into one edit."""
    if not pieces:
        return None
    pieces.sort(key=lambda p: p[0].start)
    start = min(bounds[0], pieces[0][0].start)
    end = max(bounds[1], max(p[0].end for p in pieces))
    out, pos = [], start
    for piece, _, _ in pieces:
        out.append(text[pos : piece.start])
        out.append(piece.after)
        pos = piece.end
    out.append(text[pos:end])
    return _edit(text, start, end, "".join(out), [(f, s) for _, f, s in pieces])


def _edit(text: str, start: int, end: int, after: str, why: list[tuple[Finding, Strategy]]) -> Edit:
    categories = list(dict.fromkeys(f.category for f, _ in why))
    reasons = list(dict.fromkeys(s.reason for _, s in why if s.reason))
    return Edit(start, end, text[start:end], after, "; ".join(categories), "; ".join(reasons))


# --------------------------------------------------------------------------- strategies


def _rewrite(
    text: str, f: Finding, strategy: Strategy, table: RewriteTable, lo_limit: int, hi_limit: int
) -> Piece | None:
    if strategy.kind == "keep":
        return None  # the words are the act: a replacement would be a euphemism for it
    if strategy.kind == "normalize":
        return _normalize(text, f, table, lo_limit)
    if strategy.kind == "remove":
        return fit(text, f.start, f.end, "", lo_limit=lo_limit)
    if strategy.kind == "style":
        return _style(text, f, strategy, table, lo_limit, hi_limit)
    return _phrase_piece(text, f, strategy, table, lo_limit, hi_limit)


def _phrase_piece(
    text: str, f: Finding, strategy: Strategy, table: RewriteTable, lo_limit: int, hi_limit: int
) -> Piece | None:
    start, end, phrase, form = _lookup(text, f, table, lo_limit, hi_limit)
    if phrase is None:
        phrase = _lexicon_phrase(f) or strategy.fallback
        if phrase is None:
            return None
        form = g.surface_form(text[start:end], f.term or f.text)
    written, plural = choose_form(phrase, form, text, start, end)
    if _repeats(f, written):
        return None  # it would be flagged again and grow every round ("blade" → "… blade")
    return fit(
        text, start, end, written, plural=plural,
        proper_noun=f.category in ENTITY_CATEGORIES, lo_limit=lo_limit,
    )


def _repeats(f: Finding, replacement: str) -> bool:
    """Whether the replacement contains the flagged words themselves."""
    padded = f" {term_key(replacement)} "
    return any(f" {key} " in padded for key in (term_key(f.text), f.term) if key)


def _lexicon_phrase(f: Finding) -> Phrase | None:
    """The lexicon's first usable suggestion, as a phrase ('' means: remove the words).
    Advice written for the user ("a description of the style: medium, …") is not text to
    put in a prompt and is skipped."""
    for suggestion in f.replacements:
        if ":" not in suggestion and not suggestion.lower().startswith("a description of"):
            return Phrase(singular=suggestion)
    return None


def _lookup(
    text: str, f: Finding, table: RewriteTable, lo_limit: int, hi_limit: int
) -> tuple[int, int, Phrase | None, str]:
    """The table entry for a finding: a longer table phrase around it ("World War II"), the
    written words, their uninflected form, or the lexicon's canonical term."""
    written = term_key(f.text)
    for key in dict.fromkeys(k for k in (written, f.term) if k):
        for phrase_key in table.phrases_containing(key):
            span = _find_around(text, phrase_key, f, lo_limit, hi_limit)
            if span is not None:
                return span[0], span[1], table.terms[phrase_key], "base"
    if written in table.terms:
        return f.start, f.end, table.terms[written], "base"
    for stem, form in _stems(written):
        if stem in table.terms:
            return f.start, f.end, table.terms[stem], form
    if f.term and f.term in table.terms:
        phrase = table.terms[f.term]
        form = phrase.forms.get(written) or g.surface_form(f.text, f.term, phrase.forms)
        return f.start, f.end, phrase, form
    return f.start, f.end, None, "base"


def _stems(key: str) -> list[tuple[str, str]]:
    """Uninflected candidates for the last word of `key`, with the form they imply."""
    head, _, word = key.rpartition(" ")
    prefix = head + " " if head else ""
    out: list[tuple[str, str]] = []
    if word.endswith("ies"):
        out.append((word[:-3] + "y", "plural"))
    if word.endswith("es"):
        out.append((word[:-2], "plural"))
    if word.endswith("s") and not word.endswith("ss"):
        out.append((word[:-1], "plural"))
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        out += [(stem, "ing"), (stem + "e", "ing")]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            out.append((stem[:-1], "ing"))
    if word.endswith("ied"):
        out.append((word[:-3] + "y", "past"))
    if word.endswith("ed") and len(word) > 4:
        stem = word[:-2]
        out += [(stem, "past"), (stem + "e", "past")]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            out.append((stem[:-1], "past"))
    return [(prefix + stem, form) for stem, form in out]


def _find_around(text: str, phrase_key: str, f: Finding, lo: int, hi: int) -> tuple[int, int] | None:
    """The occurrence of a multi-word table phrase that contains the finding, if any."""
    pattern = r"(?<![A-Za-z0-9])" + r"[\W_]+".join(map(re.escape, phrase_key.split(" "))) + r"(?![A-Za-z0-9])"
    window_lo, window_hi = max(lo, f.start - _PHRASE_WINDOW), min(hi, f.end + _PHRASE_WINDOW)
    for m in re.finditer(pattern, text[window_lo:window_hi], re.IGNORECASE):
        start, end = m.start() + window_lo, m.end() + window_lo
        if start <= f.start and f.end <= end:
            return start, end
    return None


def _normalize(text: str, f: Finding, table: RewriteTable, lo_limit: int) -> Piece:
    """Invisible characters go; a disguised spelling is written plainly (the next round
    rewrites the plain word if it is still risky)."""
    visible = "".join(ch for ch in f.text if unicodedata.category(ch) != "Cf")
    if visible == f.text or not visible.strip():
        return fit(text, f.start, f.end, "", lo_limit=lo_limit)
    return Piece(f.start, f.end, visible)


# --------------------------------------------------------------------------- living artists

_STYLE_LEAD = re.compile(r"(?i)\b(?P<lead>the\s+(?:style|manner|vein)\s+of)\s+$")
_BY_LEAD = re.compile(r"(?i)(?<![\w-])(?P<lead>by)\s+$")
_INSPIRED_LEAD = re.compile(r"(?i)\b(?:inspired|influenced)\s+by\s+$")
_STYLE_TAIL = re.compile(r"(?i)^(?P<poss>['’]s)?(?P<sep>\s+|-)(?:style|styled|inspired|esque|aesthetic)\b")
_POSSESSIVE = re.compile(r"^['’]s\b")


def style_core(description: str) -> str:
    """'a bright Japanese animation style' → 'bright Japanese animation'."""
    core = description.strip().rstrip(".")
    core = re.sub(r"(?i)^in\s+", "", core)
    core = g.strip_article(core)
    core = re.sub(r"(?i)[\s-]+(?:art\s+)?style$", "", core)
    return core.strip() or description.strip()


_TAIL_START = re.compile(r"\s(?:with|in|at|on|of|under|featuring)\s|,\s")


def style_parts(description: str) -> tuple[str, str]:
    """Split a style description into its head and its tail, so that 'style' can follow the
    head: 'epic fantasy illustration with dramatic lighting' → ('epic fantasy illustration',
    ' with dramatic lighting')."""
    core = style_core(description)
    cut = _TAIL_START.search(core)
    if cut is None or cut.start() == 0:
        return core, ""
    return style_core(core[: cut.start()]), core[cut.start() :]


def _style(
    text: str, f: Finding, strategy: Strategy, table: RewriteTable, lo_limit: int, hi_limit: int
) -> Piece | None:
    """A living artist's name becomes the style, and the phrase around it is reworded:
    'in the style of X' → 'in a C style', 'art by X' → 'art in a C style', 'X style' → 'C style'."""
    own = table.terms.get(f.term) or table.terms.get(term_key(f.text))
    source = own or _lexicon_phrase(f) or strategy.fallback
    if source is None or not source.singular.strip():
        return None
    head, tail = style_parts(source.singular)
    if _repeats(f, head + tail):
        return None
    before = text[max(lo_limit, f.start - 40) : f.start]
    offset = f.start - len(before)
    after_text = text[f.end : hi_limit]
    start, end = f.start, f.end
    lead = _STYLE_LEAD.search(before)
    if lead:
        start = offset + lead.start("lead")
        words = f"{g.indefinite_article(head)} {head} style{tail}"
        if text[start].isupper():
            words = g.capitalize_first(words)
        return Piece(start, end, words)
    if _INSPIRED_LEAD.search(before):
        return _cased_style(text, start, end, head + tail)
    by = _BY_LEAD.search(before)
    if by:
        start = offset + by.start("lead")
        return _cased_style(text, start, end, f"in {g.indefinite_article(head)} {head} style{tail}")
    styled = _STYLE_TAIL.match(after_text)
    if styled:
        if styled.group("poss"):
            end += len(styled.group("poss"))
        return _cased_style(text, start, end, head)
    poss = _POSSESSIVE.match(after_text)
    if poss:
        return _cased_style(text, start, end + poss.end(), head)
    return _cased_style(text, start, end, f"{head} style{tail}")


def _cased_style(text: str, start: int, end: int, words: str) -> Piece:
    return fit(text, start, end, words, proper_noun=True)


# --------------------------------------------------------------------------- minors


def _minor_context_pieces(text: str, table: RewriteTable) -> list[Piece]:
    """Photographic words become illustration words, swimwear and baths everyday scenes:
    the child stays, the risky context goes."""
    pieces = []
    for m in _minor_context_pattern(table).finditer(text):
        key = term_key(m.group())
        phrase, form = _context_entry(table, key), "base"
        if phrase is None:
            for stem, stem_form in _stems(key):
                phrase = _context_entry(table, stem)
                if phrase is not None:
                    form = stem_form
                    break
        if phrase is None:
            continue
        written, plural = choose_form(phrase, form, text, m.start(), m.end())
        pieces.append(fit(text, m.start(), m.end(), written, plural=plural))
    return _non_overlapping(pieces)


def _context_entry(table: RewriteTable, key: str) -> Phrase | None:
    """The minor-context entry for `key`, spaces ignored ('closeup' = 'close up')."""
    found = table.minor_context.get(key)
    if found is None:
        squeezed = key.replace(" ", "")
        found = next((p for k, p in table.minor_context.items() if k.replace(" ", "") == squeezed), None)
    return found


def _minor_context_pattern(table: RewriteTable) -> re.Pattern[str]:
    return phrase_pattern(tuple(table.minor_context), r"[\W_]*", r"(?:e?s)?")


def _non_overlapping(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: p.start):
        if not out or piece.start >= out[-1].end:
            out.append(piece)
    return out


# --------------------------------------------------------------------------- messages


def hard_line_message(critical: list[Finding], table: RewriteTable) -> str:
    what = ", ".join(dict.fromkeys(f"{f.category} ('{_short(f.text)}')" for f in critical))
    scenes = [f for f in critical if f.stage == "scene"]
    why = f" {scenes[0].message}" if scenes else ""
    return f"Hard line: {what}.{why} {table.hard_line_reason}".strip()


def scene_message(scenes: list[Finding]) -> str:
    """Why a harmful scene gets no rewrite, naming the scenes recognised."""
    named = "; ".join(dict.fromkeys(f.message.split(". ", 1)[0] for f in scenes))
    return (
        f"No rewrite is offered for the scene — {named}. The harm is the scene itself (what is "
        "done, and to whom), not its wording: the image safety system judges the scene, so "
        "swapping words would only disguise it, and a disguised request is still blocked. "
        "Change what the image shows."
    )


def _summary(first: ScanResult, last: ScanResult, edits: list[Edit]) -> str:
    if not first.findings:
        return "Nothing to rewrite: no findings."
    scenes = scene_findings(last.findings)
    if scenes:
        n = len(edits)
        done = (
            f"{n} edit{'s' if n != 1 else ''} to the depiction only; the scene stays, verdict "
            f"{first.verdict} → {last.verdict}. " if edits else ""
        )
        return done + scene_message(scenes)
    if not edits:
        return f"No rewrite available; verdict stays {first.verdict}."
    n = len(edits)
    return f"{n} edit{'s' if n != 1 else ''}; verdict {first.verdict} → {last.verdict}."


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def default_scanner() -> Scanner:
    from workbench.core.screening import scan  # the engine is built on first use

    return scan
