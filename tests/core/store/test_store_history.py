"""HistoryStore: recording before/after the call, images with metadata, secrets, search, filters, lineage."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageData, ImageParams, Usage
from workbench.core.errors import BadInputError, StoreError
from workbench.core.screening.models import Finding
from workbench.core.store import HistoryFilter, HistoryStore
from workbench.core.store.images import read_png_text

KEY = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2


def png(color="red", size=(16, 12)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def block(request_id="req_abc123", categories=("violence",), stage="input") -> ErrorRecord:
    message = ("Your request was rejected by the safety system. If you believe this is an error, contact us at "
               f"help.openai.com and include the request ID {request_id}. safety_violations=[{', '.join(categories)}].")
    body = json.dumps({"error": {"message": message, "type": "image_generation_user_error", "param": None,
                                 "code": "moderation_blocked",
                                 "moderation_details": {"moderation_stage": stage, "categories": list(categories)}}})
    return ErrorRecord(kind="blocked", message=message, stage=stage, categories=list(categories), http_status=400,
                       type="image_generation_user_error", code="moderation_blocked", raw_body=body,
                       request_ids=[request_id], provider="openai", safety_violations=list(categories))


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "images")
    yield s
    s.close()


def test_pending_row_exists_before_the_call_and_is_completed_after(store):
    finding = Finding(11, 19, "fighting", "violence", "medium", "violent action", ("dramatic standoff",),
                      rule="violence.fighting", term="fight")
    rid = store.begin_request("Two knights fighting on a bridge", ImageParams(model="gpt-image-1", quality="high"),
                              profile="OpenAI", provider="openai", base_url="https://api.openai.com/v1",
                              findings=[finding], moderation_scores={"violence": 0.91}, estimated_cost=0.167)
    pending = store.get(rid)
    assert pending.outcome == "pending" and pending.completed_at is None
    assert pending.verdict == "caution" and pending.findings[0]["term"] == "fight"
    assert pending.moderation_scores == {"violence": 0.91}
    assert pending.model == "gpt-image-1" and pending.quality == "high"

    store.complete_request(rid, GenerationResult(outcome="blocked_input", error=block(), http_status=400,
                                                 request_ids=["req_abc123"], latency_ms=412.0, retries=0))
    done = store.get(rid)
    assert done.outcome == "blocked_input" and done.completed_at
    assert (done.stage, done.categories, done.error_code, done.http_status) == (
        "input", ["violence"], "moderation_blocked", 400)
    assert done.request_ids == ["req_abc123"] and done.latency_ms == 412.0
    assert json.loads(done.raw_body)["error"]["moderation_details"]["moderation_stage"] == "input"
    assert done.estimated_cost == 0.167  # kept from the pending row
    assert done.created_at.endswith("Z") and done.created_at <= done.completed_at


def test_output_images_are_content_addressed_with_prompt_in_png_text(store, tmp_path):
    rid = store.begin_request("A lighthouse at dusk, oil painting", ImageParams(model="gpt-image-1", size="1024x1024"),
                              reference_images=[png("blue")])
    data = png("red")
    store.complete_request(rid, GenerationResult(outcome="ok", images=[ImageData(data), ImageData(data),
                                                                      ImageData(png("green"), partial_index=0)],
                                                 usage=Usage(input_tokens=12, output_tokens=272, total_tokens=284),
                                                 actual_cost=0.011, request_ids=["req_ok1"]))
    entry = store.get(rid)
    outputs = [i for i in entry.images if i.role == "output"]
    assert len(outputs) == 2 and outputs[0].sha256 == outputs[1].sha256  # stored once, referenced twice
    assert [i.role for i in entry.images].count("reference") == 1
    path = outputs[0].path
    assert path.startswith(str(tmp_path / "images")) and path.endswith(f"{outputs[0].sha256}.png")
    with open(path, "rb") as handle:
        stored = handle.read()
    import hashlib
    assert hashlib.sha256(stored).hexdigest() == outputs[0].sha256
    text = read_png_text(stored)
    assert text["Description"] == "A lighthouse at dusk, oil painting"
    meta = json.loads(text["workbench"])
    assert meta["params"]["model"] == "gpt-image-1" and meta["request_ids"] == ["req_ok1"]
    with Image.open(path) as img:  # still a valid PNG, same pixels
        assert img.size == (16, 12) and img.getpixel((0, 0)) == (255, 0, 0)
        assert img.text["Description"] == "A lighthouse at dusk, oil painting"
    assert (entry.input_tokens, entry.output_tokens, entry.actual_cost) == (12, 272, 0.011)


def test_keys_never_reach_the_database(tmp_path):
    path = tmp_path / "h.db"
    store = HistoryStore.open(path, images_root=tmp_path / "img", secrets=["azure-key-0123456789abcdef"])
    rid = store.begin_request(f"castle {KEY}", {"model": "gpt-image-1", "extra": {"api_key": "plain-secret-value"}},
                              base_url="https://user:azure-key-0123456789abcdef@proxy.example/v1?api-key=zzz123",
                              notes="Authorization: Bearer abcdefghijklmnop123456")
    err = block()
    err.raw_body = json.dumps({"error": {"message": f"Incorrect API key provided: {KEY}"}})
    err.message = f"Incorrect API key provided: {KEY}"
    store.complete_request(rid, GenerationResult(outcome="error", error=err))
    store.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
    for secret in (KEY, "azure-key-0123456789abcdef", "plain-secret-value", "zzz123", "abcdefghijklmnop123456"):
        assert secret.encode() not in blob, secret
    with HistoryStore.open(path, images_root=tmp_path / "img") as again:
        entry = again.get(rid)
    assert entry.base_url.startswith("https://proxy.example/v1") and "castle" in entry.prompt


def _history(store: HistoryStore) -> dict[str, int]:
    ids = {}
    ids["knight"] = store.record_completed("Two knights fighting with swords", {"model": "gpt-image-1"},
                                           outcome="blocked_input", error=block("req_k1"), profile="OpenAI",
                                           created_at="2026-10-01T10:00:00.000Z", source="live").id
    ids["fox"] = store.record_completed("A red fox in the snow", {"model": "gpt-image-2"}, outcome="ok",
                                        profile="Azure", created_at="2026-10-02T10:00:00.000Z").id
    ids["gore"] = store.record_completed("Gore on the battlefield", {"model": "gpt-image-2"},
                                         outcome="blocked_output",
                                         error=block("req_g1", ("violence", "other"), "output"),
                                         profile="Azure", created_at="2026-10-03T10:00:00.000Z").id
    ids["rate"] = store.record_completed("A fox den", {"model": "gpt-image-1"}, outcome="error",
                                         error=ErrorRecord(kind="rate_limited", message="Rate limit reached",
                                                           http_status=429, code="rate_limit_exceeded"),
                                         created_at="2026-10-04T10:00:00.000Z").id
    store.set_notes(ids["fox"], "client liked the winter palette")
    return ids


def test_full_text_search_over_prompt_message_notes_and_ids(store):
    ids = _history(store)
    assert [r.id for r in store.search("fox").rows] == [ids["rate"], ids["fox"]]
    assert [r.id for r in store.search("knight").rows] == [ids["knight"]]  # prefix + porter: knights
    assert [r.id for r in store.search("fight").rows] == [ids["knight"]]
    assert [r.id for r in store.search("palette").rows] == [ids["fox"]]  # notes
    assert {r.id for r in store.search("safety system").rows} == {ids["knight"], ids["gore"]}  # message
    assert [r.id for r in store.search('"red fox"').rows] == [ids["fox"]]
    assert store.search('"fox red"').rows == []
    assert [r.id for r in store.search("req_g1").rows] == [ids["gore"]]
    # FTS5 syntax in user input never raises
    for hostile in ('fox AND', '"unclosed', "NEAR(", "*", "a:b", "(((", "-", "OR OR"):
        store.search(hostile)


def test_filters_combine(store):
    ids = _history(store)
    f = HistoryFilter
    assert {r.id for r in store.search("", f(outcomes=("blocked_input", "blocked_output"))).rows} == {
        ids["knight"], ids["gore"]}
    assert [r.id for r in store.search("", f(category="other")).rows] == [ids["gore"]]
    assert [r.id for r in store.search("", f(stage="output")).rows] == [ids["gore"]]
    assert {r.id for r in store.search("", f(profile="Azure")).rows} == {ids["fox"], ids["gore"]}
    assert [r.id for r in store.search("fox", f(model="gpt-image-1")).rows] == [ids["rate"]]
    assert [r.id for r in store.search("", f(since="2026-10-02T00:00:00.000Z", until="2026-10-03T23:59:59.999Z")).rows
            ] == [ids["gore"], ids["fox"]]
    assert [r.id for r in store.search("", f(source="live")).rows] == [ids["knight"]]
    assert [r.id for r in store.search("", f(request_id="req_k1")).rows] == [ids["knight"]]
    assert store.count("", f(outcomes=("ok",))) == 1


def test_keyset_and_offset_pages_agree(store):
    for n in range(23):
        store.record_completed(f"prompt {n}", outcome="ok", created_at=f"2026-10-01T10:00:{n % 5:02d}.000Z")
    by_offset = [r.id for off in range(0, 23, 5) for r in store.search("", limit=5, offset=off).rows]
    by_key, before = [], None
    while True:
        page = store.search("", limit=5, before=before)
        by_key += [r.id for r in page.rows]
        if page.next_before is None:
            break
        before = page.next_before
    assert by_offset == by_key and len(set(by_key)) == 23


def test_relevance_order_prefers_prompt_matches(store):
    a = store.record_completed("a quiet harbour", outcome="ok", notes="harbour mentioned in notes only").id
    b = store.record_completed("harbour harbour at night", outcome="ok").id
    assert [r.id for r in store.search("harbour", order="relevance").rows][0] == b
    assert {r.id for r in store.search("harbour", order="relevance").rows} == {a, b}


def test_lineage_follows_rewrites_both_ways(store):
    root = store.record_completed("knights fighting", outcome="blocked_input", error=block()).id
    child = store.record_completed("knights in a standoff", outcome="blocked_input", error=block(), parent_id=root).id
    grandchild = store.record_completed("movie still: knights", outcome="ok", parent_id=child).id
    other = store.record_completed("knights, second try", outcome="ok", parent_id=root).id
    nodes = store.lineage(child)
    assert [(n.depth, n.summary.id) for n in nodes] == [(-1, root), (0, child), (1, grandchild)]
    assert {n.summary.id for n in store.lineage(root)} == {root, child, grandchild, other}
    with pytest.raises(BadInputError):
        store.lineage(9999)


def test_imported_duplicates_are_skipped(store):
    first = store.record_completed("x", outcome="ok", import_key="k1")
    again = store.record_completed("x", outcome="ok", import_key="k1")
    assert first.id and not first.duplicate and again.duplicate and again.id is None
    assert store.count() == 1


def test_bad_calls(store):
    with pytest.raises(StoreError, match="#42"):
        store.complete_request(42, GenerationResult(outcome="ok"))
    rid = store.begin_request("x")
    with pytest.raises(ValueError):
        store.complete_request(rid, GenerationResult(outcome="pending"))
    with pytest.raises(BadInputError):
        store.get(12345)
    with pytest.raises(BadInputError):
        store.begin_request(b"bytes are not a prompt")  # type: ignore[arg-type]


def test_search_order_is_the_same_whichever_query_plan_is_used(store, monkeypatch):
    """Many matches walk the date index, few fetch and sort: both give the newest first."""
    for n in range(30):
        store.record_completed(f"lantern festival {n}", outcome="ok",
                               created_at=f"2026-10-{1 + (n * 7) % 28:02d}T10:00:00.000Z")
    sorted_plan = [r.id for r in store.search("lantern", limit=10).rows]
    monkeypatch.setattr(HistoryStore, "WALK_INDEX_ABOVE", 0)
    walked_plan = [r.id for r in store.search("lantern", limit=10).rows]
    assert walked_plan == sorted_plan and len(sorted_plan) == 10
    dates = [store.get(i).created_at for i in walked_plan]
    assert dates == sorted(dates, reverse=True)
