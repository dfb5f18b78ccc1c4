"""Narrowing spans with a yes/no probe: a binary search that also finds combinations.

`narrow(spans, probe)` assumes the whole set triggers and returns a small subset that still
does. At each step it probes one half: if that half triggers alone, it goes on there; if not,
it *assumes* the other half carries the trigger and goes on there without a probe. The final
subset is probed once to confirm. Only when that confirmation fails (the trigger needs parts of
both halves: "a child" in one clause, "a gun" in another) does it fall back to the exact
search, which tests both halves at every step and keeps what each needs from the other.

One trigger among 32 clauses costs 5 halving probes + at most 1 confirmation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
Probe = Callable[[list[T]], Awaitable[bool]]
Progress = Callable[[list[T]], None]


def _quiet(_: list[T]) -> None:
    pass


async def narrow(items: Sequence[T], probe: Probe[T], *, context: Sequence[T] = (),
                 on_confirmed: Progress[T] = _quiet) -> list[T]:
    """A small subset of `items` that, with `context`, still makes `probe` say yes.

    `on_confirmed` is told each smaller subset a probe has shown to trigger (the best result
    so far, should the run stop early)."""
    items = list(items)
    ctx = list(context)
    current, confirmed = items, True
    while len(current) > 1:
        half = len(current) // 2
        first, second = current[:half], current[half:]
        if await probe(ctx + first):
            current, confirmed = first, True
            on_confirmed(current)
        else:
            current, confirmed = second, False
    if confirmed:
        return current
    if await probe(ctx + current):
        on_confirmed(current)
        return current
    return await exact(items, probe, context=ctx, on_confirmed=on_confirmed)


async def exact(items: Sequence[T], probe: Probe[T], *, context: Sequence[T] = (),
                on_confirmed: Progress[T] = _quiet) -> list[T]:
    """The classic recursive search (both halves tested); finds triggers that need two parts."""
    items = list(items)
    ctx = list(context)
    if len(items) <= 1:
        return items
    half = len(items) // 2
    first, second = items[:half], items[half:]
    for part in (first, second):
        if await probe(ctx + part):
            on_confirmed(part)
            return await exact(part, probe, context=ctx, on_confirmed=on_confirmed)
    needed_first = await exact(first, probe, context=ctx + second)
    needed_second = await exact(second, probe, context=ctx + needed_first)
    return needed_first + needed_second
