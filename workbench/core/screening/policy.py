"""The policy stage: a profile (and, optionally, learned calibration) turns findings into a verdict.

`decide(result, profile, calibration=None)` reads each finding's context (other findings and
context words within `contexts.toml`'s window), applies the profile's category × context rule,
the moderation=low overlay and Azure thresholds, then the calibration evidence (which may
lower a finding only in a neutral scene). Critical findings are never changed. Changed
findings get stage "policy" and a note saying why.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from workbench.core.calibration import model as calib
from workbench.core.screening.models import (
    ENTITY_CATEGORIES,
    SEVERITIES,
    SEVERITY_RANK,
    Finding,
    ScanResult,
    verdict_for,
)
from workbench.core.screening.normalize import lower_same_length
from workbench.core.screening.policy_profiles import (
    Contexts,
    Policy,
    Profile,
    Rule,
    contexts,
    resolve,
)
from workbench.core.screening.spans import SpanIndex
from workbench.core.screening.words import words_of

_AZURE_RANK = {"safe": 0, "low": 1, "medium": 2, "high": 3}
_NOT_CONTEXT = ENTITY_CATEGORIES | {"evasion"}


def decide(result: ScanResult, profile: str | Profile | Policy | None = None,
           calibration: calib.Snapshot | None = None) -> ScanResult:
    """`result` judged for `profile` (a Policy, Profile, profile id or None = default)."""
    if result.decided is not None:
        raise ValueError("this scan result was already decided by a policy")
    policy = resolve(profile)
    table = contexts()
    nearby = SpanIndex(result.findings, lambda g: g.start, lambda g: g.end)
    out = [_judge(f, result, nearby, policy, table, calibration) for f in result.findings]
    return ScanResult(result.text, tuple(out), result.notes, profile=policy.label, decided=verdict_for(out))


def _judge(f: Finding, result: ScanResult, nearby: SpanIndex[Finding], policy: Policy, table: Contexts,
           calibration: calib.Snapshot | None) -> Finding:
    # Hard lines and the user's own block-list entries are the user's word, not a target's.
    if f.severity not in SEVERITY_RANK or f.severity == "critical" or f.rule.startswith("user-block"):
        return f
    present = context_of(f, result, nearby, table)
    prof = policy.profile
    notes: list[str] = []
    sev = _apply_rule(prof.rule(f.category), f.severity, present, notes, prof.name)
    overlay = prof.moderation.get(policy.moderation, {})
    if overlay:
        before = sev
        sev = _apply_rule(overlay.get(f.category), sev, present, [], "")
        if sev != before and prof.moderation_notes.get(policy.moderation):
            notes.append(f"{prof.name}: {prof.moderation_notes[policy.moderation]}")
    sev = _azure(prof, f.category, sev, notes)
    if calibration is not None and policy.family:
        key, category = calib.key_of(f)
        counts = calibration.get(key, category, policy.family)
        learned = calib.calibrated(sev, counts)
        if counts is not None and counts.requests:
            lowered = SEVERITY_RANK[learned] < SEVERITY_RANK[sev]
            if lowered and present:
                notes.append(f"Evidence: {calib.evidence_text(counts, policy.family)} — not used to lower it "
                             "here, because this scene is not neutral.")
            else:
                notes.append(f"Evidence: {calib.evidence_text(counts, policy.family)}.")
                sev = learned
    if sev == f.severity and not notes:
        return f
    if f.stage == "scene" and SEVERITY_RANK[sev] < SEVERITY_RANK[f.severity]:
        return f  # a harmful scene is what every target blocks: no profile or evidence lowers it
    message = " ".join([f.message, *notes]).strip()
    return replace(f, severity=sev, message=message, stage=f.stage if f.stage == "scene" else "policy")


def context_of(f: Finding, result: ScanResult, nearby: SpanIndex[Finding], table: Contexts) -> frozenset[str]:
    """The contexts near a finding: other (non-entity) findings (`nearby`: the result's, indexed)
    and context words in the window."""
    present: set[str] = set()
    w = table.window
    for g in nearby.near(f.start - w, f.end + w):
        if g is f or g.category in _NOT_CONTEXT:
            continue
        if max(g.start - f.end, f.start - g.end, 0) > w:
            continue
        for name, minimum in table.by_category.get(g.category, ()):
            if g.stage == "scene" or SEVERITY_RANK.get(g.severity, 0) >= minimum:
                present.add(name)
    if table.words:
        starts, names = _context_words(result.text, table)
        lo, hi = bisect.bisect_left(starts, f.start - w), bisect.bisect_right(starts, f.end + w)
        present.update(names[lo:hi])
    return frozenset(present)


# text → (the table it was read with, offsets, context names); the table is compared by identity,
# so a reloaded contexts file is never answered from an older table's words.
_words_cache: dict[str, tuple[Contexts, list[int], list[str]]] = {}


def _context_words(text: str, table: Contexts) -> tuple[list[int], list[str]]:
    """Every context word or phrase in `text` (offsets, context names), found once per text:
    each finding then takes the ones in its window by bisection."""
    cached = _words_cache.get(text)
    if cached is not None and cached[0] is table:
        return cached[1], cached[2]
    tokens = words_of(lower_same_length(text))  # same offsets; the scene stage's words
    words = tokens.words
    firsts = table.firsts
    starts: list[int] = []
    names: list[str] = []
    candidates = [i for i, word in enumerate(words) if word in firsts]
    at = tokens.starts if candidates else []  # placing words costs more than finding them
    for i in candidates:
        for size in range(1, table.longest + 1):
            name = table.words.get(tuple(words[i:i + size]))
            if name:
                starts.append(at[i])
                names.append(name)
    if len(_words_cache) > 8:
        _words_cache.clear()
    _words_cache[text] = (table, starts, names)
    return starts, names


def _apply_rule(rule: Rule | None, sev: str, present: frozenset[str], notes: list[str], who: str) -> str:
    if rule is None:
        return sev
    rank = SEVERITY_RANK[sev]
    if rank < SEVERITY_RANK[rule.applies_from]:
        return sev
    if rule.applies_below and rank >= SEVERITY_RANK[rule.applies_below]:
        return sev
    values = [rule.value_for(c) for c in sorted(present)] or [rule.value_for("neutral")]
    new = max((_value(v, sev) for v in values), key=SEVERITY_RANK.__getitem__)
    if rule.note and who and any(v != "keep" for v in values):
        scene = f" (scene: {', '.join(sorted(present))})" if present else " (neutral scene)"
        notes.append(f"On {who}{scene}: {rule.note}")
    return new


def _value(value: str, sev: str) -> str:
    rank = SEVERITY_RANK[sev]
    if value == "keep":
        return sev
    if value == "up":
        return SEVERITIES[min(rank + 1, SEVERITY_RANK["high"])]
    if value == "down":
        return SEVERITIES[max(rank - 1, 0)]
    op, _, target = value.partition(":")
    if not target:
        return value
    t = SEVERITY_RANK[target]
    return SEVERITIES[max(rank, t)] if op == "at-least" else SEVERITIES[min(rank, t)]


def _azure(prof: Profile, category: str, sev: str, notes: list[str]) -> str:
    azure = prof.azure
    if not azure:
        return sev
    name = azure["by_category"].get(category)
    threshold = azure["thresholds"].get(name or "", "off")
    if not name or threshold == "off":
        return sev
    level = azure["scale"].get(sev, sev)
    if _AZURE_RANK.get(level, 0) >= _AZURE_RANK[threshold] and SEVERITY_RANK[sev] < SEVERITY_RANK["high"]:
        notes.append(f"{prof.name}: the deployment's {name.replace('_', '-')} filter blocks "
                     f"{threshold} severity and up.")
        return "high"
    return sev


def elsewhere(raw: ScanResult, finding: Finding, current: Policy,
              calibration: calib.Snapshot | None = None) -> list[tuple[Profile, str]]:
    """How `finding` (from `raw` judged for `current`) reads on the other model families'
    profiles, where that differs: [(profile, severity), …]. `raw` is the engine's undecided
    scan of the same text (the editor's hover asks; it is not on the keystroke path)."""
    from workbench.core.screening.policy_profiles import profiles

    out = []
    for prof in sorted(profiles().values(), key=lambda p: p.id):
        if not prof.models or prof.id == current.profile.id:
            continue
        other = decide(raw, Policy(prof, current.moderation, prof.id), calibration)
        same = next((g for g in other.findings if (g.start, g.end, g.category) ==
                     (finding.start, finding.end, finding.category)), None)
        if same is not None and same.severity != finding.severity:
            out.append((prof, same.severity))
    return out
