"""`workbench compare PROMPT --profile A --profile B --model M … [--rewrite auto|TEXT] [--json]`.

Runs the prompt (and its rewrites) on every profile × model and prints the grid: outcome,
stage, categories, latency and cost per cell. Every cell is a history row. Exit 0 when every
cell ran (whatever the verdicts), 4 when a cell failed for another reason than a block.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from workbench.cli._io import read_text_argument
from workbench.core.errors import BadInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("compare", help="run a prompt and its rewrites on several profiles and models")
    parser.add_argument("prompt", metavar="PROMPT|-", help="the prompt, or - for standard input")
    parser.add_argument("--profile", action="append", default=[], metavar="NAME",
                        help="a provider profile (repeatable; default: as for generate)")
    parser.add_argument("--model", action="append", default=[], metavar="MODEL",
                        help="a model (repeatable; default: each profile's default model)")
    parser.add_argument("--rewrite", action="append", default=[], metavar="auto|TEXT",
                        help="a rewrite to compare: 'auto' = desensitize, or the text itself (repeatable)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="image parameter for every cell, as for generate")
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight per provider (default 2)")
    parser.add_argument("--json", action="store_true", help="print the grid as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.cli.generate import _choose_profile, make_recorder, parse_params
    from workbench.core.compare.grid import Target

    prompt = read_text_argument(args.prompt)
    prompts = [prompt] + [_rewrite(prompt, r) for r in args.rewrite]
    profiles = [_choose_profile(name) for name in (args.profile or [None])]
    targets = [Target(p.name, m) for p in profiles for m in (args.model or [p.default_model])]
    params = parse_params(args.param, default_model=targets[0].model)
    recorder, store = make_recorder()
    try:
        grid = asyncio.run(_run(prompts, targets, {p.name: p for p in profiles}, params, args.concurrency, recorder))
    finally:
        store.close()
    print(json.dumps(grid.to_dict(), ensure_ascii=False) if args.json else _format(grid))
    return 4 if grid.summary()["other"] else 0


def _rewrite(prompt: str, how: str) -> str:
    if how != "auto":
        if not how.strip():
            raise BadInputError("--rewrite needs 'auto' or the rewritten text")
        return how
    from workbench.core.rewrite import desensitize

    result = desensitize(prompt)
    if result.hard_block or result.rewritten == prompt:
        raise BadInputError(f"desensitize offers no rewrite for this prompt: {result.message}")
    return result.rewritten


async def _run(prompts: list[str], targets: list[Any], profiles: dict[str, Any], params: Any,
               concurrency: int, recorder: Any) -> Any:
    from workbench.core.api.client import ImageClient
    from workbench.core.compare.grid import run_grid

    server = None
    if any(p.kind == "sandbox" and not p.base_url for p in profiles.values()):
        from workbench.sandbox import SandboxServer

        server = SandboxServer().start()
    clients = {}
    try:
        for name, profile in profiles.items():
            url = server.url if server is not None and profile.kind == "sandbox" and not profile.base_url else None
            clients[name] = ImageClient.for_profile(profile, base_url=url, recorder=recorder)
        return await run_grid(prompts, targets, clients, params=params, concurrency=concurrency)
    finally:
        for client in clients.values():
            await client.aclose()
        if server is not None:
            server.stop()


def _format(grid: Any) -> str:
    lines = []
    for r, prompt in enumerate(grid.prompts):
        lines.append(f"{'prompt' if r == 0 else f'rewrite {r}'}: {prompt[:100]}")
        for cell in grid.cells[r]:
            what = cell.outcome + (f" [{', '.join(cell.categories)}]" if cell.categories else "")
            cost = "cost n/a" if cell.cost is None else f"${cell.cost:.4f}"
            lines.append(f"  {cell.profile} · {cell.model}: {what} · {cell.latency_ms or 0:.0f} ms · {cost}"
                         f" · #{cell.history_id}")
    s = grid.summary()
    lines.append(f"{s['cells']} cells: {s['ok']} ok, {s['blocked']} blocked, {s['other']} other · "
                 f"${s['cost']:.4f} actual (${s['estimated_cost']:.4f} estimated)")
    return "\n".join(lines)
