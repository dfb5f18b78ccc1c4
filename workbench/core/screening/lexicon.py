"""Loading lexicon files (TOML, see resources/lexicon/README.md) into flat entries and terms."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.core.errors import LexiconError
from workbench.core.screening.models import CATEGORIES, SEVERITIES
from workbench.core.screening.normalize import fold

KINDS = ("finding", "benign", "marker")
ALONE = ("finding", "note")
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon term with everything a finding needs."""

    term: str  # canonical spelling, lower case
    display: str  # canonical spelling as written in the file
    category: str
    severity: str
    reason: str
    replacements: tuple[str, ...]
    rule: str
    kind: str = "finding"
    tags: frozenset[str] = frozenset()
    source: str = ""  # file name, for messages
    lang: str = ""  # "" = English; else the language of an i18n lexicon ("es", "zh", …)
    gloss: str = ""  # English meaning of a foreign term, shown with it ("blood")
    alone: str = "finding"  # "note": no risk alone (a sword, a swimsuit); counts only with harm near
    cased: bool = False  # a name only when capitalised: "Green Arrow" the hero, "a green arrow" a shape


@dataclass
class Lexicon:
    entries: list[Entry]
    # token tuple → index into entries; includes aliases and generated inflections
    spellings: dict[tuple[str, ...], int]
    markers: dict[tuple[str, ...], int]  # marker spellings, matched in a pass of their own


def tokens_of(text: str) -> tuple[str, ...]:
    """The match tokens of a term or phrase, folded the same way as prompt text."""
    return tuple(_TOKEN.findall(fold(text).text))


def _doubles(word: str) -> bool:
    """Short consonant-vowel-consonant words double their last letter (stab → stabbing)."""
    return (
        len(word) <= 5
        and len(word) >= 3
        and word[-1] not in "aeiouwxy"
        and word[-2] in "aeiou"
        and word[-3] not in "aeiou"
    )


def inflections(word: str) -> set[str]:
    """Regular inflections of an English noun or verb; irregular ones are written as aliases."""
    forms = {word}
    if len(word) < 3 or not word.isalpha():
        return forms
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    elif word.endswith("y") and word[-2] not in "aeiou":
        forms.update({word[:-1] + "ies", word[:-1] + "ied"})
    else:
        forms.add(word + "s")
    if _doubles(word):  # scar → scarred (never "scared")
        forms.update({word + word[-1] + "ing", word + word[-1] + "ed"})
    elif word.endswith("e") and not word.endswith("ee"):
        forms.update({word[:-1] + "ing", word + "d"})
    elif not word.endswith("y") or word[-2] in "aeiou":
        forms.update({word + "ing", word + "ed"})
    else:
        forms.add(word + "ing")
    return forms


def string_list(value: Any, field: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise LexiconError(f"{where}: '{field}' must be a string or a list of strings")


def _check(value: str, allowed: tuple[str, ...], field: str, where: str) -> str:
    if value not in allowed:
        raise LexiconError(f"{where}: {field} '{value}' is not one of {', '.join(allowed)}")
    return value


def _group_entries(group: dict[str, Any], where: str) -> list[tuple[Entry, list[str], bool]]:
    """Entries of one [[group]] with their spellings and whether they inflect."""
    gid = group.get("id")
    if not isinstance(gid, str) or not gid:
        raise LexiconError(f"{where}: every [[group]] needs an 'id'")
    where = f"{where} group '{gid}'"
    kind = _check(group.get("kind", "finding"), KINDS, "kind", where)
    category = group.get("category", "")
    if kind != "marker":
        if not isinstance(category, str) or not category:
            raise LexiconError(f"{where}: missing 'category'")
    severity = _check(group.get("severity", "medium"), SEVERITIES, "severity", where)
    reason = str(group.get("reason", ""))
    replacements = string_list(group.get("replacements"), "replacements", where)
    inflect = bool(group.get("inflect", False))
    tags = string_list(group.get("tag"), "tag", where)
    terms = group.get("terms")
    if not isinstance(terms, list) or not terms:
        raise LexiconError(f"{where}: 'terms' must be a non-empty list")
    out = []
    for item in terms:
        overrides: dict[str, Any] = {}
        if isinstance(item, dict):
            overrides = item
            item = item.get("term")
        if not isinstance(item, str) or not item.strip():
            raise LexiconError(f"{where}: a term is empty or not a string")
        spellings = [s.strip() for s in item.split("|") if s.strip()]
        display = spellings[0]
        entry = Entry(
            term=" ".join(tokens_of(display)),
            display=display,
            category=str(overrides.get("category", category)),
            severity=_check(overrides.get("severity", severity), SEVERITIES, "severity", where),
            reason=str(overrides.get("reason", reason)),
            replacements=string_list(overrides.get("replacements"), "replacements", where) or replacements,
            rule=f"{gid}:{'-'.join(tokens_of(display))}",
            kind=kind,
            tags=frozenset(string_list(overrides.get("tag"), "tag", where) or tags),
            source=where,
            lang=str(group.get("lang", "")),
            gloss=str(overrides.get("gloss", group.get("gloss", ""))),
            alone=_check(overrides.get("alone", group.get("alone", "finding")), ALONE, "alone", where),
            cased=bool(overrides.get("cased", group.get("cased", False))),
        )
        out.append((entry, spellings, bool(overrides.get("inflect", inflect))))
    return out


def parse_lexicon_file(path: Path) -> list[tuple[Entry, list[str], bool]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read lexicon file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"lexicon file {path.name} is not valid TOML: {exc}") from None
    groups = data.get("group", [])
    if not isinstance(groups, list):
        raise LexiconError(f"{path.name}: [[group]] tables expected")
    out = []
    for group in groups:
        if not isinstance(group, dict):
            raise LexiconError(f"{path.name}: [[group]] tables expected")
        out.extend(_group_entries({"lang": data.get("lang", ""), **group}, path.name))
    return out


def _spelling_table(parsed: list[tuple[int, list[str], bool]]) -> dict[tuple[str, ...], int]:
    """Spellings → entry index. Explicit spellings beat generated inflections; a later file's
    explicit spelling replaces an earlier one (the user's block-list over the shipped lexicon)."""
    explicit: dict[tuple[str, ...], int] = {}
    generated: dict[tuple[str, ...], int] = {}
    for index, forms, inflect in parsed:
        for form in forms:
            toks = tokens_of(form)
            if not toks:
                continue
            explicit[toks] = index
            if inflect:
                for variant in inflections(toks[-1]):
                    generated.setdefault(toks[:-1] + (variant,), index)
    for toks, index in generated.items():
        explicit.setdefault(toks, index)
    return explicit


def build_lexicon(parsed: list[tuple[Entry, list[str], bool]]) -> Lexicon:
    """Two spelling tables: findings and benign phrases compete for the longest match;
    markers are matched on their own, so a marker never hides a finding (`Pixar style` is
    both a style marker and a franchise). A marker spelled exactly like a finding becomes
    tags on that finding (`bikini` is a sexual finding *and* revealing attire)."""
    entries = [entry for entry, _, _ in parsed]
    spellings = _spelling_table([(i, f, inf) for i, (e, f, inf) in enumerate(parsed) if e.kind != "marker"])
    markers = _spelling_table([(i, f, inf) for i, (e, f, inf) in enumerate(parsed) if e.kind == "marker"])
    extra_tags: dict[int, set[str]] = {}
    for toks, index in list(markers.items()):
        owner = spellings.get(toks)
        if owner is not None and entries[owner].kind == "finding":
            extra_tags.setdefault(owner, set()).update(entries[index].tags)
            del markers[toks]
    for index, tags in extra_tags.items():
        old = entries[index]
        entries[index] = replace(old, tags=old.tags | frozenset(tags))
    return Lexicon(entries, spellings, markers)


def known_category(category: str) -> bool:
    return category in CATEGORIES
