"""Import: every error shape from the seeds and the reference, JSONL/CSV/JSON logs, per-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from workbench.core.errors import BadInputError
from workbench.core.store import HistoryStore
from workbench.core.store.importing import detect_format, import_bytes, import_file, import_text

UUID = "3f2c9a10-7d4e-4b61-9c2a-5e8f0a1b2c3d"
KEY = "sk-proj-" + "LogKeyLogKeyLogKey1234" * 2


def js(obj) -> str:
    return json.dumps(obj)


# name: (body, outcome, stage, categories, request IDs that must be found, code)
SHAPES = {
    # seeds: proxy `shell_api_error` with an Azure ticket hint and a UUID request ID, HTTP status in the body
    "seed_azure_shell": ('{\n"status_code": 400,\n"error": {\n"message": "Your request was rejected by the safety '
                         'system. If you believe this is an error, contact us at Azure support ticket and include '
                         f'the request ID {UUID}.",\n"type": "shell_api_error",\n"code": "moderation_blocked"\n}}\n}}',
                         "blocked_unknown", "unknown", [], [UUID], "moderation_blocked"),
    "seed_safety_violations": (js({"status_code": 400, "error": {
        "message": "Your request was rejected by the safety system. ... safety_violations=[violence].",
        "type": "shell_api_error", "code": "moderation_blocked"}}),
        "blocked_unknown", "unknown", ["violence"], [], "moderation_blocked"),
    # reference 1.5(a): GPT image block with moderation_details
    "openai_moderation_details": (js({"error": {
        "message": "Your request was rejected by the safety system. If you believe this is an error, contact us "
                   "at help.openai.com and include the request ID req_7a1b2c3d4e. safety_violations=[sexual].",
        "type": "image_generation_user_error", "param": None, "code": "moderation_blocked",
        "moderation_details": {"moderation_stage": "input", "categories": ["sexual"]}}}),
        "blocked_input", "input", ["sexual"], ["req_7a1b2c3d4e"], "moderation_blocked"),
    "openai_output_stage": (js({"error": {
        "message": "Your request was rejected by the safety system. safety_violations=[harassment].",
        "type": "image_generation_user_error", "param": None, "code": "moderation_blocked",
        "moderation_details": {"moderation_stage": "output", "categories": ["harassment", "other"]}}}),
        "blocked_output", "output", ["harassment", "other"], [], "moderation_blocked"),
    # reference 1.5(b): legacy DALL-E, also with code null
    "dalle_legacy": (js({"error": {"code": "content_policy_violation", "message": "Your request was rejected as a "
                                   "result of our safety system. Your prompt may contain text that is not allowed "
                                   "by our safety system.", "type": "invalid_request_error", "param": None}}),
                     "blocked_input", "input", [], [], "content_policy_violation"),
    "dalle_null_code": (js({"error": {"code": None, "message": "Your request was rejected as a result of our "
                                      "safety system. Your prompt may contain text that is not allowed by our "
                                      "safety system.", "type": "invalid_request_error", "param": None}}),
                        "blocked_input", "input", [], [], None),
    # reference 1.5(c): a block inside a Responses-API SSE stream
    "responses_sse": ('event: response.failed\ndata: {"type": "response.failed", "error": {"code": '
                      '"moderation_blocked", "message": "Your request was rejected by the safety system. '
                      'safety_violations=[sexual]"}}\n\n', "blocked_unknown", "unknown", ["sexual"], [], "moderation_blocked"),
    # reference 1.5(e) and 3.1: Azure shapes
    "azure_prompt_filter": (js({"error": {"message": "The response was filtered due to the prompt triggering "
                                          "Azure OpenAI's content management policy.", "type": None,
                                          "param": "prompt", "code": "content_filter", "status": 400,
                                          "innererror": {"code": "ResponsibleAIPolicyViolation",
                                                         "content_filter_result": {
                                                             "hate": {"filtered": False, "severity": "safe"},
                                                             "violence": {"filtered": True, "severity": "medium"}}}}}),
                            "blocked_input", "input", ["violence"], [], "content_filter"),
    "azure_dalle3_inner_error": (js({"error": {"code": "content_policy_violation", "type": "invalid_request_error",
                                               "message": "Your request was rejected as a result of our safety "
                                                          "system.",
                                               "inner_error": {"code": "ResponsibleAIPolicyViolation",
                                                               "content_filter_results": {"violence": {
                                                                   "filtered": True, "severity": "low"}},
                                                               "revised_prompt": "a knight"}}}),
                                 "blocked_unknown", "unknown", ["violence"], [], "content_policy_violation"),
    "azure_output_filter": (js({"created": 1, "data": [{"error": {"code": "contentFilter", "message": "Generated "
                                "image was filtered as a result of our safety system."}}]}),
                            "blocked_output", "output", [], [], "contentFilter"),
    # reference 4: fal.ai 422 with the request echoed under `input`
    "fal_422": (js({"detail": [{"loc": ["body", "prompt"], "msg": "The content could not be processed because it "
                                "contained material flagged by a content checker.",
                                "type": "content_policy_violation",
                                "url": "https://docs.fal.ai/errors#content_policy_violation",
                                "input": {"prompt": "a knight duel at sunset", "num_images": 1},
                                "ctx": {"extra_info": {"reason": "partner_validation_failed"}}}]}),
                "blocked_input", "input", [], [], "content_policy_violation"),
    # the SDK's printed exceptions: Python repr of the body, and the message-only form
    "sdk_repr": ("Error code: 400 - {'error': {'message': 'Your request was rejected by the safety system. If you "
                 "believe this is an error, contact us at help.openai.com and include the request ID req_99aa. "
                 "safety_violations=[violence].', 'type': 'image_generation_user_error', 'param': None, 'code': "
                 "'moderation_blocked'}}", "blocked_unknown", "unknown", ["violence"], ["req_99aa"], "moderation_blocked"),
    "sdk_message_only": ("Error code: 400 - Your request was rejected by the safety system. If you believe this is "
                         "an error, contact us at help.openai.com and include the request ID req_77bb. "
                         "safety_violations=[violence].", "blocked_unknown", "unknown", ["violence"], ["req_77bb"], None),
    # a proxy in front of Azure: rewritten type, two IDs in the message
    "proxy_two_ids": (js({"error": {"message": "Your request was rejected by the safety system. If you believe this "
                                    "is an error, contact us at Azure support ticket and include the request ID "
                                    "0a1b2c3d-1111-2222-3333-444455556666. (request id: 20261121101500123456789)",
                                    "type": "packy_image_generation_user_error", "code": "moderation_blocked"}}),
                      "blocked_unknown", "unknown", [], ["0a1b2c3d-1111-2222-3333-444455556666",
                                                     "20261121101500123456789"], "moderation_blocked"),
    # not blocks: same `type` as blocks but a different code; rate limits; a bad key
    "invalid_image_file": (js({"error": {"message": "Invalid image file or mode for image 3, please check your "
                                         "image file.", "type": "image_generation_user_error", "param": "image",
                                         "code": "invalid_image_file"}}), "error", None, [], [], "invalid_image_file"),
    "rate_limit": (js({"error": {"message": "Rate limit reached for images per minute.", "type": "requests",
                                 "param": None, "code": "rate_limit_exceeded"}}), "error", None, [], [],
                   "rate_limit_exceeded"),
    "invalid_api_key": (js({"error": {"message": f"Incorrect API key provided: {KEY}.",
                                      "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}),
                        "error", None, [], [], "invalid_api_key"),
}


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    yield s
    s.close()


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_error_shape_is_imported(store, name):
    body, outcome, stage, categories, ids, code = SHAPES[name]
    report = import_text(store, body, source=f"{name}.txt")
    assert report.format == "body" and report.imported == 1 and report.problems == []
    entry = store.get(report.ids[0])
    assert entry.outcome == outcome
    if stage:
        assert entry.stage == stage
    assert entry.categories == categories
    assert all(i in entry.request_ids for i in ids), entry.request_ids
    assert entry.error_code == code
    assert entry.source == "import" and entry.source_detail == f"{name}.txt:1"
    assert entry.raw_body and KEY not in entry.raw_body and KEY not in (entry.error_message or "")


def test_fal_echo_gives_back_the_prompt(store):
    entry = store.get(import_text(store, SHAPES["fal_422"][0]).ids[0])
    assert entry.prompt == "a knight duel at sunset" and entry.provider == "fal"
    assert entry.error_details["fal"]["reason"] == "partner_validation_failed"


def test_seed_fal_detail_object_is_kept_as_an_error(store):
    """The fal shape one seed shows (`detail` as an object) is at least kept with its raw body."""
    body = js({"detail": {"error": "content_policy_violation", "category": "celebrity_likeness",
                          "message": "The prompt requests a likeness of a specific public figure."}})
    entry = store.get(import_text(store, body).ids[0])
    assert entry.outcome in ("error", "blocked_unknown") and "celebrity_likeness" in entry.raw_body


def test_seed_fal_detail_object_is_a_block(store):
    body = js({"detail": {"error": "content_policy_violation", "category": "celebrity_likeness",
                          "message": "The prompt requests a likeness of a specific public figure."}})
    entry = store.get(import_text(store, body).ids[0])
    assert entry.outcome == "blocked_unknown"  # fal did not say whether the prompt or the image
    assert entry.categories == ["celebrity_likeness"]


JSONL = "\n".join([
    js({"timestamp": "2026-04-27T23:15:53Z", "prompt": "Two warriors fighting with swords", "model": "gpt-image-2",
        "quality": "low", "status": 400, "headers": {"x-request-id": "req_line1", "authorization": f"Bearer {KEY}"},
        "error": {"message": "Your request was rejected by the safety system. safety_violations=[violence].",
                  "type": "image_generation_user_error", "code": "moderation_blocked"},
        "team": "posters", "trace": {"span": 3}}),
    js({"ts": 1777331753123, "request": {"prompt": "a lighthouse at dusk", "model": "gpt-image-1", "size": "1024x1024"},
        "status_code": 200, "response": {"created": 1, "usage": {"input_tokens": 9, "output_tokens": 272,
                                                                  "total_tokens": 281}}, "duration_s": 12.5,
        "cost_usd": 0.011, "profile": "OpenAI"}),
    "this line is not json",
    js(["an", "array"]),
    js({"time": "yesterday-ish", "prompt": "azure attempt", "provider": "azure",
        "response_body": SHAPES["azure_prompt_filter"][0], "status": 400,
        "headers": {"apim-request-id": "11112222-3333-4444-5555-666677778888"}}),
    "",
    js({"created_at": "2026-05-01 08:00:00", "input": {"prompt": "a knight duel at sunset"}, "status": 422,
        "body": json.loads(SHAPES["fal_422"][0]), "url": "https://fal.run/fal-ai/flux/dev"}),
    js({"foo": "bar"}),
    js({"prompt": 42}),
])


def test_jsonl_log_keeps_good_lines_and_reports_bad_ones(store, tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text(JSONL, encoding="utf-8")
    report = import_file(store, path)
    assert report.format == "jsonl" and report.imported == 4
    skipped = [(p.line, p.message) for p in report.problems if p.skipped]
    assert [line for line, _ in skipped] == [3, 4, 8, 9]
    assert "not valid JSON" in skipped[0][1] and "nothing to import" in skipped[2][1]
    warnings = [p for p in report.problems if not p.skipped]
    assert [(p.line, "timestamp" in p.message) for p in warnings] == [(5, True)]

    first, second, third, fourth = (store.get(i) for i in report.ids)
    assert (first.outcome, first.categories, first.request_ids, first.created_at, first.model, first.quality) == (
        "blocked_unknown", ["violence"], ["req_line1"], "2026-04-27T23:15:53.000Z", "gpt-image-2", "low")
    assert (second.outcome, second.input_tokens, second.latency_ms, second.actual_cost, second.created_at) == (
        "ok", 9, 12500.0, 0.011, "2026-04-27T23:15:53.123Z")
    assert second.size == "1024x1024" and second.profile == "OpenAI"
    assert third.outcome == "blocked_input" and third.provider == "azure" and third.categories == ["violence"]
    assert "11112222-3333-4444-5555-666677778888" in third.request_ids
    assert fourth.outcome == "blocked_input" and fourth.prompt == "a knight duel at sunset"
    assert fourth.created_at == "2026-05-01T08:00:00.000Z" and fourth.source_detail == "requests.jsonl:7"
    assert KEY.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))

    again = import_file(store, path)  # importing the same log twice adds nothing
    assert again.imported == 0 and again.duplicates == 4


def test_csv_log_with_extra_columns(store):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Timestamp", "Prompt", "Model", "Status", "Request_ID", "Error", "client", "latency_ms"])
    writer.writerow(["2026-06-01T10:00:00Z", "a dragon, gore", "gpt-image-1", "400", "req_csv1",
                     SHAPES["openai_moderation_details"][0], "web", "350"])
    writer.writerow(["2026-06-01T10:01:00Z", "a quiet garden", "gpt-image-1", "200", "req_csv2", "", "web", "9000"])
    writer.writerow(["", "", "", "", "", "", "", ""])
    writer.writerow(["2026-06-01T10:02:00Z", "", "", "", "", "", "web", ""])
    report = import_bytes(store, out.getvalue().encode(), source="log.csv")
    assert report.format == "csv" and report.imported == 2
    assert [(p.line, p.skipped) for p in report.problems] == [(5, True)]
    blocked, ok = (store.get(i) for i in report.ids)
    assert (blocked.outcome, blocked.categories, blocked.latency_ms) == ("blocked_input", ["sexual"], 350.0)
    assert "req_csv1" in blocked.request_ids and "req_7a1b2c3d4e" in blocked.request_ids
    assert (ok.outcome, ok.request_ids, ok.http_status) == ("ok", ["req_csv2"], 200)


def test_json_array_and_detection(store):
    records = [{"prompt": "one", "status": 200}, {"prompt": "two", "error": json.loads(SHAPES["rate_limit"][0])}, 7]
    report = import_text(store, js(records), source="dump.json")
    assert report.format == "json" and report.imported == 2 and [p.line for p in report.problems] == [3]
    assert store.get(report.ids[1]).error_code == "rate_limit_exceeded"
    assert detect_format("a,b\n1,2", "x.csv") == "csv"
    assert detect_format("timestamp,prompt,status\n1,a,200") == "csv"
    assert detect_format('{"a": 1}\n{"b": 2}') == "jsonl"
    assert detect_format("Error code: 429 - {'error': {}}") == "body"
    assert detect_format("Your request was rejected by the safety system, plain text") == "body"


def test_bad_input_is_one_clear_error(store, tmp_path):
    with pytest.raises(BadInputError, match="empty"):
        import_text(store, "   \n")
    with pytest.raises(BadInputError, match="binary"):
        import_bytes(store, b"\x89PNG\r\n\x1a\n\x00\x00", source="image.png")
    with pytest.raises(BadInputError, match="UTF-8"):
        import_bytes(store, b"caf\xe9 error", source="latin1.txt")
    with pytest.raises(BadInputError, match="no such file"):
        import_file(store, tmp_path / "missing.jsonl")
    with pytest.raises(BadInputError, match="format"):
        import_text(store, "x", fmt="xml")
    assert store.count() == 0
