"""The LLM rewrite: request construction, screening of the reply, and the real client wiring.

Replies in the unit tests come from test doubles of the chat call (never shown as model
output); the last test goes through `ImageClient.chat` to the local Sandbox on 127.0.0.1.
"""

from __future__ import annotations

import asyncio

import pytest
from rewrite_fakes import fake_scan

from workbench import paths
from workbench.core.api.records import ErrorRecord
from workbench.core.api.results import ChatResult
from workbench.core.errors import BadInputError
from workbench.core.rewrite import apply_edits
from workbench.core.rewrite.llm import build_messages, clean_reply, diff_edits, llm_rewrite, system_prompt


class ChatDouble:
    """Records what it was asked and answers with a prepared reply."""

    def __init__(self, reply):
        self.reply = reply
        self.calls = []

    async def __call__(self, messages, **kwargs):
        self.calls.append((messages, kwargs))
        return self.reply


def run(coro):
    return asyncio.run(coro)


def test_system_prompt_is_the_authored_resource():
    text = paths.resource("rewrite", "two_step_system.txt").read_text(encoding="utf-8").strip()
    assert system_prompt() == text
    assert "two steps" in text and "CANNOT_REWRITE" in text


def test_messages_carry_the_idea_and_the_local_findings():
    text = "two knights fighting with swords"
    messages = build_messages(text, fake_scan(text))
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == system_prompt()
    user = messages[1]["content"]
    assert text in user
    assert "- fighting (violence)" in user and "- swords (violence)" in user


def test_messages_refuse_an_empty_prompt():
    with pytest.raises(BadInputError):
        build_messages("   ")


def test_a_reply_is_screened_and_returned_as_a_diff_not_applied():
    text = "a knight with a sword"
    chat = ChatDouble(ChatResult(text="a knight with a gun, at dusk", model="m-1", request_ids=["req_1"]))
    result = run(llm_rewrite(text, chat, model="m-1", scanner=fake_scan))
    assert result.proposed == "a knight with a gun, at dusk"
    assert result.verdict == "likely_blocked"  # the proposal is screened like any prompt
    assert [f.text for f in result.remaining] == ["gun"]
    assert apply_edits(text, result.edits) == result.proposed
    assert result.model == "m-1" and result.request_ids == ("req_1",)
    assert "Not applied" in result.message
    messages, kwargs = chat.calls[0]
    assert kwargs == {"model": "m-1"} and messages[0]["role"] == "system"


def test_a_hard_line_is_never_sent():
    chat = ChatDouble("anything")
    result = run(llm_rewrite("a nudechild", chat, scanner=fake_scan))
    assert result.hard_block and not result.proposed
    assert chat.calls == []


def test_a_failed_call_reports_the_error():
    error = ErrorRecord(kind="network", message="Could not connect")
    result = run(llm_rewrite("a sword", ChatDouble(ChatResult(error=error)), scanner=fake_scan))
    assert result.error is error and not result.ok and not result.proposed
    assert "Could not connect" in result.message


def test_a_declined_rewrite_is_reported():
    result = run(llm_rewrite("a sword", ChatDouble("CANNOT_REWRITE"), scanner=fake_scan))
    assert result.declined and not result.proposed


@pytest.mark.parametrize(
    "reply, cleaned",
    [
        ('"A knight at dusk."', "A knight at dusk."),
        ("```\nA knight at dusk.\n```", "A knight at dusk."),
        ("Prompt: A knight at dusk.", "A knight at dusk."),
        ("  A knight at dusk.  ", "A knight at dusk."),
    ],
)
def test_clean_reply(reply, cleaned):
    assert clean_reply(reply) == cleaned


def test_diff_edits_rebuild_the_proposal():
    original, proposed = "Two warriors fighting, blood everywhere.", "Two armored figures facing off, red light."
    edits = diff_edits(original, proposed)
    assert apply_edits(original, edits) == proposed
    assert all(original[e.start:e.end] == e.before for e in edits)


def test_through_the_real_client_and_the_sandbox():
    from workbench.core.api.client import ImageClient
    from workbench.core.api.profiles import Profile
    from workbench.core.api.retry import RetryPolicy
    from workbench.sandbox import SandboxServer

    text = "two knights fighting with swords in the rain"

    async def go(url):
        client = ImageClient.for_profile(
            Profile(name="Sandbox", kind="sandbox", base_url=url), retry=RetryPolicy(max_retries=0), timeout=20.0
        )
        async with client:
            return await llm_rewrite(text, client.chat)

    with SandboxServer() as server:
        result = run(go(server.url))
    assert result.error is None and result.proposed
    assert result.proposed != text
    assert apply_edits(text, result.edits) == result.proposed
    assert result.request_ids
