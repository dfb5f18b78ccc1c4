"""Policy profiles: how one target (a model family, a provider's filters) reads the findings.

Profiles are data (`resources/policies/*.toml`, plus the user's own in
`paths.user_policies_dir()`, which win by id). Each maps category × context → severity; see
the comment at the top of `resources/policies/gpt-image-2.toml` for the format and
`policy.decide` for how it is applied.

Which profile: a pinned one (`--profile`, the editor's "Judge for" menu) wins; otherwise the
profile whose `[match]` fits the provider kind and model, highest `priority` first; with no
model the one for the app's default model (`core.api.profiles.DEFAULT_MODEL`, gpt-image-1 →
`gpt-image-1.x`). `WORKBENCH_POLICY_PROFILE` pins one for a whole process (benchmarks).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import paths
from workbench.core.api.profiles import DEFAULT_MODEL
from workbench.core.errors import BadInputError, UserFacingError
from workbench.core.io.tomlfile import read_toml
from workbench.core.screening.models import SEVERITIES
from workbench.core.screening.words import words_in

PROFILE_ENV = "WORKBENCH_POLICY_PROFILE"
MODERATIONS = ("auto", "low")
CONTEXT_FILE = "contexts.toml"
AZURE_FILTERS = ("hate", "sexual", "violence", "self_harm")
AZURE_LEVELS = ("safe", "low", "medium", "high")
_OPS = ("keep", "up", "down")
_RULE_KEYS = {"note", "applies_from", "applies_below"}


def _check_value(value: Any, where: str) -> str:
    """A rule value: keep | up | down | <severity> | at-least:<sev> | at-most:<sev>."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text, not {type(value).__name__}")
    if value in _OPS or value in SEVERITIES[:3]:
        return value
    op, _, sev = value.partition(":")
    if op in ("at-least", "at-most") and sev in SEVERITIES[:3]:
        return value
    raise ValueError(f"{where}: {value!r} is not keep, up, down, low, medium, high, at-least:<severity> "
                     "or at-most:<severity>")


@dataclass(frozen=True)
class Rule:
    """How one category reads: context → value, plus an optional note for the user."""

    values: dict[str, str]
    note: str = ""
    applies_from: str = "low"  # findings weaker than this keep their severity
    applies_below: str = ""  # "" = no upper bound; "high" = only findings below high

    def value_for(self, context: str) -> str:
        for key in (context, "any", "neutral"):
            if key in self.values:
                return self.values[key]
        return "keep"


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    description: str = ""
    models: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    priority: int = 0
    categories: dict[str, Rule] = field(default_factory=dict)
    default: Rule | None = None
    moderation: dict[str, dict[str, Rule]] = field(default_factory=dict)  # "low" → category → rule
    moderation_notes: dict[str, str] = field(default_factory=dict)
    azure: dict[str, Any] | None = None  # thresholds / categories / severity, validated
    source: str = ""  # the file it came from

    def rule(self, category: str) -> Rule | None:
        return self.categories.get(category, self.default)

    def matches(self, provider: str, model: str) -> bool:
        if self.providers and provider not in self.providers:
            return False
        return bool(self.models) and any(fnmatch.fnmatchcase(model.lower(), pat) for pat in self.models)


@dataclass(frozen=True)
class Policy:
    """A chosen profile for one target: moderation level and the calibration family."""

    profile: Profile
    moderation: str = "auto"
    family: str = ""  # whose history evidence counts (the target model's profile id)
    pinned: bool = False

    @property
    def label(self) -> str:
        """What the badge says the verdict is for: "gpt-image-2", "gpt-image-2 · moderation low"."""
        return self.profile.name + (" · moderation low" if self.moderation == "low" else "")


@dataclass(frozen=True)
class Contexts:
    window: int
    by_category: dict[str, tuple[tuple[str, int], ...]]  # finding category → (context, minimum rank), …
    words: dict[tuple[str, ...], str]  # phrase tokens → context
    longest: int
    names: tuple[str, ...]

    @functools.cached_property
    def firsts(self) -> frozenset[str]:
        """The first word of every context phrase: a word outside it starts none."""
        return frozenset(phrase[0] for phrase in self.words)


class _Library:
    """Every profile and the contexts table, reloaded when a file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[tuple[str, int | None, int | None], ...] | None = None
        self._profiles: dict[str, Profile] = {}
        self._contexts: Contexts | None = None

    def _user_files(self) -> list[Path]:
        user_dir = paths.user_policies_dir()
        return sorted(user_dir.glob("*.toml")) if user_dir.is_dir() else []

    @functools.cached_property
    def _shipped(self) -> tuple[list[Path], tuple[tuple[str, int | None, int | None], ...]]:
        """Shipped profiles, listed and stamped once: they do not change while the app runs
        (every scan asks, so only the user's folder is looked at each time)."""
        files = sorted(paths.resource("policies").glob("*.toml"))
        return files, tuple((str(p), *_stamp(p)) for p in files)

    def load(self) -> tuple[dict[str, Profile], Contexts]:
        shipped, shipped_key = self._shipped
        user = self._user_files()
        files = shipped + user
        key = shipped_key + tuple((str(p), *_stamp(p)) for p in user)
        with self._lock:
            if key != self._key or self._contexts is None:
                self._profiles, self._contexts = _load_all(files)
                self._key = key
            return self._profiles, self._contexts


def _stamp(path: Path) -> tuple[int | None, int | None]:
    try:
        st = path.stat()
    except OSError:
        return (None, None)
    return (st.st_mtime_ns, st.st_size)


_library = _Library()


def profiles() -> dict[str, Profile]:
    """Every known profile by id (shipped, then the user's, which replace shipped ids)."""
    return _library.load()[0]


def contexts() -> Contexts:
    return _library.load()[1]


def get_profile(profile_id: str) -> Profile:
    known = profiles()
    if profile_id in known:
        return known[profile_id]
    raise BadInputError(f"unknown policy profile {profile_id!r}; known: {', '.join(sorted(known))}")


# (provider, model) → (the profiles it was chosen from, the choice): every scan asks, and the
# profiles are compared by identity, so a reloaded profile file is never answered from the old.
_chosen: dict[tuple[str, str], tuple[dict[str, Profile], Profile]] = {}


def choose(provider: str | None = None, model: str | None = None) -> Profile:
    """The profile whose [match] fits the provider kind and model (default model if none)."""
    model = (model or "").strip() or DEFAULT_MODEL
    provider = (provider or "openai").strip()
    known = profiles()
    cached = _chosen.get((provider, model))
    if cached is not None and cached[0] is known:
        return cached[1]
    fits = [p for p in known.values() if p.matches(provider, model)]
    if not fits and provider != "openai":  # a compatible gateway serving OpenAI's models
        fits = [p for p in known.values() if not p.providers and p.matches("openai", model)]
    if not fits:
        fits = [p for p in known.values() if p.matches("openai", DEFAULT_MODEL)]
    if not fits:
        raise UserFacingError(f"no policy profile matches the default model {DEFAULT_MODEL}")
    best = max(fits, key=lambda p: (p.priority, p.id))
    if len(_chosen) >= 256:
        _chosen.clear()
    _chosen[(provider, model)] = (known, best)
    return best


def family_for(provider: str | None, model: str | None) -> str:
    """Whose evidence a request is: the id of the profile its provider and model choose."""
    return choose(provider, model).id


def resolve(profile: str | Profile | Policy | None = None, *, provider: str | None = None,
            model: str | None = None, moderation: str | None = None) -> Policy:
    """The policy for a target. `profile` pins one; else chosen from provider and model."""
    if isinstance(profile, Policy):
        return profile
    moderation = (moderation or "auto").strip().lower()
    if moderation not in MODERATIONS:
        raise BadInputError(f"moderation must be one of {', '.join(MODERATIONS)}, not {moderation!r}")
    target = choose(provider, model)
    pinned = profile if isinstance(profile, Profile) else None
    if pinned is None and isinstance(profile, str) and profile.strip():
        pinned = get_profile(profile.strip())
    if pinned is None and not model and os.environ.get(PROFILE_ENV, "").strip():
        pinned = get_profile(os.environ[PROFILE_ENV].strip())
    if pinned is None:
        return Policy(target, moderation, target.id)
    # Evidence is about the model the prompt goes to; a pin without a model names that model
    # when it is a model family (dall-e-3), else the default model's family (strict).
    family = target.id if (model or provider or not pinned.models) else pinned.id
    return Policy(pinned, moderation, family, pinned=True)


# ---------------------------------------------------------------------------------- loading


def _load_all(files: list[Path]) -> tuple[dict[str, Profile], Contexts]:
    raw: dict[str, tuple[dict[str, Any], Path]] = {}
    context_data: dict[str, Any] | None = None
    for path in files:
        data = read_toml(path, "policy file")
        if path.name == CONTEXT_FILE:
            context_data = data  # the user's copy (read last) wins
            continue
        profile_id = data.get("id")
        if not isinstance(profile_id, str) or not profile_id.strip():
            raise UserFacingError(f"policy profile {path}: needs an `id`")
        raw[profile_id] = (data, path)
    if context_data is None:
        raise UserFacingError("policy contexts file (contexts.toml) not found")
    loaded = {pid: _profile(_merged(pid, raw, ()), path) for pid, (_, path) in raw.items()}
    return loaded, _contexts(context_data)


def _merged(pid: str, raw: dict[str, tuple[dict[str, Any], Path]], seen: tuple[str, ...]) -> dict[str, Any]:
    """The profile's data with its `extends` chain merged under it (tables merge, values win)."""
    data, path = raw[pid]
    parent = data.get("extends")
    if parent is None:
        return data
    if parent not in raw:
        raise UserFacingError(f"policy profile {path}: extends unknown profile {parent!r}")
    if parent in seen or parent == pid:
        chain = " → ".join((*seen, pid, parent))
        raise UserFacingError(f"policy profile {path}: `extends` makes a loop ({chain})")
    base = _merged(parent, raw, (*seen, pid))
    return _deep_merge(base, {k: v for k, v in data.items() if k != "extends"})


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _profile(data: dict[str, Any], path: Path) -> Profile:
    try:
        match = data.get("match", {})
        if not isinstance(match, dict):
            raise ValueError("[match] must be a table")
        categories = {str(c): _rule(r, f"category {c!r}") for c, r in _table(data, "category").items()}
        default = _rule(data["default"], "[default]") if "default" in data else None
        moderation: dict[str, dict[str, Rule]] = {}
        notes: dict[str, str] = {}
        for level, section in _table(data, "moderation").items():
            if level not in MODERATIONS:
                raise ValueError(f"[moderation.{level}]: moderation is one of {', '.join(MODERATIONS)}")
            moderation[level] = {str(c): _rule(r, f"moderation.{level} category {c!r}")
                                 for c, r in _table(section, "category").items()}
            notes[level] = str(section.get("note", ""))
        return Profile(
            id=str(data["id"]), name=str(data.get("name") or data["id"]),
            description=" ".join(str(data.get("description", "")).split()),
            models=tuple(str(m).lower() for m in _list(match, "models")),
            providers=tuple(str(p) for p in _list(match, "providers")),
            priority=int(match.get("priority", 0)), categories=categories, default=default,
            moderation=moderation, moderation_notes=notes, azure=_azure(data.get("azure")), source=str(path))
    except (ValueError, TypeError) as exc:
        raise UserFacingError(f"policy profile {path}: {exc}") from None


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"[{key}] must be a table")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"`{key}` must be a list")
    return value


def _rule(data: Any, where: str) -> Rule:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a table")
    values = {str(k): _check_value(v, f"{where}.{k}") for k, v in data.items() if k not in _RULE_KEYS}
    applies_from = str(data.get("applies_from", "low"))
    applies_below = str(data.get("applies_below", ""))
    for name, value in (("applies_from", applies_from), ("applies_below", applies_below or "low")):
        if value not in SEVERITIES:
            raise ValueError(f"{where}.{name}: {value!r} is not a severity")
    return Rule(values, " ".join(str(data.get("note", "")).split()), applies_from, applies_below)


def _azure(data: Any) -> dict[str, Any] | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("[azure] must be a table")
    thresholds = _table(data, "thresholds")
    covered = _table(data, "categories")
    scale = _table(data, "severity")
    for name, level in thresholds.items():
        if name not in AZURE_FILTERS:
            raise ValueError(f"[azure.thresholds]: unknown filter {name!r} (one of {', '.join(AZURE_FILTERS)})")
        if level not in ("low", "medium", "high", "off"):
            raise ValueError(f"[azure.thresholds].{name}: {level!r} is not low, medium, high or off")
    for sev, level in scale.items():
        if sev not in SEVERITIES or level not in AZURE_LEVELS:
            raise ValueError(f"[azure.severity]: {sev!r} = {level!r} is not severity = safe|low|medium|high")
    by_category: dict[str, str] = {}
    for name, cats in covered.items():
        if name not in AZURE_FILTERS or not isinstance(cats, list):
            raise ValueError(f"[azure.categories].{name}: a filter name with a list of categories")
        for cat in cats:
            by_category[str(cat)] = name
    return {"thresholds": dict(thresholds), "by_category": by_category, "scale": dict(scale)}


def _contexts(data: dict[str, Any]) -> Contexts:
    from workbench.core.screening.models import SEVERITY_RANK

    try:
        window = int(data.get("window", 400))
        by_category: dict[str, list[tuple[str, int]]] = {}
        words: dict[tuple[str, ...], str] = {}
        names = []
        for name, section in _table(data, "context").items():
            names.append(str(name))
            minimum = str(section.get("min_severity", "low"))
            if minimum not in SEVERITY_RANK:
                raise ValueError(f"context {name}: min_severity {minimum!r} is not a severity")
            for cat in _list(section, "categories"):
                by_category.setdefault(str(cat), []).append((str(name), SEVERITY_RANK[minimum]))
            for phrase in _list(section, "words"):
                toks = tuple(words_in(str(phrase)))
                if toks:
                    words[toks] = str(name)
    except (ValueError, TypeError, AttributeError) as exc:
        raise UserFacingError(f"policy contexts file: {exc}") from None
    longest = max((len(t) for t in words), default=1)
    return Contexts(window, {c: tuple(v) for c, v in by_category.items()}, words, longest, tuple(names))
