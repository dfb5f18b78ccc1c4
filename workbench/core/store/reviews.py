"""Human review of generated images and requests (table `reviews`, migration m120).

A review approves or rejects a request as a whole or one output image (1-based position),
with the reviewer's name and a note. Reviews are kept, never overwritten: the latest one per
request and image is the current state. A request's `review_state` is its own latest review if
it has one, else "rejected" if any image's latest review is a rejection, else "approved" when
every reviewed image is approved; it is NULL (unreviewed) when nothing was reviewed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from workbench.core.errors import BadInputError
from workbench.core.store.db import inserted_pk, translate_errors
from workbench.core.store.history import HistoryStore
from workbench.core.store.timestamps import utc_now

STATES = ("approved", "rejected")
MAX_NOTE = 10_000


class _ReviewRow(TypedDict):
    """A `reviews` row as written; the database gives the id."""
    request_id: int
    image_position: int | None
    state: str
    reviewer: str
    note: str
    created_at: str


@dataclass(frozen=True)
class Review:
    id: int
    request_id: int
    image_position: int | None
    state: str
    reviewer: str
    note: str
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def add_review(store: HistoryStore, request_id: int, state: str, *, image: int | None = None,
               note: str = "", reviewer: str = "") -> Review:
    """Record a review and update the request's state; raises BadInputError on bad input."""
    if state not in STATES:
        raise BadInputError(f"a review is one of {', '.join(STATES)}")
    if len(note) > MAX_NOTE:
        raise BadInputError(f"the note is longer than {MAX_NOTE:,} characters")
    store.get(request_id)  # one-line error for an unknown ID
    if image is not None:
        count = sum(1 for i in store.images(request_id) if i.role == "output")
        if not 1 <= image <= count:
            raise BadInputError(f"request #{request_id} has {count} output image(s); there is no image {image}")
    row: _ReviewRow = {"request_id": request_id, "image_position": image, "state": state,
                       "reviewer": reviewer.strip(), "note": note.strip(), "created_at": utc_now()}
    with translate_errors(store.path), store.db.atomic():
        review_id = inserted_pk(store.db.table("reviews").insert(dict(row)))
        store.db.execute("UPDATE requests SET review_state = ? WHERE id = ?",
                         [_request_state(store, request_id), request_id])
    return Review(id=review_id, **row)


def reviews_for(store: HistoryStore, request_id: int) -> list[Review]:
    """Every review of a request, oldest first."""
    with translate_errors(store.path):
        rows = store.db.execute(
            "SELECT id, request_id, image_position, state, reviewer, note, created_at FROM reviews "
            "WHERE request_id = ? ORDER BY id", [request_id]).fetchall()
    return [Review(*row) for row in rows]


def current_reviews(store: HistoryStore, request_id: int) -> dict[int | None, Review]:
    """The latest review per image position (None = the whole request)."""
    latest: dict[int | None, Review] = {}
    for review in reviews_for(store, request_id):
        latest[review.image_position] = review
    return latest


def _request_state(store: HistoryStore, request_id: int) -> str | None:
    latest = current_reviews(store, request_id)
    if None in latest:
        return latest[None].state
    states = {r.state for r in latest.values()}
    if "rejected" in states:
        return "rejected"
    return "approved" if states else None


def review_counts(store: HistoryStore) -> dict[str, int]:
    """How many requests are approved, rejected and unreviewed (one aggregate query)."""
    with translate_errors(store.path):
        rows = store.db.execute("SELECT review_state, count(*) FROM requests GROUP BY review_state").fetchall()
    counts = {"approved": 0, "rejected": 0, "unreviewed": 0}
    for state, count in rows:
        counts[state or "unreviewed"] = counts.get(state or "unreviewed", 0) + int(count)
    return counts
