"""`workbench appeal create|list|show|set|export|delete`: appeal packets for blocked requests."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli._history_args import open_store, safe, safe_block
from workbench.cli._io import print_json_line
from workbench.core.appeal import APPEAL_STATUSES, FORMATS, Appeal, AppealStore, build_packet, export_packet
from workbench.core.appeal.export import default_filename
from workbench.core.errors import BadInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("appeal", help="group blocked requests into an appeal and export its packet")
    sub = parser.add_subparsers(dest="appeal_command", metavar="ACTION", required=True)

    p = sub.add_parser("create", help="new draft appeal from history request numbers")
    p.add_argument("requests", type=int, nargs="+", metavar="REQUEST_ID", help="history request numbers (#id)")
    _text_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_create)

    p = sub.add_parser("list", help="appeals, most recently changed first")
    p.add_argument("--status", choices=APPEAL_STATUSES)
    p.add_argument("--json", action="store_true", help="one JSON object per appeal")
    p.set_defaults(func=run_list)

    p = sub.add_parser("show", help="an appeal with its checklist")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="the full packet as JSON")
    p.add_argument("--redact-echoes", action="store_true", help="redact prompt echoes in provider bodies")
    p.set_defaults(func=run_show)

    p = sub.add_parser("set", help="change status, ticket, texts or requests of an appeal")
    p.add_argument("id", type=int)
    p.add_argument("--status", choices=APPEAL_STATUSES)
    _text_args(p)
    p.add_argument("--add", type=int, nargs="+", default=[], metavar="REQUEST_ID")
    p.add_argument("--remove", type=int, nargs="+", default=[], metavar="REQUEST_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_set)

    p = sub.add_parser("export", help="write the appeal packet (Markdown, JSON, PDF or a ZIP bundle)")
    p.add_argument("ids", type=int, nargs="+", metavar="ID")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--output", "-o", required=True, metavar="PATH",
                   help="file to write, or a folder (required for several appeals)")
    p.add_argument("--redact-echoes", action="store_true", help="redact prompt echoes in provider bodies")
    p.set_defaults(func=run_export)

    p = sub.add_parser("delete", help="delete an appeal (its requests stay in history)")
    p.add_argument("id", type=int)
    p.set_defaults(func=run_delete)


def _text_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--title")
    p.add_argument("--context", dest="business_context", help="business context: why this prompt is needed")
    p.add_argument("--account", dest="account_id", help="account ID")
    p.add_argument("--org", dest="org_id", help="organisation ID")
    p.add_argument("--ticket", help="support ticket number")
    p.add_argument("--notes")


def _texts(args: argparse.Namespace) -> dict[str, str]:
    names = ("title", "business_context", "account_id", "org_id", "ticket", "notes")
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def run_create(args: argparse.Namespace) -> int:
    with open_store() as store:
        appeal = AppealStore(store).create(args.requests, **_texts(args))
    if args.json:
        print(json.dumps(appeal.to_dict(), ensure_ascii=False))
    else:
        print(f"created appeal #{appeal.id} (draft) with request(s) "
              + ", ".join(f"#{i}" for i in appeal.request_ids))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store() as store:
        appeals = AppealStore(store).list(args.status)
    for appeal in appeals:
        if args.json:
            print_json_line(appeal.to_dict())
        else:
            print(format_appeal_line(appeal))
    if not appeals and not args.json:
        print("no appeals", file=sys.stderr)
    return 0


def format_appeal_line(a: Appeal) -> str:
    ticket = f"ticket {safe(a.ticket)}" if a.ticket else "no ticket"
    return (f"#{a.id:<4} {a.status:<10} {a.updated_at[:19].replace('T', ' ')}  {ticket:<18} "
            f"{len(a.request_ids)} request(s)  {safe(a.title, 60)}")


def run_show(args: argparse.Namespace) -> int:
    with open_store() as store:
        appeal = AppealStore(store).get(args.id)
        packet = build_packet(store, appeal, redact_echoes_in_bodies=args.redact_echoes)
    if args.json:
        print(json.dumps(packet, ensure_ascii=False, indent=2))
        return 0
    print(format_appeal_line(appeal))
    for label, value in (("account", appeal.account_id), ("org", appeal.org_id), ("ticket", appeal.ticket)):
        if value:
            print(f"{label}: {safe(value)}")
    print("business context:\n" + (safe_block(appeal.business_context) or "(not provided)"))
    print("checklist:")
    for item in packet["checklist"]:
        print(f"  [{'x' if item['ok'] else ' '}] {item['label']} - {safe(item['detail'])}")
    for request in packet["requests"]:
        ids = ", ".join(safe(i) for i in request["request_ids"]) or "no request ID"
        print(f"request #{request['history_id']}  {request['outcome']}  {request['timestamp_utc']}  {ids}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    with open_store() as store:
        appeals = AppealStore(store)
        appeal = appeals.get(args.id)
        texts = _texts(args)
        ticket = texts.pop("ticket", None)
        if texts:
            appeal = appeals.update(args.id, **texts)
        if args.status or ticket is not None:
            appeal = appeals.set_status(args.id, args.status or appeal.status, ticket=ticket)
        if args.add:
            appeal = appeals.add_requests(args.id, args.add)
        if args.remove:
            appeal = appeals.remove_requests(args.id, args.remove)
    if args.json:
        print(json.dumps(appeal.to_dict(), ensure_ascii=False))
    else:
        print(format_appeal_line(appeal))
    return 0


def run_export(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if len(args.ids) > 1 and not output.is_dir():
        raise BadInputError(f"{output} must be an existing folder when exporting several appeals")
    pdf_writer = _pdf_writer() if args.format in ("pdf", "zip") else None
    with open_store() as store:
        appeals = AppealStore(store)
        for appeal_id in args.ids:
            packet = build_packet(store, appeals.get(appeal_id), redact_echoes_in_bodies=args.redact_echoes)
            target = output / default_filename(packet, args.format) if output.is_dir() else output
            written = export_packet(store, packet, args.format, target, pdf_writer=pdf_writer)
            print(f"wrote {written}")
    return 0


def _pdf_writer():  # noqa: ANN202 - returns workbench.render.pdf.write_pdf
    from workbench.render.pdf import write_pdf  # Qt is imported only when a PDF is wanted

    return write_pdf


def run_delete(args: argparse.Namespace) -> int:
    with open_store() as store:
        AppealStore(store).delete(args.id)
    print(f"deleted appeal #{args.id}")
    return 0
