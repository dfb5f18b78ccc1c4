"""Human wording for ids the core uses (categories, severities, verdicts, outcomes, stages)."""

from __future__ import annotations

CATEGORY_LABELS = {
    "violence": "Violence",
    "violence/graphic": "Graphic violence",
    "sexual": "Sexual",
    "sexual/minors": "Sexual content involving minors",
    "self-harm": "Self-harm",
    "hate": "Hate",
    "minors": "Realistic minors",
    "public-figure": "Public figure",
    "copyrighted-ip": "Copyrighted character or brand",
    "living-artist": "Living artist",
    "illicit": "Illicit",
    "harassment": "Harassment",
    "evasion": "Hidden or disguised characters",
}

SEVERITY_LABELS = {"low": "low", "medium": "medium", "high": "high", "critical": "hard line"}

OUTCOME_LABELS = {
    "pending": "Pending",
    "ok": "OK",
    "blocked_input": "Blocked (input)",
    "blocked_output": "Blocked (output)",
    "blocked_unknown": "Blocked (stage unknown)",
    "error": "Error",
    "cancelled": "Cancelled",
    "interrupted": "Interrupted",
}


def category(cat: str) -> str:
    return CATEGORY_LABELS.get(cat, cat.replace("-", " ").replace("/", ": ").capitalize())


def severity(sev: str) -> str:
    return SEVERITY_LABELS.get(sev, sev)
