"""The narrowing search on its own: probe counts and combinations (no network)."""

from __future__ import annotations

import asyncio

import pytest

from workbench.core.trigger import search, units

CALM = "a calm meadow, soft light and a quiet river."


def prompt_with(trigger_at: int, count: int = 32, trigger: str = "a decapitated statue") -> str:
    parts = [f"Scene {i}: {CALM}" for i in range(count)]
    parts[trigger_at] = f"Scene {trigger_at}: {trigger}, soft light and a quiet river."
    return " ".join(parts)


class Counter:
    def __init__(self, text: str, needs: tuple[str, ...]) -> None:
        self.text, self.needs, self.calls = text, needs, 0

    async def __call__(self, spans):
        self.calls += 1
        probe = units.join(self.text, spans)
        return all(word in probe for word in self.needs)


@pytest.mark.parametrize("at", range(32))
def test_one_trigger_in_32_clauses_takes_at_most_6_probes(at):
    text = prompt_with(at)
    probe = Counter(text, ("decapitated",))
    found = asyncio.run(search.narrow(units.clause_spans(text), probe))
    assert [text[a:b] for a, b in found] == [f"Scene {at}: a decapitated statue, soft light and a quiet river."]
    assert probe.calls <= 6  # + the first whole-prompt probe of a run = 7, the bar


def test_a_trigger_that_needs_two_clauses_is_found_whole():
    text = "A child in a park. Sunny day. Birds sing. Kites fly. A rifle leans on the bench. Clouds."
    probe = Counter(text, ("child", "rifle"))
    found = asyncio.run(search.narrow(units.clause_spans(text), probe))
    assert [text[a:b] for a, b in found] == ["A child in a park.", "A rifle leans on the bench."]


def test_progress_reports_only_confirmed_subsets():
    text = prompt_with(5, count=8)
    seen = []
    probe = Counter(text, ("decapitated",))
    asyncio.run(search.narrow(units.clause_spans(text), probe, on_confirmed=seen.append))
    assert seen and all("decapitated" in units.join(text, s) for s in seen)


def test_phrases_of_a_clause():
    text = "Portrait of a knight holding a sword, golden light: oil on canvas"
    spans = units.phrase_spans(text, (0, len(text)))
    assert [text[a:b] for a, b in spans] == ["Portrait of a knight", "a sword", "golden light", "oil on canvas"]


def test_a_clause_without_breaks_splits_into_word_pairs():
    text = "decapitated marble statue in moonlight"
    spans = units.phrase_spans(text, (0, len(text)))
    assert [text[a:b] for a, b in spans] == ["decapitated marble", "statue in", "moonlight"]
