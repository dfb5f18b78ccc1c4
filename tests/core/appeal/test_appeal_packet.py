"""Appeals and their packet: the seeds' checklist, reproduction, schema, redaction, no secrets."""

from __future__ import annotations

import json

import pytest

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams
from workbench.core.appeal import PACKET_SCHEMA, AppealStore, build_packet
from workbench.core.errors import BadInputError
from workbench.core.store import HistoryStore

KEY = "sk-proj-" + "Zq9Xw8Vu7Ts6Rq5Po4Nm" * 2
PROMPT = "Two knights fighting with swords on a stone bridge, cinematic"


def block(request_id: str, *, prompt_echo: str = "", stage: str = "input") -> ErrorRecord:
    message = ("Your request was rejected by the safety system. If you believe this is an error, contact us at "
               f"help.openai.com and include the request ID {request_id}. safety_violations=[violence].")
    body = {"error": {"message": message, "type": "image_generation_user_error", "param": None,
                      "code": "moderation_blocked",
                      "moderation_details": {"moderation_stage": stage, "categories": ["violence"]}}}
    if prompt_echo:
        body["error"]["input"] = {"prompt": prompt_echo}
    return ErrorRecord(kind="blocked", message=message, stage=stage, categories=["violence"], http_status=400,
                       type="image_generation_user_error", code="moderation_blocked", raw_body=json.dumps(body),
                       request_ids=[request_id], provider="openai", safety_violations=["violence"],
                       request_id_sources={request_id: "header:x-request-id"})


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    yield s
    s.close()


def _attempt(store, prompt, *, profile, model, outcome, request_id, when, moderation="auto", echo=""):
    rid = store.begin_request(prompt, ImageParams(model=model, quality="high", moderation=moderation),
                              profile=profile, provider="openai", base_url=f"https://api.openai.com/v1?key={KEY}")
    error = block(request_id, prompt_echo=echo) if outcome.startswith("blocked") else None
    store.complete_request(rid, GenerationResult(outcome=outcome, error=error, request_ids=[request_id],
                                                 http_status=400 if error else 200))
    store.db.execute("UPDATE requests SET created_at = ? WHERE id = ?", [when, rid])
    return rid


def _scenario(store):
    ids = [
        _attempt(store, PROMPT, profile="OpenAI", model="gpt-image-1", outcome="blocked_input",
                 request_id="req_first", when="2026-11-01T09:00:00.000Z", echo=PROMPT),
        # the same prompt, differently cased and spaced: counts as the same for reproduction
        _attempt(store, "two knights  fighting with swords on a stone bridge, CINEMATIC.", profile="Azure",
                 model="gpt-image-2", outcome="blocked_input", request_id="req_second",
                 when="2026-11-02T09:00:00.000Z"),
        _attempt(store, PROMPT, profile="OpenAI", model="gpt-image-1", outcome="blocked_input",
                 request_id="req_third", when="2026-11-03T09:00:00.000Z", moderation="low"),
        _attempt(store, PROMPT, profile="Sandbox", model="gpt-image-1", outcome="ok",
                 request_id="req_pass", when="2026-11-04T09:00:00.000Z"),
    ]
    _attempt(store, "a quiet meadow", profile="OpenAI", model="gpt-image-1", outcome="ok", request_id="req_x",
             when="2026-11-05T09:00:00.000Z")
    return ids


def test_appeal_lifecycle(store):
    ids = _scenario(store)
    appeals = AppealStore(store)
    with pytest.raises(BadInputError):
        appeals.create([])
    with pytest.raises(BadInputError, match="#999"):
        appeals.create([999])
    appeal = appeals.create([ids[0], ids[0], ids[2]], title="Knights poster")
    assert appeal.status == "draft" and appeal.request_ids == [ids[0], ids[2]]
    appeal = appeals.set_status(appeal.id, "submitted", ticket="TCK-77")
    assert appeal.submitted_at and appeal.ticket == "TCK-77" and appeal.closed_at is None
    appeal = appeals.set_status(appeal.id, "resolved")
    assert appeal.closed_at and appeal.submitted_at
    with pytest.raises(BadInputError):
        appeals.set_status(appeal.id, "won")
    appeal = appeals.add_requests(appeal.id, [ids[1]])
    assert appeal.request_ids == [ids[0], ids[2], ids[1]]
    appeal = appeals.remove_requests(appeal.id, [ids[2]])
    assert appeal.request_ids == [ids[0], ids[1]]
    assert [a.id for a in appeals.list("resolved")] == [appeal.id] and appeals.list("draft") == []
    appeals.delete(appeal.id)
    assert appeals.list() == [] and store.get(ids[0])  # requests stay


def test_packet_follows_the_checklist(store):
    ids = _scenario(store)
    appeal = AppealStore(store).create([ids[0]], business_context="Museum poster for a medieval exhibition",
                                       account_id="acct-42", org_id="org-7")
    packet = build_packet(store, appeal)
    request = packet["requests"][0]
    # full error response including the request ID
    assert json.loads(request["raw_error_body"])["error"]["code"] == "moderation_blocked"
    assert request["request_ids"] == ["req_first"]
    assert request["request_id_sources"] == {"req_first": "header:x-request-id"}
    # the complete prompt and the UTC timestamp
    assert request["prompt"] == PROMPT and request["timestamp_utc"] == "2026-11-01T09:00:00.000Z"
    assert (request["error"]["stage"], request["error"]["categories"]) == ("input", ["violence"])
    # account ID and business context
    assert packet["appeal"]["account_id"] == "acct-42" and "medieval" in packet["appeal"]["business_context"]
    # reproduction: same normalised prompt, 3 blocks of 4 attempts, where and with which settings
    (group,) = packet["reproduction"]
    assert (group["attempts"], group["blocked"], group["passed"]) == (4, 3, 1)
    assert group["consistency"] == "intermittent"
    assert (group["first_blocked_utc"], group["last_blocked_utc"]) == (
        "2026-11-01T09:00:00.000Z", "2026-11-03T09:00:00.000Z")
    assert group["blocked_request_ids"] == ["req_first", "req_second", "req_third"]
    settings = {(s["profile"], s["model"], s["moderation"]): (s["attempts"], s["blocked"]) for s in group["settings"]}
    assert settings == {("OpenAI", "gpt-image-1", "auto"): (1, 1), ("Azure", "gpt-image-2", "auto"): (1, 1),
                        ("OpenAI", "gpt-image-1", "low"): (1, 1), ("Sandbox", "gpt-image-1", "auto"): (1, 0)}
    assert all(item["ok"] for item in packet["checklist"]), packet["checklist"]
    assert [c["item"] for c in packet["checklist"]] == [
        "error_response", "prompt", "timestamp", "account_id", "business_context", "reproduction"]


def test_checklist_says_what_is_missing(store):
    ids = _scenario(store)
    appeal = AppealStore(store).create([ids[3]])  # a request that passed, no context, no account
    items = {c["item"]: c for c in build_packet(store, appeal)["checklist"]}
    assert not items["account_id"]["ok"] and not items["business_context"]["ok"]
    assert not items["blocked"]["ok"] and f"#{ids[3]}" in items["blocked"]["detail"]
    assert not items["error_response"]["ok"]
    store.redact([ids[0]])
    items = {c["item"]: c for c in build_packet(store, AppealStore(store).create([ids[0]]))["checklist"]}
    assert not items["prompt"]["ok"] and "redacted" in items["prompt"]["detail"]


def test_prompt_echoes_can_be_redacted_but_the_prompt_stays(store):
    ids = _scenario(store)
    appeal = AppealStore(store).create([ids[0]])
    plain = build_packet(store, appeal)
    assert PROMPT in plain["requests"][0]["raw_error_body"]
    redacted = build_packet(store, appeal, redact_echoes_in_bodies=True)
    assert PROMPT not in redacted["requests"][0]["raw_error_body"]
    assert redacted["requests"][0]["prompt"] == PROMPT and redacted["redaction"]["prompt_echoes_redacted"]


def test_no_secret_anywhere_in_the_packet(store):
    store.add_secret("team-azure-secret-0042")
    ids = _scenario(store)
    appeal = AppealStore(store).create([ids[0]], business_context="our key team-azure-secret-0042 oops",
                                       notes=f"pasted {KEY}")
    text = json.dumps(build_packet(store, appeal))
    assert KEY not in text and "team-azure-secret-0042" not in text
    assert "api.openai.com" in text


def _check(value, schema, where="packet"):
    """A small JSON-schema subset check: type, const, enum, required, properties, items."""
    kinds = schema.get("type")
    if kinds:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        python = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict,
                  "array": list, "null": type(None)}
        assert any(isinstance(value, python[k]) and not (k in ("integer", "number") and isinstance(value, bool))
                   for k in kinds), f"{where}: {value!r} is not {kinds}"
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], where
    if isinstance(value, dict) and "properties" in schema:
        assert set(schema.get("required", [])) <= set(value), f"{where}: missing {set(schema['required']) - set(value)}"
        assert set(value) <= set(schema["properties"]), f"{where}: undocumented {set(value) - set(schema['properties'])}"
        for key, sub in schema["properties"].items():
            if key in value:
                _check(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            _check(item, schema["items"], f"{where}[{n}]")


def test_packet_matches_the_documented_schema(store):
    ids = _scenario(store)
    appeal = AppealStore(store).create(ids[:2], account_id="a")
    _check(json.loads(json.dumps(build_packet(store, appeal))), PACKET_SCHEMA)
    with pytest.raises(AssertionError):
        _check({"schema": "other"}, PACKET_SCHEMA)  # the checker itself can fail
