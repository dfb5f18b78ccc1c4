"""`workbench calibration show|reset|export|import|recompute`: what the verdict learned from history."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli._history_args import open_store, safe
from workbench.core.calibration import exchange, history, model, report
from workbench.core.errors import BadInputError
from workbench.core.io.files import atomic_write_text
from workbench.core.store.db import translate_errors
from workbench.core.store.timestamps import utc_now
from workbench.core.team.ids import machine_id


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibration", help="learned calibration: what passed or was blocked per term and model family")
    sub = parser.add_subparsers(dest="calibration_command", metavar="ACTION", required=True)

    p = sub.add_parser("show", help="per model family and term: passes, blocks, posterior, how sure")
    p.add_argument("--family", help="only this model family (policy profile id, e.g. gpt-image-2)")
    p.add_argument("--term", help="only this term")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=run_show)

    p = sub.add_parser("reset", help="forget what was learned (outcomes so far are not counted again)")
    p.add_argument("--keep-imported", action="store_true", help="keep teammates' imported counts")
    p.add_argument("--yes", action="store_true", help="really reset")
    p.set_defaults(func=run_reset)

    p = sub.add_parser("export", help="write every count as one JSON file a team can share")
    p.add_argument("file", metavar="FILE|-", help="file to write, or - for standard output")
    p.set_defaults(func=run_export)

    p = sub.add_parser("import", help="add a teammate's exported calibration (validated; a bad file changes nothing)")
    p.add_argument("file", metavar="FILE", help="a file written by `workbench calibration export`")
    p.add_argument("--json", action="store_true", help="what was imported, as one JSON object")
    p.set_defaults(func=run_import)

    p = sub.add_parser("recompute", help="recount the history's calibration from scratch")
    p.add_argument("--all", action="store_true", help="also count outcomes from before the last reset")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=run_recompute)


def run_show(args: argparse.Namespace) -> int:
    with open_store() as store, translate_errors(store.path):
        snap = history.load(store.db, str(store.path))
        about = history.describe(store.db)
        recorded = history.recorded_severities(store.db)
    rows = report.learned(snap, family=args.family, term=args.term, recorded=recorded)
    if args.json:
        print(json.dumps({"model": {"K": model.K, "prior": model.PRIOR, "high_at": model.HIGH_AT,
                                    "medium_at": model.MEDIUM_AT},
                          "origins": about["origins"], "reset_after": about["reset_after"],
                          "rows": [r.to_dict() for r in rows]}, ensure_ascii=False))
        return 0
    print(format_rows(rows, about))
    return 0


def format_rows(rows: list[report.Learned], about: dict) -> str:
    imported = {o: n for o, n in about["origins"].items() if o != history.HISTORY}
    lines = [f"calibration: {len(rows)} finding(s) on {len({r.family for r in rows})} model family(ies); "
             f"from this history {about['origins'].get(history.HISTORY, 0)}"
             + (f", imported from {len(imported)} teammate(s) {sum(imported.values())}" if imported else "")
             + f"  (K = {model.K:g}: the profile's opinion is worth {model.K:g} requests)"]
    if not rows:
        lines.append("nothing learned yet: real outcomes (not Sandbox or demo) are counted as they are recorded")
        return "\n".join(lines)
    family = None
    for r in rows:
        if r.family != family:
            family = r.family
            lines.append(f"{family}:")
            lines.append(f"  {'term':<28} {'category':<16} {'passed':>9} {'blocked':>7}  {'prior':<8} "
                         f"{'learned':>7} {'sure':>5}  reads as")
        c = r.counts
        reads = "-" if r.reads_as is None else (f"{r.prior} -> {r.reads_as}" if r.changed else r.reads_as)
        lines.append(f"  {safe(r.term, 28):<28} {r.category:<16} {f'{c.passes}/{c.requests}':>9} {c.blocks:>7}  "
                     f"{r.prior or '-':<8} {r.posterior * 100:>6.1f}% {r.sure * 100:>4.0f}%  {reads}")
    return "\n".join(lines)


def run_reset(args: argparse.Namespace) -> int:
    if not args.yes:
        raise BadInputError("reset forgets what calibration learned; add --yes to do it "
                            "(export it first to keep a copy)")
    with open_store() as store, translate_errors(store.path):
        removed = history.reset(store.db, imported=not args.keep_imported)
    print(f"calibration reset: {removed} count(s) forgotten; outcomes recorded from now on are counted")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_store() as store, translate_errors(store.path):
        history.load(store.db, str(store.path))
        doc = exchange.document(store.db, machine_id(), utc_now())
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
        return 0
    atomic_write_text(Path(args.file), text)
    print(f"exported {len(doc['counts'])} count(s) to {args.file}", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    data = exchange.read(Path(args.file))
    with open_store() as store, translate_errors(store.path):
        result = exchange.import_document(store.db, data, machine_id())
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    parts = [f"imported {result.rows} count(s) from {len(result.origins)} teammate(s)"]
    if result.skipped_own:
        parts.append(f"{result.skipped_own} row(s) learned on this installation skipped (already in this history)")
    if result.skipped_older:
        parts.append(f"{len(result.skipped_older)} teammate(s) skipped: a newer file of theirs is already imported")
    print("; ".join(parts))
    return 0


def run_recompute(args: argparse.Namespace) -> int:
    import time

    with open_store() as store, translate_errors(store.path):
        if args.all:
            history.forget_reset(store.db)
        started = time.perf_counter()
        keys = history.recompute(store.db)
        seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"keys": keys, "seconds": round(seconds, 3)}))
    else:
        print(f"recounted: {keys} finding(s) × model family in {seconds:.2f} s")
    return 0
