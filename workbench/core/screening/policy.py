"""The policy stage: how one target (a model family, a provider's filters) reads the findings.

The engine's severities say how risky a span is in general; a policy profile
(`policy_profiles`, data in resources/policies) says how a given target treats it in the
context the prompt gives it. gpt-image-2 draws an adult public figure on a stage but blocks
the same person in a sexual or violent scene; dall-e-3 declines named people; an Azure
deployment filters each of its four categories from the threshold it was set to.

`decide(result, policy)` returns the result with severities re-read (stage "policy", the
profile's note added), `profile` set to the label the badge shows and `decided` to the
verdict. Critical findings are hard lines: no profile changes them.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.core.screening.models import (
    ENTITY_CATEGORIES,
    SEVERITIES,
    SEVERITY_RANK,
    Finding,
    ScanResult,
    verdict_for,
)
from workbench.core.screening.policy_profiles import Contexts, Policy, Rule, contexts, word_tokens

USER_BLOCK = "user-block"  # the group id of the user's block.toml entries
_AZURE_RANK = {"safe": 0, "low": 1, "medium": 2, "high": 3}


def decide(result: ScanResult, policy: Policy) -> ScanResult:
    """`result` as `policy`'s target reads it."""
    table = contexts()
    findings = tuple(_read(f, result, policy, table) for f in result.findings)
    return replace(result, findings=findings, profile=policy.label, decided=verdict_for(findings))


def _read(finding: Finding, result: ScanResult, policy: Policy, table: Contexts) -> Finding:
    if finding.severity == "critical" or finding.rule.startswith(USER_BLOCK):
        return finding  # hard lines, and the user's own block-list, are never re-read
    profile = policy.profile
    rules = [r for r in (profile.rule(finding.category),
                         profile.moderation.get(policy.moderation, {}).get(finding.category)) if r]
    severity, notes = finding.severity, []
    if rules:
        present = contexts_near(finding, result, table) or {"neutral"}
        for rule in rules:
            new = _apply(rule, present, severity)
            if new != severity and rule.note:
                notes.append(rule.note)
            severity = new
    if profile.azure is not None:
        severity = _azure(profile.azure, finding.category, severity)
    if finding.stage == "scene" and SEVERITY_RANK[severity] < SEVERITY_RANK[finding.severity]:
        return finding  # a harmful scene is what every target blocks: a profile never lowers it
    if severity == finding.severity:
        return finding
    why = f"On {policy.label}: {' '.join(notes)}".strip() if notes else f"On {policy.label}."
    return replace(finding, severity=severity, stage="policy", message=f"{finding.message} {why}".strip())


def contexts_near(finding: Finding, result: ScanResult, table: Contexts) -> set[str]:
    """The contexts present around `finding`: other findings' categories and context words."""
    present: set[str] = set()
    lo, hi = finding.start - table.window, finding.end + table.window
    for other in result.findings:
        if other is finding or other.end < lo or other.start > hi:
            continue
        if other.category in ENTITY_CATEGORIES and finding.category in ENTITY_CATEGORIES:
            continue  # people and characters never make a context for each other
        for name, minimum in table.by_category.get(other.category, ()):
            if other.stage == "scene" or SEVERITY_RANK[other.severity] >= minimum:
                present.add(name)
    words = word_tokens(result.text[max(0, lo) : hi])
    for size in range(1, table.longest + 1):
        for k in range(len(words) - size + 1):
            name = table.words.get(tuple(words[k : k + size]))
            if name:
                present.add(name)
    return present


def _apply(rule: Rule, present: set[str], severity: str) -> str:
    rank = SEVERITY_RANK[severity]
    if rank < SEVERITY_RANK[rule.applies_from]:
        return severity
    if rule.applies_below and rank >= SEVERITY_RANK[rule.applies_below]:
        return severity
    return max((_value(rule.value_for(c), severity) for c in present), key=SEVERITY_RANK.__getitem__)


def _value(value: str, severity: str) -> str:
    rank = SEVERITY_RANK[severity]
    if value == "keep":
        return severity
    if value == "up":
        return SEVERITIES[min(rank + 1, 2)]
    if value == "down":
        return SEVERITIES[max(rank - 1, 0)]
    op, _, target = value.partition(":")
    if op == "at-least":
        return target if SEVERITY_RANK[target] > rank else severity
    if op == "at-most":
        return target if SEVERITY_RANK[target] < rank else severity
    return value


def _azure(azure: dict, category: str, severity: str) -> str:
    """A deployment's filter blocks its categories from its threshold up."""
    name = azure["by_category"].get(category)
    threshold = azure["thresholds"].get(name or "", "")
    if not name or threshold in ("", "off"):
        return severity
    level = azure["scale"].get(severity, severity)
    if _AZURE_RANK.get(level, 0) >= _AZURE_RANK[threshold]:
        return "high"
    return severity
