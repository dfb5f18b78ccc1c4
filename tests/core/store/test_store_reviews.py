"""Human review: approve/reject requests and images, state, filters, packets, stats."""

from __future__ import annotations

import json

import pytest

from tests.core.appeal.test_appeal_packet import _check
from workbench.core.api.records import GenerationResult, ImageData, ImageParams
from workbench.core.appeal.document import packet_document, render_markdown
from workbench.core.appeal.packet import build_packet
from workbench.core.appeal.schema import PACKET_SCHEMA
from workbench.core.appeal.store import AppealStore
from workbench.core.errors import BadInputError
from workbench.core.store.history import HistoryStore
from workbench.core.store.models import HistoryFilter
from workbench.core.store.reviews import add_review, current_reviews, reviews_for
from workbench.core.store.stats import compute_stats


def _png(seed: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (seed, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def store(tmp_path):
    with HistoryStore.open(tmp_path / "h.db") as s:
        yield s


def _request_with_images(store, n=2):
    rid = store.begin_request("a lighthouse", ImageParams(n=n))
    images = [ImageData(data=_png(i), format="png", width=8, height=8) for i in range(n)]
    store.complete_request(rid, GenerationResult(outcome="ok", images=images))
    return rid


def test_image_reviews_decide_the_request_state(store):
    rid = _request_with_images(store)
    assert store.get(rid).review_state is None
    add_review(store, rid, "approved", image=1, reviewer="ana", note="good")
    assert store.get(rid).review_state == "approved"
    add_review(store, rid, "rejected", image=2, reviewer="ben", note="six fingers")
    assert store.get(rid).review_state == "rejected"
    add_review(store, rid, "approved", image=2, reviewer="ben", note="on second look fine")
    assert store.get(rid).review_state == "approved"
    assert [r.note for r in reviews_for(store, rid)] == ["good", "six fingers", "on second look fine"]
    assert current_reviews(store, rid)[2].note == "on second look fine"


def test_a_request_level_review_wins(store):
    rid = _request_with_images(store)
    add_review(store, rid, "approved", image=1)
    add_review(store, rid, "rejected", note="whole set off-brand")
    assert store.get(rid).review_state == "rejected"


def test_bad_reviews_are_refused(store):
    rid = _request_with_images(store, n=1)
    for kwargs in ({"image": 2}, {"image": 0}):
        with pytest.raises(BadInputError):
            add_review(store, rid, "approved", **kwargs)
    with pytest.raises(BadInputError):
        add_review(store, rid, "maybe")
    with pytest.raises(BadInputError):
        add_review(store, 999, "approved")
    with pytest.raises(BadInputError):
        add_review(store, rid, "approved", note="x" * 10_001)
    assert reviews_for(store, rid) == []


def test_filter_by_review_state(store):
    a, b, c = (_request_with_images(store, 1) for _ in range(3))
    add_review(store, a, "approved")
    add_review(store, b, "rejected")

    def ids(state):
        return {r.id for r in store.search("", HistoryFilter(review=state)).rows}

    assert ids("approved") == {a} and ids("rejected") == {b} and ids("unreviewed") == {c}


def test_review_goes_into_the_appeal_packet_and_validates(store):
    rid = _request_with_images(store, 1)
    add_review(store, rid, "rejected", image=1, reviewer="ana", note="shows the logo")
    appeal = AppealStore(store).create([rid], title="Logo case")
    packet = json.loads(json.dumps(build_packet(store, appeal)))
    review = packet["requests"][0]["review"]
    assert review["state"] == "rejected" and review["reviews"][0]["note"] == "shows the logo"
    _check(packet, PACKET_SCHEMA)
    markdown = render_markdown(packet_document(packet))
    assert "Human review: rejected" in markdown and "shows the logo" in markdown


def test_dashboard_counts_reviews(store):
    a, b, _ = (_request_with_images(store, 1) for _ in range(3))
    add_review(store, a, "approved")
    add_review(store, b, "rejected")
    assert compute_stats(store).reviews == {"approved": 1, "rejected": 1, "unreviewed": 1}
