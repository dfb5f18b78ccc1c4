"""A small, fixed scanner for rewrite tests, so grammar cases do not move with the lexicon.

The real engine is used by the integration and property tests; these cases pin grammar.
"""

from __future__ import annotations

import re

from workbench.core.screening.models import Finding, ScanResult

# written form → (category, severity, canonical term, lexicon replacements, rule)
WORDS = {
    "sword": ("violence", "medium", "sword", ("ornate ceremonial blade",), "weapons-blades:sword"),
    "swords": ("violence", "medium", "sword", ("ornate ceremonial blade",), "weapons-blades:sword"),
    "gun": ("violence", "high", "gun", ("stylized prop",), "weapons-firearms:gun"),
    "guns": ("violence", "high", "gun", ("stylized prop",), "weapons-firearms:gun"),
    "ak-47": ("violence", "high", "ak 47", ("a stylized tactical prop",), "weapons-firearms:ak-47"),
    "fighting": ("violence", "medium", "fight", ("dramatic standoff",), "violent-acts-moderate:fight"),
    "fight": ("violence", "medium", "fight", ("dramatic standoff",), "violent-acts-moderate:fight"),
    "fought": ("violence", "medium", "fight", ("dramatic standoff",), "violent-acts-moderate:fight"),
    "blood": ("violence", "medium", "blood", ("deep red tones",), "injury:blood"),
    "blood splatter": ("violence/graphic", "high", "blood splatter", (), "graphic:blood-splatter"),
    "sexy": ("sexual", "medium", "sexy", ("elegant",), "sexual-suggestive:sexy"),
    "bikini": ("sexual", "medium", "bikini", ("elegant",), "sexual-suggestive:bikini"),
    "bikinis": ("sexual", "medium", "bikini", ("elegant",), "sexual-suggestive:bikini"),
    "war": ("violence", "medium", "war", ("heroic struggle",), "war:war"),
    "gore": ("violence/graphic", "high", "gore", (), "graphic:gore"),
    "zorblax": ("violence", "medium", "zorblax", ("glowing orb",), "test:zorblax"),
    "taylor swift": ("public-figure", "high", "taylor swift", ("a pop singer on stage",), "pf:taylor-swift"),
    "pikachu": ("copyrighted-ip", "high", "pikachu", ("a round yellow cartoon creature",), "ip:pikachu"),
    "acme": ("copyrighted-ip", "medium", "acme", (), "ip-brands:acme"),
    "jane painter": (
        "living-artist", "high", "jane painter",
        ("epic painterly fantasy illustration with dramatic lighting",), "living-artist:jane-painter",
    ),
    "nudechild": ("sexual/minors", "critical", "nudechild", (), "sexual-minors:x"),
}
_PATTERN = re.compile(
    r"(?i)(?<!\w)(" + "|".join(re.escape(w) for w in sorted(WORDS, key=len, reverse=True)) + r")(?!\w)"
)


def fake_scan(text: str) -> ScanResult:
    findings = []
    for m in _PATTERN.finditer(text):
        category, severity, term, replacements, rule = WORDS[m.group().lower()]
        findings.append(Finding(m.start(), m.end(), m.group(), category, severity, "test", replacements, rule, term))
    for m in re.finditer("[\u200b\u200c\u200d\u2060\ufeff]+", text):
        findings.append(Finding(m.start(), m.end(), m.group(), "evasion", "low", "invisible", ("",), "invisible-characters"))
    findings.sort(key=lambda f: (f.start, -f.end))
    return ScanResult(text, tuple(findings))


