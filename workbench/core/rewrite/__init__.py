"""Rewriting risky prompts: desensitize, framing statements, and the optional LLM rewrite.

- `desensitize(text)` rewrites every rewritable finding and returns edits a UI can preview.
- `suggest_framings(scan_result)` / `apply_framing(text, framing)` add a creative framing.
- `workbench.core.rewrite.llm` builds the "two-step description" chat request and screens
  what the model proposes. Nothing here applies a change by itself.
"""

from __future__ import annotations

from workbench.core.rewrite.desensitize import desensitize, plan_edits
from workbench.core.rewrite.edits import apply_edits
from workbench.core.rewrite.framing import (
    apply_framing,
    best_framing,
    find_framing,
    known_framings,
    suggest_framings,
    with_framing,
)
from workbench.core.rewrite.models import Edit, FramingSuggestion, RewriteResult

__all__ = [
    "Edit",
    "FramingSuggestion",
    "RewriteResult",
    "apply_edits",
    "apply_framing",
    "best_framing",
    "desensitize",
    "find_framing",
    "known_framings",
    "plan_edits",
    "suggest_framings",
    "with_framing",
]
