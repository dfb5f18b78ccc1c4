"""Local screening: which spans of a prompt the image safety system is likely to block.

`scan(text)` is the one call most code needs. The engine is compiled once from the shipped
lexicons and rules in `resources/` plus the user's allow/block lists, and rebuilt only when
those user files change.
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from workbench import paths
from workbench.core.errors import LexiconError
from workbench.core.io.files import atomic_write_text
from workbench.core.screening.foreign import ForeignMatcher
from workbench.core.screening.lexicon import build_lexicon, parse_lexicon_file, tokens_of
from workbench.core.screening.misspell import is_english_word
from workbench.core.screening.models import (
    CATEGORIES,
    SEVERITIES,
    VERDICTS,
    Finding,
    ScanResult,
    verdict_for,
)
from workbench.core.screening.rules import load_rules
from workbench.core.screening.scanner import Engine
from workbench.core.screening.scenes import SceneRules

if TYPE_CHECKING:  # imported for real inside scan(), as before
    from workbench.core.screening.policy_profiles import Policy, Profile

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "VERDICTS",
    "Engine",
    "Finding",
    "ScanResult",
    "add_to_allow_list",
    "add_to_block_list",
    "build_engine",
    "get_engine",
    "prepare",
    "load_allow_list",
    "remove_from_allow_list",
    "scan",
    "verdict_for",
]

ALLOW_FILE = "allow.txt"
BLOCK_FILE = "block.toml"

_lock = threading.Lock()
_Stamp = tuple[str | int | None, ...]  # (path, mtime_ns, size) or (path, None) when absent
_cached: tuple[tuple[str, _Stamp, _Stamp], Engine] | None = None


def _user_files() -> tuple[Path, Path]:
    return _files_in(paths.user_lexicon_dir())


@functools.lru_cache(maxsize=8)  # asked on every scan; joining paths is slow in pathlib
def _files_in(folder: Path) -> tuple[Path, Path]:
    return folder / ALLOW_FILE, folder / BLOCK_FILE


def _stamp(path: Path) -> _Stamp:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


def load_allow_list(path: Path | None = None) -> frozenset[str]:
    """Terms the user never wants flagged: one per line, `#` starts a comment."""
    path = path or _user_files()[0]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read your allow-list {path}: {exc}") from None
    terms = (" ".join(tokens_of(line.split("#", 1)[0])) for line in lines)
    return frozenset(t for t in terms if t)


def build_engine(
    lexicon_files: list[Path] | None = None,
    rule_files: list[Path] | None = None,
    *,
    allow: frozenset[str] = frozenset(),
    block_file: Path | None = None,
    foreign_files: list[Path] | None = None,
    scene_dir: Path | None = None,
) -> Engine:
    """Compile an engine. Defaults: every shipped lexicon and rules file (foreign_files: the
    other languages' lexicons in lexicon/i18n; [] = English only; scene_dir: the scene rules,
    resources/scenes)."""
    if lexicon_files is None:
        lexicon_files = sorted(paths.resource("lexicon").glob("*.toml"))
    if rule_files is None:
        rule_files = sorted(paths.resource("rules").glob("*.toml"))
    parsed = []
    for path in lexicon_files:
        parsed.extend(parse_lexicon_file(path))
    if block_file is not None and block_file.exists():
        parsed.extend(parse_lexicon_file(block_file))
    if foreign_files is None:
        foreign_files = sorted(paths.resource("lexicon/i18n").glob("*.toml"))
    foreign = ForeignMatcher.build(foreign_files, cache_dir=paths.cache_dir() / "screening") if foreign_files else None
    scenes = SceneRules.load(scene_dir or paths.resource("scenes"))
    return Engine(build_lexicon(parsed), load_rules(rule_files), allow, foreign, scenes)


def get_engine() -> Engine:
    """The shared engine, rebuilt when the user's allow/block files change."""
    global _cached
    allow_path, block_path = _user_files()
    key = (str(paths.resources_dir()), _stamp(allow_path), _stamp(block_path))
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        engine = build_engine(allow=load_allow_list(allow_path), block_file=block_path)
        _cached = (key, engine)
        return engine


def prepare() -> Engine:
    """The shared engine, with what a scan would otherwise load on first need (the English
    dictionary that tells real words from misspellings, ~0.2 s): for a front end's warm-up,
    so that no keystroke pays for it."""
    engine = get_engine()
    is_english_word("prepare")
    return engine


def scan(text: str, *, profile: str | Profile | Policy | None = None) -> ScanResult:
    """Screen one prompt with the shared engine and judge it for a policy profile.

    `profile`: a `policy_profiles.Policy`, a profile id ("gpt-image-2") or None = the profile of
    the app's default model (core/api/profiles.py DEFAULT_MODEL = gpt-image-1 → gpt-image-1.x),
    unless WORKBENCH_POLICY_PROFILE pins one. The active calibration snapshot is applied."""
    from workbench.core import calibration
    from workbench.core.screening.policy import decide

    return decide(get_engine().scan(text), profile, calibration.active())


def add_to_allow_list(term: str) -> None:
    """Never flag `term` again (written to the user's allow.txt)."""
    allow_path, _ = _user_files()
    clean = " ".join(term.split())
    if not tokens_of(clean):
        raise LexiconError("nothing to allow: the term has no letters or digits")
    if " ".join(tokens_of(clean)) in load_allow_list(allow_path):
        return
    paths.ensure(allow_path.parent)
    with open(allow_path, "a", encoding="utf-8") as fh:
        fh.write(clean + "\n")


def remove_from_allow_list(term: str) -> None:
    allow_path, _ = _user_files()
    target = " ".join(tokens_of(term))
    try:
        lines = allow_path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    kept = [line for line in lines if " ".join(tokens_of(line.split("#", 1)[0])) != target]
    atomic_write_text(allow_path, "".join(line + "\n" for line in kept))


def add_to_block_list(term: str, category: str, severity: str = "high", reason: str = "") -> None:
    """Flag `term` from now on (a group appended to the user's block.toml)."""
    if severity not in SEVERITIES:
        raise LexiconError(f"severity must be one of {', '.join(SEVERITIES)}")
    if not tokens_of(term):
        raise LexiconError("nothing to block: the term has no letters or digits")
    _, block_path = _user_files()
    paths.ensure(block_path.parent)
    group = (
        "\n[[group]]\n"
        f"id = {json.dumps('user-block')}\n"
        f"category = {json.dumps(category)}\n"
        f"severity = {json.dumps(severity)}\n"
        f"reason = {json.dumps(reason or 'On your own block-list.')}\n"
        f"terms = [{json.dumps(' '.join(term.split()), ensure_ascii=False)}]\n"
    )
    with open(block_path, "a", encoding="utf-8") as fh:
        fh.write(group)
