"""`workbench review ID --approve|--reject [--image N] [--note TEXT] [--reviewer NAME] [--json]`.

Records a human review of a request (or of its Nth output image, 1-based) before export;
`workbench review ID --show` lists the reviews. Review state filters History (`--review`), and
goes into exports, appeal packets and the dashboard.
"""

from __future__ import annotations

import argparse
import getpass
import json

from workbench.cli._history_args import open_store, safe


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="approve or reject a generated image or request")
    parser.add_argument("id", type=int, help="history ID of the request")
    state = parser.add_mutually_exclusive_group(required=True)
    state.add_argument("--approve", action="store_true")
    state.add_argument("--reject", action="store_true")
    state.add_argument("--show", action="store_true", help="list the reviews of this request")
    parser.add_argument("--image", type=int, metavar="N", help="review only the Nth output image (1-based)")
    parser.add_argument("--note", default="", help="why (goes into exports and appeal packets)")
    parser.add_argument("--reviewer", help="who reviewed (default: your login name)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.core.store.reviews import add_review, reviews_for

    with open_store() as store:
        if args.show:
            reviews = reviews_for(store, store.get(args.id).id)
            if args.json:
                print(json.dumps([r.to_dict() for r in reviews], ensure_ascii=False))
            else:
                for r in reviews:
                    what = f"image {r.image_position}" if r.image_position else "request"
                    print(f"{r.created_at}  {r.state:<8}  {what:<8}  {safe(r.reviewer)}  {safe(r.note, 200)}")
            return 0
        review = add_review(store, args.id, "approved" if args.approve else "rejected", image=args.image,
                            note=args.note, reviewer=args.reviewer if args.reviewer is not None else _login())
        state = store.get(args.id).review_state
    if args.json:
        print(json.dumps(review.to_dict() | {"request_state": state}, ensure_ascii=False))
    else:
        what = f"image {review.image_position} of #{args.id}" if review.image_position else f"#{args.id}"
        print(f"{review.state} {what} · request is now {state}")
    return 0


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
