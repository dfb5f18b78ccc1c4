"""parse_error_body on the verbatim bodies from the seeds and the reference, and on garbage."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.api import keys
from workbench.core.api.error_parsing import (
    parse_error_body,
    parse_safety_violations,
    request_ids_from_text,
    retry_after_from_headers,
)
from workbench.core.api.records import ERROR_KINDS, STAGES, ErrorRecord

# Seed 001 (verbatim): a proxy-rewritten `type`, no moderation_details.
SEED_001 = """{
"status_code": 400,
"error": {
"message": "Your request was rejected by the safety system. ... safety_violations=[violence].",
"type": "shell_api_error",
"code": "moderation_blocked"
}
}"""

# Seed 004 (verbatim): routed to Azure, a UUID request ID in the message.
SEED_004 = """{
"status_code": 400,
"error": {
"message": "Your request was rejected by the safety system. If you believe this is an error, contact us at Azure support ticket and include the request ID 76fd2cbc-63ee-4e30-8bea-5fc2a2e1faa3.",
"type": "shell_api_error",
"code": "moderation_blocked"
}
}"""

# Reference §1.5(a) (verbatim, with its elided request ID).
REF_MODERATION_BLOCKED = """{"error": {
  "message": "Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID req_d0c3…. safety_violations=[sexual].",
  "type": "image_generation_user_error",
  "param": null,
  "code": "moderation_blocked",
  "moderation_details": {"moderation_stage": "input", "categories": ["sexual"]}
}}"""

# Reference §1.5(b) (verbatim): legacy DALL-E.
REF_LEGACY = """{"error": {"code": "content_policy_violation", "message": "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.", "type": "invalid_request_error", "param": null}}"""

# Reference §3.1 (verbatim): Azure DALL-E 3 with `inner_error`.
REF_AZURE_DALLE3 = """{"error":{"code":"content_policy_violation","type":"invalid_request_error",
    "message":"Your request was rejected as a result of our safety system.",
    "inner_error":{"code":"ResponsibleAIPolicyViolation",
      "content_filter_results":{"violence":{"filtered":true,"severity":"low"}},
      "revised_prompt":"…"}}}"""

# Reference §4 (verbatim): fal.ai 422.
REF_FAL = """{"detail":[{"loc":["body","prompt"],
  "msg":"The content could not be processed because it contained material flagged by a content checker.",
  "type":"content_policy_violation",
  "url":"https://docs.fal.ai/errors#content_policy_violation",
  "input":{ "...": "echo of the request, including the full prompt" },
  "ctx":{"extra_info":{"reason":"partner_validation_failed"}, "support_codes":["..."]}}]}"""

# Reference §1.5(c) (verbatim data line, with its SSE event line).
REF_STREAM_FAILED = 'event: response.failed\ndata: {"error":{"code":"moderation_blocked","message":"…safety_violations=[sexual]"}}\n\n'

# Stack notes §3 (verbatim str(e) of openai 3.54).
SDK_STRING = "Error code: 400 - Your request was rejected by the safety system. ... safety_violations=[violence]."


def test_seed_001_proxy_body():
    r = parse_error_body(SEED_001)
    assert (r.kind, r.stage, r.http_status, r.code) == ("blocked", "unknown", 400, "moderation_blocked")
    assert r.categories == ["violence"] and r.safety_violations == ["violence"]
    assert r.type == "shell_api_error" and r.provider == "proxy" and r.details["via_proxy"]


def test_seed_004_azure_routed_body_with_uuid():
    r = parse_error_body(SEED_004)
    assert r.kind == "blocked" and r.provider == "azure"
    assert r.request_ids == ["76fd2cbc-63ee-4e30-8bea-5fc2a2e1faa3"]
    assert r.request_id_sources["76fd2cbc-63ee-4e30-8bea-5fc2a2e1faa3"] == "message"


def test_reference_moderation_blocked_with_details_and_header():
    r = parse_error_body(REF_MODERATION_BLOCKED, status=400, headers={"X-Request-ID": "req_header_0001"})
    assert (r.kind, r.stage, r.categories) == ("blocked", "input", ["sexual"])
    assert r.request_ids[0] == "req_header_0001"
    assert r.request_id_sources["req_header_0001"] == "header:x-request-id"
    assert "req_d0c3" in r.request_ids  # the elided ID as far as it goes
    assert r.provider == "openai" and r.type == "image_generation_user_error"


def test_reference_legacy_block_is_input_stage():
    r = parse_error_body(REF_LEGACY, status=400)
    assert (r.kind, r.stage, r.code) == ("blocked", "input", "content_policy_violation")


def test_legacy_block_with_null_code_is_still_a_block():
    body = json.loads(REF_LEGACY)
    body["error"]["code"] = None
    r = parse_error_body(body, status=400)
    assert r.kind == "blocked" and r.code is None


def test_legacy_input_image_variant():
    body = {"error": {"code": "content_policy_violation", "type": "invalid_request_error",
                      "message": "Your input image may contain content that is not allowed by our safety system."}}
    assert parse_error_body(body).stage == "input"


def test_reference_azure_dalle3_inner_error():
    r = parse_error_body(REF_AZURE_DALLE3, status=400)
    assert r.kind == "blocked" and r.provider == "azure"
    assert r.categories == ["violence"] and r.details["severities"]["violence"] == "low"
    assert r.details["inner_code"] == "ResponsibleAIPolicyViolation"
    assert r.details["revised_prompt"] == "…"


@pytest.mark.parametrize("inner_key", ["innererror", "inner_error"])
def test_azure_content_filter_both_spellings(inner_key):
    body = {"error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
        "type": None, "param": "prompt", "code": "content_filter", "status": 400,
        inner_key: {"code": "ResponsibleAIPolicyViolation", "content_filter_results": {
            "hate": {"filtered": False, "severity": "safe"},
            "self_harm": {"filtered": True, "severity": "medium"},
            "sexual": {"filtered": False, "severity": "safe"},
            "violence": {"filtered": True, "severity": "high"},
            "jailbreak": {"filtered": False, "detected": False}}}}}
    r = parse_error_body(body, status=400, headers={"apim-request-id": "0f5d9a8e-3b6a-4a55-9a76-3d1f2f0b7c11"})
    assert (r.kind, r.stage, r.provider) == ("blocked", "input", "azure")
    assert r.categories == ["self-harm", "violence"]
    assert r.details["severities"] == {"hate": "safe", "self-harm": "medium", "sexual": "safe", "violence": "high"}
    assert r.request_ids == ["0f5d9a8e-3b6a-4a55-9a76-3d1f2f0b7c11"]


def test_azure_dalle2_output_filter_inside_a_succeeded_operation():
    body = {"created": 1698116662, "status": "succeeded", "result": {"data": [
        {"error": {"code": "contentFilter", "message": "Generated image was filtered as a result of our safety system."}}]}}
    r = parse_error_body(body)
    assert (r.kind, r.stage) == ("blocked", "output")


def test_chat_finish_reason_content_filter_is_an_output_block():
    body = {"choices": [{"index": 0, "finish_reason": "content_filter", "message": {"content": None},
                         "content_filter_results": {"sexual": {"filtered": True, "severity": "medium"}}}]}
    r = parse_error_body(body, status=200)
    assert (r.kind, r.stage, r.categories) == ("blocked", "output", ["sexual"])


def test_reference_fal_422():
    r = parse_error_body(REF_FAL, status=422, headers={"X-Fal-Retryable": "false"})
    assert (r.kind, r.stage, r.provider, r.http_status) == ("blocked", "input", "fal", 422)
    assert r.code == "content_policy_violation"
    assert r.details["fal"]["reason"] == "partner_validation_failed"
    assert r.details["fal"]["loc"] == ["body", "prompt"]


def test_fal_validation_error_is_not_a_block():
    body = {"detail": [{"loc": ["body", "num_images"], "msg": "value is not a valid integer", "type": "type_error.integer"}]}
    r = parse_error_body(body, status=422)
    assert r.kind == "bad_request"


def test_reference_stream_response_failed():
    r = parse_error_body(REF_STREAM_FAILED)
    assert (r.kind, r.code, r.categories) == ("blocked", "moderation_blocked", ["sexual"])


def test_responses_api_response_failed_event_object():
    event = {"type": "response.failed", "response": {"id": "resp_1", "status": "failed",
             "error": {"code": "moderation_blocked", "message": "Rejected. safety_violations=[violence]"}}}
    r = parse_error_body(event, headers={"x-request-id": "req_stream_42"})
    assert r.kind == "blocked" and r.categories == ["violence"] and r.request_ids == ["req_stream_42"]
    assert r.details["stream_event"] == "response.failed"


def test_sdk_string_with_message_only():
    r = parse_error_body(SDK_STRING)
    assert (r.kind, r.http_status, r.categories) == ("blocked", 400, ["violence"])
    assert not r.message.startswith("Error code")


def test_older_sdk_string_with_python_repr_body():
    text = ("Error code: 400 - {'error': {'message': 'Your request was rejected by the safety system. "
            "safety_violations=[sexual, violence].', 'type': 'image_generation_user_error', 'param': None, "
            "'code': 'moderation_blocked', 'moderation_details': {'moderation_stage': 'output', 'categories': ['sexual', 'violence']}}}")
    r = parse_error_body(text)
    assert (r.kind, r.stage, r.http_status) == ("blocked", "output", 400)
    assert r.categories == ["sexual", "violence"]


def test_proxy_body_with_second_id_and_proxy_header():
    body = {"error": {"message": "Your request was rejected by the safety system. If you believe this is an error, "
                                 "contact us at Azure support ticket and include the request ID 063f708f-2b4e-4d5a-9a51-0c3b9f1e2d77. "
                                 "(request id: 2026042723155331083492939703753)",
                      "type": "packy_image_generation_user_error", "code": "moderation_blocked"}}
    r = parse_error_body(body, status=400, headers={"x-api-request-id": "20260427231553310834"})
    # the upstream (Azure) ID support can look up first, then the proxy's own two
    assert r.request_ids == ["063f708f-2b4e-4d5a-9a51-0c3b9f1e2d77", "20260427231553310834", "2026042723155331083492939703753"]
    assert r.request_id_sources["20260427231553310834"] == "header:x-api-request-id"
    assert r.details["via_proxy"] and r.kind == "blocked"


def test_non_safety_user_error_with_the_same_type_is_not_a_block():
    body = {"error": {"message": "Invalid image file or mode for image 3, please check your image file.",
                      "type": "image_generation_user_error", "param": "image", "code": "invalid_image_file"}}
    r = parse_error_body(body, status=400)
    assert r.kind == "bad_request" and r.categories == []


@pytest.mark.parametrize(
    "status, code, kind",
    [(429, "rate_limit_exceeded", "rate_limited"), (429, "insufficient_quota", "quota"),
     (401, "invalid_api_key", "auth"), (403, None, "auth"), (404, None, "bad_request"),
     (408, None, "timeout"), (500, None, "server"), (503, None, "server"), (None, "invalid_api_key", "auth")],
)
def test_status_and_code_classification(status, code, kind):
    r = parse_error_body({"error": {"message": "m", "type": "requests", "code": code}}, status=status)
    assert r.kind == kind


def test_retry_after_headers():
    assert retry_after_from_headers({"Retry-After": "7"}) == 7.0
    assert retry_after_from_headers({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_from_headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert retry_after_from_headers({"Retry-After": "soon"}) is None
    r = parse_error_body({"error": {"code": "rate_limit_exceeded", "message": "slow down"}}, status=429, headers={"retry-after": "3"})
    assert r.retry_after == 3.0


def test_log_line_with_embedded_json():
    line = ('2026-11-20T10:00:00Z ERROR image call failed status=400 body={"error": {"code": "moderation_blocked", '
            '"message": "Rejected by the safety system. safety_violations=[hate]", "moderation_details": '
            '{"moderation_stage": "input", "categories": ["hate"]}}} x')
    r = parse_error_body(line)
    assert (r.kind, r.stage, r.categories) == ("blocked", "input", ["hate"])


def test_logged_exchange_with_headers_and_string_body():
    record = {"status": 400, "headers": {"x-request-id": "req_logged_7"},
              "body": json.dumps({"error": {"code": "moderation_blocked", "message": "safety_violations=[violence]"}})}
    r = parse_error_body(record)
    assert (r.kind, r.http_status, r.request_ids) == ("blocked", 400, ["req_logged_7"])


def test_plain_text_html_gateway_error():
    r = parse_error_body("<html><body>502 Bad Gateway</body></html>", status=502)
    assert r.kind == "server" and "502" in r.raw_body


def test_plain_text_mentioning_code():
    r = parse_error_body("moderation_blocked: your prompt was rejected; request id: req_abc123def")
    assert r.kind == "blocked" and r.request_ids == ["req_abc123def"]


def test_keys_are_redacted_from_message_and_raw_body():
    key = "sk-" "proj-SECRETabcdefghijklmnop1234"
    body = {"error": {"message": f"Incorrect API key provided: {key}.", "code": "invalid_api_key"}}
    r = parse_error_body(body, status=401, headers={"authorization": f"Bearer {key}"})
    assert key not in r.message and key not in r.raw_body and key not in json.dumps(r.to_dict())
    keys.remember("plain-known-secret-42")
    r2 = parse_error_body("failure for key plain-known-secret-42")
    assert "plain-known-secret-42" not in r2.message + r2.raw_body
    keys._forget_all_for_tests()


@pytest.mark.parametrize("body", [b"", "", "null", "[]", "{", "}{", b"\xff\xfe\x00\x01", "[1, 2]", 42, None,
                                  {"error": None}, {"error": []}, {"detail": "Not found"}, {"detail": [1, "x"]},
                                  "Error code: 500", "event: error\ndata: {bad json", "x" * 10])
def test_garbage_never_raises(body):
    r = parse_error_body(body)
    assert isinstance(r, ErrorRecord) and r.kind in ERROR_KINDS and r.stage in STAGES


def test_safety_violations_parser():
    text = "safety_violations=[sexual, violence]. again safety_violations = ['hate',\"self-harm\"] and safety_violations: [sexual]"
    assert parse_safety_violations(text) == ["sexual", "violence", "hate", "self-harm"]
    assert parse_safety_violations("safety_violations=[") == []
    assert parse_safety_violations("no markers") == []


def test_safety_violations_parser_handles_hostile_input():
    # A naive backtracking pattern is quadratic here; the scanner makes one forward pass.
    hostile = "safety_violations=[" * 200_000 + "safety_violations=[x]"
    assert parse_safety_violations(hostile) == []  # the first '[' has no ']' except the very last
    many = "safety_violations=[a] " * 50_000
    assert parse_safety_violations(many) == ["a"]


def test_request_ids_from_text():
    text = "ids: req_7Hk29s, 3f2504e0-4f89-11d3-9a0c-0305e82c3301, request id: 2026042723155331083492939703753, phone 12345"
    assert request_ids_from_text(text) == [
        "req_7Hk29s", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "2026042723155331083492939703753"]


# -- fuzzing ------------------------------------------------------------------------------------

_json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=30)
_error_keys = st.sampled_from(["error", "detail", "code", "message", "type", "moderation_details", "innererror",
                               "inner_error", "content_filter_results", "status_code", "status", "headers", "body",
                               "response", "data", "choices", "result", "request_id", "loc", "ctx"])
_shaped = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_error_keys, inner, max_size=5), max_leaves=25)
_headers = st.dictionaries(st.sampled_from(["x-request-id", "retry-after", "retry-after-ms", "x-api-request-id", "apim-request-id", "X-Fal-Retryable", "weird"]), st.text(max_size=30), max_size=4)


def _check(record):
    assert isinstance(record, ErrorRecord)
    assert record.kind in ERROR_KINDS and record.stage in STAGES
    assert all(isinstance(i, str) for i in record.request_ids)
    json.dumps(record.to_dict(), default=str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.text(), st.binary(), _json, _shaped), status=st.none() | st.integers(-5, 700), headers=st.none() | _headers)
def test_fuzz_no_body_crashes_the_parser(body, status, headers):
    _check(parse_error_body(body, status=status, headers=headers))


@settings(max_examples=200, deadline=None)
@given(shaped=_shaped, prefix=st.sampled_from(["", "Error code: 400 - ", "data: ", "log: ", "event: error\ndata: "]))
def test_fuzz_serialised_shapes(shaped, prefix):
    _check(parse_error_body(prefix + json.dumps(shaped)))
    _check(parse_error_body(prefix + repr(shaped)))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="safety_violations=[]:,' \"ab", max_size=400))
def test_fuzz_safety_violation_fragments(text):
    result = parse_safety_violations(text)
    assert all(isinstance(x, str) and x for x in result)


# -- 1.1 reading: shapes the corpus does not cover on its own --------------------------------


@pytest.mark.parametrize(("text", "status"), [
    ("Error code: 429 - {'error': {'message': 'Rate limit reached', 'type': 'requests', 'code': 'rate_limit_exceeded'}}", 429),
    ("RateLimitError: 429 You've exceeded the rate limit", 429),
    ('{"statusCode": 400, "message": "Bad"}', 400),
    ("statusCode: 400, body: invalid size", 400),
    ("400 Bad Request: Invalid value for 'size'", 400),
    ("Request failed with status code 401 and body {}", 401),
    ("HTTP/1.1 503 Service Unavailable", 503),
    ("error code: 1015", None),
    ("Error 1015 Ray ID: 8a1b2c3d4e5f6a7b", None),
])
def test_status_read_from_sdk_strings(text, status):
    assert parse_error_body(text).http_status == status


def test_cloudflare_1015_is_a_rate_limit_not_http_101():
    r = parse_error_body("error code: 1015")
    assert r.kind == "rate_limited" and r.http_status is None


@pytest.mark.parametrize("body", [
    {"error": {"message": "Your request was rejected by the safety system.", "type": "image_generation_user_error",
               "code": "moderation_blocked", "moderationDetails": {"moderationStage": "output", "categories": ["sexual"]}}},
    {"error": {"message": "Blocked (moderation_stage=output) safety_violations=[sexual]", "code": "moderation_blocked"}},
    {"error": {"message": "Image blocked at the output stage. safety_violations=[sexual]", "code": "moderation_blocked"}},
])
def test_stage_from_camel_case_details_or_the_text(body):
    r = parse_error_body(body, status=400)
    assert (r.kind, r.stage, r.categories) == ("blocked", "output", ["sexual"])


def test_an_unstated_stage_stays_unknown_and_the_outcome_says_so():
    from workbench.core.api.error_parsing import outcome_for

    r = parse_error_body({"error": {"message": "Your request was rejected by the safety system.",
                                    "type": "image_generation_user_error", "code": "moderation_blocked"}}, status=400)
    assert r.stage == "unknown" and outcome_for(r) == "blocked_unknown"


@pytest.mark.parametrize(("body", "kind"), [
    ({"error": {"message": "The task failed the text safety check.", "code": "task_failed_text_safety_system"}}, "blocked"),
    ({"error": {"message": "filtered", "type": "one_api_content_filter_error", "code": None}}, "blocked"),
    ({"error": {"message": "Your request was blocked by our content filters.", "code": None, "type": None}}, "blocked"),
    ({"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": None}}, "quota"),
    ({"error": {"message": "Billing hard limit has been reached", "type": "image_generation_user_error",
                "code": "billing_hard_limit_reached"}}, "quota"),
    ({"error": {"message": "Project spend limit exceeded.", "code": "project_spend_limit_exceeded"}}, "quota"),
    ({"error": {"message": "Your organization must be verified to use the model `gpt-image-1`.",
                "type": "invalid_request_error", "code": None}}, "access"),
])
def test_block_quota_and_access_shapes(body, kind):
    for status in (None, 400, 403, 429):
        assert parse_error_body(body, status=status).kind == kind


def test_quota_and_access_are_never_retryable_but_a_rate_limit_is():
    from workbench.core.api.error_parsing import retryable

    assert not retryable(parse_error_body({"error": {"type": "insufficient_quota", "message": "m"}}, status=429))
    assert not retryable(parse_error_body({"error": {"message": "Your organization must be verified"}}, status=403))
    assert retryable(parse_error_body({"error": {"code": "rate_limit_exceeded", "message": "m"}}, status=429))
    assert retryable(parse_error_body({"error": {"message": "boom", "type": "server_error"}}, status=500))


@pytest.mark.parametrize("text", [
    'event: error\ndata: {"type": "error", "error": {"type": "insufficient_quota", "code": "insufficient_quota", '
    '"message": "You exceeded your current quota"}}\n\n',
    'event: response.failed\ndata: {"type": "response.failed", "response": {"error": {"code": "moderation_blocked", '
    '"message": "rejected. safety_violations=[violence]"}}}\n\n',
])
def test_streamed_error_events(text):
    r = parse_error_body(text)
    assert r.kind in ("quota", "blocked")
    if r.kind == "blocked":
        assert r.categories == ["violence"] and r.details.get("stream_event") == "response.failed"


def test_pasted_body_is_kept_byte_for_byte_but_a_live_key_is_cut():
    key = "sk-" + "live0123456789abcdefLIVE0123"
    masked = "Incorrect API key provided: sk-ab12*********************wxyz. You can find your API key at …"
    assert parse_error_body(masked, status=401).raw_body == masked
    leaked = f'{{"error": {{"message": "bad key {key}", "code": "invalid_api_key"}}}}'
    r = parse_error_body(leaked, status=401)
    assert key not in r.raw_body and key not in r.message and r.kind == "auth"


def test_behind_a_proxy_the_upstream_id_comes_first_and_both_are_kept():
    text = ("x-api-request-id: 20261121101500123456789\n\n"
            '{"error": {"message": "Your request was rejected by the safety system. If you believe this is an '
            "error, contact us at help.openai.com and include the request ID req_upstream0001. "
            '(request id: 20261121101500999999999)", "type": "new_api_error", "code": "moderation_blocked"}}')
    r = parse_error_body(text)
    assert r.request_ids == ["req_upstream0001", "20261121101500123456789", "20261121101500999999999"]
    assert r.request_id_sources["20261121101500999999999"] == "message:proxy"


def test_stability_and_gemini_relayed_blocks():
    stability = {"id": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "name": "content_moderation",
                 "errors": ["Your request was flagged by our content moderation system, as a result your request "
                            "was denied and you were not charged."]}
    r = parse_error_body(stability, status=403)
    assert (r.kind, r.code) == ("blocked", "content_moderation")
    assert r.request_ids == ["a1b2c3d4e5f60718293a4b5c6d7e8f90"]
    gemini = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 9}}
    r = parse_error_body(gemini, status=200)
    assert (r.kind, r.stage) == ("blocked", "input")
    image = {"candidates": [{"finishReason": "IMAGE_SAFETY", "index": 0}]}
    assert (parse_error_body(image, status=200).kind, parse_error_body(image, status=200).stage) == ("blocked", "output")
