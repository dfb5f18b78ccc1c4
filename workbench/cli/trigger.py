"""`workbench trigger ID|--prompt TEXT [--budget USD] [--moderation-only|--image] [--json]`.

Narrows a blocked request (by history ID) or any prompt to the span(s) that trigger, probing
with the free Moderations endpoint first and, within `--budget`, with real image calls at the
cheapest settings. Every probe is a history row linked to the request. Exit 0 when narrowed,
1 when not reproduced or stopped early (budget, cancel), 4 when a probe failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from workbench.cli._io import read_text_argument
from workbench.core.errors import BadInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("trigger", help="narrow a blocked prompt to what triggers the block")
    parser.add_argument("id", nargs="?", type=int, help="history ID of the request to narrow")
    parser.add_argument("--prompt", metavar="TEXT|-", help="narrow this prompt instead of a history entry")
    parser.add_argument("--profile", metavar="NAME", help="provider profile (default: as for generate)")
    parser.add_argument("--model", help="image model for image probes (default: the request's)")
    parser.add_argument("--budget", type=float, default=0.0, metavar="USD",
                        help="spending cap for image probes (default 0: moderation probes only)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--moderation-only", action="store_true", help="probe only with the free Moderations endpoint")
    kind.add_argument("--image", action="store_true", help="probe only with image calls (needs --budget)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.cli.generate import _choose_profile, make_recorder
    from workbench.core.trigger.run import plan

    if (args.id is None) == (args.prompt is None):
        raise BadInputError("give a history ID or --prompt TEXT (one of them)")
    mode = "moderation" if args.moderation_only else "image" if args.image else "auto"
    if mode == "image" and args.budget <= 0:
        raise BadInputError("--image needs a --budget above 0")
    recorder, store = make_recorder()
    try:
        prompt, params, parent_id = _source(args, store)
        profile = _choose_profile(args.profile)
        if args.model:
            params.model = args.model
        cost = plan(prompt, params, args.budget)
        if not args.json and mode != "moderation" and args.budget > 0:
            print(_plan_line(cost), file=sys.stderr, flush=True)
        result = asyncio.run(_run(profile, prompt, params, parent_id, mode, args.budget, recorder, store))
    finally:
        store.close()
    if args.json:
        out = result.to_dict()
        out["plan"] = {"clauses": cost.clauses, "max_probes": cost.max_probes,
                       "per_probe": cost.per_probe, "worst_case": cost.worst_case}
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(_format(result))
    return {"narrowed": 0, "error": 4}.get(result.status, 1)


def _source(args: argparse.Namespace, store: Any) -> tuple[str, Any, int | None]:
    from workbench.core.api.records import ImageParams

    if args.prompt is not None:
        return read_text_argument(args.prompt), ImageParams(), None
    entry = store.get(args.id)
    return entry.prompt, ImageParams.from_dict(dict(entry.params or {})), entry.id


async def _run(profile: Any, prompt: str, params: Any, parent_id: int | None, mode: str,
               budget: float, recorder: Any, store: Any) -> Any:
    from workbench.core.api.client import ImageClient
    from workbench.core.trigger.run import find_trigger

    server = None
    base_url = None
    if profile.kind == "sandbox" and not profile.base_url:
        from workbench.sandbox import SandboxServer

        server = SandboxServer().start()
        base_url = server.url
    try:
        async with ImageClient.for_profile(profile, base_url=base_url, recorder=recorder) as client:
            return await find_trigger(prompt, client, store=store, parent_id=parent_id, params=params,
                                      mode=mode, budget=budget)
    finally:
        if server is not None:
            server.stop()


def _plan_line(cost: Any) -> str:
    if cost.per_probe is None:
        return "no price for this model: image probes cannot be budgeted"
    return (f"image probes: about ${cost.per_probe:.4f} each, up to {cost.max_probes} probes "
            f"(${cost.worst_case:.4f}); the run stops before passing ${cost.budget:.2f}")


def _format(result: Any) -> str:
    lines = [f"{result.status} · {len(result.probes)} probes ({result.mode}) · spent ${result.spent:.4f}"]
    lines += [f"  [{a}:{b}] {result.prompt[a:b]!r}" for a, b in result.spans]
    lines.append(result.message)
    return "\n".join(lines)
