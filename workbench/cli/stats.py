"""`workbench stats [--json]`: violation rate, categories, top blocked prompts, calibration."""

from __future__ import annotations

import argparse
import json

from workbench.cli._history_args import add_filter_args, filter_from_args, open_store, positive_int, safe
from workbench.core.store.stats import DashboardStats, compute_stats


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="dashboard figures: violation rate, categories, calibration map")
    parser.add_argument("--by", choices=("day", "week"), default="day", help="trend period (default: day)")
    parser.add_argument("--top", type=positive_int, default=10, help="how many top blocked prompts")
    parser.add_argument("--json", action="store_true", help="everything as one JSON object")
    add_filter_args(parser, outcome=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        stats = compute_stats(store, filter_from_args(args), trend=args.by, top=args.top)
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False))
    else:
        print(format_stats(stats))
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def format_stats(s: DashboardStats) -> str:
    v = s.violation
    lines = [
        f"requests: {s.total}  (" + ", ".join(f"{k} {n}" for k, n in s.by_outcome.items()) + ")",
        f"violation rate: {_pct(v.rate)} - {v.band}  ({v.blocked} blocked of {v.judged} judged; "
        f"input {v.blocked_input}, output {v.blocked_output}, stage unknown {v.blocked_unknown}; "
        "bands: <2 % healthy, 2-5 % watch, >5 % systemic)",
    ]
    if s.categories:
        lines.append("categories: " + ", ".join(f"{c.category} {c.count} ({_pct(c.share)})" for c in s.categories))
    r = s.rewrite
    lines.append(f"after rewrite: {r.passed} of {r.rewrites} rewrites passed ({_pct(r.pass_rate)}); "
                 f"{r.recovered} of {r.blocked_with_rewrites} blocked prompts recovered")
    c = s.costs
    lines.append(f"cost: ${c.actual_cost:.2f} actual ({c.priced_requests} priced requests), "
                 f"${c.estimated_cost:.2f} estimated; tokens in {c.input_tokens}, out {c.output_tokens}")
    if s.top_blocked:
        lines.append("top blocked prompts:")
        lines += [f"  {t.blocked}x of {t.attempts}  {safe(t.prompt, 80)}" for t in s.top_blocked]
    if s.trend:
        lines.append(f"trend per {s.trend_unit} (last 14):")
        lines += [f"  {p.period}  {p.total:>6}  blocked {p.blocked:>5}  {_pct(p.rate):>8}  {p.band}"
                  for p in s.trend[-14:]]
    rv = s.reviews
    if any(rv.values()):
        lines.append(f"human review: {rv['approved']} approved, {rv['rejected']} rejected, "
                     f"{rv['unreviewed']} not reviewed (requests with images)")
    if s.calibration_terms:
        lines.append("calibration (local finding -> actual outcome):")
        lines += [f"  {safe(t.term, 32):<32} {t.category:<16} blocked {t.blocked:>5} / {t.requests:<6} "
                  f"{_pct(t.block_rate)}" for t in s.calibration_terms[:20]]
    lines.append(f"blocks with no local finding: {s.blocked_without_findings}")
    return "\n".join(lines)
