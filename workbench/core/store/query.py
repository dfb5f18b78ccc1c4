"""SQL for history filters and for turning what a user types into a safe FTS5 query."""

from __future__ import annotations

import re
from typing import Any

from workbench.core.store.models import HistoryFilter

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User text → FTS5 MATCH expression; None if nothing searchable remains.

    Bare words become prefix terms (`gun` finds `guns`), "quoted text" becomes a phrase, and
    every term must match. FTS5 operators and punctuation in the input are treated as plain
    words, so no input can produce an FTS syntax error.
    """
    terms = []
    for phrase, bare in _TOKEN.findall(text or ""):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                terms.append('"' + " ".join(words) + '"')
        else:
            for word in _WORD.findall(bare):
                terms.append(f'"{word}"*')
    return " ".join(terms) if terms else None


def where_clause(flt: HistoryFilter | None, alias: str = "requests") -> tuple[str, list[Any]]:
    """`(sql, params)` for a filter; sql is "" when nothing is filtered."""
    if flt is None:
        return "", []
    a = alias
    parts: list[str] = []
    params: list[Any] = []
    if flt.outcomes:
        parts.append(f"{a}.outcome IN ({', '.join('?' for _ in flt.outcomes)})")
        params.extend(flt.outcomes)
    if flt.category:
        parts.append(f"EXISTS (SELECT 1 FROM json_each({a}.categories) WHERE json_each.value = ?)")
        params.append(flt.category)
    if flt.stage:
        parts.append(f"{a}.stage = ?")
        params.append(flt.stage)
    if flt.profile:
        parts.append(f"{a}.profile = ?")
        params.append(flt.profile)
    if flt.model:
        parts.append(f"{a}.model = ?")
        params.append(flt.model)
    if flt.since:
        parts.append(f"{a}.created_at >= ?")
        params.append(flt.since)
    if flt.until:
        parts.append(f"{a}.created_at <= ?")
        params.append(flt.until)
    if flt.source:
        parts.append(f"{a}.source = ?")
        params.append(flt.source)
    if flt.request_id:
        parts.append(f"instr({a}.request_ids, ?) > 0")
        params.append(flt.request_id)
    if flt.review == "unreviewed":
        parts.append(f"{a}.review_state IS NULL")
    elif flt.review:
        parts.append(f"{a}.review_state = ?")
        params.append(flt.review)
    if flt.exclude_providers:  # rows without a provider (imports, old rows) are never test traffic
        marks = ", ".join("?" for _ in flt.exclude_providers)
        parts.append(f"({a}.provider IS NULL OR {a}.provider NOT IN ({marks}))")
        params.extend(flt.exclude_providers)
    if flt.exclude_sources:
        parts.append(f"{a}.source NOT IN ({', '.join('?' for _ in flt.exclude_sources)})")
        params.extend(flt.exclude_sources)
    if flt.ids:
        parts.append(f"{a}.id IN ({', '.join('?' for _ in flt.ids)})")
        params.extend(int(i) for i in flt.ids)
    return " AND ".join(parts), params
