"""Three-way merge of an appeal edited on two machines: field by field, never a silent loss.

For each field: if only one side changed it since the last agreed state (`base`), that side
wins; if both changed it to different values, the newer edit (by `updated_at`) wins and a
`Conflict` keeps the other value where the user sees it. The set of requests in the appeal
merges as sets: an addition or a removal on either side is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

APPEAL_FIELDS = ("title", "status", "ticket", "business_context", "account_id", "org_id", "notes",
                 "submitted_at", "closed_at")


@dataclass(frozen=True)
class Conflict:
    field: str
    kept_value: Any
    other_value: Any
    kept_side: str  # "local" | "remote"


def merge_fields(base: Mapping[str, Any] | None, local: Mapping[str, Any], remote: Mapping[str, Any],
                 *, local_updated: str, remote_updated: str) -> tuple[dict[str, Any], list[Conflict]]:
    """The merged fields and the conflicts (both sides changed one field differently)."""
    base = base or {}
    newer_is_local = local_updated >= remote_updated
    merged: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for name in APPEAL_FIELDS:
        mine, theirs = local.get(name), remote.get(name)
        if mine == theirs:
            merged[name] = mine
        elif name in base and mine == base[name]:
            merged[name] = theirs
        elif name in base and theirs == base[name]:
            merged[name] = mine
        else:  # both changed (or no common base): the newer edit wins, the other is kept
            kept, other = (mine, theirs) if newer_is_local else (theirs, mine)
            merged[name] = kept
            conflicts.append(Conflict(name, kept, other, "local" if newer_is_local else "remote"))
    return merged, conflicts


def merge_sets(base: list[str] | None, local: list[str], remote: list[str]) -> list[str]:
    """Members after both sides' additions and removals, in a stable order."""
    old = set(base or ())
    removed = (old - set(local)) | (old - set(remote))
    out: list[str] = []
    for gid in [*local, *remote]:
        if gid not in removed and gid not in out:
            out.append(gid)
    return out
