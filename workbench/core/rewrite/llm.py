"""The optional LLM rewrite: the "two-step description" through chat completions.

A text model turns the idea into a pure visual description (no names, brands, living artists,
or harmful wording); its answer is screened locally and returned as a proposal with a diff.
Nothing is applied: the caller shows the diff and applies it only when the user asks.

The chat call is injected, so this module needs no provider: pass any async callable shaped
like `ImageClient.chat` — `chat(messages, *, model=None, temperature=None) -> ChatResult | str`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from workbench import paths
from workbench.core.errors import BadInputError, LexiconError
from workbench.core.rewrite.desensitize import (
    Scanner,
    default_scanner,
    hard_line_message,
    scene_findings,
    scene_message,
)
from workbench.core.rewrite.models import Edit
from workbench.core.rewrite.table import default_table
from workbench.core.screening.models import Finding, ScanResult, verdict_for

ChatFn = Callable[..., Awaitable[Any]]
Message = dict[str, str]

DECLINE_TOKEN = "CANNOT_REWRITE"
LLM_CATEGORY = "llm-rewrite"
MAX_PROMPT_CHARS = 32_000  # the image API's prompt limit
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


class _Sent(TypedDict):
    """The `LlmRewrite` fields known once the model has answered, whatever it said."""
    original: str
    model: str | None
    request_ids: tuple[str, ...]
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class LlmRewrite:
    """A model's proposed rewrite, screened. `proposed` is empty when there is none."""

    original: str
    proposed: str = ""
    edits: tuple[Edit, ...] = ()
    remaining: tuple[Finding, ...] = ()  # findings of the local scan of `proposed`
    hard_block: bool = False
    declined: bool = False  # the model answered CANNOT_REWRITE
    message: str = ""
    model: str | None = None
    request_ids: tuple[str, ...] = ()
    error: Any = None  # the provider's ErrorRecord when the call failed
    messages: tuple[Message, ...] = field(default=(), repr=False)  # what was sent

    @property
    def ok(self) -> bool:
        return bool(self.proposed) and self.error is None

    @property
    def verdict(self) -> str:
        return verdict_for(self.remaining)

    def to_dict(self) -> dict[str, Any]:
        return {
            "original": self.original,
            "proposed": self.proposed,
            "edits": [e.to_dict() for e in self.edits],
            "remaining": [f.to_dict() for f in self.remaining],
            "verdict": self.verdict if self.proposed else None,
            "hard_block": self.hard_block,
            "declined": self.declined,
            "message": self.message,
            "model": self.model,
            "request_ids": list(self.request_ids),
        }


def system_prompt() -> str:
    """The authored system prompt (resources/rewrite/two_step_system.txt)."""
    path = paths.resource("rewrite", "two_step_system.txt")
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise LexiconError(f"cannot read the rewrite system prompt {path}: {exc}") from None


def build_messages(text: str, scan_result: ScanResult | None = None) -> list[Message]:
    """The chat request: the system prompt, then the idea with what local screening found,
    so the model knows which words to leave out."""
    idea = text.strip()
    if not idea:
        raise BadInputError("nothing to rewrite: the prompt is empty")
    user = f"Idea:\n{idea}"
    flagged = _flag_list(scan_result)
    if flagged:
        user += "\n\nFlagged locally (leave these out or describe them visually):\n" + flagged
    return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": user}]


def _flag_list(scan_result: ScanResult | None) -> str:
    if scan_result is None:
        return ""
    lines = dict.fromkeys(f"- {f.text.strip()} ({f.category})" for f in scan_result.findings if f.text.strip())
    return "\n".join(lines)


def clean_reply(reply: str) -> str:
    """The prompt inside a model's reply: without code fences, wrapping quotes or a label."""
    text = reply.strip()
    fenced = re.fullmatch(r"```[\w-]*\s*\n?(.*?)\n?```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    text = re.sub(r"(?i)^(?:rewritten prompt|prompt|description)\s*:\s*", "", text)
    if len(text) >= 2 and text[0] + text[-1] in ('""', "''", "“”", "‘’"):
        text = text[1:-1].strip()
    return text


def diff_edits(original: str, proposed: str) -> list[Edit]:
    """Word-level edits taking `original` to `proposed`, with offsets into `original`."""
    a, b = _TOKEN.findall(original), _TOKEN.findall(proposed)
    offsets = [0]
    for token in a:
        offsets.append(offsets[-1] + len(token))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    edits = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        start, end = offsets[i1], offsets[i2]
        edits.append(
            Edit(start, end, original[start:end], "".join(b[j1:j2]), LLM_CATEGORY,
                 "Two-step description: the model rewrote the idea as a visual description.")
        )
    return edits


async def llm_rewrite(
    text: str,
    chat: ChatFn,
    *,
    model: str | None = None,
    temperature: float | None = None,
    scan_result: ScanResult | None = None,
    scanner: Scanner | None = None,
) -> LlmRewrite:
    """Ask a text model for a two-step rewrite of `text`, and screen what it proposes.

    A hard-line prompt is not sent at all. A failed call comes back with `error` set (the
    provider's ErrorRecord) and no proposal.

    Raises:
        BadInputError: for an empty prompt.
    """
    scan = scanner or default_scanner()
    first = scan_result if scan_result is not None else scan(text)
    critical = [f for f in first.findings if f.severity == "critical"]
    if critical:
        return LlmRewrite(text, hard_block=True, remaining=first.findings,
                          message=hard_line_message(critical, default_table()))
    scenes = scene_findings(first.findings)
    if scenes:  # asking a model to reword a harmful scene is asking it to disguise the scene
        return LlmRewrite(text, hard_block=True, remaining=first.findings, message=scene_message(scenes))
    messages = build_messages(text, first)
    kwargs: dict[str, Any] = {}
    if model is not None:
        kwargs["model"] = model
    if temperature is not None:
        kwargs["temperature"] = temperature
    reply = await chat(messages, **kwargs)
    reply_text, error, used_model, request_ids = _unpack(reply, model)
    base = _Sent(original=text, model=used_model, request_ids=request_ids, messages=tuple(messages))
    if error is not None:
        message = getattr(error, "message", "") or str(error)
        return LlmRewrite(**base, error=error, message=f"The rewrite request failed: {message}")
    proposed = clean_reply(reply_text)
    if proposed.strip().upper().rstrip(".") == DECLINE_TOKEN:
        return LlmRewrite(**base, declined=True, message="The model declined: this idea cannot be shown safely.")
    if not proposed:
        return LlmRewrite(**base, message="The model returned no text.")
    remaining = scan(proposed).findings
    note = f"Proposed rewrite; verdict {first.verdict} → {verdict_for(remaining)}. Not applied."
    if len(proposed) > MAX_PROMPT_CHARS:
        note += f" It is longer than the image API's {MAX_PROMPT_CHARS:,}-character limit."
    return LlmRewrite(**base, proposed=proposed, edits=tuple(diff_edits(text, proposed)),
                      remaining=remaining, message=note)


def _unpack(reply: Any, model: str | None) -> tuple[str, Any, str | None, tuple[str, ...]]:
    """(text, error, model, request_ids) from a ChatResult-like object or a plain string."""
    if isinstance(reply, str):
        return reply, None, model, ()
    if isinstance(reply, Mapping):
        get = reply.get
    else:
        def get(name: str, default: Any = None) -> Any:
            return getattr(reply, name, default)
    ids: Sequence[str] = get("request_ids", ()) or ()
    return str(get("text", "") or ""), get("error"), get("model") or model, tuple(ids)
