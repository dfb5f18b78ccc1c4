"""`workbench history list|search|show|lineage|export|purge|redact|backup|check|rebuild-fts`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli._history_args import (
    add_filter_args,
    filter_from_args,
    open_store,
    positive_int,
    safe,
    safe_block,
)
from workbench.cli._io import print_json_line
from workbench.core.appeal.document import pretty_body
from workbench.core.errors import BadInputError
from workbench.core.store import HistoryEntry, HistoryStore, HistorySummary
from workbench.core.store.export import export_to_file, iter_matching_ids, write_export
from workbench.core.store.timestamps import parse_age


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="list, search, show, export and maintain the request history")
    sub = parser.add_subparsers(dest="history_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="newest requests first")
    _page_args(p)
    add_filter_args(p)
    p.set_defaults(func=run_list, query="")

    p = sub.add_parser("search", help="full-text search over prompts, error messages, notes and request IDs")
    p.add_argument("query", help='words (prefix-matched) and "quoted phrases"')
    p.add_argument("--relevance", action="store_true", help="best matches first instead of newest first")
    _page_args(p)
    add_filter_args(p)
    p.set_defaults(func=run_list)

    p = sub.add_parser("show", help="everything stored about one request, raw error body included")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=run_show)

    p = sub.add_parser("lineage", help="the rewrite chain through a request")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="one JSON object per request")
    p.set_defaults(func=run_lineage)

    p = sub.add_parser("export", help="write matching requests as JSONL or CSV")
    p.add_argument("--query", default="", help="full-text query")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--output", "-o", default="-", metavar="PATH|-", help="file to write (default: standard output)")
    add_filter_args(p)
    p.set_defaults(func=run_export)

    p = sub.add_parser("purge", help="delete requests by age or filter (requests in appeals are kept)")
    p.add_argument("--older-than", metavar="AGE", help="e.g. 90d, 12w, 48h")
    p.add_argument("--all", action="store_true", help="every request (with --yes)")
    p.add_argument("--include-appealed", action="store_true", help="also delete requests that belong to an appeal")
    p.add_argument("--dry-run", action="store_true", help="only say how many would be deleted")
    p.add_argument("--yes", action="store_true", help="really delete")
    add_filter_args(p)
    p.set_defaults(func=run_purge)

    p = sub.add_parser("redact", help="replace the prompts of requests (and their echoes) with a marker")
    p.add_argument("ids", type=int, nargs="+", metavar="ID")
    p.add_argument("--yes", action="store_true", help="really redact (cannot be undone)")
    p.set_defaults(func=run_redact)

    p = sub.add_parser("backup", help="copy the history database (consistent even while in use)")
    p.add_argument("path", help="backup file, or a folder for a timestamped name")
    p.set_defaults(func=run_backup)

    p = sub.add_parser("check", help="integrity check of the database, search index and image files")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_check)

    p = sub.add_parser("rebuild-fts", help="rebuild the full-text search index (a damaged one is recreated)")
    p.set_defaults(func=run_rebuild_fts)


def _page_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=positive_int, default=50, help="rows to show (default 50)")
    p.add_argument("--offset", type=positive_int, default=0, help="rows to skip")
    p.add_argument("--json", action="store_true", help="one JSON object per request")


def run_list(args: argparse.Namespace) -> int:
    with open_store() as store:
        order = "relevance" if getattr(args, "relevance", False) else "newest"
        page = store.search(args.query, filter_from_args(args), limit=max(1, args.limit),
                            offset=args.offset, order=order)
        if args.json:
            for row in page.rows:
                print_json_line(row.to_dict())
            return 0
        total = store.count(args.query, filter_from_args(args))
        for row in page.rows:
            print(format_summary(row))
        shown = f"{args.offset + 1}-{args.offset + len(page.rows)}" if page.rows else "0"
        print(f"({shown} of {total})", file=sys.stderr)
    return 0


def format_summary(row: HistorySummary) -> str:
    what = row.outcome
    if row.stage and row.outcome.startswith("blocked"):
        what += f"[{','.join(row.categories) or '?'}]"
    elif row.error_code:
        what += f"[{row.error_code}]"
    parts = [f"#{row.id:<6}", row.created_at[:19].replace("T", " "), f"{what:<28}", f"{row.model or '-':<16}"]
    if row.request_id:
        parts.append(safe(row.request_id, 40))
    parts.append(safe(row.prompt_preview, 70))
    return "  ".join(parts)


def run_show(args: argparse.Namespace) -> int:
    with open_store() as store:
        entry = store.get(args.id)
        lineage = store.lineage(args.id)
    if args.json:
        data = entry.to_dict()
        data["lineage"] = [{"depth": n.depth, "id": n.summary.id, "outcome": n.summary.outcome} for n in lineage]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(format_entry(entry))
    if len(lineage) > 1:
        print("\nlineage:")
        for node in lineage:
            marker = "->" if node.summary.id == entry.id else "  "
            print(f" {marker} {'  ' * max(0, node.depth + 3)}#{node.summary.id} {node.summary.outcome}  "
                  f"{safe(node.summary.prompt_preview, 60)}")
    return 0


def format_entry(e: HistoryEntry) -> str:
    lines = [
        f"request #{e.id}  {e.outcome}" + (f"  ({e.stage} stage)" if e.stage else ""),
        f"created:     {e.created_at}" + (f"   completed: {e.completed_at}" if e.completed_at else ""),
        f"source:      {e.source}" + (f" ({safe(e.source_detail)})" if e.source_detail else ""),
        f"profile:     {safe(e.profile) or '-'}   provider: {e.provider or '-'}   base URL: {safe(e.base_url) or '-'}",
        f"endpoint:    {e.endpoint}   model: {safe(e.model) or '-'}"
        + (f" (answered by {safe(e.result_model)})" if e.result_model else ""),
        "parameters:  " + (", ".join(f"{k}={safe(str(v))}" for k, v in e.params.items()) or "-"),
    ]
    if e.request_ids:
        sources = e.request_id_sources or {}
        lines.append("request IDs: " + ", ".join(
            safe(i) + (f" ({sources[i]})" if i in sources else "") for i in e.request_ids))
    if e.http_status is not None or e.error_code:
        lines.append(f"error:       HTTP {e.http_status or '-'}  type={e.error_type or '-'}  "
                     f"code={e.error_code or '-'}  kind={e.error_kind or '-'}")
    if e.categories:
        lines.append(f"categories:  {', '.join(e.categories)}")
    if e.error_message:
        lines.append(f"message:     {safe(e.error_message)}")
    numbers = [f"latency {e.latency_ms:.0f} ms" if e.latency_ms is not None else "",
               f"tokens {e.total_tokens}" if e.total_tokens is not None else "",
               f"cost ${e.actual_cost:.4f}" if e.actual_cost is not None else "",
               f"estimated ${e.estimated_cost:.4f}" if e.estimated_cost is not None else "",
               f"retries {e.retries}" if e.retries else ""]
    if any(numbers):
        lines.append("numbers:     " + ", ".join(n for n in numbers if n))
    if e.verdict:
        terms = ", ".join(f"{safe(f.get('term') or f.get('text'))} ({f.get('category')})" for f in e.findings)
        lines.append(f"screening:   {e.verdict}" + (f" - {terms}" if terms else ""))
    if e.parent_id:
        lines.append(f"rewrite of:  #{e.parent_id}")
    for image in e.images:
        lines.append(f"image:       {image.role} {image.width}x{image.height} {image.path}")
    if e.review_state:
        lines.append(f"review:      {e.review_state}")
    for r in e.reviews:
        what = f"image {r['image_position']}" if r["image_position"] else "request"
        lines.append(f"  {r['created_at']} {r['state']} {what} by {safe(r['reviewer']) or '?'}: {safe(r['note'], 200)}")
    lines += ["", "prompt:", safe_block(e.prompt) or "(empty)"]
    if e.raw_body:
        lines += ["", "raw error body:", safe_block(pretty_body(e.raw_body))]
    if e.notes:
        lines += ["", "notes:", safe_block(e.notes)]
    return "\n".join(lines)


def run_lineage(args: argparse.Namespace) -> int:
    with open_store() as store:
        nodes = store.lineage(args.id)
    for node in nodes:
        if args.json:
            print_json_line({"depth": node.depth, **node.summary.to_dict()})
        else:
            print(f"{'  ' * max(0, node.depth - nodes[0].depth)}{format_summary(node.summary)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_store() as store:
        ids = iter_matching_ids(store, args.query, filter_from_args(args))
        if args.output == "-":
            write_export(store, ids, args.format, sys.stdout)
            return 0
        export_to_file(store, ids, args.format, Path(args.output))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def run_purge(args: argparse.Namespace) -> int:
    hours = None
    if args.older_than:
        try:
            hours = parse_age(args.older_than).total_seconds() / 3600
        except ValueError as exc:
            raise BadInputError(str(exc)) from None
    with open_store() as store:
        flt = filter_from_args(args)
        kwargs = dict(older_than_hours=hours, everything=args.all, include_appealed=args.include_appealed)
        count = store.purge(flt, dry_run=True, **kwargs)
        if args.dry_run or not args.yes:
            print(f"{count} request(s) would be deleted" + ("" if args.dry_run else "; add --yes to delete them"))
            return 0 if args.dry_run or count == 0 else 1
        deleted = store.purge(flt, **kwargs)
    print(f"deleted {deleted} request(s)")
    return 0


def run_redact(args: argparse.Namespace) -> int:
    if not args.yes:
        raise BadInputError("redaction cannot be undone; add --yes to redact " + ", ".join(f"#{i}" for i in args.ids))
    with open_store() as store:
        changed = store.redact(args.ids)
    print(f"redacted {changed} request(s)")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    with open_store() as store:
        path = store.backup(Path(args.path))
    print(f"backup written to {path}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    with open_store() as store:
        report = store.integrity_check()
    if args.json:
        print(json.dumps({"ok": report.ok, "problems": report.problems, "rows": report.rows,
                          "images_checked": report.images_checked, "skipped": report.skipped}))
    else:
        print(f"{'ok' if report.ok else 'PROBLEMS FOUND'}: {report.rows} request(s), "
              f"{report.images_checked} image file(s) checked")
        for problem in report.problems:
            print(f"  {problem}")
        for note in report.skipped:
            print(f"  {note}")
    return 0 if report.ok else 1


def run_rebuild_fts(args: argparse.Namespace) -> int:
    print(HistoryStore.rebuild_fts())
    return 0
